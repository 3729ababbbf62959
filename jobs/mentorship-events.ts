// The mentorship lifecycle from webhooks: a mentee's PR merged or closed, or their issue closed
// without a PR, ends the mentorship; a mentee's comment counts as activity (for the idle sweep).
import type { CommentEvent, ItemEvent } from "../src/domain/events.js";
import { type HandlerContext, loadConfig } from "./context.js";
import { endMentorship, mentoringScope } from "./onboarding.js";

export async function mentorshipClosedEvent(ctx: HandlerContext<ItemEvent>): Promise<void> {
  const { event, deps } = ctx;
  const { repo, item } = event;
  // Cheap first: most closed items have no mentorship, and then config is never read.
  const mentorships = await deps.mentorships.all(repo.id);
  const ending = mentorships.filter((mentorship) =>
    item.kind === "pr"
      ? mentorship.pr === item.number
      : mentorship.kind === "issue" && mentorship.item === item.number && mentorship.pr === null,
  );
  if (ending.length === 0) return;
  const config = await loadConfig(ctx, repo);
  if (config.status !== "ok" || !config.config.mentors) return;
  const scope = mentoringScope(ctx, repo, config);
  const reason = item.kind === "pr" && item.merged ? `#${item.number} was merged` : `#${item.number} was closed`;
  for (const mentorship of ending) {
    await endMentorship(scope, mentorship.newcomer, reason, `end-${mentorship.newcomer.toLowerCase()}`);
  }
}

/** A comment is activity of its author: as a mentee (idle mentorships) and as the claimant (stale claims). */
export async function activityEvent(ctx: HandlerContext<CommentEvent>): Promise<void> {
  const { event, deps } = ctx;
  if (event.source !== "issue-comment" || event.bySelf) return;
  const { repo, item } = event;
  const login = event.comment.author.login;
  if (!login) return;
  const mentorship = await deps.mentorships.get(repo.id, login);
  if (mentorship) await deps.mentorships.update(repo.id, login, { lastActivity: deps.now() });
  const claim = await deps.claims.get(repo.id, item.number);
  if (claim && claim.claimant.toLowerCase() === login.toLowerCase()) {
    await deps.claims.update(repo.id, item.number, { lastActivity: deps.now() });
  }
}
