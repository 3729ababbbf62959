// Assembles a Shepherd process from its settings: the web role, the worker role, or both.
import type { AddressInfo } from "node:net";
import type { Redis } from "ioredis";
import { createProbot, type Logger, type Probot, type ProbotOctokit } from "probot";
import type { JobDeps } from "../jobs/context.js";
import { createConfigStore } from "./github/config.js";
import { closeQueues, createQueues, type Queues, type TaskJobData } from "./queues.js";
import { connectRedis, createRedis } from "./redis.js";
import type { Settings } from "./settings.js";
import { createClaimStore } from "./state/claims.js";
import { createItemStore } from "./state/items.js";
import { createMentorshipStore } from "./state/mentorships.js";
import { createProjectionStore } from "./state/projection.js";
import { createKeys, type Keys } from "./state/keys.js";
import { createWebServer, type WebServer } from "./web/server.js";
import { startWorkers, type Workers } from "./worker/worker.js";

export interface ShepherdOptions {
  settings: Settings;
  /** Where Probot reads APP_ID, PRIVATE_KEY, WEBHOOK_SECRET, GHE_HOST, ... (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** An Octokit class with other defaults (tests turn Octokit's own retries off). */
  Octokit?: typeof ProbotOctokit;
  /** A logger of the caller's (tests read what Shepherd logged). */
  log?: Logger;
  now?: () => number;
}

export interface Shepherd {
  probot: Probot;
  queues: Queues;
  redis: Redis;
  keys: Keys;
  web: WebServer | null;
  address: AddressInfo | null;
  workers: Workers | null;
  stop(): Promise<void>;
}

export async function startShepherd(options: ShepherdOptions): Promise<Shepherd> {
  const { settings } = options;
  const env = options.env ?? process.env;
  const keys = createKeys(settings.prefix);
  // Separate connections: the web role's fails fast, the workers' blocks and retries. Redis is
  // checked first, so a missing Redis is the first thing an operator hears about.
  const redis = createRedis(settings.redisUrl, "state");
  const queueRedis = createRedis(settings.redisUrl, "web");
  await connectRedis(redis, settings.redisUrl);
  await connectRedis(queueRedis, settings.redisUrl);
  const probot = createProbotOrExplain(env, options);
  const queues = createQueues(queueRedis, settings);
  watchConnection(redis, probot.log);
  watchConnection(queueRedis, probot.log);
  for (const queue of [queues.events, queues.tasks]) {
    queue.on("error", (error: Error) => probot.log.warn({ queue: queue.name, err: error.message }, "queue error"));
  }

  let web: WebServer | null = null;
  let address: AddressInfo | null = null;
  if (settings.role !== "worker") {
    web = await createWebServer({ probot, queues, redis: queueRedis, keys, webhookPath: settings.webhookPath });
    address = await web.listen(settings.port, settings.host);
    probot.log.info({ port: address.port, path: settings.webhookPath }, "web role listening");
  }

  let workers: Workers | null = null;
  let workerRedis: Redis | null = null;
  if (settings.role !== "web") {
    workerRedis = createRedis(settings.redisUrl, "worker");
    await connectRedis(workerRedis, settings.redisUrl);
    watchConnection(workerRedis, probot.log);
    const deps: JobDeps = {
      probot,
      redis,
      keys,
      items: createItemStore(redis, keys),
      claims: createClaimStore(redis, keys),
      mentorships: createMentorshipStore(redis, keys),
      projection: createProjectionStore(redis, keys),
      configs: createConfigStore(redis, keys),
      queues,
      botLogin: `${await appSlug(probot, redis, keys, settings.appSlug)}[bot]`,
      log: probot.log,
      now: options.now ?? Date.now,
    };
    workers = startWorkers(deps, {
      connection: workerRedis,
      prefix: settings.prefix,
      concurrency: settings.concurrency,
    });
    probot.log.info({ concurrency: settings.concurrency }, "worker role running");
    if (settings.schedulers) await upsertSchedulers(queues);
    // A Redis without Shepherd's epoch key is new or has lost its data: rebuild what GitHub holds.
    if (await redis.set(keys.epoch(), new Date().toISOString(), "NX")) {
      await queues.tasks.add("rebuild-all", { kind: "rebuild-all" }, { jobId: `rebuild-all-${Date.now()}` });
      probot.log.info({}, "no state in Redis, rebuilding from GitHub");
    }
  }

  return {
    probot,
    queues,
    redis,
    keys,
    web,
    address,
    workers,
    async stop() {
      // Stop taking webhooks first, then let jobs finish (or hand them back), then disconnect.
      await web?.stop();
      await workers?.close(settings.shutdownTimeoutMs);
      await closeQueues(queues);
      for (const connection of [redis, queueRedis, workerRedis]) connection?.disconnect();
    },
  };
}

function createProbotOrExplain(env: NodeJS.ProcessEnv, options: ShepherdOptions): Probot {
  try {
    return createProbot({
      env,
      overrides: {
        ...(options.Octokit ? { Octokit: options.Octokit } : {}),
        ...(options.log ? { log: options.log } : {}),
      },
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(
      `${message}: set APP_ID and PRIVATE_KEY (the PEM text) or PRIVATE_KEY_PATH (a readable .pem file), ` +
        "or start without APP_ID to register the app through Probot's setup page",
    );
  }
}

/** Idempotent: every worker upserts the same schedulers at start; BullMQ keeps one of each. */
export async function upsertSchedulers(queues: Queues): Promise<void> {
  const schedules: Array<[string, string, TaskJobData]> = [
    ["daily-sweep", "0 6 * * *", { kind: "sweep-all" }],
    // Each repo's digest has its own cron and time zone: the hourly tick lets each one decide.
    ["digest-tick", "5 * * * *", { kind: "digest-tick" }],
    ["weekly-reconcile", "0 3 * * 0", { kind: "reconcile-all" }],
  ];
  for (const [id, pattern, data] of schedules) {
    await queues.tasks.upsertJobScheduler(id, { pattern, tz: "UTC" }, { name: data.kind, data });
  }
}

/** The app's slug: from settings, else cached in Redis, else asked of GitHub once. */
async function appSlug(probot: Probot, redis: Redis, keys: Keys, configured: string | undefined): Promise<string> {
  if (configured) return configured;
  const cached = await redis.get(keys.appSlug());
  if (cached) return cached;
  const octokit = await probot.auth();
  const { data } = await octokit.rest.apps.getAuthenticated();
  const slug = data?.slug;
  if (!slug) throw new Error("GitHub did not return the app's slug; set SHEPHERD_APP_SLUG");
  await redis.set(keys.appSlug(), slug, "EX", 24 * 3600);
  return slug;
}

/** ioredis reconnects by itself; without a listener each error would also print a stack trace. */
function watchConnection(redis: Redis, log: Logger): void {
  let last = 0;
  redis.on("error", (error: Error) => {
    if (Date.now() - last < 5000) return;
    last = Date.now();
    log.warn({ err: error.message }, "redis connection error");
  });
}
