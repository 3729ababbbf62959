// The mentorship lifecycle from webhooks: a mentee's PR merged or closed, or their issue closed
// without a PR, ends the mentorship; a mentee's comment counts as activity (for the idle sweep).
import { type EventJob, type JobDeps, loadConfig, repoOf } from "./context.js";
import { endMentorship, mentoringScope } from "./onboarding.js";

export async function mentorshipClosedEvent(event: EventJob, deps: JobDeps): Promise<void> {
  const repo = repoOf(event.payload);
  const pull = event.payload.pull_request as { number?: number; merged?: boolean } | undefined;
  const issue = event.payload.issue as { number?: number; pull_request?: unknown } | undefined;
  const number = pull?.number ?? issue?.number;
  if (!repo || typeof number !== "number") return;
  // Cheap first: most closed items have no mentorship, and then config is never read.
  const mentorships = await deps.mentorships.all(repo.id);
  const ending = mentorships.filter((mentorship) =>
    pull
      ? mentorship.pr === number
      : mentorship.kind === "issue" && mentorship.item === number && mentorship.pr === null,
  );
  if (ending.length === 0) return;
  const config = await loadConfig(event, deps, repo);
  if (config.status !== "ok" || !config.config.mentors) return;
  const scope = mentoringScope(deps, await event.octokit(), repo, config, event.log);
  const reason = pull ? (pull.merged ? `#${number} was merged` : `#${number} was closed`) : `#${number} was closed`;
  for (const mentorship of ending) await endMentorship(scope, mentorship.newcomer, reason);
}

/** A comment is activity of its author: as a mentee (idle mentorships) and as the claimant (stale claims). */
export async function activityEvent(event: EventJob, deps: JobDeps): Promise<void> {
  const repo = repoOf(event.payload);
  const login = (event.payload.comment as { user?: { login?: string } } | undefined)?.user?.login;
  const number = (event.payload.issue as { number?: number } | undefined)?.number;
  if (!repo || !login) return;
  const mentorship = await deps.mentorships.get(repo.id, login);
  if (mentorship) await deps.mentorships.update(repo.id, login, { lastActivity: deps.now() });
  if (typeof number !== "number") return;
  const claim = await deps.claims.get(repo.id, number);
  if (claim && claim.claimant.toLowerCase() === login.toLowerCase()) {
    await deps.claims.update(repo.id, number, { lastActivity: deps.now() });
  }
}
