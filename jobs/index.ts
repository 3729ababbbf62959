// The explicit list of what each event does. Adding a reaction to an event is one line here.
import type { TaskJobData } from "../src/queues.js";
import type { EventJob, JobDeps } from "./context.js";
import { issueClosedEvent, pullLinksEvent } from "./claims.js";
import { commandEvent } from "./commands.js";
import { installationEvent } from "./installation.js";
import { labelChangeEvent } from "./label-change.js";
import { activityEvent, mentorshipClosedEvent } from "./mentorship-events.js";
import { onboardEvent } from "./onboarding.js";
import { milestoneEvent, pushEvent } from "./push.js";
import { digestRepoTask } from "./digest.js";
import { fanOutToRepos } from "./fan-out.js";
import { projectionEvent } from "./projection.js";
import { reconcileRepoTask } from "./reconcile.js";
import { refreshSummaryTask } from "./summary.js";
import { rebuildRepoTask } from "./rebuild.js";
import { sweepRepoTask } from "./sweep.js";
import { syncLabelsTask } from "./sync-labels.js";
import { triageEvent } from "./triage.js";

export type EventHandler = (event: EventJob, deps: JobDeps) => Promise<void>;

/** `event.action` (or `event` for every action) → handlers, run in order. */
// The projection (for summaries and digests) is updated last, from what the others decided.
export const EVENT_HANDLERS: Record<string, EventHandler[]> = {
  // Triage before commands: a `/subsystem` in the body then overrides the guess, not the reverse.
  "issues.opened": [triageEvent, onboardEvent, commandEvent, projectionEvent],
  "issues.edited": [triageEvent, commandEvent, projectionEvent],
  "issues.reopened": [triageEvent, projectionEvent],
  "issues.closed": [issueClosedEvent, mentorshipClosedEvent, projectionEvent],
  "issues.labeled": [labelChangeEvent, projectionEvent],
  "issues.unlabeled": [labelChangeEvent, projectionEvent],
  "issue_comment.created": [activityEvent, commandEvent, projectionEvent],
  "issue_comment.edited": [commandEvent],
  "pull_request.opened": [triageEvent, pullLinksEvent, onboardEvent, commandEvent, projectionEvent],
  "pull_request.edited": [triageEvent, pullLinksEvent, commandEvent, projectionEvent],
  "pull_request.reopened": [triageEvent, pullLinksEvent, projectionEvent],
  "pull_request.synchronize": [triageEvent],
  "pull_request.ready_for_review": [triageEvent],
  "pull_request.closed": [pullLinksEvent, mentorshipClosedEvent, projectionEvent],
  "pull_request.labeled": [labelChangeEvent, projectionEvent],
  "pull_request.unlabeled": [labelChangeEvent, projectionEvent],
  "pull_request_review.submitted": [commandEvent],
  "pull_request_review.edited": [commandEvent],
  "pull_request_review_comment.created": [commandEvent],
  "pull_request_review_comment.edited": [commandEvent],
  "installation.created": [installationEvent],
  "installation_repositories.added": [installationEvent],
  push: [pushEvent],
  milestone: [milestoneEvent],
};

export function handlersFor(name: string, action: string | undefined): EventHandler[] {
  return [...(action ? (EVENT_HANDLERS[`${name}.${action}`] ?? []) : []), ...(EVENT_HANDLERS[name] ?? [])];
}

export async function runEvent(event: EventJob, deps: JobDeps): Promise<number> {
  const handlers = handlersFor(event.name, event.action);
  for (const handler of handlers) await handler(event, deps);
  return handlers.length;
}

export async function runTask(task: TaskJobData, deps: JobDeps, log: EventJob["log"]): Promise<void> {
  switch (task.kind) {
    case "sync-labels":
      return syncLabelsTask(task, await deps.probot.auth(task.installationId), deps, log);
    case "rebuild-repo":
      return rebuildRepoTask(task, deps, log);
    case "rebuild-all":
      return fanOutToRepos(deps, "rebuild-repo", log);
    case "sweep-repo":
      return sweepRepoTask(task, deps, log);
    case "sweep-all":
      return fanOutToRepos(deps, "sweep-repo", log);
    case "refresh-summary":
      return refreshSummaryTask(task, deps, log);
    case "digest-repo":
      return digestRepoTask(task, deps, log);
    case "digest-tick":
      return fanOutToRepos(deps, "digest-repo", log);
    case "reconcile-repo":
      await reconcileRepoTask(task, deps, log);
      return;
    case "reconcile-all":
      return fanOutToRepos(deps, "reconcile-repo", log);
  }
}
