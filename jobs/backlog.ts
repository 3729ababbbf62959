// Backlog triage on installation: the open issues and PRs a repo already has are listed 100 a
// page and triaged one by one as resumable steps, labels only, in the pacer's backlog class (after
// live work, leaving part of the hour to commands). When the budget is spent the job is parked and
// resumes where it was; items already triaged (by this task or by a live event) are skipped.
import { z } from "zod";
import { type BacklogProgress, expectedFinish } from "../src/domain/backlog.js";
import { itemFromRest } from "../src/domain/events.js";
import { triagePlan } from "../src/domain/triage.js";
import type { TaskJobData } from "../src/queues.js";
import { parseStored } from "../src/state/stored.js";
import { type Context, type JobDeps, repoTaskScope, scheduleSummaryFor, withItemLock } from "./context.js";
import { gatherTriage } from "./triage.js";

/** Progress is saved (and the summary refreshed, coalesced) every this many items. */
const SAVE_EVERY = 25;

const Progress = z.object({
  v: z.literal(1),
  total: z.number().int(),
  done: z.number().int(),
  startedAt: z.number(),
  updatedAt: z.number(),
  finishedAt: z.number().nullable(),
});

export async function loadBacklog(deps: JobDeps, repoId: number): Promise<BacklogProgress | null> {
  return parseStored(Progress, await deps.redis.get(deps.keys.backlog(repoId)));
}

async function saveBacklog(deps: JobDeps, repoId: number, progress: BacklogProgress): Promise<void> {
  await deps.redis.set(deps.keys.backlog(repoId), JSON.stringify(progress), "EX", 30 * 86_400);
}

export async function backlogRepoTask(ctx: Context, task: Extract<TaskJobData, { kind: "backlog-repo" }>) {
  const { deps, log } = ctx;
  const scope = await repoTaskScope(ctx, task, (config) => config.triage?.backlog === true);
  const triage = scope?.config.triage;
  if (!scope || !triage) return;
  const { octokit, repo } = scope;
  const listed = await octokit.paginate(octokit.rest.issues.listForRepo, {
    owner: repo.owner,
    repo: repo.repo,
    state: "open",
    per_page: 100,
  });
  const bot = deps.botLogin.toLowerCase();
  const items = listed.flatMap((raw) => {
    const item = itemFromRest(raw);
    if (!item || item.author.login.toLowerCase() === bot) return [];
    if ((item.kind === "issue" && !triage.issues) || (item.kind === "pr" && !triage.pullRequests)) return [];
    return [item];
  });
  const now = deps.now();
  const stored = await loadBacklog(deps, repo.id);
  const progress: BacklogProgress =
    stored && stored.finishedAt === null
      ? { ...stored, total: Math.max(stored.total, items.length) }
      : { v: 1, total: items.length, done: 0, startedAt: now, updatedAt: now, finishedAt: null };
  // Labels only: explanations for hundreds of old items would spend the budget on noise.
  const settings = { ...triage, explain: "none" as const };
  let done = 0;
  for (const item of items) {
    if ((await deps.items.load(repo.id, item.number)).triage === null) {
      await withItemLock(ctx, repo.id, item.number, () =>
        ctx.steps(repo).step(`item-${item.number}`, async () => {
          const { decision, labels, files } = await gatherTriage(ctx, repo, scope, item, "opened", settings);
          return triagePlan({ number: item.number, kind: item.kind, labels, decision, files });
        }),
      );
    }
    done += 1;
    if (done % SAVE_EVERY === 0 && done > progress.done) {
      await saveBacklog(deps, repo.id, { ...progress, done, updatedAt: deps.now() });
      const summary = scope.config.progress;
      if (summary) await scheduleSummaryFor(deps, task.installationId, repo, summary.coalesceSeconds);
    }
  }
  const finished = {
    ...progress,
    done: items.length,
    total: items.length,
    updatedAt: deps.now(),
    finishedAt: deps.now(),
  };
  await saveBacklog(deps, repo.id, finished);
  if (scope.config.progress) await scheduleSummaryFor(deps, task.installationId, repo, 0);
  log.info(
    { repo: `${repo.owner}/${repo.repo}`, items: items.length, finishedAt: expectedFinish(finished) },
    "backlog triaged",
  );
}
