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
  type EmitWebhook,
  type HandlerContext,
  type HandlerResult,
} from "./handlers.js";
import type { GraphqlExecution, GraphqlOperation } from "./graphql.js";
import {
  CONTENT_MUTATIONS,
  CONTENT_OPERATIONS,
  createContentLimiter,
  createRateBuckets,
  createRateWindows,
  mulberry32,
  rateLimitedUntil,
  SECONDARY_LIMIT_DOCS,
  SECONDARY_LIMIT_MESSAGE,
  type ContentLimits,
  type RateViolation,
} from "./limits.js";
import { createRenderer, type Renderer, type Urls } from "./render.js";
import { FakeState, nodeId, type InstallationRecord, type RepoRecord } from "./state.js";
import { createValidator, type MatchedRoute, type Validator } from "./validate.js";
import { createWebhookSender, type WebhookDelivery, type WebhookMessage, type WebhookOptions } from "./webhooks.js";

export { FakeState } from "./state.js";
export type { AuthInfo, AuthKind } from "./handlers.js";
export type { GraphqlOperation } from "./graphql.js";
export type { ContentLimits, RateViolation } from "./limits.js";
export type { WebhookDelivery, WebhookMessage, WebhookOptions } from "./webhooks.js";

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
  /** Milliseconds every answer takes, like GitHub's round trip (default 0). */
  latencyMs?: number;
  /** Answers POST /api/graphql. Default: defaultGraphqlHandler; false: none (404, recorded). */
  graphql?: GraphqlHandler | false;
  /** Deliver the webhooks GitHub would send for the app's own changes (see webhooks.ts). Default: none. */
  webhooks?: WebhookOptions;
  /** Secondary limit on content creation per installation. Default 80 a minute, 500 an hour; false: none. */
  contentLimits?: ContentLimits | false;
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
  /** True when failNext or chaos produced the response. */
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

export interface ChaosOptions {
  /** Fraction (0..1) of matching calls answered 502 or 503 (at random). */
  rate5xx: number;
  /** Fraction (0..1) of matching calls answered 403 secondary limit with retry-after. */
  rate403: number;
  /** retry-after of the injected 403s. Default 1. */
  retryAfterSeconds?: number;
  /** Seed of the PRNG, for the same faults on every run. Default: random. */
  seed?: number;
  /** Calls that may fail. Default: every API call (installation tokens, GET /app and GraphQL included). */
  match?: CallMatcher;
}

export interface ChaosStats {
  /** Calls chaos could have failed. */
  considered: number;
  injected5xx: number;
  injected403: number;
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
  /** Requests that came back before a rate-limit answer allowed (they were refused again). */
  rateViolations: RateViolation[];
  /** Random 5xx and secondary-limit 403s on matching calls, without side effects; null stops them. */
  setChaos(options: ChaosOptions | null): void;
  chaosStats(): ChaosStats;
  /** Webhooks delivered (or attempted), oldest first, as GitHub's hook deliveries list them. */
  deliveries: WebhookDelivery[];
  /** Where webhooks go (the app's port is known only once it runs); the secret defaults to options.webhooks'. */
  setWebhookTarget(url: string, secret?: string): void;
  setWebhooksEnabled(on: boolean): void;
  /** Sends a logged delivery again: same guid and payload, `redelivery: true`. Resolves with its log entry. */
  redeliver(guid: string): Promise<WebhookDelivery>;
  /** Sends webhooks of changes people made (the test builds the payloads), logged like the app's own. */
  announce(messages: WebhookMessage[]): void;
  /** Resolves once no webhook is queued or being delivered. */
  webhooksIdle(): Promise<void>;
  pendingWebhooks(): number;
  /** Forgets calls, errors and rate violations, keeps the state. */
  clearCalls(): void;
  /** Empty state, no calls, errors, pending failures, chaos, rate limits, queued webhooks or deliveries. */
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
  /** Date.now() when the request arrived. */
  at: number;
  /** GraphQL requests: the operation, once the body is parsed. */
  graphql?: GraphqlOperation;
  /** Set when the request came before a rate-limit answer allowed. */
  prematureUntil?: number;
  /** Webhooks the request's changes announce, sent after the answer. */
  messages: WebhookMessage[];
  /** Deliveries the request asked to send again (by guid), sent after the answer. */
  redeliveries: string[];
}

type Answer = HandlerResult & {
  injected?: boolean;
  /** Not counted against the primary limit (the refusal of an exhausted one). */
  uncounted?: boolean;
};

const API_PREFIX = "/api/v3";
const JSON_TYPE = "application/json; charset=utf-8";

function isGraphql(ex: Pick<Exchange, "method" | "path">): boolean {
  return ex.method === "POST" && (ex.path === "/api/graphql" || ex.path === "/graphql");
}

/** The operationId a call is recorded under ("graphql" for GraphQL). */
function operationOf(ex: Pick<Exchange, "method" | "path" | "route">): string | null {
  return isGraphql(ex) ? "graphql" : (ex.route?.operationId ?? null);
}

/** Who a rate limit counts against: the installation, the app, or the token. */
function identityOf(ex: Exchange): string {
  if (ex.auth.installation) return `installation:${ex.auth.installation.id}`;
  if (ex.auth.kind === "app") return "app";
  if (ex.auth.kind === "none") return "anonymous";
  const credential = String(ex.headers["authorization"] ?? "");
  return `token:${createHash("sha256").update(credential).digest("hex").slice(0, 16)}`;
}

/** GitHub's budgets: core and GraphQL by the hour, search by the minute. */
function resourceOf(ex: Exchange): { name: string; windowMs: number } {
  if (isGraphql(ex)) return { name: "graphql", windowMs: 3_600_000 };
  if (ex.route?.operationId.startsWith("search/")) return { name: "search", windowMs: 60_000 };
  return { name: "core", windowMs: 3_600_000 };
}

/** How many content-creating (or, counting writes, mutating) requests this is (GraphQL may run several). */
function contentCount(ex: Exchange, body?: unknown, counts: "content" | "writes" = "content"): number {
  if (ex.graphql) {
    if (ex.graphql.operation !== "mutation") return 0;
    const fields = ex.graphql.fields.filter((field) => counts === "writes" || CONTENT_MUTATIONS.has(field));
    if (body === undefined) return fields.length;
    // Afterwards only the mutations that succeeded count.
    const data = (body as { data?: Record<string, unknown> } | undefined)?.data ?? {};
    return fields.filter((field) => data[field] !== null && data[field] !== undefined).length;
  }
  if (counts === "writes") {
    // An installation's token is asked for as the app: it is not one of the installation's writes.
    const token = ex.route?.operationId === "apps/create-installation-access-token";
    return ex.method !== "GET" && ex.method !== "HEAD" && !token ? 1 : 0;
  }
  return ex.method === "POST" && CONTENT_OPERATIONS.has(ex.route?.operationId ?? "") ? 1 : 0;
}

function secondaryLimit(retryAfterSeconds: number): HandlerResult {
  return {
    status: 403,
    body: { message: SECONDARY_LIMIT_MESSAGE, documentation_url: SECONDARY_LIMIT_DOCS },
    headers: { "retry-after": String(retryAfterSeconds) },
  };
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

/** Compiles every schema of the shared validator now: a benchmark's fake is then warm from its first call. */
export function warmValidation(): void {
  sharedValidator ??= createValidator();
  sharedValidator.compileAll();
}

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
  const latencyMs = options.latencyMs ?? 0;
  const webhooks = createWebhookSender({ appId, webhooks: options.webhooks });
  const windows = createRateWindows();
  const buckets = createRateBuckets();
  const content = createContentLimiter(options.contentLimits);
  const counts = (options.contentLimits || undefined)?.counts ?? "content";
  const rateViolations: RateViolation[] = [];
  let chaos: { options: ChaosOptions; random: () => number } | null = null;
  const chaosCounts: ChaosStats = { considered: 0, injected5xx: 0, injected403: 0 };
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

  function record(ex: Pick<Exchange, "method" | "path" | "route">, kind: FakeErrorKind, message: string): void {
    errors.push({ kind, method: ex.method, path: ex.path, operationId: operationOf(ex), message });
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
    const call = { method: ex.method, path: ex.path, operationId: operationOf(ex) };
    const delay = delays.find((entry) => entry.remaining > 0 && matches(entry.matcher, call));
    if (!delay) return 0;
    delay.remaining -= 1;
    delays = delays.filter((entry) => entry.remaining > 0);
    return delay.ms;
  }

  function takeFailure(ex: Exchange): HandlerResult | undefined {
    const call = { method: ex.method, path: ex.path, operationId: operationOf(ex) };
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

  function takeChaos(ex: Exchange): HandlerResult | undefined {
    if (!chaos) return undefined;
    const call = { method: ex.method, path: ex.path, operationId: operationOf(ex) };
    if (chaos.options.match !== undefined && !matches(chaos.options.match, call)) return undefined;
    chaosCounts.considered += 1;
    const roll = chaos.random();
    if (roll < chaos.options.rate5xx) {
      chaosCounts.injected5xx += 1;
      const status = chaos.random() < 0.5 ? 502 : 503;
      return { status, body: { message: status === 502 ? "Server Error" : "Service Unavailable" } };
    }
    if (roll < chaos.options.rate5xx + chaos.options.rate403) {
      chaosCounts.injected403 += 1;
      return secondaryLimit(chaos.options.retryAfterSeconds ?? 1);
    }
    return undefined;
  }

  function windowKey(ex: Exchange): string | undefined {
    const operationId = operationOf(ex);
    return operationId === null ? undefined : `${identityOf(ex)} ${operationId}`;
  }

  /** Records a request that came back before a rate-limit answer allowed (GitHub punishes those). */
  function noteArrival(ex: Exchange): void {
    const key = windowKey(ex);
    const notBefore = key === undefined ? undefined : windows.premature(key, ex.at);
    if (notBefore === undefined) return;
    ex.prematureUntil = notBefore;
    rateViolations.push({
      operationId: operationOf(ex) ?? "",
      method: ex.method,
      path: ex.path,
      installationId: ex.auth.installation?.id,
      arrivedAt: ex.at,
      notBefore,
      noticeAt: windows.noticeAt(key as string) ?? 0,
    });
  }

  function bucketOf(ex: Exchange): { limit: number; count: number; resetAt: number } {
    const resource = resourceOf(ex);
    const limit = resource.name === "search" ? 30 : rateLimit;
    return buckets.get(`${identityOf(ex)}:${resource.name}`, limit, resource.windowMs, Date.now());
  }

  /** GitHub's refusals before anything changes: rate limits, then the content-creation limit. */
  function refuseLimited(ex: Exchange): Answer | undefined {
    if (ex.prematureUntil !== undefined)
      return secondaryLimit(Math.max(1, Math.ceil((ex.prematureUntil - Date.now()) / 1000)));
    if (bucketOf(ex).count >= bucketOf(ex).limit) {
      const who = ex.auth.installation ? `installation ID ${ex.auth.installation.id}` : "this token";
      return {
        status: 403,
        body: {
          message: `API rate limit exceeded for ${who}.`,
          documentation_url:
            "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-primary-rate-limits",
        },
        uncounted: true,
      };
    }
    const retryAfter =
      contentCount(ex, undefined, counts) > 0 ? content.retryAfter(identityOf(ex), Date.now()) : undefined;
    return retryAfter === undefined ? undefined : secondaryLimit(retryAfter);
  }

  /** Everything answered before the handler runs, none of it with side effects. */
  function guard(ex: Exchange): Answer | undefined {
    noteArrival(ex);
    const injected = takeFailure(ex) ?? takeChaos(ex);
    if (injected) return { ...injected, injected: true };
    return refuseLimited(ex);
  }

  function spendContent(ex: Exchange, result: HandlerResult): void {
    if (result.status < 200 || result.status >= 300) return;
    const count = contentCount(ex, ex.graphql ? result.body : undefined, counts);
    if (count > 0) content.spend(identityOf(ex), Date.now(), count);
  }

  /** The payload around a change: what every webhook carries besides its own fields. */
  function envelope(
    action: string,
    fields: Record<string, unknown>,
    repo: RepoRecord,
    installation: InstallationRecord,
  ): Record<string, unknown> {
    const owner = state.user(repo.owner);
    return {
      action,
      ...fields,
      repository: render.repo(repo),
      ...(owner.type === "Organization" && { organization: render.organization(owner.login) }),
      installation: { id: installation.id, node_id: nodeId("IntegrationInstallation", installation.id) },
      sender: render.user(state.botLogin),
    };
  }

  function emitter(ex: Exchange): EmitWebhook {
    return (event, action, repo, fields) => {
      const installation = ex.auth.installation;
      // Only the app's own changes echo: other callers stand for people, whose events tests send.
      if (ex.auth.kind !== "installation" || !installation || !webhooks.wants(event)) return;
      ex.messages.push({
        event,
        action,
        payload: envelope(action, fields(render), repo, installation),
        installationId: installation.id,
        repositoryId: repo.id,
      });
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
      emit: emitter(ex),
      hooks: { deliveries: webhooks.deliveries, redeliver: (guid) => ex.redeliveries.push(guid) },
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
      emit: emitter(ex),
    });
    return { status: result.status ?? 200, body: result.body };
  }

  async function respond(ex: Exchange): Promise<Answer> {
    if (ex.method === "GET" && ex.path.startsWith("/_codeload/")) return codeload(ex);
    if (isGraphql(ex)) {
      const refused = authenticate(ex) ?? parseBody(ex);
      if (refused) return refused;
      ex.graphql = await describeGraphql(ex.body);
      const limited = guard(ex);
      if (limited) return limited;
      const delay = takeDelay(ex) + latencyMs;
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      const result = await runGraphql(ex);
      spendContent(ex, result);
      return result;
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
    const limited = guard(ex);
    if (limited) return limited;
    const delay = takeDelay(ex) + latencyMs;
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    const result = runHandler(ex, route);
    spendContent(ex, result);
    return result;
  }

  /** The archive a tarball redirect points at: no API call, no token needed (the address is signed). */
  function codeload(ex: Exchange): Answer {
    const [, , owner, name] = ex.path.split("/");
    const repo = owner && name ? state.findRepo(owner, name) : undefined;
    if (!repo?.tarball || !ex.url.searchParams.get("token")) return { status: 404, body: { message: "Not Found" } };
    return { status: 200, raw: { contentType: "application/x-gzip", data: repo.tarball }, uncounted: true };
  }

  function rateHeaders(ex: Exchange, status: number, uncounted: boolean): Record<string, string> {
    const bucket = bucketOf(ex);
    // Conditional requests answered 304 do not count against the limit.
    if (status !== 304 && !uncounted) bucket.count += 1;
    return {
      "x-ratelimit-limit": String(bucket.limit),
      "x-ratelimit-remaining": String(Math.max(bucket.limit - bucket.count, 0)),
      "x-ratelimit-used": String(bucket.count),
      "x-ratelimit-reset": String(bucket.resetAt / 1000),
      "x-ratelimit-resource": resourceOf(ex).name,
    };
  }

  function send(
    res: ServerResponse,
    ex: Exchange,
    result: Answer,
  ): { status: number; headers: Record<string, string> } {
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
      ...rateHeaders(ex, status, result.uncounted === true),
      ...(etag && { etag }),
      ...result.headers,
    };
    res.writeHead(status, headers);
    res.end(cached || status === 204 ? undefined : data);
    return { status, headers };
  }

  /** Remembers a rate-limit answer: the same caller must not come back to the route before it allows. */
  function noteRateLimit(ex: Exchange, status: number, headers: Record<string, string>): void {
    const key = windowKey(ex);
    const now = Date.now();
    const notBefore = rateLimitedUntil(status, headers, now);
    if (key !== undefined && notBefore !== undefined) windows.note(key, notBefore, now);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
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
      at,
      messages: [],
      redeliveries: [],
    };
    let result: Answer;
    try {
      result = await respond(ex);
    } catch (error) {
      // A refused request changed nothing GitHub would announce.
      ex.messages = [];
      ex.redeliveries = [];
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
    const graphqlCall = isGraphql(ex) ? (ex.graphql ?? (await describeGraphql(ex.body))) : undefined;
    const { status, headers } = send(res, ex, result);
    noteRateLimit(ex, status, headers);
    calls.push({
      seq: calls.length + 1,
      method: ex.method,
      path: ex.path,
      operationId: operationOf(ex),
      status,
      query: ex.query,
      body: ex.body,
      auth: ex.auth.kind,
      installationId: ex.auth.installation?.id,
      injected: result.injected === true,
      at,
      ...(graphqlCall && { graphql: graphqlCall }),
    });
    // After the answer, in the order of the changes (injected answers changed nothing).
    if (!result.injected && ex.messages.length > 0) webhooks.enqueue(ex.messages);
    // GitHub answers 202 and redelivers afterwards; a redelivery that is dropped (reset) is no error.
    if (!result.injected) for (const guid of ex.redeliveries) webhooks.redeliver(guid).catch(() => {});
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
    rateViolations,
    deliveries: webhooks.deliveries,
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
    setChaos(chaosOptions) {
      chaos = chaosOptions && {
        options: chaosOptions,
        random: mulberry32(chaosOptions.seed ?? Math.floor(Math.random() * 2 ** 32)),
      };
    },
    chaosStats: () => ({ ...chaosCounts }),
    setWebhookTarget: (target, secret) => webhooks.setTarget(target, secret),
    setWebhooksEnabled: (on) => webhooks.setEnabled(on),
    redeliver: (guid) => webhooks.redeliver(guid),
    announce: (messages) => webhooks.enqueue(messages),
    webhooksIdle: () => webhooks.idle(),
    pendingWebhooks: () => webhooks.pending(),
    clearCalls() {
      calls.length = 0;
      errors.length = 0;
      rateViolations.length = 0;
    },
    reset() {
      fake.clearCalls();
      failures = [];
      delays = [];
      chaos = null;
      Object.assign(chaosCounts, { considered: 0, injected5xx: 0, injected403: 0 });
      buckets.clear();
      windows.clear();
      content.clear();
      webhooks.clear();
      state = new FakeState(stateOptions);
      render = createRenderer(state, urls);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        // Nothing more goes out once the fake is closing.
        webhooks.stop();
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
  return fake;
}
