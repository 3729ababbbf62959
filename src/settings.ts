// Process settings from the environment. GitHub App credentials (APP_ID, PRIVATE_KEY,
// PRIVATE_KEY_PATH, WEBHOOK_SECRET, GHE_HOST, GHE_PROTOCOL, LOG_LEVEL) are read by Probot itself.
import { z } from "zod";

const Role = z.enum(["all", "web", "worker"]);
export type Role = z.infer<typeof Role>;

const PositiveInt = z.coerce.number().int().positive();
const NonNegativeInt = z.coerce.number().int().min(0);
const OnOff = z.union([z.boolean(), z.enum(["on", "off"]).transform((value) => value === "on")]);
const SEED = String.raw`(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}`;
const CLUSTER_SEEDS = new RegExp(`^${SEED}(\\s*,\\s*${SEED})*$`);

const Fields = z.object({
  /** `web` answers webhooks, `worker` runs jobs, `all` does both in one process. */
  role: Role.default("all"),
  /**
   * The queue and Shepherd's state (`rediss://` for TLS, `user:pass@` for credentials). Probot's own
   * REDIS_URL (its rate limiter) is separate on purpose. Ignored when `redisCluster` is set.
   */
  redisUrl: z.string().url().default("redis://127.0.0.1:6379"),
  /**
   * Seed nodes of a Redis or Valkey Cluster, `host:port[,host:port...]`: Shepherd then connects to
   * the cluster and ignores `redisUrl`. The rest of the topology is read from the seeds.
   */
  redisCluster: z.string().regex(CLUSTER_SEEDS, "expected host:port[,host:port...]").optional(),
  /** TLS to every cluster node (`rediss://` says so for `redisUrl`). */
  redisTls: OnOff.default(false),
  /** Credentials for the cluster's nodes (ACL user and password; `redisUrl` carries its own). */
  redisUsername: z.string().min(1).optional(),
  redisPassword: z.string().min(1).optional(),
  /**
   * Prefix of every Redis key Shepherd and its queues write; lets several installs share one Redis.
   * May be hash-tagged (`{shepherd}`); on a cluster it is tagged for the operator when it is not,
   * so that every key of an install hashes to one slot (see `effectivePrefix`).
   */
  prefix: z
    .string()
    .regex(/^([A-Za-z0-9_-]+|\{[A-Za-z0-9_-]+\})$/, "letters, digits, _ and -, optionally wrapped in {}")
    .default("shepherd"),
  host: z.string().default("0.0.0.0"),
  port: z.coerce.number().int().min(0).max(65535).default(3000),
  webhookPath: z.string().startsWith("/").default("/api/github/webhooks"),
  /**
   * Scheduling priority (nice, 0-19) a process of the `worker` role gives itself. Where web and
   * worker processes share a host's cores, the web role's answer (GitHub drops a webhook after
   * 10 s) goes before job work that can wait a moment; 0 leaves the priority alone.
   */
  workerNice: z.coerce.number().int().min(0).max(19).default(10),
  /**
   * Signed pings the webhook listener sends itself at start, before /readyz says ready: they prove
   * the path answers with this secret and compile the hot path, so the first deliveries after a
   * deploy are answered as fast as the rest; 0 skips the check.
   */
  selfCheckPings: z.coerce.number().int().min(0).max(10_000).default(200),
  /** Jobs one worker process runs at once. */
  concurrency: PositiveInt.default(8),
  /** Tries per job before it fails for good (transient errors only; a retry resumes, it does not redo). */
  attempts: PositiveInt.default(10),
  /** First retry delay; it doubles each try, with jitter, up to `maxBackoffMs`. */
  backoffMs: PositiveInt.default(2000),
  maxBackoffMs: PositiveInt.default(5 * 60_000),
  /**
   * A job's lock; a worker renews it at half this, so a job of a worker that died is picked up
   * again within about this plus `stalledIntervalMs`.
   */
  jobLockMs: PositiveInt.default(6_000),
  stalledIntervalMs: PositiveInt.default(3_000),
  /** A job whose worker died this many times fails (a poison job must not loop forever). */
  maxStalledCount: PositiveInt.default(10),
  /** How long a job waits for a busy item before it is put back for a moment. */
  lockWaitMs: PositiveInt.default(5_000),
  /** Spacing of writes per installation, shared by every process (GitHub asks for a second). */
  writeIntervalMs: NonNegativeInt.default(1000),
  /** Writes per installation in a minute and in an hour (GitHub's secondary limits); 0: no limit. */
  writesPerMinute: NonNegativeInt.default(80),
  writesPerHour: NonNegativeInt.default(500),
  /** Scales the pacer's minute and hour windows (a benchmark uses 0.1: a 6 s minute). */
  rateWindowScale: z.coerce.number().positive().max(1).default(1),
  /** Bound on one GitHub request. */
  requestTimeoutMs: PositiveInt.default(20_000),
  /** Largest webhook body taken; GitHub caps payloads at 25 MB. Larger bodies get 413 unread. */
  maxBodyBytes: PositiveInt.default(25 * 1024 * 1024),
  /** How long SIGTERM waits for active jobs before handing them back to the queue. */
  shutdownTimeoutMs: PositiveInt.default(10000),
  /** Upsert the job schedulers (daily sweep, digest tick, weekly reconcile, replay) at start. */
  schedulers: OnOff.default(true),
  /**
   * Replay of missed deliveries: at every worker start and every `replayEveryMs` (a job scheduler,
   * so one process at a time), GitHub is asked to redeliver the handled deliveries that failed
   * and Shepherd has not processed, each once, at most `replayMax` a run.
   */
  replay: OnOff.default(true),
  replayEveryMs: z.coerce.number().int().min(10_000).default(300_000),
  replayMax: z.coerce.number().int().min(1).max(1000).default(20),
  /**
   * Turns on the queue dashboard at /admin/queues (bull-board), behind basic auth with
   * `adminUser` and this password; without it there is no dashboard at all.
   */
  adminPassword: z.string().min(12, "at least 12 characters").optional(),
  adminUser: z
    .string()
    .regex(/^[^:]+$/, "no colon")
    .default("admin"),
  /** The dashboard shows jobs but offers no retry, promote or clean. */
  adminReadOnly: OnOff.default(false),
  /** The app's slug (`<slug>[bot]` is its login); asked of GitHub once at start when unset. */
  appSlug: z.string().min(1).optional(),
});

export const Settings = Fields.superRefine((settings, context) => {
  if (settings.redisCluster) return;
  // A single server's TLS and credentials are in its URL: say so rather than ignore them.
  for (const key of ["redisTls", "redisUsername", "redisPassword"] as const) {
    if (!settings[key]) continue;
    context.addIssue({
      code: "custom",
      path: [key],
      message:
        "applies to SHEPHERD_REDIS_CLUSTER only; put TLS and credentials in SHEPHERD_REDIS_URL (rediss://user:pass@host:port)",
    });
  }
}).transform((settings) => ({ ...settings, prefix: effectivePrefix(settings.prefix, settings.redisCluster) }));
export type Settings = z.infer<typeof Settings>;

/**
 * The prefix keys are written under. On a cluster it must be a hash tag: BullMQ's scripts and
 * Shepherd's (MULTI, EVAL, RENAME) touch several keys at once, which a cluster allows only within
 * one slot, so `shepherd` becomes `{shepherd}` and every key of the install hashes alike.
 */
export function effectivePrefix(prefix: string, cluster: string | undefined): string {
  if (!cluster || /^\{.+\}$/.test(prefix)) return prefix;
  return `{${prefix}}`;
}

/** The environment variable behind each setting. */
const ENV: Record<keyof Settings, string> = {
  role: "SHEPHERD_ROLE",
  redisUrl: "SHEPHERD_REDIS_URL",
  redisCluster: "SHEPHERD_REDIS_CLUSTER",
  redisTls: "SHEPHERD_REDIS_TLS",
  redisUsername: "SHEPHERD_REDIS_USERNAME",
  redisPassword: "SHEPHERD_REDIS_PASSWORD",
  prefix: "SHEPHERD_PREFIX",
  host: "HOST",
  port: "PORT",
  webhookPath: "WEBHOOK_PATH",
  workerNice: "SHEPHERD_WORKER_NICE",
  selfCheckPings: "SHEPHERD_SELF_CHECK_PINGS",
  concurrency: "SHEPHERD_CONCURRENCY",
  attempts: "SHEPHERD_ATTEMPTS",
  backoffMs: "SHEPHERD_BACKOFF_MS",
  shutdownTimeoutMs: "SHEPHERD_SHUTDOWN_TIMEOUT_MS",
  appSlug: "SHEPHERD_APP_SLUG",
  adminPassword: "SHEPHERD_ADMIN_PASSWORD",
  adminUser: "SHEPHERD_ADMIN_USER",
  adminReadOnly: "SHEPHERD_ADMIN_READ_ONLY",
  schedulers: "SHEPHERD_SCHEDULERS",
  replay: "SHEPHERD_REPLAY",
  replayEveryMs: "SHEPHERD_REPLAY_EVERY_MS",
  replayMax: "SHEPHERD_REPLAY_MAX",
  maxBackoffMs: "SHEPHERD_MAX_BACKOFF_MS",
  jobLockMs: "SHEPHERD_JOB_LOCK_MS",
  stalledIntervalMs: "SHEPHERD_STALLED_INTERVAL_MS",
  maxStalledCount: "SHEPHERD_MAX_STALLED_COUNT",
  lockWaitMs: "SHEPHERD_LOCK_WAIT_MS",
  writeIntervalMs: "SHEPHERD_WRITE_INTERVAL_MS",
  writesPerMinute: "SHEPHERD_WRITES_PER_MINUTE",
  writesPerHour: "SHEPHERD_WRITES_PER_HOUR",
  rateWindowScale: "SHEPHERD_RATE_WINDOW_SCALE",
  requestTimeoutMs: "SHEPHERD_REQUEST_TIMEOUT_MS",
  maxBodyBytes: "SHEPHERD_MAX_BODY_BYTES",
};

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const input = Object.fromEntries(
    Object.entries(ENV).map(([key, name]) => [key, env[name] === "" ? undefined : env[name]]),
  );
  const result = Settings.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = String(issue.path[0]) as keyof Settings;
    return `${ENV[key] ?? key}: ${issue.message}`;
  });
  throw new Error(`invalid environment: ${problems.join("; ")}`);
}
