// Queue names, job payloads and job options, shared by the web role (producer) and workers.
import { Queue, type JobsOptions } from "bullmq";
import type { RedisClient } from "./redis.js";
import type { Settings } from "./settings.js";

export const EVENTS_QUEUE = "events";
export const TASKS_QUEUE = "tasks";

/** One verified webhook delivery, as GitHub sent it (normalised by the worker). */
export interface EventJobData {
  id: string;
  name: string;
  payload: Record<string, unknown>;
  /** When the web role took it (epoch ms). */
  receivedAt?: number;
}

/** One repository of one installation; the id when the producer knew it. */
interface RepoTaskData {
  installationId: number;
  owner: string;
  repo: string;
  repoId?: number;
}

/** Internal work fanned out by event jobs (one repo each), processed by jobs/ too. */
export type TaskJobData =
  | ({ kind: "sync-labels" } & RepoTaskData)
  | ({ kind: "rebuild-repo" } & RepoTaskData)
  | { kind: "rebuild-all" }
  | ({ kind: "sweep-repo" } & RepoTaskData)
  | { kind: "sweep-all" }
  | ({ kind: "refresh-summary" } & RepoTaskData)
  | ({ kind: "digest-repo"; force?: boolean } & RepoTaskData)
  | { kind: "digest-tick" }
  | ({ kind: "reconcile-repo" } & RepoTaskData)
  | ({ kind: "backlog-repo" } & RepoTaskData)
  | ({ kind: "code-index"; sha?: string } & RepoTaskData)
  | { kind: "reconcile-all" }
  /** Asks GitHub to redeliver what failed while Shepherd was away; at most `max` a run. */
  | { kind: "replay-deliveries"; max: number };

export interface Queues {
  events: Queue<EventJobData>;
  tasks: Queue<TaskJobData>;
}

export function createQueues(connection: RedisClient, settings: Settings): Queues {
  const defaultJobOptions = jobOptions(settings);
  return {
    events: new Queue<EventJobData>(EVENTS_QUEUE, { connection, prefix: settings.prefix, defaultJobOptions }),
    tasks: new Queue<TaskJobData>(TASKS_QUEUE, { connection, prefix: settings.prefix, defaultJobOptions }),
  };
}

/** The workers' backoff (src/worker/worker.ts): exponential with jitter, capped. */
export const BACKOFF_TYPE = "capped-exponential";

export function jobOptions(settings: Pick<Settings, "attempts" | "backoffMs">): JobsOptions {
  return {
    attempts: settings.attempts,
    backoff: { type: BACKOFF_TYPE, delay: settings.backoffMs },
    // Finished jobs are only kept for inspection; duplicate deliveries are caught by a
    // separate, much smaller marker (see deliveries.ts), not by keeping every payload.
    removeOnComplete: { age: 3600, count: 1000 },
    removeOnFail: { age: 7 * 24 * 3600, count: 5000 },
  };
}

/** BullMQ job ids cannot contain ':' and must not look like integers. */
export function deliveryJobId(deliveryId: string): string {
  return `delivery-${deliveryId.replace(/[^A-Za-z0-9_-]/g, "_")}`;
}

export async function closeQueues(queues: Queues): Promise<void> {
  await Promise.all([queues.events.close(), queues.tasks.close()]);
}
