// The composition root: assembles a Shepherd process from its settings (the web role, the worker
// role, or both). It owns the logger and hands it to Probot and to everything else, so nothing
// depends on Probot's asynchronous start.
import type { AddressInfo } from "node:net";
import os from "node:os";
import { createProbot, type Probot } from "probot";
import type { JobDeps } from "../jobs/context.js";
import { createClients, type GitHubClients, ShepherdOctokit } from "./github/client.js";
import { createConfigStore } from "./github/config.js";
import { createPacer, PausedError, type WriteBudget } from "./github/pacer.js";
import { createLogger, type Logger } from "./log.js";
import { createMetrics, type Metrics } from "./metrics.js";
import { closeQueues, createQueues, type Queues, type TaskJobData } from "./queues.js";
import { connectRedis, createRedis, evictionWarnings, type RedisClient, workerConnections } from "./redis.js";
import type { Settings } from "./settings.js";
import { createClaimStore } from "./state/claims.js";
import { createCommentLedger } from "./state/comments.js";
import { createItemStore } from "./state/items.js";
import { createKeys, type Keys } from "./state/keys.js";
import { createMentorshipStore } from "./state/mentorships.js";
import { createProjectionStore } from "./state/projection.js";
import { createRunLedger } from "./state/runs.js";
import { createAdmin } from "./web/admin.js";
import { createWebServer, type WebServer } from "./web/server.js";
import { startWorkers, type Workers } from "./worker/worker.js";

export interface ShepherdOptions {
  settings: Settings;
  /** Where Probot reads APP_ID, PRIVATE_KEY, WEBHOOK_SECRET, GHE_HOST, ... (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** The process's logger; made from LOG_LEVEL and LOG_FORMAT when not given. */
  log?: Logger;
  now?: () => number;
  /** Aborts a start that is still waiting on GitHub (a signal during start-up). */
  signal?: AbortSignal;
}

export interface Shepherd {
  probot: Probot;
  log: Logger;
  queues: Queues;
  redis: RedisClient;
  keys: Keys;
  metrics: Metrics;
  /** Every role listens: the web role for webhooks and probes, the worker role for probes only. */
  web: WebServer;
  address: AddressInfo;
  workers: Workers | null;
  stop(): Promise<void>;
}

export function loggerFor(env: NodeJS.ProcessEnv): Logger {
  return createLogger({ level: env.LOG_LEVEL, format: env.LOG_FORMAT, production: env.NODE_ENV === "production" });
}

export async function startShepherd(options: ShepherdOptions): Promise<Shepherd> {
  const { settings } = options;
  const env = options.env ?? process.env;
  const log = options.log ?? loggerFor(env);
  const keys = createKeys(settings.prefix);
  // Separate connections: the web role's fails fast, the workers' blocks and retries. Redis is
  // checked first, so a missing Redis is the first thing an operator hears about.
  if (settings.redisCluster) {
    log.info(
      { seeds: settings.redisCluster, prefix: settings.prefix, tls: settings.redisTls },
      "using the Redis Cluster, SHEPHERD_REDIS_URL ignored",
    );
  }
  const redis = createRedis(settings, "state");
  const queueRedis = createRedis(settings, "web");
  await connectRedis(redis, settings);
  await connectRedis(queueRedis, settings);
  const redisWarnings = await evictionWarnings(redis, log);
  const probot = createProbotOrExplain(env, log);
  const queues = createQueues(queueRedis, settings);
  const metrics = createMetrics({ role: settings.role });
  metrics.watchQueues([queues.events, queues.tasks]);
  watchConnection(redis, log, "state", metrics);
  watchConnection(queueRedis, log, "queue", metrics);
  for (const queue of [queues.events, queues.tasks]) {
    let last = 0;
    queue.on("error", (error: Error) => {
      if (Date.now() - last < 5000) return;
      last = Date.now();
      log.warn({ queue: queue.name, err: error }, "queue error");
    });
  }

  const secret = env.WEBHOOK_SECRET;
  if (settings.role !== "worker" && !secret && env.NODE_ENV === "production") {
    throw new Error("WEBHOOK_SECRET is not set: without it anyone could send Shepherd webhooks");
  }
  if (settings.role !== "worker" && !secret)
    log.warn({}, "WEBHOOK_SECRET is not set, using Probot's development secret");
  // Never on the webhook role's public address: a password meant for the workers (one .env for
  // every service) must not open the dashboard where GitHub's webhooks come in.
  if (settings.adminPassword && settings.role === "web") {
    log.info({}, "queue dashboard not served by the web role, only by workers");
  }
  const admin =
    settings.adminPassword && settings.role !== "web"
      ? createAdmin({
          queues: [queues.events, queues.tasks],
          user: settings.adminUser,
          password: settings.adminPassword,
          readOnly: settings.adminReadOnly,
        })
      : null;
  const web = createWebServer({
    queues,
    redis: queueRedis,
    keys,
    log,
    webhook:
      settings.role === "worker"
        ? null
        : { secret: secret || "development", path: settings.webhookPath, maxBodyBytes: settings.maxBodyBytes },
    readiness: () => ({ redisWarnings }),
    metrics,
    admin,
  });
  const address = await web.listen(settings.port, settings.host).catch(async (error: unknown) => {
    for (const connection of [redis, queueRedis]) connection.disconnect();
    throw error;
  });
  if (settings.role === "worker") {
    log.info({ port: address.port, admin: admin !== null }, "worker probes listening");
  } else {
    log.info({ port: address.port, path: settings.webhookPath, admin: admin !== null }, "web role listening");
    if (settings.selfCheckPings > 0) {
      const started = performance.now();
      const passed = await web.selfCheck(address, settings.selfCheckPings);
      const context = { pings: settings.selfCheckPings, ms: Math.round(performance.now() - started) };
      if (passed) log.info(context, "webhook self-check passed");
      else log.warn(context, "webhook self-check failed: the listener did not answer its own signed pings");
    }
  }

  let workers: Workers | null = null;
  const stopAll = async () => {
    // Stop taking webhooks first, then let jobs finish (or hand them back), then disconnect.
    await web.stop();
    await workers?.close(settings.shutdownTimeoutMs);
    await closeQueues(queues);
    for (const connection of [redis, queueRedis]) connection.disconnect();
  };
  if (settings.role !== "web") {
    if (settings.role === "worker") lowerPriority(settings.workerNice, log);
    try {
      const now = options.now ?? Date.now;
      const budget = writeBudget(settings);
      const pacer = createPacer(redis, keys, { budget });
      metrics.watchPacer(pacer, budget);
      const clients = createClients(probot, { pacer, requestTimeoutMs: settings.requestTimeoutMs, log, metrics });
      const comments = createCommentLedger(redis, keys);
      const slug = await appSlug(clients, redis, keys, settings.appSlug, log, options.signal);
      const deps: JobDeps = {
        clients,
        redis,
        keys,
        items: createItemStore(redis, keys, comments),
        claims: createClaimStore(redis, keys),
        mentorships: createMentorshipStore(redis, keys),
        projection: createProjectionStore(redis, keys),
        configs: createConfigStore(redis, keys),
        comments,
        runs: createRunLedger(redis, keys),
        queues,
        botLogin: `${slug}[bot]`,
        log,
        now,
        lockWaitMs: settings.lockWaitMs,
      };
      workers = startWorkers(deps, {
        connections: workerConnections(settings),
        prefix: settings.prefix,
        concurrency: settings.concurrency,
        lockMs: settings.jobLockMs,
        stalledIntervalMs: settings.stalledIntervalMs,
        maxStalledCount: settings.maxStalledCount,
        backoffMs: settings.backoffMs,
        maxBackoffMs: settings.maxBackoffMs,
        metrics,
      });
      // Redis may blink during start-up as at any other time: these are retried, not fatal.
      if (settings.schedulers) {
        await persist(() => upsertSchedulers(queues, settings), log, "schedulers", options.signal);
      }
      await persist(() => rebuildIfNew(redis, keys, queues, log), log, "state check", options.signal);
      // Deliveries GitHub could not hand over while no worker ran are asked for again at once.
      if (settings.replay) await persist(() => replayNow(queues, settings), log, "replay at start", options.signal);
      log.info({ concurrency: settings.concurrency, bot: deps.botLogin }, "worker role running");
    } catch (error) {
      await stopAll().catch(() => {});
      throw error;
    }
  }

  return { probot, log, queues, redis, keys, metrics, web, address, workers, stop: stopAll };
}

function createProbotOrExplain(env: NodeJS.ProcessEnv, log: Logger): Probot {
  try {
    // Probot reads the credentials and GHE_HOST from env; its Octokit keeps one layer of retry
    // (the job's) and Shepherd's own pacing (src/github/client.ts).
    return createProbot({ env, overrides: { log, Octokit: ShepherdOctokit } });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(
      `${message}: set APP_ID and PRIVATE_KEY (the PEM text) or PRIVATE_KEY_PATH (a readable .pem file), ` +
        "or start without APP_ID to register the app through Probot's setup page",
    );
  }
}

type ReplaySettings = Pick<Settings, "replay" | "replayEveryMs" | "replayMax">;

/** Idempotent: every worker upserts the same schedulers at start; BullMQ keeps one of each. */
export async function upsertSchedulers(queues: Queues, settings: ReplaySettings): Promise<void> {
  const schedules: Array<[string, string, TaskJobData]> = [
    ["daily-sweep", "0 6 * * *", { kind: "sweep-all" }],
    // Each repo's digest has its own cron and time zone: the hourly tick lets each one decide.
    ["digest-tick", "5 * * * *", { kind: "digest-tick" }],
    ["weekly-reconcile", "0 3 * * 0", { kind: "reconcile-all" }],
  ];
  for (const [id, pattern, data] of schedules) {
    await queues.tasks.upsertJobScheduler(id, { pattern, tz: "UTC" }, { name: data.kind, data });
  }
  // Removed when switched off: a scheduler left in Redis would go on replaying.
  if (!settings.replay) {
    await queues.tasks.removeJobScheduler(REPLAY_SCHEDULER);
    return;
  }
  const data = replayData(settings);
  await queues.tasks.upsertJobScheduler(REPLAY_SCHEDULER, { every: settings.replayEveryMs }, { name: data.kind, data });
}

const REPLAY_SCHEDULER = "replay-deliveries";

function replayData(settings: ReplaySettings): TaskJobData {
  return { kind: "replay-deliveries", max: settings.replayMax };
}

/** One replay run now; a second run at the same moment is harmless (each GUID is asked for once). */
async function replayNow(queues: Queues, settings: ReplaySettings): Promise<void> {
  const data = replayData(settings);
  await queues.tasks.add(data.kind, data);
}

/** A Redis without Shepherd's epoch key is new or has lost its data: rebuild what GitHub holds. */
async function rebuildIfNew(redis: RedisClient, keys: Keys, queues: Queues, log: Logger): Promise<void> {
  const epoch = await redis.get(keys.epoch());
  if (epoch) return;
  // The job id is the epoch, so a retry of this step adds the same job, not a second rebuild.
  const stamp = new Date().toISOString();
  await queues.tasks.add(
    "rebuild-all",
    { kind: "rebuild-all" },
    { jobId: `rebuild-all-${stamp.replace(/[^0-9]/g, "")}` },
  );
  await redis.set(keys.epoch(), stamp, "NX");
  log.info({}, "no state in Redis, rebuilding from GitHub");
}

/** Retries a start-up step that needs Redis until it works (or the start is aborted). */
async function persist(step: () => Promise<void>, log: Logger, what: string, signal: AbortSignal | undefined) {
  for (let attempt = 1; ; attempt += 1) {
    signal?.throwIfAborted();
    try {
      return await step();
    } catch (error) {
      const waitMs = Math.min(250 * 2 ** (attempt - 1), 5000);
      log.warn({ step: what, attempt, err: error, retryInMs: waitMs }, "start-up step failed, retrying");
      await sleep(waitMs, signal);
    }
  }
}

/** Thrown when GitHub refuses the app's own credentials: retrying cannot help. */
export class CredentialsError extends Error {
  override name = "CredentialsError";
}

/**
 * The app's slug: from settings, else cached in Redis, else asked of GitHub. A GitHub that is down
 * or rate-limiting at start is waited for (the web role answers meanwhile); refused credentials
 * end the start with a message that says which settings to check.
 */
async function appSlug(
  clients: GitHubClients,
  redis: RedisClient,
  keys: Keys,
  configured: string | undefined,
  log: Logger,
  signal: AbortSignal | undefined,
): Promise<string> {
  if (configured) return configured;
  const cached = await redis.get(keys.appSlug());
  if (cached) return cached;
  for (let attempt = 1; ; attempt += 1) {
    signal?.throwIfAborted();
    let waitMs = Math.min(1000 * 2 ** (attempt - 1), 30_000);
    try {
      const octokit = await clients.app();
      const { data } = await octokit.rest.apps.getAuthenticated();
      const slug = data?.slug;
      if (!slug) throw new CredentialsError("GitHub did not return the app's slug; set SHEPHERD_APP_SLUG");
      await redis.set(keys.appSlug(), slug, "EX", 24 * 3600);
      return slug;
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (error instanceof CredentialsError) throw error;
      if (status === 401 || status === 404) {
        throw new CredentialsError(
          `GitHub refused the app's credentials (HTTP ${status}): check APP_ID and PRIVATE_KEY, and GHE_HOST for GitHub Enterprise`,
        );
      }
      if (error instanceof PausedError) waitMs = Math.max(error.untilMs - Date.now(), 0) + 100;
      log.warn({ attempt, status, err: error, retryInMs: waitMs }, "could not ask GitHub for the app's slug, retrying");
    }
    await sleep(waitMs, signal);
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/** ioredis reconnects by itself; this says so once in a while instead of once per retry. */
function watchConnection(redis: RedisClient, log: Logger, name: string, metrics: Metrics): void {
  let last = 0;
  let down = false;
  redis.on("error", (error: Error) => {
    down = true;
    metrics.redisError(name);
    if (Date.now() - last < 5000) return;
    last = Date.now();
    log.warn({ connection: name, err: error }, "redis connection error");
  });
  redis.on("ready", () => {
    if (!down) return;
    down = false;
    log.info({ connection: name }, "redis connection back");
  });
}

/** The pacer's budget from the settings (GitHub's documented limits by default). */
export function writeBudget(settings: Settings): WriteBudget {
  return {
    intervalMs: settings.writeIntervalMs,
    perMinute: settings.writesPerMinute,
    perHour: settings.writesPerHour,
    minuteMs: Math.round(60_000 * settings.rateWindowScale),
    hourMs: Math.round(3_600_000 * settings.rateWindowScale),
    // Scaled with the windows: a benchmark's shrunken clock has a shrunken margin too.
    marginMs: Math.max(50, Math.round(1000 * settings.rateWindowScale)),
  };
}

/** Lowers this process's CPU priority (never raises it: that needs privileges a container lacks). */
function lowerPriority(nice: number, log: Logger): void {
  if (nice === 0) return;
  try {
    if (os.getPriority() < nice) os.setPriority(nice);
    log.debug({ nice: os.getPriority() }, "worker priority set");
  } catch (error) {
    log.warn({ err: error, nice }, "worker priority not set");
  }
}
