// The worker role: BullMQ workers that run deliveries and tasks. A delivery is normalised into one
// typed event, then each of its handlers runs in turn; a finished handler is recorded, so a retry
// runs only what did not finish, and one handler failing does not stop the others. Transient
// failures (5xx, network) retry with capped exponential backoff; a rate limit parks the job until
// GitHub's time; a busy item puts it back for a moment; a refusal (4xx) fails the job at once.
import { DelayedError, type Job, UnrecoverableError, Worker } from "bullmq";
import { createContext, createRunScope, ItemBusyError, type JobDeps, type RunScope } from "../../jobs/context.js";
import { handlersFor, runTask } from "../../jobs/index.js";
import { normaliseEvent } from "../domain/events.js";
import { type FailurePlan, planFailure } from "../domain/failures.js";
import { PausedError } from "../github/pacer.js";
import type { JobOutcome, Metrics } from "../metrics.js";
import { BACKOFF_TYPE, EVENTS_QUEUE, type EventJobData, TASKS_QUEUE, type TaskJobData } from "../queues.js";
import type { WorkerConnections } from "../redis.js";
import { markDeliveryDone } from "../state/deliveries.js";
import { isGone, type RepoName } from "../state/gone.js";

export interface WorkerOptions {
  /** Each worker connects on its own (see src/redis.ts). */
  connections: WorkerConnections;
  prefix: string;
  concurrency: number;
  lockMs: number;
  stalledIntervalMs: number;
  maxStalledCount: number;
  backoffMs: number;
  maxBackoffMs: number;
  metrics?: Metrics;
}

export interface Workers {
  workers: Worker[];
  /** Waits up to `timeoutMs` for active jobs, then hands the rest back to the queue. */
  close(timeoutMs: number): Promise<void>;
}

export function startWorkers(deps: JobDeps, options: WorkerOptions): Workers {
  const common = {
    prefix: options.prefix,
    concurrency: options.concurrency,
    lockDuration: options.lockMs,
    stalledInterval: options.stalledIntervalMs,
    maxStalledCount: options.maxStalledCount,
    // After a Redis error, fetch again in a second, not BullMQ's default 15: a Redis that is back
    // should be working again at once.
    runRetryDelay: 1000,
    settings: {
      backoffStrategy(attemptsMade: number, type?: string): number {
        if (type !== BACKOFF_TYPE) return options.backoffMs;
        const ceiling = Math.min(options.backoffMs * 2 ** Math.max(attemptsMade - 1, 0), options.maxBackoffMs);
        // Jitter, so jobs that failed together do not all come back at once.
        return Math.round(ceiling * (0.5 + Math.random() / 2));
      },
    },
  };
  const { metrics } = options;
  const events = new Worker<EventJobData>(
    EVENTS_QUEUE,
    (job, token) => measured(metrics, job, job.data.name, () => processDelivery(job, token, deps, metrics)),
    { ...common, connection: options.connections.next() },
  );
  const tasks = new Worker<TaskJobData>(
    TASKS_QUEUE,
    (job, token) => measured(metrics, job, job.data.kind, () => processTask(job, token, deps, metrics)),
    { ...common, connection: options.connections.next() },
  );
  const workers = [events, tasks];
  let closing = false;
  // BullMQ relies on ioredis to reconnect; should a worker's loop end anyway, start it again.
  const watchdog = setInterval(() => {
    for (const worker of workers) {
      if (closing || worker.isRunning()) continue;
      deps.log.warn({ queue: worker.name }, "worker loop stopped, restarting it");
      worker.run().catch((error: unknown) => deps.log.error({ queue: worker.name, err: error }, "worker loop failed"));
    }
  }, 5000);
  watchdog.unref();
  const quiet = quietLogger(deps, 5000);
  for (const worker of workers) {
    worker.on("failed", (job, error) => {
      deps.log.warn(
        {
          queue: worker.name,
          job: job?.id,
          attempts: job?.attemptsMade,
          final: job ? job.attemptsMade >= (job.opts.attempts ?? 1) : null,
          err: error,
        },
        "job failed",
      );
    });
    // A Redis outage makes every connection complain many times a second: once in a while is enough.
    worker.on("error", (error) => {
      metrics?.redisError(`worker-${worker.name}`);
      quiet(worker.name, () => deps.log.error({ queue: worker.name, err: error }, "worker error"));
    });
  }
  return {
    workers,
    async close(timeoutMs) {
      closing = true;
      clearInterval(watchdog);
      await Promise.all(workers.map((worker) => closeWithin(worker, timeoutMs)));
      options.connections.close();
    },
  };
}

/** Runs `log` at most once per `everyMs` per topic. */
function quietLogger(deps: JobDeps, everyMs: number): (topic: string, log: () => void) => void {
  const last = new Map<string, number>();
  return (topic, log) => {
    const now = Date.now();
    if (now - (last.get(topic) ?? 0) < everyMs) return;
    last.set(topic, now);
    log();
  };
}

/** Runs a job and records its duration and outcome. */
async function measured(
  metrics: Metrics | undefined,
  job: Job,
  kind: string,
  work: () => Promise<void>,
): Promise<void> {
  const started = performance.now();
  let outcome: JobOutcome = "completed";
  try {
    await work();
  } catch (error) {
    outcome = outcomeOf(job, error);
    throw error;
  } finally {
    metrics?.job(job.queueName, kind, outcome, (performance.now() - started) / 1000);
  }
}

function outcomeOf(job: Job, error: unknown): JobOutcome {
  if (error instanceof DelayedError) return "parked";
  if (error instanceof UnrecoverableError) return "failed";
  // attemptsMade counts the tries before this one.
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1) ? "failed" : "retried";
}

async function processDelivery(
  job: Job<EventJobData>,
  token: string | undefined,
  deps: JobDeps,
  metrics: Metrics | undefined,
): Promise<void> {
  const { id, name, payload } = job.data;
  const log = deps.log.child({ delivery: id, event: name });
  const result = normaliseEvent({ id, name, payload }, deps.botLogin);
  if (!result.ok) {
    // Nothing to retry: the same payload would fail the same way.
    log.warn({ action: payload?.action, reason: result.reason, detail: result.detail }, "delivery not processed");
    await markDeliveryDone(deps.redis, deps.keys, id);
    return;
  }
  const event = result.event;
  const repo = "repo" in event ? event.repo : null;
  if (repo !== null && (await isGone(deps.redis, deps.keys, repo))) {
    log.info({ repo: `${repo.owner}/${repo.repo}` }, "repository gone, delivery dropped");
    await markDeliveryDone(deps.redis, deps.keys, id);
    return;
  }
  const run = createRunScope(deps, id, event.installationId, log);
  const failures: unknown[] = [];
  await guarded(job, token, deps, run, metrics, repo, async () => {
    for (const handler of handlersFor(event)) {
      if (await deps.runs.handlerDone(id, handler.name)) continue;
      if (handler.afterOthers && failures.length > 0) continue;
      try {
        await handler.handle({ ...createContext(deps, run, handler.name), event });
        await deps.runs.markHandlerDone(id, handler.name);
      } catch (error) {
        // Waiting (a rate limit, a busy item) applies to the whole delivery: park it now.
        if (error instanceof PausedError || error instanceof ItemBusyError) throw error;
        failures.push(error);
        log.warn({ handler: handler.name, attempt: job.attemptsMade + 1, err: error }, "handler failed");
      }
    }
    if (failures.length > 0) throw mostRetryable(failures, deps.now());
  });
  await markDeliveryDone(deps.redis, deps.keys, id);
}

async function processTask(
  job: Job<TaskJobData>,
  token: string | undefined,
  deps: JobDeps,
  metrics: Metrics | undefined,
): Promise<void> {
  const task = job.data;
  const log = deps.log.child({ task: task.kind, job: job.id });
  const repo = "owner" in task ? task : null;
  if (repo !== null && (await isGone(deps.redis, deps.keys, repo))) {
    log.info({ repo: `${repo.owner}/${repo.repo}` }, "repository gone, task dropped");
    return;
  }
  const installationId = "installationId" in task ? task.installationId : 0;
  const run = createRunScope(deps, `task-${job.id ?? "unknown"}`, installationId, log);
  await guarded(job, token, deps, run, metrics, repo, () => runTask(createContext(deps, run, task.kind), task));
}

/** Of several handlers' failures, the one whose plan retries soonest decides the job's fate. */
function mostRetryable(failures: unknown[], now: number): unknown {
  const rank = (error: unknown) => {
    const plan = planOf(error, now).kind;
    return plan === "retry" ? 0 : plan === "wait" ? 1 : 2;
  };
  return [...failures].sort((a, b) => rank(a) - rank(b))[0];
}

function planOf(error: unknown, now: number): FailurePlan {
  const failure = error as {
    status?: number;
    message?: string;
    response?: { headers?: Record<string, string> };
    errors?: Array<{ type?: string; message: string }>;
  };
  return planFailure(
    {
      status: failure.status,
      headers: failure.response?.headers,
      message: failure.message ?? String(error),
      graphqlErrors: (error as Error)?.name === "GraphqlResponseError" ? failure.errors : undefined,
    },
    now,
  );
}

/** What GitHub answers a call for a repository the app was taken off. */
const REFUSED = new Set([401, 403, 404]);

/** Turns a failure into the right BullMQ outcome (see src/domain/failures.ts). */
async function guarded(
  job: Job,
  token: string | undefined,
  deps: JobDeps,
  run: RunScope,
  metrics: Metrics | undefined,
  repo: RepoName | null,
  work: () => Promise<void>,
): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (error instanceof ItemBusyError) {
      metrics?.parked("busy");
      await job.moveToDelayed(Date.now() + 200 + Math.floor(Math.random() * 500), token);
      throw new DelayedError();
    }
    if (error instanceof PausedError) {
      metrics?.parked(error.reason);
      const fields = { job: job.id, lane: error.lane, until: new Date(error.untilMs).toISOString() };
      // Waiting for the write budget is the pacer doing its work; GitHub asking is worth a warning.
      if (error.reason === "budget") run.log.debug(fields, "write budget spent, job parked");
      else run.log.warn(fields, "GitHub asked to wait, job parked");
      await job.moveToDelayed(error.untilMs + Math.floor(Math.random() * 250), token);
      throw new DelayedError();
    }
    if (error instanceof UnrecoverableError || error instanceof DelayedError) throw error;
    const plan = planOf(error, deps.now());
    if (plan.kind === "wait") {
      metrics?.parked("github");
      run.log.warn(
        { job: job.id, until: new Date(plan.untilMs).toISOString(), reason: plan.reason },
        "rate limited, job parked",
      );
      // Relative to the real clock: BullMQ delays by it, whatever clock the jobs are given.
      await job.moveToDelayed(Date.now() + Math.max(plan.untilMs - deps.now(), 0), token);
      throw new DelayedError();
    }
    if (plan.kind === "fail") {
      // Taken off the repository while the job ran: GitHub's refusal is the uninstall, not a fault.
      const status = (error as { status?: number }).status ?? 0;
      if (repo !== null && REFUSED.has(status) && (await isGone(deps.redis, deps.keys, repo))) {
        run.log.info(
          { job: job.id, repo: `${repo.owner}/${repo.repo}`, status },
          "repository gone mid-job, job dropped",
        );
        return;
      }
      throw new UnrecoverableError(plan.reason);
    }
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
