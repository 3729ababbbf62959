// Process settings from the environment. GitHub App credentials (APP_ID, PRIVATE_KEY,
// PRIVATE_KEY_PATH, WEBHOOK_SECRET, GHE_HOST, GHE_PROTOCOL, LOG_LEVEL) are read by Probot itself.
import { z } from "zod";

const Role = z.enum(["all", "web", "worker"]);
export type Role = z.infer<typeof Role>;

const PositiveInt = z.coerce.number().int().positive();

export const Settings = z.object({
  /** `web` answers webhooks, `worker` runs jobs, `all` does both in one process. */
  role: Role.default("all"),
  /** The queue and Shepherd's state. Probot's own REDIS_URL (its rate limiter) is separate on purpose. */
  redisUrl: z.string().url().default("redis://127.0.0.1:6379"),
  /** Prefix of every Redis key Shepherd and its queues write; lets several installs share one Redis. */
  prefix: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default("shepherd"),
  host: z.string().default("0.0.0.0"),
  port: z.coerce.number().int().min(0).max(65535).default(3000),
  webhookPath: z.string().startsWith("/").default("/api/github/webhooks"),
  /** Jobs one worker process runs at once. */
  concurrency: PositiveInt.default(8),
  /** Tries per job before it fails for good (transient errors only). */
  attempts: PositiveInt.default(6),
  /** First retry delay; it doubles each try. */
  backoffMs: PositiveInt.default(2000),
  /** How long SIGTERM waits for active jobs before handing them back to the queue. */
  shutdownTimeoutMs: PositiveInt.default(10000),
  /** Upsert the job schedulers (daily sweep, digest tick, weekly reconcile) at start. */
  schedulers: z.union([z.boolean(), z.enum(["on", "off"]).transform((value) => value === "on")]).default(true),
  /** The app's slug (`<slug>[bot]` is its login); asked of GitHub once at start when unset. */
  appSlug: z.string().min(1).optional(),
});
export type Settings = z.infer<typeof Settings>;

/** The environment variable behind each setting. */
const ENV: Record<keyof Settings, string> = {
  role: "SHEPHERD_ROLE",
  redisUrl: "SHEPHERD_REDIS_URL",
  prefix: "SHEPHERD_PREFIX",
  host: "HOST",
  port: "PORT",
  webhookPath: "WEBHOOK_PATH",
  concurrency: "SHEPHERD_CONCURRENCY",
  attempts: "SHEPHERD_ATTEMPTS",
  backoffMs: "SHEPHERD_BACKOFF_MS",
  shutdownTimeoutMs: "SHEPHERD_SHUTDOWN_TIMEOUT_MS",
  appSlug: "SHEPHERD_APP_SLUG",
  schedulers: "SHEPHERD_SCHEDULERS",
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
