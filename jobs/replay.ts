// Replay of missed deliveries, on a schedule and at every worker start: lists the app's recent
// webhook deliveries back to the checkpoint (gather), decides which failed ones to ask GitHub to
// send again (src/domain/replay.ts), asks for each GUID once (apply), then moves the checkpoint.
import type { ProbotOctokit } from "probot";
import { planFailure } from "../src/domain/failures.js";
import {
  failedGuids,
  type ListedDelivery,
  planReplay,
  type ReplayPlan,
  replayWindowStart,
} from "../src/domain/replay.js";
import { PausedError } from "../src/github/pacer.js";
import type { TaskJobData } from "../src/queues.js";
import { createSteps } from "../src/run/steps.js";
import {
  claimRedelivery,
  loadCheckpoint,
  releaseRedelivery,
  replayState,
  saveCheckpoint,
} from "../src/state/replay.js";
import type { Context } from "./context.js";

/** Pages (100 deliveries each) one run reads at most, so a long outage cannot keep a run listing for minutes. */
const MAX_PAGES = 30;

export async function replayTask(
  ctx: Context,
  task: Extract<TaskJobData, { kind: "replay-deliveries" }>,
): Promise<void> {
  const { deps, log } = ctx;
  const app = await deps.clients.app();
  // Decided once per run: a retry (say, parked by the pacer) resumes this plan instead of listing again.
  const steps = createSteps({ ledger: deps.runs, run: ctx.run.id, handler: ctx.handler, apply: noActions });
  const plan = await steps.once("plan", () => gather(ctx, app, task.max));
  let requested = 0;
  for (const delivery of plan.redeliver) {
    const fields = { guid: delivery.guid, event: delivery.event, action: delivery.action, delivery: delivery.id };
    // Recorded before the request: a retry, or another process's run, never asks for it twice.
    if (!(await claimRedelivery(deps.redis, deps.keys, delivery.guid, delivery.id))) continue;
    try {
      await app.rest.apps.redeliverWebhookDelivery({ delivery_id: delivery.id });
    } catch (error) {
      if (!heldBack(error, deps.now())) {
        // It may have reached GitHub (a 5xx, a timeout), or GitHub refused it for good (too old).
        log.warn({ ...fields, err: error }, "redelivery request failed, not asked again");
        continue;
      }
      await releaseRedelivery(deps.redis, deps.keys, delivery.guid);
      throw error;
    }
    requested += 1;
    log.info(fields, "redelivery asked");
  }
  await saveCheckpoint(deps.redis, deps.keys, plan.checkpoint);
  log.info(
    {
      since: new Date(plan.since).toISOString(),
      checkpoint: new Date(plan.checkpoint).toISOString(),
      requested,
      ...plan.counts,
    },
    "missed deliveries replayed",
  );
}

async function gather(ctx: Context, app: ProbotOctokit, max: number): Promise<ReplayPlan> {
  const { deps, log } = ctx;
  const now = deps.now();
  const checkpoint = await loadCheckpoint(deps.redis, deps.keys);
  const since = replayWindowStart(checkpoint, now);
  const deliveries: ListedDelivery[] = [];
  let pages = 0;
  for await (const page of app.paginate.iterator(app.rest.apps.listWebhookDeliveries, { per_page: 100 })) {
    pages += 1;
    const listed = page.data.map((item): ListedDelivery => ({
      id: item.id,
      guid: item.guid,
      deliveredAt: Date.parse(item.delivered_at),
      statusCode: item.status_code,
      event: item.event,
      action: item.action ?? null,
      redelivery: item.redelivery,
    }));
    deliveries.push(...listed);
    // Newest first: a page that reaches past the window's start is the last one needed.
    if (listed.some((delivery) => delivery.deliveredAt < since)) break;
    if (pages >= MAX_PAGES) {
      log.warn({ pages, since: new Date(since).toISOString() }, "delivery listing stopped at the page bound");
      break;
    }
  }
  const { processed, asked } = await replayState(deps.redis, deps.keys, failedGuids(deliveries, since));
  return planReplay({ deliveries, checkpoint, now, processed, asked, max });
}

/** The request certainly did not go through: the pacer held it back, or GitHub refused it for a rate limit. */
function heldBack(error: unknown, now: number): boolean {
  if (error instanceof PausedError) return true;
  const failure = error as { status?: number; message?: string; response?: { headers?: Record<string, string> } };
  if (failure.status === undefined) return false;
  const plan = planFailure(
    { status: failure.status, headers: failure.response?.headers, message: failure.message ?? "" },
    now,
  );
  return plan.kind === "wait";
}

function noActions(): never {
  throw new Error("the replay task plans no repository actions");
}
