// `shepherd run <digest|summary|sweep|reconcile> --repo OWNER/NAME [--wait]`: enqueues one of the
// scheduled tasks now, on the running install's queue (same settings as the app: SHEPHERD_REDIS_URL
// or SHEPHERD_REDIS_CLUSTER, SHEPHERD_PREFIX). The tasks are idempotent (one digest a week), so an
// operator running it twice posts nothing twice.
import { QueueEvents } from "bullmq";
import { createProbot } from "probot";
import { createLogger } from "../log.js";
import { createQueues, closeQueues, type TaskJobData } from "../queues.js";
import { connectRedis, createRedis, workerConnections } from "../redis.js";
import { parseCommandArgs, repoArgument, settingsFor } from "./args.js";
import type { Writable } from "./main.js";

export const RUN_USAGE = `usage: shepherd run <digest|summary|sweep|reconcile> --repo OWNER/NAME [--wait] [--installation ID]

Enqueues that task now for one repository on the running Shepherd (its Redis settings from the
environment). The installation is looked up with the app's credentials (APP_ID, PRIVATE_KEY)
unless --installation is given. --wait waits (up to --timeout seconds, default 120) for the job
and prints its outcome; exit 1 when it failed.
`;

const TASKS = {
  digest: "digest-repo",
  summary: "refresh-summary",
  sweep: "sweep-repo",
  reconcile: "reconcile-repo",
} as const;

type TaskName = keyof typeof TASKS;

function isTaskName(value: string | undefined): value is TaskName {
  return value !== undefined && Object.hasOwn(TASKS, value);
}

async function installationOf(env: NodeJS.ProcessEnv, owner: string, repo: string): Promise<number> {
  if (!env.APP_ID || !env.PRIVATE_KEY) {
    throw new Error("APP_ID and PRIVATE_KEY must be set to find the installation (or give --installation ID)");
  }
  const probot = createProbot({ env, overrides: { log: createLogger({ level: "warn", format: "json" }) } });
  const app = await probot.auth();
  return (await app.rest.apps.getRepoInstallation({ owner, repo })).data.id;
}

export async function runCommand(
  argv: string[],
  out: Writable,
  err: Writable,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const parsed = parseCommandArgs(
    "run",
    RUN_USAGE,
    argv,
    {
      repo: { type: "string" },
      wait: { type: "boolean" },
      installation: { type: "string" },
      timeout: { type: "string" },
    },
    err,
  );
  if (parsed === null) return 2;
  const { values, positionals } = parsed;
  if (values.help) {
    out.write(RUN_USAGE);
    return 0;
  }
  const [task, extra] = positionals;
  if (!isTaskName(task) || extra !== undefined) {
    err.write(`shepherd run: give one task: digest, summary, sweep or reconcile\n${RUN_USAGE}`);
    return 2;
  }
  const target = repoArgument(values.repo);
  if (!target) {
    err.write(`shepherd run: --repo OWNER/NAME is required\n${RUN_USAGE}`);
    return 2;
  }
  const installationOption = values.installation === undefined ? null : Number(values.installation);
  if (installationOption !== null && !(Number.isInteger(installationOption) && installationOption > 0)) {
    err.write(`shepherd run: --installation must be a positive integer\n${RUN_USAGE}`);
    return 2;
  }
  const timeoutMs = Number(values.timeout ?? 120) * 1000;
  if (!(timeoutMs > 0)) {
    err.write(`shepherd run: --timeout must be a number of seconds\n${RUN_USAGE}`);
    return 2;
  }
  const settings = settingsFor("run", env, err);
  if (settings === null) return 1;
  const { owner, repo } = target;
  const redis = createRedis(settings, "web");
  try {
    await connectRedis(redis, settings);
    const installationId = installationOption ?? (await installationOf(env, owner, repo));
    const queues = createQueues(redis, settings);
    const data = { kind: TASKS[task], installationId, owner, repo, ...(task === "digest" && { force: true }) };
    // A fresh id each time: the task itself is what keeps one digest a week.
    const job = await queues.tasks.add(TASKS[task], data as TaskJobData, {
      jobId: `cli-${task}-${owner}-${repo}-${Date.now()}`.replace(/[^A-Za-z0-9_-]/g, "_"),
    });
    out.write(`enqueued ${task} for ${owner}/${repo} (job ${job.id})\n`);
    if (!values.wait) {
      await closeQueues(queues);
      return 0;
    }
    // QueueEvents blocks on a stream, so it needs a worker-style connection (BullMQ owns it).
    const connections = workerConnections(settings);
    const events = new QueueEvents(queues.tasks.name, { connection: connections.next(), prefix: settings.prefix });
    try {
      await events.waitUntilReady();
      await job.waitUntilFinished(events, timeoutMs);
      out.write(`${task} for ${owner}/${repo}: done\n`);
      return 0;
    } catch (error) {
      out.write(`${task} for ${owner}/${repo}: failed: ${(error as Error).message}\n`);
      return 1;
    } finally {
      await events.close();
      connections.close();
      await closeQueues(queues);
    }
  } catch (error) {
    err.write(`shepherd run: ${(error as Error).message}\n`);
    return 1;
  } finally {
    redis.disconnect();
  }
}
