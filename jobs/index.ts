// The explicit list of what each event does. Adding a reaction to an event is one line here.
import type { TaskJobData } from "../src/queues.js";
import type { EventJob, JobDeps } from "./context.js";
import { issueClosedEvent, pullLinksEvent } from "./claims.js";
import { commandEvent } from "./commands.js";
import { installationEvent } from "./installation.js";
import { labelChangeEvent } from "./label-change.js";
import { menteeActivityEvent, mentorshipClosedEvent } from "./mentorship-events.js";
import { onboardEvent } from "./onboarding.js";
import { milestoneEvent, pushEvent } from "./push.js";
import { fanOutToRepos } from "./fan-out.js";
import { rebuildRepoTask } from "./rebuild.js";
import { sweepRepoTask } from "./sweep.js";
import { syncLabelsTask } from "./sync-labels.js";
import { triageEvent } from "./triage.js";

export type EventHandler = (event: EventJob, deps: JobDeps) => Promise<void>;

/** `event.action` (or `event` for every action) → handlers, run in order. */
export const EVENT_HANDLERS: Record<string, EventHandler[]> = {
  // Triage before commands: a `/subsystem` in the body then overrides the guess, not the reverse.
  "issues.opened": [triageEvent, onboardEvent, commandEvent],
  "issues.edited": [triageEvent, commandEvent],
  "issues.reopened": [triageEvent],
  "issues.closed": [issueClosedEvent, mentorshipClosedEvent],
  "issues.labeled": [labelChangeEvent],
  "issues.unlabeled": [labelChangeEvent],
  "issue_comment.created": [menteeActivityEvent, commandEvent],
  "issue_comment.edited": [commandEvent],
  "pull_request.opened": [triageEvent, pullLinksEvent, onboardEvent, commandEvent],
  "pull_request.edited": [triageEvent, pullLinksEvent, commandEvent],
  "pull_request.reopened": [triageEvent, pullLinksEvent],
  "pull_request.synchronize": [triageEvent],
  "pull_request.ready_for_review": [triageEvent],
  "pull_request.closed": [pullLinksEvent, mentorshipClosedEvent],
  "pull_request.labeled": [labelChangeEvent],
  "pull_request.unlabeled": [labelChangeEvent],
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
  }
}
