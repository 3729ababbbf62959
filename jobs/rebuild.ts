// Rebuilds claims and triage ownership from GitHub when Redis has lost them (src/domain/rebuild.ts
// decides). Cost per repo: open issues / 100 + recent comments / 100 calls, plus config.
import { COMMANDS } from "../src/domain/commands/index.js";
import { keyOf } from "../src/github/ensure.js";
import { type RebuildResult, rebuildState } from "../src/domain/rebuild.js";
import { isShepherdIssue } from "../src/domain/track.js";
import type { TaskJobData } from "../src/queues.js";
import { type Context, repoTaskScope } from "./context.js";
import { configuredMentors, type MentoringScope, mentoringScope, withMentorLock } from "./onboarding.js";

/** Claims older than this are not looked for; a claim idle that long is stale anyway. */
const COMMENT_WINDOW_MS = 180 * 24 * 3600 * 1000;

export async function rebuildRepoTask(
  ctx: Context,
  task: Extract<TaskJobData, { kind: "rebuild-repo" }>,
): Promise<void> {
  const { deps, log } = ctx;
  const { owner, repo } = task;
  const found = await repoTaskScope(ctx, task, (config) =>
    Boolean(config.commands || config.triage || config.onboarding),
  );
  if (!found) return;
  const { octokit } = found;
  const scope = mentoringScope(ctx, found.repo, found);
  const mentors = found.config.mentors
    ? (await configuredMentors(scope, found.config.mentors)).map((mentor) => mentor.login)
    : [];
  const issues = await octokit.paginate(octokit.rest.issues.listForRepo, { owner, repo, state: "open", per_page: 100 });
  const comments = await octokit.paginate(octokit.rest.issues.listCommentsForRepo, {
    owner,
    repo,
    since: new Date(deps.now() - COMMENT_WINDOW_MS).toISOString(),
    per_page: 100,
  });
  // Shepherd's own issues (the tracking issue, digests) hold no claims and no triage to rebuild.
  const own = { botLogin: deps.botLogin, trackingIssue: found.config.progress?.issue };
  const skipped = new Set(
    issues
      .filter((issue) =>
        isShepherdIssue({ number: issue.number, author: issue.user?.login ?? null, body: issue.body ?? null }, own),
      )
      .map((issue) => issue.number),
  );
  const result = rebuildState({
    openIssues: issues
      .filter((issue) => !skipped.has(issue.number))
      .filter((issue) => !issue.pull_request)
      .map((issue) => ({ number: issue.number, assignees: (issue.assignees ?? []).map((user) => user.login) })),
    openPulls: issues
      .filter((issue) => issue.pull_request)
      .map((issue) => ({
        number: issue.number,
        title: issue.title,
        body: issue.body ?? "",
        author: issue.user?.login,
      })),
    mentors,
    comments: comments
      .filter((comment) => !skipped.has(Number(comment.issue_url.split("/").pop())))
      .map((comment) => ({
        id: comment.id,
        issue: Number(comment.issue_url.split("/").pop()),
        login: comment.user?.login ?? "",
        isBot: comment.user?.type === "Bot",
        body: comment.body ?? "",
        createdAt: Date.parse(comment.created_at),
      })),
    botLogin: deps.botLogin,
    parse: { botSlug: deps.botLogin.replace(/\[bot\]$/, ""), commands: COMMANDS },
  });

  const repoId = found.repo.id;
  for (const number of await deps.claims.claimedIssues(repoId)) await deps.claims.release(repoId, number);
  for (const claim of result.claims) {
    await deps.claims.claim(repoId, claim.issue, claim.claimant, claim.since);
    await deps.claims.update(repoId, claim.issue, {
      assigned: claim.assigned,
      commentId: claim.commentId,
      pr: claim.pr,
    });
  }
  for (const link of result.links) await deps.claims.linkPr(repoId, link.issue, link.pr);
  for (const item of result.triage) {
    if (!(await deps.comments.get(repoId, item.issue, "triage"))) {
      await deps.comments.set(repoId, item.issue, "triage", { state: "posted", id: item.commentId, hash: null });
      await deps.items.save(repoId, item.issue, { owned: item.owned });
    }
  }
  // Every keyed comment Shepherd posted is its own again: edited in place, never posted twice.
  for (const comment of comments) {
    const key = comment.user?.login === deps.botLogin ? keyOf(comment.body) : null;
    const issue = Number(comment.issue_url.split("/").pop());
    if (key && !(await deps.comments.get(repoId, issue, key))) {
      await deps.comments.set(repoId, issue, key, { state: "posted", id: comment.id, hash: null });
    }
  }
  await restoreMentoring(scope, result);
  log.info(
    {
      repo: `${owner}/${repo}`,
      claims: result.claims.length,
      links: result.links.length,
      triage: result.triage.length,
      mentorships: result.mentorships.length,
      waitlist: result.waitlist.length,
    },
    "state rebuilt from GitHub",
  );
}

async function restoreMentoring(scope: MentoringScope, result: RebuildResult): Promise<void> {
  const { repo } = scope;
  const { deps } = scope.ctx;
  await withMentorLock(scope, async () => {
    for (const mentorship of await deps.mentorships.all(repo.id))
      await deps.mentorships.end(repo.id, mentorship.newcomer);
    for (const waiting of await deps.mentorships.waitlist(repo.id))
      await deps.mentorships.dequeue(repo.id, waiting.login);
    for (const login of result.welcomed) await deps.mentorships.markWelcomed(repo.id, login);
    for (const mentorship of result.mentorships) {
      await deps.mentorships.start(repo.id, { ...mentorship, commentKey: null, lastActivity: deps.now() });
    }
    for (const waiting of result.waitlist) {
      await deps.mentorships.enqueue(repo.id, waiting);
    }
    for (const entry of result.away) await deps.mentorships.setAway(repo.id, entry.mentor, entry.until, entry.since);
  });
}
