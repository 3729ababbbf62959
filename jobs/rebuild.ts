// Rebuilds claims and triage ownership from GitHub when Redis has lost them (src/domain/rebuild.ts
// decides). Cost per repo: open issues / 100 + recent comments / 100 calls, plus config.
import type { Logger } from "probot";
import { COMMANDS } from "../src/domain/commands/index.js";
import { rebuildState } from "../src/domain/rebuild.js";
import type { TaskJobData } from "../src/queues.js";
import type { JobDeps } from "./context.js";

/** Claims older than this are not looked for; a claim idle that long is stale anyway. */
const COMMENT_WINDOW_MS = 180 * 24 * 3600 * 1000;

/** Every installation, every repository: one rebuild task each. */
export async function rebuildAllTask(deps: JobDeps, log: Logger): Promise<void> {
  const app = await deps.probot.auth();
  const installations = await app.paginate(app.rest.apps.listInstallations, { per_page: 100 });
  let repos = 0;
  for (const installation of installations) {
    const octokit = await deps.probot.auth(installation.id);
    const repositories = await octokit.paginate(octokit.rest.apps.listReposAccessibleToInstallation, { per_page: 100 });
    const jobs = repositories.map((repository) => ({
      name: "rebuild-repo",
      data: {
        kind: "rebuild-repo",
        installationId: installation.id,
        owner: repository.owner.login,
        repo: repository.name,
      } satisfies TaskJobData,
      opts: { jobId: `rebuild-repo-${repository.id}-${Date.now()}` },
    }));
    if (jobs.length > 0) await deps.queues.tasks.addBulk(jobs);
    repos += jobs.length;
  }
  log.info({ installations: installations.length, repos }, "rebuild fanned out");
}

export async function rebuildRepoTask(
  task: Extract<TaskJobData, { kind: "rebuild-repo" }>,
  deps: JobDeps,
  log: Logger,
): Promise<void> {
  const { owner, repo } = task;
  const octokit = await deps.probot.auth(task.installationId);
  const config = await deps.configs.get(octokit, owner, repo);
  if (config.status !== "ok" || (!config.config.commands && !config.config.triage)) return;
  const { data: repository } = await octokit.rest.repos.get({ owner, repo });
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
      .map((issue) => ({ number: issue.number, title: issue.title, body: issue.body ?? "" })),
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

  const repoId = repository.id;
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
  log.info(
    {
      repo: `${owner}/${repo}`,
      claims: result.claims.length,
      links: result.links.length,
      triage: result.triage.length,
    },
    "state rebuilt from GitHub",
  );
}
