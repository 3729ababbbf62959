// Extracts the REST operations Shepherd uses from GitHub's published OpenAPI description into a
// small committed file, so tests (the fake GitHub server) validate every call without the
// 385 MB @octokit/openapi package installed.
//
// Regenerate (from the repository root):
//   npm install --no-save @octokit/openapi@23
//   npx tsc -p tsconfig.json && node dist/scripts/extract-openapi.js
// or, with the package installed elsewhere (it is 385 MB), name its directory:
//   node dist/scripts/extract-openapi.js ../openapi/node_modules/@octokit/openapi
//
// Add an operationId to OPERATIONS, regenerate, then give the fake a handler for it.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

export const OPERATIONS = [
  "apps/create-installation-access-token",
  "apps/get-repo-installation",
  "apps/get-authenticated",
  "apps/list-repos-accessible-to-installation",
  "apps/list-installations",
  "apps/list-webhook-deliveries",
  "apps/redeliver-webhook-delivery",
  "repos/get",
  "repos/download-tarball-archive",
  "repos/get-content",
  "checks/create",
  "checks/list-for-ref",
  "issues/get",
  "issues/update",
  "issues/list-labels-for-repo",
  "issues/get-label",
  "issues/create-label",
  "issues/update-label",
  "issues/add-labels",
  "issues/set-labels",
  "issues/remove-label",
  "issues/list-labels-on-issue",
  "issues/list-comments",
  "issues/create-comment",
  "issues/update-comment",
  "issues/get-comment",
  "issues/list-milestones",
  "issues/add-assignees",
  "issues/remove-assignees",
  "issues/create",
  "pulls/get",
  "pulls/list-files",
  "pulls/request-reviewers",
  "reactions/create-for-issue-comment",
  "repos/get-collaborator-permission-level",
  "search/issues-and-pull-requests",
  "teams/list-members-in-org",
  "teams/get-membership-for-user-in-org",
  "reactions/create-for-issue",
  "reactions/create-for-pull-request-review-comment",
  "issues/list-comments-for-repo",
  "issues/list-for-repo",
  "pulls/list",
  "reactions/list-for-issue-comment",
  "reactions/list-for-issue",
  "reactions/list-for-pull-request-review-comment",
] as const;

export type OperationId = (typeof OPERATIONS)[number];

export const SOURCE_PACKAGE = "@octokit/openapi";
export const SOURCE_DIR = "node_modules/@octokit/openapi";
export const SOURCE_FILE = `${SOURCE_DIR}/generated/api.github.com.json`;
export const SUBSET_FILE = "test/fake-github/openapi-subset.json";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface SubsetParameter {
  name: string;
  in: "path" | "query";
  required: boolean;
  schema: JsonObject;
}

export interface SubsetOperation {
  method: string;
  path: string;
  parameters: SubsetParameter[];
  requestBody: { required: boolean; contentType: string; schema: JsonObject } | null;
  /** 2xx status -> response body schema (null when GitHub sends no body, e.g. 204). */
  responses: Record<string, { contentType: string; schema: JsonObject } | null>;
  /** Every status the description documents for the operation (2xx and errors). */
  statuses: number[];
}

export interface OpenApiSubset {
  source: { package: string; version: string; file: string; openapi: string; apiVersion: string };
  operations: Record<string, SubsetOperation>;
  components: { schemas: Record<string, JsonObject> };
}

// Annotation keywords: they carry most of the 13 MB and never affect validation.
const DROPPED_KEYWORDS = new Set([
  "description",
  "example",
  "examples",
  "title",
  "externalDocs",
  "discriminator",
  "readOnly",
  "writeOnly",
  "deprecated",
]);
const SCHEMA_MAP_KEYWORDS = new Set(["properties", "patternProperties"]);
const SCHEMA_LIST_KEYWORDS = new Set(["allOf", "anyOf", "oneOf"]);
const SCHEMA_KEYWORDS = new Set(["items", "additionalProperties", "not"]);
const SCHEMA_REF_PREFIX = "#/components/schemas/";

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function asObject(value: Json | undefined, where: string): JsonObject {
  if (!isObject(value)) throw new Error(`expected an object at ${where}`);
  return value;
}

/** Strips annotations from a schema and notes which component schemas it references. */
function cleanSchema(schema: Json, refs: Set<string>): Json {
  if (!isObject(schema)) return schema;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (DROPPED_KEYWORDS.has(key) || key.startsWith("x-")) continue;
    if (key === "$ref" && typeof value === "string") {
      if (!value.startsWith(SCHEMA_REF_PREFIX)) throw new Error(`unsupported $ref ${value}`);
      refs.add(value.slice(SCHEMA_REF_PREFIX.length));
      out[key] = value;
    } else if (SCHEMA_MAP_KEYWORDS.has(key) && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, cleanSchema(sub, refs)]));
    } else if (SCHEMA_LIST_KEYWORDS.has(key) && Array.isArray(value)) {
      out[key] = value.map((sub) => cleanSchema(sub, refs));
    } else if (SCHEMA_KEYWORDS.has(key)) {
      out[key] = cleanSchema(value, refs);
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** Follows a `#/components/<kind>/<name>` reference (parameters, responses) to its target. */
function deref(spec: JsonObject, value: Json | undefined): JsonObject {
  const object = asObject(value, "reference");
  const ref = object["$ref"];
  if (typeof ref !== "string") return object;
  const target = ref
    .slice(2)
    .split("/")
    .reduce<Json | undefined>((node, key) => (isObject(node) ? node[key] : undefined), spec);
  return deref(spec, asObject(target, ref));
}

/** Picks JSON content when there is a choice (get-content also offers vnd.github.object). */
function pickContent(
  spec: JsonObject,
  content: Json | undefined,
  refs: Set<string>,
): { contentType: string; schema: JsonObject } | null {
  if (!isObject(content)) return null;
  const contentType = "application/json" in content ? "application/json" : Object.keys(content)[0];
  if (contentType === undefined) return null;
  const media = deref(spec, content[contentType]);
  return { contentType, schema: asObject(cleanSchema(media["schema"] ?? {}, refs), `${contentType} schema`) };
}

function extractParameters(spec: JsonObject, list: Json[], refs: Set<string>): SubsetParameter[] {
  const out: SubsetParameter[] = [];
  for (const item of list) {
    const param = deref(spec, item);
    const where = param["in"];
    if (where !== "path" && where !== "query") continue; // header params are Octokit's business
    out.push({
      name: String(param["name"]),
      in: where,
      required: param["required"] === true,
      schema: asObject(cleanSchema(param["schema"] ?? {}, refs), `parameter ${String(param["name"])}`),
    });
  }
  return out;
}

function extractOperation(spec: JsonObject, path: string, method: string, refs: Set<string>): SubsetOperation {
  const item = asObject(asObject(spec["paths"], "paths")[path], path);
  const op = asObject(item[method], `${method} ${path}`);
  const shared = Array.isArray(item["parameters"]) ? item["parameters"] : [];
  const own = Array.isArray(op["parameters"]) ? op["parameters"] : [];
  const body = op["requestBody"] === undefined ? undefined : deref(spec, op["requestBody"]);
  const picked = body === undefined ? null : pickContent(spec, body["content"], refs);
  const responses: SubsetOperation["responses"] = {};
  const statuses: number[] = [];
  for (const [status, response] of Object.entries(asObject(op["responses"], "responses"))) {
    statuses.push(Number(status));
    if (!status.startsWith("2")) continue;
    responses[status] = pickContent(spec, deref(spec, response)["content"], refs);
  }
  return {
    method,
    path,
    parameters: extractParameters(spec, [...shared, ...own], refs),
    requestBody: picked === null ? null : { required: body?.["required"] === true, ...picked },
    responses,
    statuses,
  };
}

/** Copies every component schema reachable from the operations (transitively). */
function collectComponents(spec: JsonObject, refs: Set<string>): Record<string, JsonObject> {
  const schemas = asObject(asObject(spec["components"], "components")["schemas"], "components.schemas");
  const out: Record<string, JsonObject> = {};
  const pending = [...refs];
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    if (name in out) continue;
    const found = new Set<string>();
    out[name] = asObject(cleanSchema(asObject(schemas[name], `schema ${name}`), found), name);
    pending.push(...[...found].filter((ref) => !(ref in out)));
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

export function extractSubset(spec: JsonObject, version: string, operationIds: readonly string[]): OpenApiSubset {
  const index = new Map<string, { path: string; method: string }>();
  for (const [path, item] of Object.entries(asObject(spec["paths"], "paths"))) {
    for (const [method, op] of Object.entries(asObject(item, path))) {
      if (isObject(op) && typeof op["operationId"] === "string") index.set(op["operationId"], { path, method });
    }
  }
  const refs = new Set<string>();
  const operations: Record<string, SubsetOperation> = {};
  const missing = operationIds.filter((id) => !index.has(id));
  if (missing.length > 0) throw new Error(`operationIds not in GitHub's description: ${missing.join(", ")}`);
  for (const id of operationIds) {
    const where = index.get(id);
    if (where) operations[id] = extractOperation(spec, where.path, where.method, refs);
  }
  const info = asObject(spec["info"], "info");
  return {
    source: {
      package: `${SOURCE_PACKAGE}@${version}`,
      version,
      file: "generated/api.github.com.json",
      openapi: String(spec["openapi"]),
      apiVersion: String(info["version"]),
    },
    operations,
    components: { schemas: collectComponents(spec, refs) },
  };
}

/** Run from the repository root; the optional argument is the package's directory when it is installed elsewhere. */
function main(): void {
  const root = process.cwd();
  const packageDir = resolve(root, process.argv[2] ?? SOURCE_DIR);
  const source = resolve(packageDir, "generated/api.github.com.json");
  if (!existsSync(source)) {
    console.error(
      `${source} is missing. It is not a dependency (385 MB); install it without saving:\n` +
        `  npm install --no-save ${SOURCE_PACKAGE}@23\nthen run this script again from the repository root,\n` +
        "or install it in another directory and pass the package's directory as the argument.",
    );
    process.exitCode = 1;
    return;
  }
  const pkg = asObject(JSON.parse(readFileSync(resolve(packageDir, "package.json"), "utf8")) as Json, "package.json");
  const spec = asObject(JSON.parse(readFileSync(source, "utf8")) as Json, SOURCE_FILE);
  const subset = extractSubset(spec, String(pkg["version"]), OPERATIONS);
  // One-space indentation: still small, and regenerations give readable diffs.
  const text = JSON.stringify(subset, null, 1) + "\n";
  writeFileSync(resolve(root, SUBSET_FILE), text);
  const kb = Math.round(Buffer.byteLength(text) / 1024);
  console.log(
    `wrote ${SUBSET_FILE}: ${OPERATIONS.length} operations, ${Object.keys(subset.components.schemas).length} component schemas, ${kb} KB`,
  );
}

// Run only as a script, so tests can import OPERATIONS.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
