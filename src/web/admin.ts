// The queue dashboard (bull-board) at /admin/queues. It exists only when an operator sets
// SHEPHERD_ADMIN_PASSWORD, and every request to it is checked against basic auth first, so a
// deployment that forgets about it has no dashboard at all rather than an open one.
import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { ExpressAdapter } from "@bull-board/express";
import type { Queue } from "bullmq";

export const ADMIN_PATH = "/admin/queues";

export interface AdminOptions {
  queues: Queue[];
  user: string;
  password: string;
  /** No retry, promote or clean buttons: a dashboard to look at, not to act from. */
  readOnly: boolean;
}

export type AdminHandler = (req: IncomingMessage, res: ServerResponse) => void;

export function createAdmin(options: AdminOptions): AdminHandler {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(ADMIN_PATH);
  createBullBoard({
    queues: options.queues.map((queue) => new BullMQAdapter(queue, { readOnlyMode: options.readOnly })),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: "Shepherd queues" } },
  });
  // An Express app is itself a request handler; it is mounted here by hand, so it sees the path
  // below ADMIN_PATH as Express's `app.use(ADMIN_PATH, ...)` would show it.
  const app = adapter.getRouter() as (req: IncomingMessage, res: ServerResponse, next: () => void) => void;
  const expected = Buffer.from(`${options.user}:${options.password}`);
  return (req, res) => {
    if (!authorised(req.headers.authorization, expected)) {
      res.writeHead(401, { "www-authenticate": 'Basic realm="Shepherd queues", charset="UTF-8"' });
      res.end("authentication required");
      return;
    }
    req.url = req.url?.slice(ADMIN_PATH.length) || "/";
    if (!req.url.startsWith("/")) req.url = `/${req.url}`;
    app(req, res, () => {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "not found" }));
    });
  };
}

/** Constant-time comparison of basic-auth credentials. */
function authorised(header: string | undefined, expected: Buffer): boolean {
  const match = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header ?? "");
  if (!match?.[1]) return false;
  const given = Buffer.from(match[1], "base64");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Whether a path is the dashboard's (`/admin/queues`, `/admin/queues/...`, never `/admin/queuesX`). */
export function isAdminPath(path: string): boolean {
  return path === ADMIN_PATH || path.startsWith(`${ADMIN_PATH}/`);
}
