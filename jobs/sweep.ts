// The daily sweep, one task per repository (fanned out like the rebuild): mentorships idle too
// long end, and mentees of a mentor away for long enough are offered another mentor.
import type { Logger } from "probot";
import type { TaskJobData } from "../src/queues.js";
import type { JobDeps } from "./context.js";
import {
  configuredMentors,
  endMentorship,
  findMentor,
  type MentoringScope,
  mentoringScope,
  withMentorLock,
} from "./onboarding.js";
import { renderMarker } from "../src/domain/markers.js";
import { renderReminder, renderRelease, staleClaimActions } from "../src/domain/stale.js";
import { renderMentorAssigned } from "../src/domain/welcome.js";
import { repoTaskScope, withItemLock } from "./context.js";
import { refreshItem, scheduleSummary } from "./projection.js";

const DAY_MS = 86_400_000;

export async function sweepRepoTask(
  task: Extract<TaskJobData, { kind: "sweep-repo" }>,
  deps: JobDeps,
  log: Logger,
): Promise<void> {
  const found = await repoTaskScope(deps, task, (config) => config.mentors !== null || config.staleClaims !== null);
  if (!found) return;
  const { octokit, repo } = found;
  const scope = mentoringScope(deps, octokit, repo, found, log);
  const now = deps.now();
  const stale = await sweepStaleClaims(scope, now, task.installationId);
  const mentorsConfig = found.config.mentors;
  if (!mentorsConfig) {
    log.info({ repo: `${repo.owner}/${repo.repo}`, ...stale }, "claims swept");
    return;
  }
  let idle = 0;
  for (const mentorship of await deps.mentorships.all(repo.id)) {
    if (now - mentorship.lastActivity < mentorsConfig.idleDays * DAY_MS) continue;
    await endMentorship(scope, mentorship.newcomer, `no activity for ${mentorsConfig.idleDays} days`);
    idle += 1;
  }
  const moved = await reassignFromAwayMentors(scope, now, mentorsConfig.awayReassignDays * DAY_MS);
  log.info({ repo: `${repo.owner}/${repo.repo}`, idle, moved, ...stale }, "mentorships and claims swept");
}

async function reassignFromAwayMentors(scope: MentoringScope, now: number, afterMs: number): Promise<number> {
  const mentorsConfig = scope.config.mentors;
  if (!mentorsConfig) return 0;
  const { deps, repo } = scope;
  return withMentorLock(scope, async () => {
    const mentors = await configuredMentors(scope, mentorsConfig);
    let moved = 0;
    for (const mentorship of await deps.mentorships.all(repo.id)) {
      const away = await deps.mentorships.away(repo.id, mentorship.mentor);
      if (!away || away.until <= now || now - away.since < afterMs) continue;
      // The item's subsystem is not stored with the mentorship: any mentor of the mentor's own
      // subsystems qualifies, else the fallback pool.
      const subsystem = mentors.find((entry) => entry.login === mentorship.mentor)?.subsystems[0] ?? null;
      const match = await findMentor(scope, mentorsConfig, mentorship.newcomer, subsystem);
      if (!match.mentor) continue;
      await deps.mentorships.end(repo.id, mentorship.newcomer);
      const { data: comment } = await scope.octokit.rest.issues.createComment({
        owner: repo.owner,
        repo: repo.repo,
        issue_number: mentorship.pr ?? mentorship.item,
        body: [
          renderMarker("mentor", {
            newcomer: mentorship.newcomer,
            mentor: match.mentor,
            item: mentorship.item,
            kind: mentorship.kind,
            since: now,
          }),
          `**${mentorship.mentor}** is away for a while, so Shepherd offers another mentor.`,
          "",
          renderMentorAssigned({
            newcomer: mentorship.newcomer,
            mentor: match.mentor,
            explanation: match.explanation,
            afterWaiting: false,
          }),
        ].join("\n"),
      });
      await deps.mentorships.start(repo.id, { ...mentorship, mentor: match.mentor, since: now, commentId: comment.id });
      moved += 1;
    }
    return moved;
  });
}

/** Reminds, then releases, claims with no linked PR and no word from the claimant for too long. */
async function sweepStaleClaims(
  scope: MentoringScope,
  now: number,
  installationId: number,
): Promise<{ reminded: number; released: number }> {
  const config = scope.config.staleClaims;
  if (!config || !scope.config.claims) return { reminded: 0, released: 0 };
  const { deps, repo, octokit } = scope;
  const claims = [];
  for (const number of await deps.claims.claimedIssues(repo.id)) {
    const claim = await deps.claims.get(repo.id, number);
    if (!claim) continue;
    const labels = (await deps.items.load(repo.id, number)).labels ?? [];
    claims.push({
      issue: number,
      claimant: claim.claimant,
      since: claim.since,
      lastClaimantActivity: claim.lastActivity,
      pr: claim.pr,
      labels,
      remindedAt: claim.remindedAt,
    });
  }
  const actions = staleClaimActions({
    claims,
    now,
    remindAfterDays: config.remindAfterDays,
    releaseAfterDays: config.releaseAfterDays,
    exemptLabels: config.exemptLabels,
  });
  const counts = { reminded: 0, released: 0 };
  for (const action of actions) {
    const issue = { owner: repo.owner, repo: repo.repo, issue_number: action.issue };
    await withItemLock(deps, repo.id, action.issue, async () => {
      if (action.type === "remind") {
        const body = renderReminder({
          claimant: action.claimant,
          idleDays: action.idleDays,
          releaseAfterDays: config.releaseAfterDays,
        });
        await octokit.rest.issues.createComment({ ...issue, body });
        await deps.claims.update(repo.id, action.issue, { remindedAt: now });
        counts.reminded += 1;
        return;
      }
      const released = await deps.claims.release(repo.id, action.issue);
      if (!released) return;
      if (released.assigned) await octokit.rest.issues.removeAssignees({ ...issue, assignees: [released.claimant] });
      const body = renderRelease({ claimant: action.claimant, idleDays: action.idleDays });
      await octokit.rest.issues.createComment({ ...issue, body });
      counts.released += 1;
    });
    if (action.type === "release") await refreshItem(deps, repo, scope.config, action.issue);
  }
  if (counts.released > 0) await scheduleSummary(deps, installationId, repo, scope.config);
  return counts;
}
