// Redis connections. Shepherd's own (the queue producer, its state) fail fast: a webhook gets 503
// at once when Redis is gone, and a job's Redis error is a retry. BullMQ's workers are given
// connection options, not a client, so BullMQ owns their connections, which block and retry
// forever (maxRetriesPerRequest: null): sharing a client of ours left a worker's blocking
// connection hung after an outage in about one run in four.
import type { ConnectionOptions } from "bullmq";
import { Redis, type RedisOptions } from "ioredis";

export type RedisRole = "web" | "state";

export function createRedis(url: string, role: RedisRole): Redis {
  const options: RedisOptions = {
    lazyConnect: true,
    connectionName: `shepherd-${role}`,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2000,
  };
  const redis = new Redis(url, options);
  // Errors surface where they matter (connectRedis throws, Shepherd logs them); without a listener
  // ioredis would also print each one to stderr.
  redis.on("error", () => {});
  return redis;
}

/** Thrown at start when Redis does not answer; main prints its message, not a stack trace. */
export class RedisUnavailableError extends Error {
  override name = "RedisUnavailableError";
}

/** Connects and pings once, within `timeoutMs`; explains how to get a Redis when it cannot. */
export async function connectRedis(redis: Redis, url: string, timeoutMs = 3000): Promise<void> {
  // The connection's own error (ECONNREFUSED, ENOTFOUND, WRONGPASS) says more than the rejection.
  let cause: Error | null = null;
  const remember = (error: Error) => {
    cause ??= error;
  };
  redis.on("error", remember);
  try {
    await withTimeout(
      (async () => {
        if (redis.status === "wait") await redis.connect();
        await redis.ping();
      })(),
      timeoutMs,
    );
  } catch (error) {
    redis.disconnect();
    const reason = (cause as Error | null)?.message ?? (error instanceof Error ? error.message : String(error));
    throw new RedisUnavailableError(
      [
        `Shepherd needs Redis and none answered at ${redactUrl(url)} (${reason}).`,
        "Start one, then try again:",
        "  - Debian/Ubuntu: sudo apt-get install -y redis-server && redis-server --daemonize yes",
        "  - macOS: brew install redis && brew services start redis",
        "  - Docker: docker compose up -d redis   (or: docker run -d -p 6379:6379 redis:7)",
        "Or point SHEPHERD_REDIS_URL at a managed Redis or Valkey (redis://user:pass@host:6379/0).",
      ].join("\n"),
    );
  } finally {
    redis.off("error", remember);
  }
}

export async function pingRedis(redis: Redis, timeoutMs = 1000): Promise<boolean> {
  try {
    return (await withTimeout(redis.ping(), timeoutMs)) === "PONG";
  } catch {
    return false;
  }
}

export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Never log a password. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparseable URL)";
  }
}

/**
 * Connection options (not a client) for BullMQ workers: BullMQ then owns the connections it makes,
 * including the blocking one it resets when a command hangs across a reconnect.
 */
export function workerConnectionOptions(url: string): ConnectionOptions {
  const parsed = new URL(url);
  const db = Number(parsed.pathname.replace(/^\//, "") || 0);
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(Number.isInteger(db) && db > 0 ? { db } : {}),
    ...(parsed.protocol === "rediss:" ? { tls: {} } : {}),
    connectionName: "shepherd-worker",
    maxRetriesPerRequest: null,
  };
}
