// The daily sweep, one task per repository: stale claims get a reminder, then are released;
// mentorships idle too long end; mentees of a mentor away for long enough are offered another.
// Each claim and each mentorship is its own resumable step, so a retry neither reminds twice nor
// forgets that it reminded.
import type { Action } from "../src/domain/actions.js";
import { mentorKey } from "../src/domain/mentoring.js";
import { renderMarker } from "../src/domain/markers.js";
import { renderReminder, renderRelease, staleClaimActions, staleClaimOf } from "../src/domain/stale.js";
import { renderMentorAssigned } from "../src/domain/welcome.js";
import type { TaskJobData } from "../src/queues.js";
import { type Context, repoTaskScope, scheduleSummaryFor, withItemLock } from "./context.js";
import {
  configuredMentors,
  endMentorship,
  findMentor,
  type MentoringScope,
  mentoringScope,
  withMentorLock,
} from "./onboarding.js";
import { refreshItem } from "./projection.js";

const DAY_MS = 86_400_000;

export async function sweepRepoTask(ctx: Context, task: Extract<TaskJobData, { kind: "sweep-repo" }>): Promise<void> {
  const { deps, log } = ctx;
  const found = await repoTaskScope(ctx, task, (config) => config.mentors !== null || config.staleClaims !== null);
  if (!found) return;
  const { repo } = found;
  const scope = mentoringScope(ctx, repo, found);
  const now = await scope.steps.once("now", () => deps.now());
  const stale = await sweepStaleClaims(scope, now, task.installationId);
  const mentorsConfig = found.config.mentors;
  if (!mentorsConfig) {
    log.info({ repo: `${repo.owner}/${repo.repo}`, ...stale }, "claims swept");
    return;
  }
  let idle = 0;
  for (const mentorship of await deps.mentorships.all(repo.id)) {
    if (now - mentorship.lastActivity < mentorsConfig.idleDays * DAY_MS) continue;
    const step = `idle-${mentorship.newcomer.toLowerCase()}`;
    await endMentorship(scope, mentorship.newcomer, `no activity for ${mentorsConfig.idleDays} days`, step);
    idle += 1;
  }
  const moved = await reassignFromAwayMentors(scope, now, mentorsConfig.awayReassignDays * DAY_MS);
  log.info({ repo: `${repo.owner}/${repo.repo}`, idle, moved, ...stale }, "mentorships and claims swept");
}

async function reassignFromAwayMentors(scope: MentoringScope, now: number, afterMs: number): Promise<number> {
  const mentorsConfig = scope.config.mentors;
  if (!mentorsConfig) return 0;
  const { deps } = scope.ctx;
  const { repo } = scope;
  return withMentorLock(scope, async () => {
    const mentors = await configuredMentors(scope, mentorsConfig);
    let moved = 0;
    for (const mentorship of await deps.mentorships.all(repo.id)) {
      const results = await scope.steps.step(
        `away-${mentorship.newcomer.toLowerCase()}`,
        async (): Promise<Action[]> => {
          const away = await deps.mentorships.away(repo.id, mentorship.mentor);
          if (!away || away.until <= now || now - away.since < afterMs) return [];
          // The item's subsystem is not stored with the mentorship: any mentor of the mentor's own
          // subsystems qualifies, else the fallback pool.
          const subsystem = mentors.find((entry) => entry.login === mentorship.mentor)?.subsystems[0] ?? null;
          const match = await findMentor(scope, mentorsConfig, mentorship.newcomer, subsystem);
          if (!match.mentor) return [];
          const key = mentorKey(mentorship.newcomer, now);
          const issue = mentorship.pr ?? mentorship.item;
          const body = [
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
          ].join("\n");
          return [
            { type: "end-mentorship", newcomer: mentorship.newcomer },
            { type: "comment", issue, key, body },
            {
              type: "start-mentorship",
              commentOn: issue,
              mentorship: { ...mentorship, mentor: match.mentor, since: now, commentId: null, commentKey: key },
            },
          ];
        },
      );
      if (results.length > 0) moved += 1;
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
  const { ctx, repo } = scope;
  const { deps } = ctx;
  const counts = { reminded: 0, released: 0 };
  for (const number of await deps.claims.claimedIssues(repo.id)) {
    let released = false;
    await withItemLock(ctx, repo.id, number, async () => {
      const decided = await scope.steps.once(`claim-${number}`, async () => {
        // Decided from the claim as it is now, under the item's lock.
        const claim = await deps.claims.get(repo.id, number);
        if (!claim) return null;
        const stale = staleClaimOf(number, claim, (await deps.items.load(repo.id, number)).labels ?? []);
        const [action] = staleClaimActions({
          claims: [stale],
          now,
          remindAfterDays: config.remindAfterDays,
          releaseAfterDays: config.releaseAfterDays,
          exemptLabels: config.exemptLabels,
        });
        if (!action) return null;
        if (action.type === "remind") {
          const body = renderReminder({
            claimant: action.claimant,
            idleDays: action.idleDays,
            releaseAfterDays: config.releaseAfterDays,
          });
          // One reminder per quiet spell: the key names when the claimant was last heard from.
          const quietSince = Math.max(claim.since, claim.lastActivity ?? claim.since);
          const plan: Action[] = [
            { type: "comment", issue: number, key: `remind:${quietSince}`, body, repost: true },
            { type: "update-claim", issue: number, patch: { remindedAt: now } },
          ];
          return { type: action.type, plan };
        }
        const plan: Action[] = [
          { type: "release-claim", issue: number },
          ...(claim.assigned ? [{ type: "remove-assignees" as const, issue: number, logins: [claim.claimant] }] : []),
          {
            type: "comment",
            issue: number,
            key: `release:${claim.since}`,
            body: renderRelease({ claimant: action.claimant, idleDays: action.idleDays }),
            repost: true,
          },
        ];
        return { type: action.type, plan };
      });
      if (!decided) return;
      await scope.steps.step(`claim-${number}`, () => decided.plan);
      if (decided.type === "release") released = true;
      counts[decided.type === "release" ? "released" : "reminded"] += 1;
    });
    if (released) await refreshItem(ctx, repo, scope.config, number);
  }
  if (counts.released > 0 && scope.config.progress) {
    await scheduleSummaryFor(deps, installationId, repo, scope.config.progress.coalesceSeconds);
  }
  return counts;
}
