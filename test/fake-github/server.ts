// A stateful fake GitHub (REST, served like GitHub Enterprise Server under /api/v3) for
// end-to-end tests. Every request is checked against GitHub's OpenAPI description; requests
// GitHub would reject land in `errors`, so a test fails through assertNoErrors().
import { createHash, randomBytes, verify, type KeyObject } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  GitHubError,
  ROUTES,
  type AuthInfo,
  type AuthKind,
  type HandlerContext,
  type HandlerResult,
} from "./handlers.js";
import type { GraphqlExecution, GraphqlOperation } from "./graphql.js";
import { createRenderer, type Renderer, type Urls } from "./render.js";
import { FakeState } from "./state.js";
import { createValidator, type MatchedRoute, type Validator } from "./validate.js";

export { FakeState } from "./state.js";
export type { AuthInfo, AuthKind } from "./handlers.js";
export type { GraphqlOperation } from "./graphql.js";

/** What a GraphQL handler is given: the parsed request, the caller, the state and a way to record errors. */
export type GraphqlRequest = GraphqlExecution;

export interface GraphqlResult {
  status?: number;
  body: unknown;
}

export type GraphqlHandler = (request: GraphqlRequest) => GraphqlResult | Promise<GraphqlResult>;

/**
 * The default GraphQL handler: validates every document against GitHub's published schema and
 * resolves the fields graphql.ts implements over the fake's state.
 */
export const defaultGraphqlHandler: GraphqlHandler = async (request) => (await loadGraphql()).executeGraphql(request);

// graphql-js (~100 ms to import) and GitHub's schema (~0.3 s to build) load on the first
// GraphQL request, so fakes that never see one start as fast as before.
let graphqlModule: Promise<typeof import("./graphql.js")> | undefined;
function loadGraphql(): Promise<typeof import("./graphql.js")> {
  graphqlModule ??= import("./graphql.js");
  return graphqlModule;
}

export interface FakeGitHubOptions {
  /** App id the JWT's `iss` must carry. Default 1. */
  appId?: number;
  /** Slug of the app; its bot user is `<slug>[bot]`. Default "shepherd". */
  appSlug?: string;
  appName?: string;
  /** Account that owns the app. Default "shepherd-dev". */
  appOwner?: string;
  /** PEM (or KeyObject): app JWTs must carry a valid RS256 signature for it. */
  appPublicKey?: string | KeyObject;
  /** Check the fake's own 2xx responses against GitHub's schemas. Default true. */
  validateResponses?: boolean;
  /** x-ratelimit-limit for the core resource. Default 5000. */
  rateLimit?: number;
  /** Clock for created_at/updated_at. Default: real time. */
  now?: () => Date;
  /** Login of callers using a token the fake did not issue (e.g. a PAT in a unit test). Default "octocat". */
  tokenUser?: string;
  /** Answers POST /api/graphql. Default: defaultGraphqlHandler; false: none (404, recorded). */
  graphql?: GraphqlHandler | false;
}

export interface RecordedCall {
  seq: number;
  method: string;
  /** Path without the /api/v3 prefix and without the query string. */
  path: string;
  /** null for routes GitHub does not have. */
  operationId: string | null;
  status: number;
  query: Record<string, string | string[]>;
  /** Parsed request body (undefined when there was none). */
  body: unknown;
  auth: AuthKind;
  installationId: number | undefined;
  /** True when failNext produced the response. */
  injected: boolean;
  /** Date.now() when the request arrived. */
  at: number;
  /** GraphQL requests only: the operation and its top-level fields. */
  graphql?: GraphqlOperation;
}

export type FakeErrorKind = "route" | "auth" | "request" | "semantic" | "response" | "graphql" | "fake";

export interface FakeError {
  kind: FakeErrorKind;
  method: string;
  path: string;
  operationId: string | null;
  message: string;
}

/** An operationId, "METHOD /path" (no /api/v3), a RegExp on "METHOD /path", or a predicate. */
export type CallMatcher =
  string | RegExp | ((call: { method: string; path: string; operationId: string | null }) => boolean);

export interface FailOptions {
  headers?: Record<string, string>;
  /** How many matching requests fail. Default 1. */
  times?: number;
  body?: unknown;
}

export interface FakeGitHub {
  /** http://127.0.0.1:PORT */
  url: string;
  /** http://127.0.0.1:PORT/api/v3: Octokit's baseUrl. */
  apiUrl: string;
  /** 127.0.0.1:PORT: GHE_HOST for Probot (with GHE_PROTOCOL=http). */
  host: string;
  /** The in-memory store; replaced by reset(). */
  readonly state: FakeState;
  calls: RecordedCall[];
  errors: FakeError[];
  /** Throws listing every recorded error. */
  assertNoErrors(): void;
  /** Makes the next `times` requests matching `matcher` answer `status` without side effects. */
  failNext(matcher: CallMatcher, status: number, options?: FailOptions): void;
  /** Holds the next `times` matching requests for `ms` before answering them normally. */
  delayNext(matcher: CallMatcher, ms: number, times?: number): void;
  callsTo(operationId: string): RecordedCall[];
  /** Calls that change GitHub: not GET/HEAD, and not a GraphQL query (mutations count). */
  writes(): RecordedCall[];
  /** Replaces the GraphQL handler; undefined restores the default, false removes it. */
  setGraphqlHandler(handler: GraphqlHandler | undefined | false): void;
  /** Forgets calls and errors, keeps the state. */
  clearCalls(): void;
  /** Empty state, no calls, errors or pending failures. */
  reset(): void;
  close(): Promise<void>;
}

interface PendingFailure {
  matcher: CallMatcher;
  status: number;
  options: FailOptions;
  remaining: number;
}

interface Exchange {
  method: string;
  path: string;
  url: URL;
  query: Record<string, string | string[]>;
  headers: IncomingMessage["headers"];
  raw: Buffer;
  body: unknown;
  route: MatchedRoute | undefined;
  auth: AuthInfo;
}

const API_PREFIX = "/api/v3";
const JSON_TYPE = "application/json; charset=utf-8";

function isGraphql(ex: Pick<Exchange, "method" | "path">): boolean {
  return ex.method === "POST" && (ex.path === "/api/graphql" || ex.path === "/graphql");
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function queryObject(url: URL): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(name);
    out[name] = values.length === 1 ? (values[0] ?? "") : values;
  }
  return out;
}

/** An error answer in GitHub's shape ({message, documentation_url, status}). */
function fail(status: number, message: string): HandlerResult {
  return { status, body: new GitHubError(status, message).body };
}

function decodeSegment(segment: string | undefined): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment ?? "", "base64url").toString("utf8"));
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Checks an app JWT as GitHub does; returns the reason it is refused, if it is. */
function jwtProblem(
  token: string,
  options: { appId: number; publicKey: string | KeyObject | undefined },
): string | undefined {
  const parts = token.split(".");
  const header = decodeSegment(parts[0]);
  const payload = decodeSegment(parts[1]);
  if (parts.length !== 3 || !header || !payload) return "A JSON web token could not be decoded";
  if (header["alg"] !== "RS256") return `JWT alg must be RS256, got ${String(header["alg"])}`;
  const now = Math.floor(Date.now() / 1000);
  const { iat, exp, iss } = payload;
  if (String(iss) !== String(options.appId))
    return `'Issuer' claim ('iss') must be the app id ${options.appId}, got ${String(iss)}`;
  if (typeof iat !== "number" || iat > now + 60)
    return "'Issued at' claim ('iat') must be an Integer representing a time in the past";
  if (typeof exp !== "number" || exp <= now)
    return "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires";
  if (exp - now > 600 + 5) return "'Expiration time' claim ('exp') is too far in the future";
  const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
  if (options.publicKey && !verify("RSA-SHA256", signed, options.publicKey, Buffer.from(parts[2] ?? "", "base64url"))) {
    return "JWT signature does not verify against the app's public key";
  }
  return undefined;
}

function defaultFailure(
  status: number,
  installationId: number | undefined,
): { body: unknown; headers: Record<string, string> } {
  const reset = String(Math.floor(Date.now() / 1000) + 60);
  if (status === 403) {
    const who = installationId === undefined ? "this token" : `installation ID ${installationId}`;
    return {
      body: { message: `API rate limit exceeded for ${who}.` },
      headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": reset },
    };
  }
  if (status === 429)
    return {
      body: { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." },
      headers: { "retry-after": "1" },
    };
  return { body: { message: status >= 500 ? "Server Error" : `Injected ${status}` }, headers: {} };
}

async function describeGraphql(body: unknown): Promise<GraphqlOperation> {
  const input = (body ?? {}) as { query?: unknown; operationName?: unknown };
  const operationName = typeof input.operationName === "string" ? input.operationName : undefined;
  return (await loadGraphql()).describeOperation(typeof input.query === "string" ? input.query : "", operationName);
}

function matches(matcher: CallMatcher, call: { method: string; path: string; operationId: string | null }): boolean {
  if (typeof matcher === "function") return matcher(call);
  if (matcher instanceof RegExp) return matcher.test(`${call.method} ${call.path}`);
  return matcher === call.operationId || matcher === `${call.method} ${call.path}`;
}

// Compiled schemas are shared by every fake in the process: compiling takes a few hundred ms.
let sharedValidator: Validator | undefined;

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const appId = options.appId ?? 1;
  const stateOptions = {
    appId,
    appSlug: options.appSlug ?? "shepherd",
    appName: options.appName ?? "Shepherd",
    appOwner: options.appOwner ?? "shepherd-dev",
    now: options.now ?? (() => new Date()),
  };
  const validateResponses = options.validateResponses ?? true;
  const rateLimit = options.rateLimit ?? 5000;
  const tokenUser = options.tokenUser ?? "octocat";
  sharedValidator ??= createValidator();
  const validator = sharedValidator;
  const calls: RecordedCall[] = [];
  const errors: FakeError[] = [];
  let failures: PendingFailure[] = [];
  let delays: Array<{ matcher: CallMatcher; ms: number; remaining: number }> = [];
  let graphql = options.graphql ?? defaultGraphqlHandler;
  let state = new FakeState(stateOptions);
  let render: Renderer;
  let urls: Urls;
  const used = new Map<string, number>();
  const rateReset = String(Math.floor(Date.now() / 1000) + 3600);

  function record(ex: Pick<Exchange, "method" | "path" | "route">, kind: FakeErrorKind, message: string): void {
    const operationId = ex.route?.operationId ?? (isGraphql(ex) ? "graphql" : null);
    errors.push({ kind, method: ex.method, path: ex.path, operationId, message });
  }

  function authenticate(ex: Exchange): HandlerResult | undefined {
    const header = String(ex.headers["authorization"] ?? "");
    const [, scheme, credential = ""] = /^(token|bearer)\s+(\S+)$/i.exec(header) ?? [];
    if (!scheme) {
      record(
        ex,
        "auth",
        header === ""
          ? "request has no authorization header"
          : `unsupported authorization header "${header.split(" ")[0] ?? ""}"`,
      );
      return fail(401, "Requires authentication");
    }
    if (decodeSegment(credential.split(".")[0])?.["alg"] !== undefined) {
      const problem = jwtProblem(credential, { appId, publicKey: options.appPublicKey });
      ex.auth = { kind: "app" };
      if (problem) record(ex, "auth", problem);
      return problem ? fail(401, problem) : undefined;
    }
    const token = state.tokens.get(credential);
    const installation = token && state.installations.get(token.installationId);
    if (token && installation && token.expiresAt > new Date().toISOString()) {
      ex.auth = { kind: "installation", installation, login: state.botLogin };
      return undefined;
    }
    if (credential.startsWith("ghs_")) {
      record(ex, "auth", token ? "installation token has expired" : "installation token was not issued by this fake");
      return fail(401, "Bad credentials");
    }
    ex.auth = { kind: "user", login: state.user(tokenUser).login };
    return undefined;
  }

  /** Route-level rules: which kind of credential each operation accepts. */
  function authorize(ex: Exchange, route: MatchedRoute): HandlerResult | undefined {
    const wanted = ROUTES[route.operationId]?.auth;
    const kind = ex.auth.kind;
    if (wanted === "app" && kind !== "app") {
      record(ex, "auth", `${route.operationId} needs an app JWT, got a ${kind} token`);
      return fail(401, "A JSON web token could not be decoded");
    }
    if (wanted !== "app" && kind === "app") {
      record(ex, "auth", `${route.operationId} needs an installation token, got the app JWT`);
      return fail(403, "Resource not accessible by integration");
    }
    if (wanted === "installation" && kind !== "installation") {
      record(ex, "auth", `${route.operationId} needs an installation token, got a ${kind} token`);
      return fail(
        403,
        "You must authenticate with an installation access token in order to list repositories for an installation.",
      );
    }
    return undefined;
  }

  function parseBody(ex: Exchange): HandlerResult | undefined {
    if (ex.raw.length === 0) return undefined;
    try {
      ex.body = JSON.parse(ex.raw.toString("utf8"));
      return undefined;
    } catch {
      record(ex, "request", "body is not valid JSON");
      return fail(400, "Problems parsing JSON");
    }
  }

  /** Milliseconds to hold the next matching request before answering it (a slow GitHub). */
  function takeDelay(ex: Exchange): number {
    const call = { method: ex.method, path: ex.path, operationId: ex.route?.operationId ?? null };
    const delay = delays.find((entry) => entry.remaining > 0 && matches(entry.matcher, call));
    if (!delay) return 0;
    delay.remaining -= 1;
    delays = delays.filter((entry) => entry.remaining > 0);
    return delay.ms;
  }

  function takeFailure(ex: Exchange): HandlerResult | undefined {
    const call = { method: ex.method, path: ex.path, operationId: ex.route?.operationId ?? null };
    const failure = failures.find((entry) => entry.remaining > 0 && matches(entry.matcher, call));
    if (!failure) return undefined;
    failure.remaining -= 1;
    failures = failures.filter((entry) => entry.remaining > 0);
    const fallback = defaultFailure(failure.status, ex.auth.installation?.id);
    return {
      status: failure.status,
      body: failure.options.body ?? fallback.body,
      headers: { ...fallback.headers, ...failure.options.headers },
    };
  }

  function runHandler(ex: Exchange, route: MatchedRoute): HandlerResult {
    const handler = ROUTES[route.operationId];
    if (!handler) {
      record(ex, "route", `${route.operationId} is in the OpenAPI subset but the fake has no handler for it`);
      return { status: 501, body: { message: "Not implemented by the fake" } };
    }
    const ctx: HandlerContext = {
      state,
      render,
      params: route.params,
      query: ex.query,
      body: ex.body,
      auth: ex.auth,
      headers: ex.headers,
      url: ex.url,
      now: () => state.now(),
    };
    const result = handler.handle(ctx);
    if (validateResponses && result.raw === undefined) {
      const problems = validator.validateResponse(route.operationId, result.status, result.body);
      if (problems.length > 0) record(ex, "response", problems.join("; "));
    }
    return result;
  }

  async function runGraphql(ex: Exchange): Promise<HandlerResult> {
    if (!graphql) {
      record(
        ex,
        "graphql",
        "GraphQL is turned off in this fake (graphql: false): pass options.graphql or call setGraphqlHandler()",
      );
      return { status: 404, body: { message: "Not Found" } };
    }
    const input = (ex.body ?? {}) as { query?: string; variables?: Record<string, unknown>; operationName?: string };
    const result = await graphql({
      query: input.query ?? "",
      variables: input.variables ?? {},
      operationName: input.operationName,
      auth: ex.auth,
      state,
      urls,
      record: (kind, message) => record(ex, kind, message),
    });
    return { status: result.status ?? 200, body: result.body };
  }

  async function respond(ex: Exchange): Promise<HandlerResult & { injected?: boolean }> {
    if (isGraphql(ex)) {
      return authenticate(ex) ?? parseBody(ex) ?? (await runGraphql(ex));
    }
    const route = validator.match(ex.method, ex.path);
    if (!route) {
      record(ex, "route", `GitHub's REST API has no ${ex.method} ${ex.path} (or it is not in openapi-subset.json)`);
      return { status: 404, body: { message: "Not Found" } };
    }
    ex.route = route;
    const refused = authenticate(ex) ?? authorize(ex, route) ?? parseBody(ex);
    if (refused) return refused;
    const problems = validator.validateRequest(route, { params: route.params, query: ex.query, body: ex.body });
    if (problems.length > 0) {
      record(ex, "request", problems.join("; "));
      return fail(422, `Invalid request.\n\n${problems.join("\n")}`);
    }
    const injected = takeFailure(ex);
    if (injected) return { ...injected, injected: true };
    const delay = takeDelay(ex);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    return runHandler(ex, route);
  }

  function rateHeaders(ex: Exchange, status: number): Record<string, string> {
    const identity = ex.auth.installation ? `installation:${ex.auth.installation.id}` : ex.auth.kind;
    const resource = isGraphql(ex) ? "graphql" : ex.route?.operationId.startsWith("search/") ? "search" : "core";
    const limit = resource === "search" ? 30 : rateLimit;
    const bucket = `${identity}:${resource}`;
    // Conditional requests answered 304 do not count against the limit.
    const count = (used.get(bucket) ?? 0) + (status === 304 ? 0 : 1);
    used.set(bucket, count);
    return {
      "x-ratelimit-limit": String(limit),
      "x-ratelimit-remaining": String(Math.max(limit - count, 0)),
      "x-ratelimit-used": String(count),
      "x-ratelimit-reset": rateReset,
      "x-ratelimit-resource": resource,
    };
  }

  function send(res: ServerResponse, ex: Exchange, result: HandlerResult): number {
    const json = result.raw === undefined && result.body !== undefined ? JSON.stringify(result.body) : undefined;
    const data = result.raw?.data ?? (json === undefined ? undefined : Buffer.from(json));
    // GitHub sends (weak) ETags on successful GETs and answers a matching If-None-Match with 304.
    const etag =
      data && ex.method === "GET" && result.status === 200
        ? `W/"${createHash("sha256").update(data).digest("hex").slice(0, 40)}"`
        : undefined;
    const cached =
      etag !== undefined &&
      String(ex.headers["if-none-match"] ?? "")
        .split(/\s*,\s*/)
        .includes(etag);
    const status = cached ? 304 : result.status;
    const headers: Record<string, string> = {
      "content-type": result.raw?.contentType ?? JSON_TYPE,
      "x-github-request-id": `${randomBytes(2).toString("hex").toUpperCase()}:${randomBytes(3).toString("hex").toUpperCase()}:${randomBytes(4).toString("hex").toUpperCase()}`,
      "x-github-media-type": "github.v3; format=json",
      "x-github-api-version-selected": "2022-11-28",
      "cache-control": "private, max-age=60, s-maxage=60",
      vary: "Accept, Authorization, Cookie, X-GitHub-OTP",
      ...rateHeaders(ex, status),
      ...(etag && { etag }),
      ...result.headers,
    };
    res.writeHead(status, headers);
    res.end(cached || status === 204 ? undefined : data);
    return status;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", fake.url);
    const path = url.pathname.startsWith(`${API_PREFIX}/`) ? url.pathname.slice(API_PREFIX.length) : url.pathname;
    const ex: Exchange = {
      method: (req.method ?? "GET").toUpperCase(),
      path,
      url,
      query: queryObject(url),
      headers: req.headers,
      raw: await readBody(req),
      body: undefined,
      route: undefined,
      auth: { kind: "none" },
    };
    const at = Date.now();
    let result: HandlerResult & { injected?: boolean };
    try {
      result = await respond(ex);
    } catch (error) {
      if (!(error instanceof GitHubError))
        record(
          ex,
          "fake",
          `the fake threw: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
      else if (error.record) record(ex, "semantic", `${error.status} ${JSON.stringify(error.body)}`);
      result =
        error instanceof GitHubError
          ? { status: error.status, body: error.body }
          : { status: 500, body: { message: "Server Error" } };
    }
    const graphqlCall = isGraphql(ex) ? await describeGraphql(ex.body) : undefined;
    const status = send(res, ex, result);
    calls.push({
      seq: calls.length + 1,
      method: ex.method,
      path: ex.path,
      operationId: isGraphql(ex) ? "graphql" : (ex.route?.operationId ?? null),
      status,
      query: ex.query,
      body: ex.body,
      auth: ex.auth.kind,
      installationId: ex.auth.installation?.id,
      injected: result.injected === true,
      at,
      ...(graphqlCall && { graphql: graphqlCall }),
    });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      errors.push({
        kind: "fake",
        method: req.method ?? "",
        path: req.url ?? "",
        operationId: null,
        message: String(error),
      });
      if (!res.headersSent) res.writeHead(500, { "content-type": JSON_TYPE });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  urls = { api: `${url}${API_PREFIX}`, web: url };
  render = createRenderer(state, urls);

  const fake: FakeGitHub = {
    url,
    apiUrl: urls.api,
    host: `127.0.0.1:${port}`,
    get state() {
      return state;
    },
    calls,
    errors,
    assertNoErrors() {
      if (errors.length === 0) return;
      const lines = errors.map(
        (error) =>
          `  [${error.kind}] ${error.method} ${error.path}${error.operationId ? ` (${error.operationId})` : ""}: ${error.message}`,
      );
      throw new Error(`fake GitHub recorded ${errors.length} error(s):\n${lines.join("\n")}`);
    },
    delayNext(matcher, ms, times = 1) {
      delays.push({ matcher, ms, remaining: times });
    },
    failNext(matcher, status, failOptions = {}) {
      failures.push({ matcher, status, options: failOptions, remaining: failOptions.times ?? 1 });
    },
    callsTo: (operationId) => calls.filter((call) => call.operationId === operationId),
    writes: () =>
      calls.filter((call) => call.method !== "GET" && call.method !== "HEAD" && call.graphql?.operation !== "query"),
    setGraphqlHandler(handler) {
      graphql = handler ?? defaultGraphqlHandler;
    },
    clearCalls() {
      calls.length = 0;
      errors.length = 0;
    },
    reset() {
      fake.clearCalls();
      failures = [];
      delays = [];
      used.clear();
      state = new FakeState(stateOptions);
      render = createRenderer(state, urls);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
  return fake;
}
