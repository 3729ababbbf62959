// The web role: verify a webhook (Probot's middleware), put it on the queue, answer. Nothing else
// happens here, so GitHub's 10-second limit is never at risk and a slow GitHub cannot back us up.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Redis } from "ioredis";
import { createNodeMiddleware, type Probot } from "probot";
import { isHandledEvent } from "../events.js";
import { deliveryJobId, type Queues } from "../queues.js";
import { pingRedis, withTimeout } from "../redis.js";
import { isDeliveryDone } from "../state/deliveries.js";
import type { Keys } from "../state/keys.js";

export interface WebDeps {
  probot: Probot;
  queues: Queues;
  redis: Redis;
  keys: Keys;
  webhookPath: string;
  /** How long enqueueing may take before the webhook gets 503. */
  enqueueTimeoutMs?: number;
}

export interface WebServer {
  server: Server;
  listen(port: number, host: string): Promise<AddressInfo>;
  /** Stops taking webhooks (503 from now on) and closes the listener once in-flight requests end. */
  stop(): Promise<void>;
}

/** An error Probot's middleware turns into this HTTP status. */
class HttpError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export async function createWebServer(deps: WebDeps): Promise<WebServer> {
  const { probot, queues, redis, keys } = deps;
  const log = probot.log;
  const enqueueTimeoutMs = deps.enqueueTimeoutMs ?? 3000;
  let stopping = false;

  const middleware = await createNodeMiddleware(
    (app) => {
      app.onAny(async (context) => {
        const { id, name } = context;
        if (!isHandledEvent(name)) {
          log.debug({ delivery: id, event: name }, "event not handled, dropped");
          return;
        }
        try {
          if (await withTimeout(isDeliveryDone(redis, keys, id), enqueueTimeoutMs)) {
            log.info({ delivery: id, event: name }, "duplicate delivery ignored");
            return;
          }
          const payload = context.payload as unknown as Record<string, unknown>;
          await withTimeout(
            queues.events.add(name, { id, name, payload }, { jobId: deliveryJobId(id) }),
            enqueueTimeoutMs,
          );
          log.info({ delivery: id, event: name, action: payload.action }, "webhook enqueued");
        } catch (error) {
          log.error({ delivery: id, event: name, err: error }, "webhook not enqueued");
          // GitHub shows the 503 in the app's delivery log, and the delivery can be redelivered.
          throw new HttpError("queue unavailable, try again later", 503);
        }
      });
    },
    { probot, webhooksPath: deps.webhookPath },
  );

  const inFlight = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    inFlight.add(res);
    res.on("close", () => inFlight.delete(res));
    void handle(req, res);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && path === "/healthz") return json(res, 200, { status: "ok" });
    if (req.method === "GET" && path === "/readyz") {
      const ready = !stopping && (await pingRedis(redis));
      return json(res, ready ? 200 : 503, { status: ready ? "ready" : "unavailable", redis: ready });
    }
    if (stopping && path === deps.webhookPath) {
      res.setHeader("retry-after", "5");
      return json(res, 503, { error: "shutting down" });
    }
    try {
      await middleware(req, res, () => json(res, 404, { error: "not found" }));
    } catch (error) {
      log.error({ err: error }, "request failed");
      if (!res.headersSent) json(res, 500, { error: "internal error" });
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

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}
