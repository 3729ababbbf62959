// The explicit list of what each event does. Adding a reaction to an event is one line here.
// Handlers are named: a retried delivery skips the handlers that finished (the name is their
// record in the run ledger), and one handler failing does not stop the others.
import { backlogRepoTask } from "./backlog.js";
import type { ShepherdEvent } from "../src/domain/events.js";
import type { TaskJobData } from "../src/queues.js";
import { issueClosedEvent, pullLinksEvent } from "./claims.js";
import { commandEvent } from "./commands.js";
import { pullRequestConfigEvent } from "./config-check.js";
import type { Context, HandlerContext } from "./context.js";
import { digestRepoTask } from "./digest.js";
import { fanOutToRepos } from "./fan-out.js";
import { installationEvent } from "./installation.js";
import { assignmentEvent, goneEvent, uninstallEvent } from "./lifecycle.js";
import { labelChangeEvent } from "./label-change.js";
import { activityEvent, mentorshipClosedEvent } from "./mentorship-events.js";
import { onboardEvent } from "./onboarding.js";
import { projectionEvent } from "./projection.js";
import { milestoneEvent, pushEvent } from "./push.js";
import { rebuildRepoTask } from "./rebuild.js";
import { reconcileRepoTask } from "./reconcile.js";
import { replayTask } from "./replay.js";
import { refreshSummaryTask } from "./summary.js";
import { sweepRepoTask } from "./sweep.js";
import { syncLabelsTask } from "./sync-labels.js";
import { codeIndexTask } from "./code-index.js";
import { triageEvent } from "./triage.js";

export interface Handler {
  name: string;
  /** Runs only once every handler before it finished: it reads what they decided. */
  afterOthers?: boolean;
  handle(ctx: HandlerContext): Promise<void>;
}

type Typed<T extends ShepherdEvent["type"]> = (
  ctx: HandlerContext<Extract<ShepherdEvent, { type: T }>>,
) => Promise<void>;

function on<T extends ShepherdEvent["type"]>(type: T, name: string, fn: Typed<T>, afterOthers = false): Handler {
  return {
    name,
    afterOthers,
    handle: (ctx) =>
      ctx.event.type === type ? fn(ctx as HandlerContext<Extract<ShepherdEvent, { type: T }>>) : Promise.resolve(),
  };
}

const triage = on("item", "triage", triageEvent);
const pullLinks = on("item", "pull-links", pullLinksEvent);
// After triage: the PR's file listing is made once and shared.
const configCheck = on("item", "config-check", pullRequestConfigEvent);
const onboard = on("item", "onboard", onboardEvent);
const claimsEnded = on("item", "claims-ended", issueClosedEvent);
const mentorshipClosed = on("item", "mentorship-closed", mentorshipClosedEvent);
const labelChange = on("label", "label-change", labelChangeEvent);
const activity = on("comment", "activity", activityEvent);
const commands: Handler = { name: "commands", handle: commandEvent };
// The projection (for summaries and digests) is updated last, from what the others decided.
const projection: Handler = { name: "projection", afterOthers: true, handle: projectionEvent };
const installation = on("installation", "installation", installationEvent);
const uninstall = on("installation", "uninstall", uninstallEvent);
const assignment = on("assignment", "assignment", assignmentEvent);
const gone = on("gone", "gone", goneEvent);
const push = on("push", "push", pushEvent);
const milestone = on("milestone", "milestone", milestoneEvent);

/** `type.action` (or `type` for every action) → handlers, run in order. */
export const EVENT_HANDLERS: Record<string, Handler[]> = {
  // Triage before commands: a `/subsystem` in the body then overrides the guess, not the reverse.
  "item.opened": [triage, configCheck, pullLinks, onboard, commands, projection],
  "item.edited": [triage, pullLinks, commands, projection],
  "item.reopened": [triage, configCheck, pullLinks, projection],
  "item.synchronize": [triage, configCheck],
  "item.ready_for_review": [triage],
  "item.closed": [claimsEnded, pullLinks, mentorshipClosed, projection],
  "label.labeled": [labelChange, projection],
  "label.unlabeled": [labelChange, projection],
  "comment.created": [activity, commands, projection],
  "comment.edited": [commands],
  "assignment.assigned": [assignment, projection],
  "assignment.unassigned": [assignment, projection],
  "gone.transferred": [gone],
  "gone.deleted": [gone],
  "installation.added": [installation],
  "installation.removed": [uninstall],
  push: [push],
  milestone: [milestone],
};

export function handlersFor(event: ShepherdEvent): Handler[] {
  const action = "action" in event ? event.action : undefined;
  return [...(action ? (EVENT_HANDLERS[`${event.type}.${action}`] ?? []) : []), ...(EVENT_HANDLERS[event.type] ?? [])];
}

export async function runTask(ctx: Context, task: TaskJobData): Promise<void> {
  switch (task.kind) {
    case "sync-labels":
      return syncLabelsTask(ctx, task);
    case "rebuild-repo":
      return rebuildRepoTask(ctx, task);
    case "rebuild-all":
      return fanOutToRepos(ctx, "rebuild-repo");
    case "sweep-repo":
      return sweepRepoTask(ctx, task);
    case "sweep-all":
      return fanOutToRepos(ctx, "sweep-repo");
    case "refresh-summary":
      return refreshSummaryTask(ctx, task);
    case "digest-repo":
      return digestRepoTask(ctx, task);
    case "digest-tick":
      return fanOutToRepos(ctx, "digest-repo");
    case "reconcile-repo":
      await reconcileRepoTask(ctx, task);
      return;
    case "reconcile-all":
      return fanOutToRepos(ctx, "reconcile-repo");
    case "backlog-repo":
      return backlogRepoTask(ctx, task);
    case "code-index":
      return codeIndexTask(ctx, task);
    case "replay-deliveries":
      return replayTask(ctx, task);
  }
}
