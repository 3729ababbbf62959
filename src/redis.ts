// Redis connections. Shepherd's own (the queue producer, its state) fail fast: a webhook gets 503
// at once when Redis is gone, and a job's Redis error is a retry. BullMQ's workers are given
// connection options, not a client, so BullMQ owns their connections, which block and retry
// forever (maxRetriesPerRequest: null): sharing a client of ours left a worker's blocking
// connection hung after an outage in about one run in four.
//
// Every connection is made here, to one server (SHEPHERD_REDIS_URL) or to a cluster
// (SHEPHERD_REDIS_CLUSTER), so nothing can connect to the one while the install runs on the other.
import type { ConnectionOptions } from "bullmq";
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from "ioredis";
import type { Logger } from "./log.js";
import type { Settings } from "./settings.js";

export type RedisRole = "web" | "state";

/** A connection to one server or to a cluster: both take the same commands. */
export type RedisClient = Redis | Cluster;

/** Where Shepherd's Redis is, as the settings say. */
export type RedisTarget = Pick<Settings, "redisUrl" | "redisCluster" | "redisTls" | "redisUsername" | "redisPassword">;

export function createRedis(target: RedisTarget, role: RedisRole): RedisClient {
  const options = {
    lazyConnect: true,
    connectionName: `shepherd-${role}`,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2000,
  };
  const seeds = target.redisCluster;
  const redis = seeds ? createCluster(seeds, target, options) : new Redis(target.redisUrl, options);
  // Errors surface where they matter (connectRedis throws, Shepherd logs them); without a listener
  // ioredis would also print each one to stderr.
  redis.on("error", () => {});
  return redis;
}

/** The seed nodes of SHEPHERD_REDIS_CLUSTER (`host:port,...`; an IPv6 host in brackets). */
export function clusterSeeds(seeds: string): Array<{ host: string; port: number }> {
  return seeds.split(",").map((seed) => {
    const text = seed.trim();
    const colon = text.lastIndexOf(":");
    return { host: text.slice(0, colon).replace(/^\[(.*)\]$/, "$1"), port: Number(text.slice(colon + 1)) };
  });
}

type ClusterConnection = Pick<ClusterOptions, "lazyConnect" | "enableOfflineQueue"> &
  Pick<RedisOptions, "connectionName" | "maxRetriesPerRequest" | "connectTimeout">;

function createCluster(seeds: string, target: RedisTarget, options: ClusterConnection): Cluster {
  const { lazyConnect, enableOfflineQueue, ...perNode } = options;
  return new Cluster(clusterSeeds(seeds), {
    lazyConnect,
    enableOfflineQueue,
    redisOptions: {
      ...perNode,
      ...(target.redisUsername ? { username: target.redisUsername } : {}),
      ...(target.redisPassword ? { password: target.redisPassword } : {}),
      ...(target.redisTls ? { tls: {} } : {}),
    },
    // A managed cluster's certificates name its hosts: connect to the names the cluster announces
    // instead of the addresses they resolve to, or the certificate check fails (ioredis's advice).
    ...(target.redisTls ? { dnsLookup: (address: string, callback) => callback(null, address) } : {}),
  });
}

/** Where Shepherd looks for Redis, for messages: the URL without its password, or the seeds. */
export function describeRedis(target: RedisTarget): string {
  return target.redisCluster ? `the cluster ${target.redisCluster}` : redactUrl(target.redisUrl);
}

/** Thrown at start when Redis does not answer; main prints its message, not a stack trace. */
export class RedisUnavailableError extends Error {
  override name = "RedisUnavailableError";
}

/** Connects and pings once, within `timeoutMs`; explains how to get a Redis when it cannot. */
export async function connectRedis(redis: RedisClient, target: RedisTarget, timeoutMs = 3000): Promise<void> {
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
        `Shepherd needs Redis and none answered at ${describeRedis(target)} (${reason}).`,
        "Start one, then try again:",
        "  - Debian/Ubuntu: sudo apt-get install -y redis-server && redis-server --daemonize yes",
        "  - macOS: brew install redis && brew services start redis",
        "  - Docker: docker compose up -d redis   (or: docker run -d -p 6379:6379 redis:7)",
        "Or point SHEPHERD_REDIS_URL at a managed Redis or Valkey (redis://user:pass@host:6379/0),",
        "or SHEPHERD_REDIS_CLUSTER at a cluster's nodes (host:port,host:port).",
      ].join("\n"),
    );
  } finally {
    redis.off("error", remember);
  }
}

export async function pingRedis(redis: RedisClient, timeoutMs = 1000): Promise<boolean> {
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

/** Each BullMQ worker's connection, and the clean-up of what was made for them. */
export interface WorkerConnections {
  /** The connection of one more worker. */
  next(): ConnectionOptions;
  /** Disconnects the clients `next` made; called once their workers have closed. */
  close(): void;
}

/**
 * Connection options (not a client) for BullMQ workers: BullMQ then owns the connections it makes,
 * including the blocking one it resets when a command hangs across a reconnect. BullMQ cannot make
 * a cluster from options, so on a cluster each worker gets a client of its own: BullMQ duplicates
 * it for the blocking connection (and owns that), but leaves the client itself open, so `close`
 * disconnects it.
 */
export function workerConnections(target: RedisTarget): WorkerConnections {
  const made: Cluster[] = [];
  return {
    next() {
      const seeds = target.redisCluster;
      if (!seeds) return workerConnectionOptions(target.redisUrl);
      const options = { lazyConnect: true, connectionName: "shepherd-worker", maxRetriesPerRequest: null };
      const cluster = createCluster(seeds, target, options);
      made.push(cluster);
      return cluster;
    },
    close() {
      for (const cluster of made.splice(0)) cluster.disconnect();
    },
  };
}

/** One server's options from its URL (BullMQ takes options, not a URL, with a connection name). */
function workerConnectionOptions(url: string): ConnectionOptions {
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

/**
 * BullMQ needs Redis never to evict keys (an evicted job or lock is lost work): the warnings for
 * each master whose maxmemory-policy is not noeviction, or that would not say (a managed Redis may
 * refuse CONFIG). Checked once at start, logged here, returned for /readyz; the start goes on.
 */
export async function evictionWarnings(redis: RedisClient, log: Logger, timeoutMs = 2000): Promise<string[]> {
  const cluster = redis instanceof Cluster;
  const warnings: string[] = [];
  for (const node of cluster ? redis.nodes("master") : [redis]) {
    const where = cluster ? `${node.options.host}:${node.options.port}` : undefined;
    const at = where ? ` on ${where}` : "";
    const found = await evictionPolicy(node, timeoutMs);
    if ("reason" in found) {
      log.warn({ node: where, reason: found.reason }, "redis maxmemory-policy could not be checked");
      warnings.push(`maxmemory-policy could not be checked${at} (${found.reason}); Shepherd needs noeviction`);
    } else if (found.policy !== "noeviction") {
      log.warn({ node: where, policy: found.policy }, "redis maxmemory-policy is not noeviction");
      warnings.push(`maxmemory-policy is ${found.policy}${at}; Shepherd needs noeviction`);
    }
  }
  return warnings;
}

async function evictionPolicy(node: Redis, timeoutMs: number): Promise<{ policy: string } | { reason: string }> {
  try {
    const reply = await withTimeout(node.config("GET", "maxmemory-policy"), timeoutMs);
    const policy = Array.isArray(reply) ? reply[1] : undefined;
    return typeof policy === "string" ? { policy } : { reason: "CONFIG GET gave no value" };
  } catch (error) {
    return { reason: error instanceof Error ? error.message : String(error) };
  }
}
