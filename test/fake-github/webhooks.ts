// Webhook deliveries of the fake GitHub. GitHub tells an app about every change, including the
// ones the app made itself (a bot sees its own labels and comments come back), and bots go wrong
// exactly there: loops, double work, stale reads. The fake sends them the way GitHub's hookshot
// does: after the API answer, one at a time in order, signed, never retried, and logged.
import { createHmac, randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { request as httpRequest, type ClientRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { parse } from "yaml";

export interface WebhookOptions {
  /** Where to POST; often set later with setWebhookTarget (the app's port is known only once it runs). */
  url?: string;
  secret: string;
  /** Events the app subscribes to. Default: app.yml's default_events plus installation events. */
  events?: string[];
  /** Default true. */
  enabled?: boolean;
}

/** One delivery as GitHub's `GET /app/hook/deliveries` lists it, with its payload. */
export interface WebhookDelivery {
  id: number;
  guid: string;
  event: string;
  action: string | undefined;
  /** HTTP status of the answer; null when there was none (refused connection, timeout). */
  status: number | null;
  statusText?: string;
  /** Date.now() when the delivery started. */
  deliveredAt: number;
  durationMs: number;
  redelivery: boolean;
  payload: unknown;
  installationId: number;
  repositoryId?: number;
}

/** A change GitHub would announce: the event, its payload and the installation it is for. */
export interface WebhookMessage {
  event: string;
  action: string | undefined;
  payload: Record<string, unknown>;
  installationId: number;
  repositoryId?: number;
}

// From test/fake-github or, compiled for the benchmarks, from dist/test/fake-github.
const MANIFEST_URLS = [new URL("../../app.yml", import.meta.url), new URL("../../../app.yml", import.meta.url)];

/** Every app gets these, whatever it subscribed to. */
const ALWAYS_SENT = ["installation", "installation_repositories"];

let manifestEvents: string[] | undefined;

/** The events the app subscribes to by default: app.yml's default_events plus the installation events. */
export function appEvents(): string[] {
  if (!manifestEvents) {
    const url = MANIFEST_URLS.find((candidate) => existsSync(candidate));
    if (!url) throw new Error("fake GitHub: app.yml not found next to test/ (needed for the default webhook events)");
    const manifest = parse(readFileSync(url, "utf8")) as { default_events?: string[] };
    manifestEvents = [...new Set([...(manifest.default_events ?? []), ...ALWAYS_SENT])];
  }
  return [...manifestEvents];
}

/** GitHub gives up on a delivery the receiver has not answered in 10 s. */
const DELIVERY_TIMEOUT_MS = 10_000;

export interface WebhookSender {
  readonly deliveries: WebhookDelivery[];
  /** Whether a change to `event` would be delivered now (a target is set, deliveries are on, subscribed). */
  wants(event: string): boolean;
  enqueue(messages: WebhookMessage[]): void;
  setTarget(url: string, secret?: string): void;
  setEnabled(on: boolean): void;
  redeliver(guid: string): Promise<WebhookDelivery>;
  idle(): Promise<void>;
  pending(): number;
  /** Drops the queue (and the delivery in flight) and forgets the log. */
  clear(): void;
  /** Drops the queue and delivers nothing more. */
  stop(): void;
}

interface QueueEntry {
  message: WebhookMessage;
  guid: string;
  redelivery: boolean;
  settle?: (delivery: WebhookDelivery | undefined) => void;
}

interface Answer {
  status: number | null;
  statusText: string;
}

export function signature(body: string, secret: string, algorithm: "sha256" | "sha1" = "sha256"): string {
  return `${algorithm}=${createHmac(algorithm, secret).update(body).digest("hex")}`;
}

/** POSTs once; resolves with the status, or null and the reason when nothing answered. */
function post(
  url: string,
  body: string,
  headers: Record<string, string>,
  started: (request: ClientRequest) => void,
): Promise<Answer> {
  return new Promise((resolve) => {
    const target = new URL(url);
    const send = target.protocol === "https:" ? httpsRequest : httpRequest;
    // A fresh connection per delivery (no keep-alive), so nothing lingers when the app stops.
    const request = send(target, { method: "POST", headers, agent: false, timeout: DELIVERY_TIMEOUT_MS }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? null, statusText: res.statusMessage ?? "" }));
      res.on("error", (error) => resolve({ status: res.statusCode ?? null, statusText: error.message }));
    });
    request.on("timeout", () => request.destroy(new Error("timed out")));
    request.on("error", (error) => resolve({ status: null, statusText: error.message }));
    started(request);
    request.end(body);
  });
}

export function createWebhookSender(options: { appId: number; webhooks: WebhookOptions | undefined }): WebhookSender {
  const { appId } = options;
  // Every delivery of an app comes from its one hook; GitHub numbers hooks separately from apps.
  const hookId = 100_000 + appId;
  let url = options.webhooks?.url;
  let secret = options.webhooks?.secret;
  let enabled = options.webhooks?.enabled ?? true;
  let events: Set<string> | undefined = options.webhooks?.events && new Set(options.webhooks.events);
  const deliveries: WebhookDelivery[] = [];
  let queue: QueueEntry[] = [];
  let busy = false;
  let stopped = false;
  // Bumped by clear(): a delivery that finishes after it is not logged.
  let generation = 0;
  let inFlight: ClientRequest | undefined;
  let nextId = 1;
  let waiters: Array<() => void> = [];

  function subscribed(event: string): boolean {
    events ??= new Set(appEvents());
    return events.has(event);
  }

  function notifyIdle(): void {
    if (busy || queue.length > 0) return;
    const waiting = waiters;
    waiters = [];
    for (const resolve of waiting) resolve();
  }

  async function deliver(entry: QueueEntry, target: string, key: string): Promise<WebhookDelivery> {
    const body = JSON.stringify(entry.message.payload);
    const headers = {
      "content-type": "application/json",
      "content-length": String(Buffer.byteLength(body)),
      "user-agent": "GitHub-Hookshot/fake",
      "x-github-event": entry.message.event,
      "x-github-delivery": entry.guid,
      "x-github-hook-id": String(hookId),
      "x-github-hook-installation-target-type": "integration",
      "x-github-hook-installation-target-id": String(appId),
      "x-hub-signature": signature(body, key, "sha1"),
      "x-hub-signature-256": signature(body, key),
    };
    const deliveredAt = Date.now();
    const started = performance.now();
    const answer = await post(target, body, headers, (request) => {
      inFlight = request;
    });
    inFlight = undefined;
    const { message } = entry;
    return {
      id: 0,
      guid: entry.guid,
      event: message.event,
      action: message.action,
      status: answer.status,
      ...(answer.statusText !== "" && { statusText: answer.statusText }),
      deliveredAt,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      redelivery: entry.redelivery,
      payload: message.payload,
      installationId: message.installationId,
      ...(message.repositoryId !== undefined && { repositoryId: message.repositoryId }),
    };
  }

  /** Delivers the queue one entry at a time (GitHub's order is the order of the changes). */
  async function pump(): Promise<void> {
    if (busy) return;
    busy = true;
    while (!stopped) {
      const entry = queue.shift();
      if (!entry) break;
      if (url === undefined || secret === undefined) {
        entry.settle?.(undefined);
        continue;
      }
      const started = generation;
      const delivery = await deliver(entry, url, secret);
      if (started !== generation) {
        entry.settle?.(undefined);
        continue;
      }
      // A non-2xx answer or no answer is logged, never retried: GitHub does not redeliver by itself.
      delivery.id = nextId++;
      deliveries.push(delivery);
      entry.settle?.(delivery);
    }
    busy = false;
    notifyIdle();
  }

  function dropQueue(): void {
    const dropped = queue;
    queue = [];
    for (const entry of dropped) entry.settle?.(undefined);
    generation += 1;
    inFlight?.destroy(new Error("dropped"));
  }

  return {
    deliveries,
    wants: (event) => !stopped && enabled && url !== undefined && secret !== undefined && subscribed(event),
    enqueue(messages) {
      if (stopped) return;
      for (const message of messages) queue.push({ message, guid: randomUUID(), redelivery: false });
      void pump();
    },
    setTarget(target, newSecret) {
      if (newSecret !== undefined) secret = newSecret;
      if (secret === undefined)
        throw new Error("fake GitHub: webhooks need a secret (options.webhooks.secret or setWebhookTarget's)");
      url = target;
    },
    setEnabled(on) {
      enabled = on;
    },
    redeliver(guid) {
      const original = deliveries.findLast((delivery) => delivery.guid === guid);
      if (stopped) return Promise.reject(new Error("fake GitHub: closed, no more deliveries"));
      if (!original) return Promise.reject(new Error(`fake GitHub: no delivery ${guid} in the log`));
      const message: WebhookMessage = {
        event: original.event,
        action: original.action,
        payload: original.payload as Record<string, unknown>,
        installationId: original.installationId,
        ...(original.repositoryId !== undefined && { repositoryId: original.repositoryId }),
      };
      return new Promise((resolve, reject) => {
        queue.push({
          message,
          guid,
          redelivery: true,
          settle: (delivery) =>
            delivery ? resolve(delivery) : reject(new Error(`fake GitHub: redelivery of ${guid} was dropped`)),
        });
        void pump();
      });
    },
    idle: () => (busy || queue.length > 0 ? new Promise<void>((resolve) => waiters.push(resolve)) : Promise.resolve()),
    pending: () => queue.length + (busy && inFlight ? 1 : 0),
    clear() {
      dropQueue();
      deliveries.length = 0;
      nextId = 1;
    },
    stop() {
      stopped = true;
      dropQueue();
      notifyIdle();
    },
  };
}
