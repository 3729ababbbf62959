// Rebuilds claims and triage ownership from GitHub when Redis has lost them (src/domain/rebuild.ts
// decides). Cost per repo: open issues / 100 + recent comments / 100 calls, plus config.
import type { Logger } from "probot";
import { COMMANDS } from "../src/domain/commands/index.js";
import { type RebuildResult, rebuildState } from "../src/domain/rebuild.js";
import type { TaskJobData } from "../src/queues.js";
import { type JobDeps, repoTaskScope } from "./context.js";
import { configuredMentors, type MentoringScope, mentoringScope, withMentorLock } from "./onboarding.js";

/** Claims older than this are not looked for; a claim idle that long is stale anyway. */
const COMMENT_WINDOW_MS = 180 * 24 * 3600 * 1000;

export async function rebuildRepoTask(
  task: Extract<TaskJobData, { kind: "rebuild-repo" }>,
  deps: JobDeps,
  log: Logger,
): Promise<void> {
  const { owner, repo } = task;
  const found = await repoTaskScope(deps, task, (config) =>
    Boolean(config.commands || config.triage || config.onboarding),
  );
  if (!found) return;
  const { octokit } = found;
  const scope = mentoringScope(deps, octokit, found.repo, found, log);
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
  const result = rebuildState({
    openIssues: issues
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
    comments: comments.map((comment) => ({
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
    const state = await deps.items.load(repoId, item.issue);
    if (state.commentId === null)
      await deps.items.save(repoId, item.issue, { commentId: item.commentId, owned: item.owned });
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
  const { deps, repo } = scope;
  await withMentorLock(scope, async () => {
    for (const mentorship of await deps.mentorships.all(repo.id))
      await deps.mentorships.end(repo.id, mentorship.newcomer);
    for (const waiting of await deps.mentorships.waitlist(repo.id))
      await deps.mentorships.dequeue(repo.id, waiting.login);
    for (const login of result.welcomed) await deps.mentorships.markWelcomed(repo.id, login);
    for (const mentorship of result.mentorships) {
      await deps.mentorships.start(repo.id, { ...mentorship, lastActivity: deps.now() });
    }
    for (const waiting of result.waitlist) {
      await deps.mentorships.enqueue(repo.id, waiting);
    }
    for (const entry of result.away) await deps.mentorships.setAway(repo.id, entry.mentor, entry.until, entry.since);
  });
}
