// The worker role: BullMQ workers that run event jobs and tasks with an installation-authenticated
// Octokit. Transient failures (5xx, network) retry with exponential backoff; a rate limit parks the
// job until the limit resets; a user error (4xx) fails the job at once; a busy item waits briefly.
import { DelayedError, type Job, UnrecoverableError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "probot";
import { type EventJob, ItemBusyError, type JobDeps } from "../../jobs/context.js";
import { runEvent, runTask } from "../../jobs/index.js";
import { planFailure } from "../domain/failures.js";
import { EVENTS_QUEUE, type EventJobData, TASKS_QUEUE, type TaskJobData } from "../queues.js";
import { markDeliveryDone } from "../state/deliveries.js";

export interface WorkerOptions {
  connection: Redis;
  prefix: string;
  concurrency: number;
}

export interface Workers {
  workers: Worker[];
  /** Waits up to `timeoutMs` for active jobs, then hands the rest back to the queue. */
  close(timeoutMs: number): Promise<void>;
}

export function startWorkers(deps: JobDeps, options: WorkerOptions): Workers {
  const common = { connection: options.connection, prefix: options.prefix, concurrency: options.concurrency };
  const events = new Worker<EventJobData>(
    EVENTS_QUEUE,
    (job, token) => guarded(job, token, deps, () => processEvent(job, deps)),
    common,
  );
  const tasks = new Worker<TaskJobData>(
    TASKS_QUEUE,
    (job, token) => guarded(job, token, deps, () => processTask(job, deps)),
    common,
  );
  const workers = [events, tasks];
  for (const worker of workers) {
    worker.on("failed", (job, error) => {
      deps.log.warn({ queue: worker.name, job: job?.id, attempts: job?.attemptsMade, err: error }, "job failed");
    });
    worker.on("error", (error) => deps.log.error({ queue: worker.name, err: error }, "worker error"));
  }
  return {
    workers,
    async close(timeoutMs) {
      await Promise.all(workers.map((worker) => closeWithin(worker, timeoutMs)));
    },
  };
}

async function processEvent(job: Job<EventJobData>, deps: JobDeps): Promise<void> {
  const { id, name, payload } = job.data;
  const installationId = (payload.installation as { id?: number } | undefined)?.id;
  const log = deps.log.child({ delivery: id, event: name });
  if (!installationId) {
    log.warn({}, "event without installation, ignored");
    await markDeliveryDone(deps.redis, deps.keys, id);
    return;
  }
  let octokit: Awaited<ReturnType<EventJob["octokit"]>> | null = null;
  const event: EventJob = {
    delivery: id,
    name,
    action: typeof payload.action === "string" ? payload.action : undefined,
    payload,
    installationId,
    log,
    itemLabels: new Map(),
    async octokit() {
      octokit ??= await deps.probot.auth(installationId);
      return octokit;
    },
  };
  await runEvent(event, deps);
  await markDeliveryDone(deps.redis, deps.keys, id);
}

async function processTask(job: Job<TaskJobData>, deps: JobDeps): Promise<void> {
  await runTask(job.data, deps, deps.log.child({ task: job.data.kind, job: job.id }));
}

/** Turns a failure into the right BullMQ outcome (see src/domain/failures.ts). */
async function guarded<T>(job: Job, token: string | undefined, deps: JobDeps, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ItemBusyError) {
      await job.moveToDelayed(deps.now() + 100 + Math.floor(Math.random() * 200), token);
      throw new DelayedError();
    }
    if (error instanceof UnrecoverableError || error instanceof DelayedError) throw error;
    const failure = error as {
      status?: number;
      message?: string;
      response?: { headers?: Record<string, string> };
      errors?: Array<{ type?: string; message: string }>;
    };
    const plan = planFailure(
      {
        status: failure.status,
        headers: failure.response?.headers,
        message: failure.message ?? String(error),
        graphqlErrors: (error as Error).name === "GraphqlResponseError" ? failure.errors : undefined,
      },
      deps.now(),
    );
    if (plan.kind === "wait") {
      deps.log.warn(
        { job: job.id, until: new Date(plan.untilMs).toISOString(), reason: plan.reason },
        "rate limited, job parked",
      );
      await job.moveToDelayed(plan.untilMs, token);
      throw new DelayedError();
    }
    if (plan.kind === "fail") throw new UnrecoverableError(plan.reason);
    throw error;
  }
}

async function closeWithin(worker: Worker, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  // pause(false) takes no new job and resolves once the active ones finish. close() is called with
  // force either way: a second close() would only wait on the first. Jobs still active are left to
  // BullMQ's stalled-job check, which hands them to another worker once their lock lapses.
  await Promise.race([worker.pause(false), timedOut]);
  clearTimeout(timer);
  await worker.close(true);
}
