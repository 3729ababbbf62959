// GraphQL for the fake GitHub. Every document is parsed and validated by graphql-js against
// GitHub's published schema (@octokit/graphql-schema), then resolved over the fake's state by a
// small, explicit set of fields. A field or argument the fake does not implement is an error
// recorded in the fake, so growing it is obvious; so is any document GitHub would reject.
import { readFileSync } from "node:fs";
import {
  buildASTSchema,
  execute,
  getOperationAST,
  GraphQLError,
  GraphQLSchema,
  parse,
  validate,
  type DefinitionNode,
  type DocumentNode,
  type FieldDefinitionNode,
  type GraphQLFieldResolver,
  type GraphQLResolveInfo,
  type GraphQLTypeResolver,
  type InputValueDefinitionNode,
} from "graphql";
import type { AuthInfo, EmitWebhook } from "./handlers.js";
import type { Urls } from "./render.js";
import {
  MAX_PINNED_ISSUES,
  nodeId,
  parseNodeId,
  type Account,
  type DiscussionCategoryRecord,
  type DiscussionRecord,
  type FakeState,
  type IssueRecord,
  type RepoRecord,
} from "./state.js";

// ---------------------------------------------------------------------------------------------
// GitHub's schema, built once per process

export interface GithubSchema {
  schema: GraphQLSchema;
  /** Milliseconds spent reading, parsing and building the SDL. */
  buildMs: number;
  /** "Type.field" definitions the published SDL repeats (graphql-js refuses them; the first is kept). */
  duplicateFields: string[];
}

const CACHE_KEY = Symbol.for("shepherd.fake-github.graphql-schema");
const globalCache = globalThis as { [CACHE_KEY]?: GithubSchema };

/**
 * The published SDL repeats a few field definitions (EnterpriseOwnerInfo.repositoryDeployKeySetting
 * in 15.26), which graphql-js's buildSchema rejects; keep the first of each.
 */
function dropDuplicateFields(document: DocumentNode, duplicates: string[]): DocumentNode {
  const definitions = document.definitions.map((definition): DefinitionNode => {
    if (!("fields" in definition) || !definition.fields) return definition;
    const seen = new Set<string>();
    const fields = (definition.fields as ReadonlyArray<FieldDefinitionNode | InputValueDefinitionNode>).filter(
      (field) => {
        const repeated = seen.has(field.name.value);
        if (repeated) duplicates.push(`${definition.name.value}.${field.name.value}`);
        seen.add(field.name.value);
        return !repeated;
      },
    );
    return fields.length === definition.fields.length ? definition : ({ ...definition, fields } as DefinitionNode);
  });
  return { ...document, definitions };
}

/**
 * GitHub's GraphQL schema, built on first use and shared by every fake in the process (also
 * across vitest's per-file module graphs when they share graphql-js). Reads schema.graphql
 * directly: importing the package root also parses its 5 MB schema.json and builds a second
 * schema from it at import time (~0.5 s).
 */
export function githubSchema(): GithubSchema {
  const cached = globalCache[CACHE_KEY];
  if (cached && cached.schema instanceof GraphQLSchema) return cached;
  const started = performance.now();
  const sdl = readFileSync(new URL("./schema.graphql", import.meta.resolve("@octokit/graphql-schema")), "utf8");
  const duplicateFields: string[] = [];
  const document = dropDuplicateFields(parse(sdl, { noLocation: true }), duplicateFields);
  // The SDL is GitHub's; graphql-js still checks the built schema (validateSchema) on first use.
  const schema = buildASTSchema(document, { assumeValidSDL: true });
  const built: GithubSchema = { schema, buildMs: performance.now() - started, duplicateFields };
  globalCache[CACHE_KEY] = built;
  return built;
}

// ---------------------------------------------------------------------------------------------
// Request description (for RecordedCall), without the schema

export interface GraphqlOperation {
  /** "query", "mutation" or "subscription"; undefined when the document does not parse. */
  operation: "query" | "mutation" | "subscription" | undefined;
  operationName: string | undefined;
  /** Top-level fields of the operation, e.g. ["repository"] or ["createDiscussion"]. */
  fields: string[];
}

export function describeOperation(query: string, operationName: string | undefined): GraphqlOperation {
  try {
    const operation = getOperationAST(parse(query, { noLocation: true }), operationName);
    if (!operation) return { operation: undefined, operationName, fields: [] };
    const fields = operation.selectionSet.selections.flatMap((selection) =>
      selection.kind === "Field" ? [selection.name.value] : [],
    );
    return { operation: operation.operation, operationName: operation.name?.value ?? operationName, fields };
  } catch {
    return { operation: undefined, operationName, fields: [] };
  }
}

// ---------------------------------------------------------------------------------------------
// Errors in GitHub's shape

export interface GithubGraphqlError {
  type?: string;
  path?: ReadonlyArray<string | number>;
  locations?: ReadonlyArray<{ line: number; column: number }>;
  message: string;
}

/** An error GitHub answers in `errors` (with `type`, e.g. NOT_FOUND); the field resolves to null. */
function refuse(type: string, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { type } });
}

function githubError(error: GraphQLError): GithubGraphqlError {
  const type = error.extensions["type"];
  return {
    ...(typeof type === "string" && { type }),
    ...(error.path && { path: error.path }),
    ...(error.locations && { locations: error.locations }),
    message: error.message,
  };
}

// ---------------------------------------------------------------------------------------------
// Resolution

export type GraphqlRecordKind = "graphql" | "auth" | "fake";

export interface GraphqlExecution {
  query: string;
  variables: Record<string, unknown>;
  operationName: string | undefined;
  auth: AuthInfo;
  state: FakeState;
  urls: Urls;
  /** Records an error in the fake (so assertNoErrors fails the test). */
  record(kind: GraphqlRecordKind, message: string): void;
  /** Announces a change as a webhook (see EmitWebhook). */
  emit: EmitWebhook;
}

type Args = Record<string, unknown>;
type Resolve = (args: Args, ctx: GraphqlExecution) => unknown;

/** A value of a GraphQL object type: the fields the fake implements for it. */
interface FakeObject {
  readonly __typename: string;
  readonly fields: Readonly<Record<string, Resolve>>;
}

function object(typename: string, fields: Record<string, Resolve>): FakeObject {
  return { __typename: typename, fields };
}

function isFakeObject(value: unknown): value is FakeObject {
  return typeof value === "object" && value !== null && "__typename" in value && "fields" in value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Wraps arguments so the resolver's reads are seen: an argument it never reads is unimplemented. */
function trackReads(args: Args, read: Set<string>, prefix = ""): Args {
  return new Proxy(args, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof name !== "string") return value;
      read.add(`${prefix}${name}`);
      return isPlainObject(value) ? trackReads(value, read, `${prefix}${name}.`) : value;
    },
  });
}

/** Argument paths the query sets to something other than the schema's default. */
function givenArgs(args: Args, info: GraphQLResolveInfo): string[] {
  const definitions = info.parentType.getFields()[info.fieldName]?.args ?? [];
  const leaves = (value: unknown, path: string): string[] =>
    isPlainObject(value) ? Object.entries(value).flatMap(([name, inner]) => leaves(inner, `${path}.${name}`)) : [path];
  return Object.entries(args).flatMap(([name, value]) => {
    const fallback = definitions.find((definition) => definition.name === name)?.defaultValue;
    if (value === undefined || JSON.stringify(value) === JSON.stringify(fallback)) return [];
    return leaves(value, name);
  });
}

function notImplemented(ctx: GraphqlExecution, what: string): GraphQLError {
  const message = `${what} is not implemented by the fake`;
  ctx.record("graphql", message);
  return new GraphQLError(message);
}

const fieldResolver: GraphQLFieldResolver<unknown, GraphqlExecution> = (source, args, ctx, info) => {
  const parent = info.parentType.name;
  const target = parent === "Query" ? QUERY : parent === "Mutation" ? MUTATION : source;
  if (!isFakeObject(target) || target.__typename !== parent)
    throw new Error(`fake bug: ${parent}.${info.fieldName} resolved on ${JSON.stringify(source)}`);
  const resolve = target.fields[info.fieldName];
  if (!resolve) throw notImplemented(ctx, `field ${parent}.${info.fieldName}`);
  const read = new Set<string>();
  const value = resolve(trackReads(args, read), ctx);
  const ignored = givenArgs(args, info).filter((path) => !read.has(path));
  if (ignored.length > 0) notImplemented(ctx, `argument ${ignored.join(", ")} of ${parent}.${info.fieldName}`);
  return value;
};

const typeResolver: GraphQLTypeResolver<unknown, GraphqlExecution> = (value) =>
  isFakeObject(value) ? value.__typename : undefined;

// ---------------------------------------------------------------------------------------------
// State lookups with GitHub's visibility and permission rules

/** The repo when the caller may see it (an installation sees only the repos it was granted). */
function visibleRepo(ctx: GraphqlExecution, owner: string, name: string): RepoRecord | undefined {
  const repo = ctx.state.findRepo(owner, name);
  const installation = ctx.auth.installation;
  return repo && (!installation || ctx.state.covers(installation, repo.owner, repo.name)) ? repo : undefined;
}

/** GitHub answers FORBIDDEN when the installation lacks the permission (normal behaviour, not recorded). */
function need(ctx: GraphqlExecution, permission: string, level: "read" | "write"): void {
  const installation = ctx.auth.installation;
  if (!installation) return;
  const granted = installation.permissions[permission];
  if (granted === "write" || (level === "read" && granted === "read")) return;
  throw refuse("FORBIDDEN", "Resource not accessible by integration");
}

type Found =
  | { kind: "Repository"; repo: RepoRecord }
  | { kind: "Issue"; repo: RepoRecord; issue: IssueRecord }
  | { kind: "Discussion"; repo: RepoRecord; discussion: DiscussionRecord }
  | { kind: "DiscussionCategory"; repo: RepoRecord; category: DiscussionCategoryRecord };

/** Resolves a node id the fake issued (REST node_id or GraphQL id) back to its record. */
function findNode(ctx: GraphqlExecution, id: string): Found | undefined {
  const parsed = parseNodeId(id);
  if (!parsed) return undefined;
  for (const repo of ctx.state.repos.values()) {
    if (!visibleRepo(ctx, repo.owner, repo.name)) continue;
    if (parsed.kind === "Repository" && repo.id === parsed.id) return { kind: "Repository", repo };
    if (parsed.kind === "Issue") {
      const issue = [...repo.issues.values()].find((entry) => entry.id === parsed.id && !entry.pull);
      if (issue) return { kind: "Issue", repo, issue };
    }
    if (parsed.kind === "Discussion") {
      const discussion = [...repo.discussions.values()].find((entry) => entry.id === parsed.id);
      if (discussion) return { kind: "Discussion", repo, discussion };
    }
    const category = parsed.kind === "DiscussionCategory" ? repo.discussionCategories.get(parsed.id) : undefined;
    if (category) return { kind: "DiscussionCategory", repo, category };
  }
  return undefined;
}

function unresolvedNode(id: string): GraphQLError {
  return refuse("NOT_FOUND", `Could not resolve to a node with the global id of '${id}'`);
}

/** The record behind an input id of the wanted kind, or GitHub's NOT_FOUND. */
function nodeOf<K extends Found["kind"]>(ctx: GraphqlExecution, id: unknown, kind: K): Extract<Found, { kind: K }> {
  const found = findNode(ctx, String(id));
  if (found?.kind !== kind) throw unresolvedNode(String(id));
  return found as Extract<Found, { kind: K }>;
}

// ---------------------------------------------------------------------------------------------
// Object types

const MAX_PAGE = 100;

function cursor(index: number): string {
  return Buffer.from(`cursor:${index + 1}`).toString("base64");
}

function cursorIndex(value: unknown): number {
  const match = /^cursor:(\d+)$/.exec(Buffer.from(String(value), "base64").toString("utf8"));
  if (!match) throw refuse("INVALID_CURSOR_ARGUMENTS", `\`${String(value)}\` does not appear to be a valid cursor.`);
  return Number(match[1]);
}

/** A connection with GitHub's pagination rules (first required, at most 100; `after` cursors). */
function connection<T>(
  typename: string,
  name: string,
  items: T[],
  args: Args,
  ctx: GraphqlExecution,
  render: (item: T) => FakeObject,
): FakeObject {
  const { first, after } = args;
  if (typeof first !== "number") {
    const message = `You must provide a \`first\` or \`last\` value to properly paginate the \`${name}\` connection.`;
    ctx.record("graphql", message);
    throw refuse("MISSING_PAGINATION_BOUNDARIES", message);
  }
  if (first < 0 || first > MAX_PAGE) {
    const message = `Requesting ${first} records on the \`${name}\` connection exceeds the \`first\` limit of ${MAX_PAGE} records.`;
    ctx.record("graphql", message);
    throw refuse("EXCESSIVE_PAGINATION", message);
  }
  const start = after === undefined || after === null ? 0 : cursorIndex(after);
  const page = items.slice(start, start + first);
  const edges = page.map((item, offset) =>
    object(`${typename.replace(/Connection$/, "")}Edge`, {
      cursor: () => cursor(start + offset),
      node: () => render(item),
    }),
  );
  return object(typename, {
    nodes: () => page.map(render),
    edges: () => edges,
    totalCount: () => items.length,
    pageInfo: () =>
      object("PageInfo", {
        hasNextPage: () => start + page.length < items.length,
        hasPreviousPage: () => start > 0,
        startCursor: () => (page.length > 0 ? cursor(start) : null),
        endCursor: () => (page.length > 0 ? cursor(start + page.length - 1) : null),
      }),
  });
}

function actor(account: Account): FakeObject {
  // GraphQL spells an app's bot without REST's "[bot]" suffix: "shepherd", not "shepherd[bot]".
  const login = account.type === "Bot" ? account.login.replace(/\[bot\]$/, "") : account.login;
  return object(account.type, { login: () => login });
}

function category(record: DiscussionCategoryRecord): FakeObject {
  return object("DiscussionCategory", {
    id: () => nodeId("DiscussionCategory", record.id),
    name: () => record.name,
    slug: () => record.slug,
  });
}

function discussion(repo: RepoRecord, record: DiscussionRecord): FakeObject {
  return object("Discussion", {
    id: () => nodeId("Discussion", record.id),
    number: () => record.number,
    title: () => record.title,
    body: () => record.body,
    url: (_args, ctx) => `${ctx.urls.web}/${repo.owner}/${repo.name}/discussions/${record.number}`,
    createdAt: () => record.createdAt,
    author: (_args, ctx) => actor(ctx.state.user(record.author)),
    category: () => {
      const found = repo.discussionCategories.get(record.categoryId);
      return found ? category(found) : null;
    },
  });
}

function issue(record: IssueRecord): FakeObject {
  return object("Issue", {
    id: () => nodeId("Issue", record.id),
    number: () => record.number,
    title: () => record.title,
  });
}

const ORDER_KEYS: Record<string, keyof DiscussionRecord> = { CREATED_AT: "createdAt", UPDATED_AT: "updatedAt" };

function repository(repo: RepoRecord): FakeObject {
  return object("Repository", {
    id: () => nodeId("Repository", repo.id),
    hasDiscussionsEnabled: () => repo.discussionsEnabled,
    discussionCategories: (args, ctx) => {
      need(ctx, "discussions", "read");
      return connection(
        "DiscussionCategoryConnection",
        "discussionCategories",
        [...repo.discussionCategories.values()],
        args,
        ctx,
        category,
      );
    },
    discussions: (args, ctx) => {
      need(ctx, "discussions", "read");
      const order = args["orderBy"] as { field: string; direction: "ASC" | "DESC" };
      const field = ORDER_KEYS[order.field] ?? "updatedAt";
      const sign = order.direction === "ASC" ? 1 : -1;
      // Ties (same second) fall back to the number, in the same direction.
      const items = [...repo.discussions.values()].sort(
        (a, b) => sign * (String(a[field]).localeCompare(String(b[field])) || a.number - b.number),
      );
      return connection("DiscussionConnection", "discussions", items, args, ctx, (item) => discussion(repo, item));
    },
    issue: (args, ctx) => {
      need(ctx, "issues", "read");
      const found = repo.issues.get(Number(args["number"]));
      if (!found || found.pull)
        throw refuse("NOT_FOUND", `Could not resolve to an Issue with the number of ${String(args["number"])}.`);
      return issue(found);
    },
  });
}

function found(node: Found): FakeObject {
  if (node.kind === "Repository") return repository(node.repo);
  if (node.kind === "Issue") return issue(node.issue);
  if (node.kind === "Discussion") return discussion(node.repo, node.discussion);
  return category(node.category);
}

// ---------------------------------------------------------------------------------------------
// Root fields

const QUERY = object("Query", {
  repository: (args, ctx) => {
    const owner = String(args["owner"]);
    const name = String(args["name"]);
    const repo = visibleRepo(ctx, owner, name);
    if (!repo) throw refuse("NOT_FOUND", `Could not resolve to a Repository with the name '${owner}/${name}'.`);
    return repository(repo);
  },
  node: (args, ctx) => {
    const node = findNode(ctx, String(args["id"]));
    if (!node) throw unresolvedNode(String(args["id"]));
    return found(node);
  },
});

function input(args: Args): Args {
  return args["input"] as Args;
}

/** Mutation payloads echo clientMutationId, as GitHub does. */
function payload(typename: string, args: Args, fields: Record<string, Resolve>): FakeObject {
  const clientMutationId = input(args)["clientMutationId"] ?? null;
  return object(typename, { ...fields, clientMutationId: () => clientMutationId });
}

const MUTATION = object("Mutation", {
  createDiscussion: (args, ctx) => {
    const { repositoryId, categoryId, title, body } = input(args);
    const { repo } = nodeOf(ctx, repositoryId, "Repository");
    need(ctx, "discussions", "write");
    if (!repo.discussionsEnabled) throw refuse("UNPROCESSABLE", "Discussions are disabled for this repository.");
    const chosen = findNode(ctx, String(categoryId));
    if (chosen?.kind !== "DiscussionCategory") throw unresolvedNode(String(categoryId));
    if (chosen.repo !== repo) throw refuse("UNPROCESSABLE", "Category does not belong to this repository.");
    if (String(title).trim() === "") throw refuse("UNPROCESSABLE", "Title can't be blank");
    const created = ctx.state.addDiscussion(repo, {
      title: String(title),
      body: String(body),
      category: chosen.category.name,
      author: ctx.auth.login ?? "octocat",
    });
    ctx.emit("discussion", "created", repo, (render) => ({ discussion: render.discussion(repo, created) }));
    return payload("CreateDiscussionPayload", args, { discussion: () => discussion(repo, created) });
  },
  updateDiscussion: (args, ctx) => {
    const { discussionId, body } = input(args);
    const { repo, discussion: record } = nodeOf(ctx, discussionId, "Discussion");
    need(ctx, "discussions", "write");
    const from = record.body;
    if (typeof body === "string") record.body = body;
    record.updatedAt = ctx.state.now();
    if (record.body !== from)
      ctx.emit("discussion", "edited", repo, (render) => ({
        changes: { body: { from } },
        discussion: render.discussion(repo, record),
      }));
    return payload("UpdateDiscussionPayload", args, { discussion: () => discussion(repo, record) });
  },
  pinIssue: (args, ctx) => {
    const { repo, issue: record } = nodeOf(ctx, input(args)["issueId"], "Issue");
    need(ctx, "issues", "write");
    if (!repo.pinned.includes(record.number) && repo.pinned.length >= MAX_PINNED_ISSUES)
      throw refuse("UNPROCESSABLE", `A repository can have at most ${MAX_PINNED_ISSUES} pinned issues.`);
    const wasPinned = repo.pinned.includes(record.number);
    ctx.state.pinIssue(repo, record.number);
    if (!wasPinned) ctx.emit("issues", "pinned", repo, (render) => ({ issue: render.issue(repo, record) }));
    return payload("PinIssuePayload", args, { issue: () => issue(record) });
  },
});

// ---------------------------------------------------------------------------------------------
// The handler

export interface GraphqlAnswer {
  status: number;
  body: unknown;
}

/** A request GitHub would reject before running it: recorded, answered 200 with `errors` only. */
function rejected(ctx: GraphqlExecution, errors: ReadonlyArray<GraphQLError>): GraphqlAnswer {
  ctx.record("graphql", errors.map((error) => error.message).join("; "));
  return { status: 200, body: { errors: errors.map(githubError) } };
}

export function executeGraphql(ctx: GraphqlExecution): GraphqlAnswer {
  if (ctx.auth.kind === "app") {
    ctx.record("auth", "GraphQL needs an installation token, got the app JWT");
    return {
      status: 403,
      body: { message: "Resource not accessible by integration", documentation_url: "https://docs.github.com/graphql" },
    };
  }
  const { schema } = githubSchema();
  let document: DocumentNode;
  try {
    document = parse(ctx.query);
  } catch (error) {
    if (error instanceof GraphQLError) return rejected(ctx, [error]);
    throw error;
  }
  const invalid = validate(schema, document);
  if (invalid.length > 0) return rejected(ctx, invalid);
  const result = execute({
    schema,
    document,
    variableValues: ctx.variables,
    operationName: ctx.operationName,
    contextValue: ctx,
    fieldResolver,
    typeResolver,
  });
  if (result instanceof Promise) throw new Error("fake bug: a resolver returned a promise");
  const errors = result.errors ?? [];
  // No data: the variables or the operation name were wrong (GitHub rejects the request).
  if (result.data === undefined) return rejected(ctx, errors);
  for (const error of errors) {
    if (error.originalError && !(error.originalError instanceof GraphQLError))
      ctx.record("fake", `${error.path?.join(".") ?? ""}: ${error.originalError.stack ?? error.originalError.message}`);
  }
  return { status: 200, body: { data: result.data, ...(errors.length > 0 && { errors: errors.map(githubError) }) } };
}
