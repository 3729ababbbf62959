// The web role: check a webhook delivery, put it on the queue, answer. Nothing else happens here,
// so GitHub's 10-second limit is never at risk and a slow GitHub cannot back us up.
//
// Answers: 202 once Redis holds the job; 200 for a ping, a duplicate or an event Shepherd does not
// handle (nothing queued); 400 for missing headers, a missing signature or a body that is not JSON;
// 401 for a wrong signature; 413 for a body over the cap (before reading it all); 415 for a body
// that is not JSON-typed; 503 with retry-after while Redis cannot take the job or the process is
// stopping. The body is never logged.
//
// Every role serves /healthz, /readyz and /metrics; only the web role takes webhooks, and the queue
// dashboard is there only when an operator turned it on (src/web/admin.ts).
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { sign, verify } from "@octokit/webhooks-methods";
import { isHandledAction } from "../domain/events.js";
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics.js";
import { deliveryJobId, type Queues } from "../queues.js";
import { pingRedis, type RedisClient, withTimeout } from "../redis.js";
import { isDeliveryDone } from "../state/deliveries.js";
import type { Keys } from "../state/keys.js";
import { type AdminHandler, isAdminPath } from "./admin.js";

export interface WebDeps {
  queues: Queues;
  redis: RedisClient;
  keys: Keys;
  log: Logger;
  /** Null in the worker role: its listener is for probes and scrapes only. */
  webhook: WebhookOptions | null;
  /** How long enqueueing may take before the webhook gets 503. */
  enqueueTimeoutMs?: number;
  /** Extra facts for /readyz (a worker's Redis warnings, say). */
  readiness?: () => Record<string, unknown>;
  metrics?: Metrics;
  /** The queue dashboard, when an operator turned it on. */
  admin?: AdminHandler | null;
}

export interface WebhookOptions {
  secret: string;
  /** Where webhooks are answered; `/` too, since Probot's setup page registers the app's root. */
  path: string;
  maxBodyBytes: number;
}

export interface WebServer {
  server: Server;
  listen(port: number, host: string): Promise<AddressInfo>;
  /**
   * Sends the listener `count` signed pings over loopback, then collects the start-up garbage, and
   * answers /readyz with 503 until both are done: proof that the webhook path answers with this
   * secret, and the first real deliveries after a start meet compiled code and a collected heap,
   * not a cold process. True when every ping got its 200.
   */
  selfCheck(address: AddressInfo, count: number): Promise<boolean>;
  /** Stops taking webhooks (503 from now on) and closes the listener once in-flight requests end. */
  stop(): Promise<void>;
}

type Answer = { status: number; body: Record<string, unknown>; headers?: Record<string, string> };

const DELIVERY_ID = /^[A-Za-z0-9-]{1,100}$/;
const EVENT_NAME = /^[a-z_]{1,64}$/;
const RETRY_AFTER_SECONDS = "5";

export function createWebServer(deps: WebDeps): WebServer {
  const { queues, redis, keys, log } = deps;
  const enqueueTimeoutMs = deps.enqueueTimeoutMs ?? 3000;
  let stopping = false;
  let checking = false;

  const inFlight = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    inFlight.add(res);
    res.on("close", () => inFlight.delete(res));
    handle(req, res).catch((error: unknown) => {
      log.error({ err: error }, "request failed");
      if (!res.headersSent) send(res, { status: 500, body: { error: "internal error" } });
    });
  });
  // A client that trickles its body cannot hold a connection for long.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (req.method === "GET" && path === "/healthz") return send(res, { status: 200, body: { status: "ok" } });
    if (req.method === "GET" && path === "/readyz") return send(res, await readiness());
    if (req.method === "GET" && path === "/metrics" && deps.metrics) return sendMetrics(res, deps.metrics);
    if (deps.admin && isAdminPath(path)) return deps.admin(req, res);
    const hook = deps.webhook;
    if (req.method === "POST" && hook && (path === hook.path || path === "/")) {
      const started = performance.now();
      const answer = await webhook(req, res, hook);
      // The self-check's pings are not deliveries.
      if (!isSelfCheck(req)) deps.metrics?.webhook(answer.status, (performance.now() - started) / 1000);
      return send(res, answer);
    }
    return send(res, { status: 404, body: { error: "not found" } });
  }

  async function readiness(): Promise<Answer> {
    const redisUp = await pingRedis(redis);
    const ready = !stopping && !checking && redisUp;
    return {
      status: ready ? 200 : 503,
      body: {
        status: ready ? "ready" : "unavailable",
        redis: redisUp,
        stopping,
        ...(checking ? { selfCheck: "running" } : {}),
        ...deps.readiness?.(),
      },
    };
  }

  async function webhook(req: IncomingMessage, res: ServerResponse, hook: WebhookOptions): Promise<Answer> {
    if (stopping) return unavailable("shutting down");
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > hook.maxBodyBytes) return tooLarge(req, res);
    const type = String(req.headers["content-type"] ?? "")
      .split(";")[0]
      ?.trim()
      .toLowerCase();
    if (type !== "application/json") {
      return { status: 415, body: { error: "webhooks must be sent as application/json" } };
    }
    const name = header(req, "x-github-event");
    const id = header(req, "x-github-delivery");
    const signature = header(req, "x-hub-signature-256");
    const missing = [
      ...(name === null ? ["x-github-event"] : []),
      ...(id === null ? ["x-github-delivery"] : []),
      ...(signature === null ? ["x-hub-signature-256"] : []),
    ];
    if (missing.length > 0) return { status: 400, body: { error: `missing header: ${missing.join(", ")}` } };
    if (!EVENT_NAME.test(name ?? "") || !DELIVERY_ID.test(id ?? "")) {
      return { status: 400, body: { error: "malformed x-github-event or x-github-delivery header" } };
    }
    const body = await readBody(req, hook.maxBodyBytes);
    if (body === null) return tooLarge(req, res);
    const text = body.toString("utf8");
    if (!(await verifySignature(hook.secret, text, signature ?? ""))) {
      log.warn({ delivery: id, event: name }, "webhook signature does not match, refused");
      return { status: 401, body: { error: "signature does not match" } };
    }
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch {
      return { status: 400, body: { error: "body is not valid JSON" } };
    }
    if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
      return { status: 400, body: { error: "body is not a JSON object" } };
    }
    return enqueue(id as string, name as string, payload as Record<string, unknown>);
  }

  async function enqueue(id: string, name: string, payload: Record<string, unknown>): Promise<Answer> {
    if (name === "ping") return { status: 200, body: { status: "pong" } };
    const action = typeof payload.action === "string" ? payload.action : undefined;
    // Shepherd's own pins and review requests come back too: what no handler reads is not queued.
    if (!isHandledAction(name, action)) {
      log.debug({ delivery: id, event: name, action }, "event not handled, dropped");
      return { status: 200, body: { status: "ignored", reason: "event not handled" } };
    }
    try {
      if (await withTimeout(isDeliveryDone(redis, keys, id), enqueueTimeoutMs)) {
        log.info({ delivery: id, event: name, action }, "duplicate delivery ignored");
        return { status: 200, body: { status: "duplicate" } };
      }
      await withTimeout(
        queues.events.add(
          name,
          { id, name, payload, receivedAt: Date.now() },
          { jobId: deliveryJobId(id), priority: deliveryPriority(name) },
        ),
        enqueueTimeoutMs,
      );
    } catch (error) {
      log.error({ delivery: id, event: name, err: error }, "webhook not enqueued");
      // GitHub shows the 503 in the app's delivery log, and the delivery can be redelivered.
      return unavailable("queue unavailable, try again later");
    }
    log.info({ delivery: id, event: name, action }, "webhook enqueued");
    return { status: 202, body: { status: "queued" } };
  }

  async function verifySignature(secret: string, text: string, signature: string): Promise<boolean> {
    try {
      return await verify(secret, text, signature);
    } catch {
      return false;
    }
  }

  return {
    server,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => resolve(server.address() as AddressInfo));
      });
    },
    async selfCheck(address, count) {
      const hook = deps.webhook;
      if (!hook) return true;
      checking = true;
      try {
        const passed = await pingSelf(address, hook, count);
        collectStartupGarbage();
        return passed;
      } finally {
        checking = false;
      }
    },
    async stop() {
      stopping = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        if (inFlight.size === 0) server.closeAllConnections();
      });
    },
  };
}

/** `count` signed pings to the listener, a few at a time on kept-alive sockets; true if all got 200. */
async function pingSelf(address: AddressInfo, hook: WebhookOptions, count: number): Promise<boolean> {
  const host = address.address === "0.0.0.0" ? "127.0.0.1" : address.address === "::" ? "::1" : address.address;
  const body = JSON.stringify({ zen: "Shepherd checks its own webhook path.", hook_id: 0 });
  const signature = await sign(hook.secret, body);
  const agent = new Agent({ keepAlive: true, maxSockets: SELF_CHECK_SOCKETS });
  const one = (n: number) =>
    new Promise<boolean>((resolve) => {
      const req = request(
        {
          host,
          port: address.port,
          path: hook.path,
          method: "POST",
          agent,
          timeout: 2000,
          headers: {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
            "x-github-event": "ping",
            "x-github-delivery": `${SELF_CHECK_ID}${n}`,
            "x-hub-signature-256": signature,
          },
        },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode === 200));
        },
      );
      req.on("timeout", () => req.destroy());
      req.on("error", () => resolve(false));
      req.end(body);
    });
  try {
    let passed = true;
    for (let n = 0; n < count; n += SELF_CHECK_SOCKETS) {
      const wave = Array.from({ length: Math.min(SELF_CHECK_SOCKETS, count - n) }, (_, k) => one(n + k));
      passed = (await Promise.all(wave)).every(Boolean) && passed;
    }
    return passed;
  } finally {
    agent.destroy();
  }
}

/**
 * One full collection: what loading the code left behind goes now, not in the first major GC of
 * the first burst (a 20–40 ms pause in the answers on the benchmark's 2-core VM). `gc` is exposed
 * for this call only, through a fresh context.
 */
function collectStartupGarbage(): void {
  setFlagsFromString("--expose-gc");
  const gc: unknown = runInNewContext("gc");
  if (typeof gc === "function") (gc as () => void)();
}

const SELF_CHECK_SOCKETS = 4;
const SELF_CHECK_ID = "shepherd-self-check-";

function isSelfCheck(req: IncomingMessage): boolean {
  return (
    header(req, "x-github-event") === "ping" && header(req, "x-github-delivery")?.startsWith(SELF_CHECK_ID) === true
  );
}

function header(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text ? text : null;
}

function unavailable(reason: string): Answer {
  return { status: 503, body: { error: reason }, headers: { "retry-after": RETRY_AFTER_SECONDS } };
}

/**
 * 413 at once; the rest of the body is never kept. Then a lingering close: our side ends, and what
 * the sender still sends is read and dropped until it stops or LINGER_MS pass. Closing a socket
 * with unread bytes resets the connection, and a sender that had not yet read the 413 loses it (a
 * chunked sender then sees EPIPE and no answer at all).
 *
 * No `connection: close` header: with it, Node closes the socket the moment the answer is written.
 * Ending our side says the same to the sender.
 */
function tooLarge(req: IncomingMessage, res: ServerResponse): Answer {
  req.pause();
  res.once("finish", () => linger(req));
  return { status: 413, body: { error: "body too large" } };
}

const LINGER_MS = 5_000;

function linger(req: IncomingMessage): void {
  const socket = req.socket;
  socket.end();
  req.resume();
  const timer = setTimeout(() => socket.destroy(), LINGER_MS).unref();
  socket.once("close", () => clearTimeout(timer));
}

/** The body, or null as soon as it passes `limit` bytes (reading stops there). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on("data", (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        req.pause();
        resolve(null);
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (!done) resolve(Buffer.concat(chunks));
    });
    req.on("error", (error) => {
      if (!done) reject(error);
    });
  });
}

async function sendMetrics(res: ServerResponse, metrics: Metrics): Promise<void> {
  const { contentType, body } = await metrics.scrape();
  res.writeHead(200, { "content-type": contentType });
  res.end(body);
}

function send(res: ServerResponse, answer: Answer): void {
  if (res.headersSent) return;
  res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
  res.end(JSON.stringify(answer.body));
}

/** BullMQ takes jobs without a priority first: comments (which may hold commands) go ahead of the rest. */
export function deliveryPriority(event: string): number | undefined {
  return COMMENT_EVENTS.has(event) ? undefined : 10;
}

const COMMENT_EVENTS: ReadonlySet<string> = new Set([
  "issue_comment",
  "pull_request_review",
  "pull_request_review_comment",
  "discussion_comment",
]);
