// Validates requests to (and responses from) the fake GitHub against GitHub's own OpenAPI
// description, as extracted into openapi-subset.json by scripts/extract-openapi.ts.
import { existsSync, readFileSync } from "node:fs";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import type { OpenApiSubset, SubsetOperation } from "../../scripts/extract-openapi.js";

export type { OpenApiSubset, SubsetOperation };

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface MatchedRoute {
  operationId: string;
  operation: SubsetOperation;
  /** Path parameters, URL-decoded. */
  params: Record<string, string>;
}

export interface RequestParts {
  params: Record<string, string>;
  query: Record<string, string | string[]>;
  /** Parsed JSON body; undefined when the request had none. */
  body: unknown;
}

export interface Validator {
  subset: OpenApiSubset;
  /** Finds the operation for a method and a path without /api/v3 prefix and query string. */
  match(method: string, path: string): MatchedRoute | undefined;
  /** Error messages (empty when the request is one GitHub accepts). */
  validateRequest(route: MatchedRoute, parts: RequestParts): string[];
  /** Error messages when a 2xx response does not match the documented status or schema. */
  validateResponse(operationId: string, status: number, body: unknown): string[];
  /** Compiles every operation's schemas now rather than at first use (a benchmark's warm-up). */
  compileAll(): void;
}

const SCHEMA_BASE = "https://shepherd.invalid/openapi-subset.json";
// Next to this file; when running from dist/test/fake-github, fall back to the source tree.
const SUBSET_URLS = [
  new URL("./openapi-subset.json", import.meta.url),
  new URL("../../../test/fake-github/openapi-subset.json", import.meta.url),
];

export function loadSubset(): OpenApiSubset {
  const url = SUBSET_URLS.find((candidate) => existsSync(candidate)) ?? SUBSET_URLS[0];
  if (!url) throw new Error("openapi-subset.json not found");
  return JSON.parse(readFileSync(url, "utf8")) as OpenApiSubset;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Turns OpenAPI 3.0 dialect into JSON Schema ajv understands: `nullable` becomes a null type
 * (or an anyOf when there is no type, e.g. next to $ref/allOf), and component $refs point
 * into the schema registered under SCHEMA_BASE.
 */
export function toJsonSchema(node: Json): Json {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "$ref" && typeof value === "string" && value.startsWith("#/components/schemas/")) {
      out[key] = `${SCHEMA_BASE}#/definitions/${value.slice("#/components/schemas/".length)}`;
    } else if (key !== "nullable") {
      out[key] = toJsonSchema(value);
    }
  }
  if (node["nullable"] !== true) return out;
  const type = out["type"];
  if (type === undefined) return { anyOf: [out, { type: "null" }] };
  out["type"] = Array.isArray(type) ? [...type, "null"] : [type, "null"];
  if (Array.isArray(out["enum"])) out["enum"] = [...out["enum"], null];
  return out;
}

/**
 * Where GitHub's real responses differ from its description, the fake follows GitHub (so the bot
 * meets what production sends) and this list loosens the response schema. Never loosen request
 * schemas here.
 */
const RESPONSE_SCHEMA_FIXES: Array<{ schema: string; path: string[]; why: string }> = [
  {
    schema: "issue-search-result-item",
    path: ["properties", "body"],
    why: "search results carry body: null for issues without a body",
  },
  {
    schema: "pull-request-simple",
    path: ["properties", "labels", "items", "properties", "description"],
    why: "a label without a description has description: null, as everywhere else in the API",
  },
];

/** The same for schemas GitHub inlines in one operation's response; the path leads to the node. */
const OPERATION_RESPONSE_FIXES: Array<{ operationId: string; path: string[]; why: string }> = [
  {
    operationId: "apps/list-installations",
    path: ["items", "properties", "account"],
    why: "the description says allOf(simple-user, enterprise), which nothing satisfies; GitHub sends one of the two",
  },
];

function withOperationFixes(operationId: string, schema: JsonObject): JsonObject {
  const fixes = OPERATION_RESPONSE_FIXES.filter((fix) => fix.operationId === operationId);
  if (fixes.length === 0) return schema;
  const fixed = structuredClone(schema);
  for (const fix of fixes) {
    const node = fix.path.reduce<Json | undefined>((at, key) => (isObject(at) ? at[key] : undefined), fixed);
    if (!isObject(node) || !Array.isArray(node["allOf"]))
      throw new Error(`OPERATION_RESPONSE_FIXES: ${fix.operationId} ${fix.path.join(".")} changed; drop the fix`);
    node["anyOf"] = node["allOf"];
    delete node["allOf"];
  }
  return fixed;
}

function withFixes(schemas: Record<string, JsonObject>): Record<string, JsonObject> {
  const fixed = structuredClone(schemas);
  for (const fix of RESPONSE_SCHEMA_FIXES) {
    const target = fix.path.reduce<Json | undefined>(
      (at, key) => (isObject(at) ? at[key] : undefined),
      fixed[fix.schema],
    );
    if (!isObject(target))
      throw new Error(`RESPONSE_SCHEMA_FIXES: ${fix.schema} ${fix.path.join(".")} no longer exists; drop the fix`);
    target["nullable"] = true;
  }
  return fixed;
}

function createAjv(subset: OpenApiSubset, coerceTypes: boolean): Ajv {
  const ajv = new Ajv({ strict: false, validateSchema: false, allErrors: true, coerceTypes });
  addFormatsModule.default(ajv);
  // Formats GitHub's description uses that ajv-formats lacks.
  ajv.addFormat("repo.nwo", /^[^/\s]+\/[^/\s]+$/);
  ajv.addFormat("ssh-key", true);
  ajv.addFormat("ssh-key fingerprint", true);
  ajv.addFormat("binary", true);
  ajv.addSchema({
    $id: SCHEMA_BASE,
    definitions: toJsonSchema(withFixes(subset.components.schemas as Record<string, JsonObject>)),
  } as object);
  return ajv;
}

function formatErrors(where: string, errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).slice(0, 8).map((error) => {
    const detail =
      error.keyword === "enum" || error.keyword === "additionalProperties" ? ` ${JSON.stringify(error.params)}` : "";
    return `${where}${error.instancePath} ${error.message ?? error.keyword}${detail}`;
  });
}

interface CompiledRoute {
  operationId: string;
  operation: SubsetOperation;
  method: string;
  segments: string[];
  literals: number;
}

function compileRoutes(subset: OpenApiSubset): CompiledRoute[] {
  return Object.entries(subset.operations).map(([operationId, operation]) => {
    const segments = operation.path.split("/").slice(1);
    const literals = segments.filter((segment) => !segment.startsWith("{")).length;
    return { operationId, operation, method: operation.method.toUpperCase(), segments, literals };
  });
}

/** Matches template segments; a trailing `{path}` (contents API) takes the rest of the path. */
function matchSegments(template: string[], actual: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (const [index, segment] of template.entries()) {
    const value = actual[index];
    if (value === undefined || value === "") return undefined;
    if (!segment.startsWith("{")) {
      if (segment !== value) return undefined;
      continue;
    }
    const name = segment.slice(1, -1);
    const greedy = name === "path" && index === template.length - 1;
    params[name] = (greedy ? actual.slice(index) : [value]).map((part) => decodeURIComponent(part)).join("/");
    if (greedy) return params;
  }
  return template.length === actual.length ? params : undefined;
}

function paramsSchema(operation: SubsetOperation, where: "path" | "query"): Json {
  const params = operation.parameters.filter((param) => param.in === where);
  return toJsonSchema({
    type: "object",
    properties: Object.fromEntries(params.map((param) => [param.name, param.schema])),
    required: params.filter((param) => param.required).map((param) => param.name),
  });
}

export function createValidator(subset: OpenApiSubset = loadSubset()): Validator {
  const strictAjv = createAjv(subset, false);
  // Path and query values arrive as strings; coerce them as GitHub does ("2" is a fine page).
  const coercingAjv = createAjv(subset, true);
  const routes = compileRoutes(subset);
  const cache = new Map<string, ValidateFunction>();

  function compiled(key: string, ajv: Ajv, schema: () => Json): ValidateFunction {
    const found = cache.get(key);
    if (found) return found;
    const validate = ajv.compile(schema() as object);
    cache.set(key, validate);
    return validate;
  }

  // One validator per schema, asked for the same way by validation and by compileAll.
  const paramsValidator = (operationId: string, operation: SubsetOperation, where: "path" | "query") =>
    compiled(`${operationId} ${where}`, coercingAjv, () => paramsSchema(operation, where));
  const bodyValidator = (operationId: string, body: NonNullable<SubsetOperation["requestBody"]>) =>
    compiled(`${operationId} body`, strictAjv, () => toJsonSchema(body.schema));
  const responseValidator = (operationId: string, status: string, schema: JsonObject) =>
    compiled(`${operationId} response ${status}`, strictAjv, () =>
      toJsonSchema(withOperationFixes(operationId, schema)),
    );

  function check(validate: ValidateFunction, where: string, data: unknown): string[] {
    return validate(data) ? [] : formatErrors(where, validate.errors);
  }

  function match(method: string, path: string): MatchedRoute | undefined {
    const actual = path.split("/").slice(1);
    let best: { route: CompiledRoute; params: Record<string, string> } | undefined;
    for (const route of routes) {
      if (route.method !== method.toUpperCase()) continue;
      const params = matchSegments(route.segments, actual);
      // Prefer literal segments: issues/comments/{id} over issues/{issue_number}/...
      if (params && (!best || route.literals > best.route.literals)) best = { route, params };
    }
    return best && { operationId: best.route.operationId, operation: best.route.operation, params: best.params };
  }

  function validateRequest(route: MatchedRoute, parts: RequestParts): string[] {
    const { operationId, operation } = route;
    const errors = [
      ...check(paramsValidator(operationId, operation, "path"), "path", { ...parts.params }),
      ...check(paramsValidator(operationId, operation, "query"), "query", { ...parts.query }),
    ];
    const body = operation.requestBody;
    if (body === null || parts.body === undefined) {
      return body?.required && parts.body === undefined ? [...errors, "body is required"] : errors;
    }
    return [...errors, ...check(bodyValidator(operationId, body), "body", parts.body)];
  }

  function validateResponse(operationId: string, status: number, body: unknown): string[] {
    const operation = subset.operations[operationId];
    if (!operation || status < 200 || status >= 300) return [];
    const documented = Object.keys(operation.responses);
    const response = operation.responses[String(status)];
    if (response === undefined)
      return [`response status ${status} is not documented (GitHub answers ${documented.join("/")})`];
    if (response === null) return body === undefined ? [] : [`response ${status} must have no body`];
    return check(responseValidator(operationId, String(status), response.schema), "response", body);
  }

  function compileAll(): void {
    for (const [operationId, operation] of Object.entries(subset.operations)) {
      paramsValidator(operationId, operation, "path");
      paramsValidator(operationId, operation, "query");
      if (operation.requestBody) bodyValidator(operationId, operation.requestBody);
      for (const [status, response] of Object.entries(operation.responses)) {
        if (response && status.startsWith("2")) responseValidator(operationId, status, response.schema);
      }
    }
  }

  return { subset, match, validateRequest, validateResponse, compileAll };
}
