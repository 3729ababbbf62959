// The live progress summary: rendered from the projection (src/domain/summary.ts) onto the
// tracking issue, edited in place. Steady state: one API call, and none when nothing changed.
import { createHash } from "node:crypto";
import type { ProbotOctokit } from "probot";
import { z } from "zod";
import { renderMarker } from "../src/domain/markers.js";
import { renderSummary } from "../src/domain/summary.js";
import type { TaskJobData } from "../src/queues.js";
import { parseStored } from "../src/state/stored.js";
import { loadBacklog } from "./backlog.js";
import { type Context, type JobDeps, type RepoRef, repoTaskScope } from "./context.js";

const Tracking = z.object({
  issue: z.number().int(),
  /** Shepherd opened the issue, so the summary is its body; otherwise a bot comment on it. */
  ownBody: z.boolean(),
  hash: z.string().nullable(),
});
type Tracking = z.infer<typeof Tracking>;

export async function refreshSummaryTask(
  ctx: Context,
  task: Extract<TaskJobData, { kind: "refresh-summary" }>,
): Promise<void> {
  const { deps, log } = ctx;
  const scope = await repoTaskScope(ctx, task, (config) => config.progress !== null);
  const progress = scope?.config.progress;
  if (!scope || !progress) return;
  const { octokit, repo, config } = scope;
  const [items, mentorships] = await Promise.all([deps.projection.all(repo.id), deps.mentorships.all(repo.id)]);
  const summary = renderSummary({
    items,
    model: config.model,
    mentorships: mentorships.map(({ newcomer, mentor }) => ({ newcomer, mentor })),
    now: deps.now(),
    labels: { goodFirst: config.onboarding?.goodFirstLabels ?? ["good first issue"] },
    backlog: await loadBacklog(deps, repo.id),
  });
  const body = `${renderMarker("progress")}\n${summary}`;
  const hash = createHash("sha1").update(body).digest("hex");
  const steps = ctx.steps(repo);
  let tracking = await loadTracking(deps, repo.id);

  if (progress.issue !== undefined) {
    // A maintainer's own issue: the summary is a bot comment on it, edited in place.
    if (tracking?.issue === progress.issue && !tracking.ownBody && tracking.hash === hash) return;
    await steps.step("comment", () => [{ type: "comment", issue: progress.issue as number, key: "progress", body }]);
    await saveTracking(deps, repo.id, { issue: progress.issue, ownBody: false, hash });
    return;
  }
  if (!tracking?.ownBody) {
    const found = await steps.once("find", () => findTracking(octokit, deps, repo, progress.label));
    if (found === null) {
      // Opened with the summary in it: the first refresh costs a listing, the creation and the pin.
      const [created] = await steps.step("open", () => [
        { type: "create-issue", key: "progress", title: progress.title, body, labels: [progress.label] },
      ]);
      const opened = created as { issue: number; nodeId: string };
      await saveTracking(deps, repo.id, { issue: opened.issue, ownBody: true, hash });
      await steps.step("pin", () => [{ type: "pin-issue", issue: opened.issue, nodeId: opened.nodeId }]);
      log.info({ repo: `${repo.owner}/${repo.repo}`, issue: opened.issue }, "tracking issue opened");
      return;
    }
    tracking = { issue: found, ownBody: true, hash: null };
  }
  if (tracking.hash === hash) return;
  const issue = tracking.issue;
  await steps.step("update", () => [{ type: "update-issue-body", issue, body }]);
  await saveTracking(deps, repo.id, { ...tracking, hash });
  log.info({ repo: `${repo.owner}/${repo.repo}`, issue, items: items.length }, "summary refreshed");
}

/** The open issue Shepherd opened before (after a Redis loss), by its label and marker. */
async function findTracking(
  octokit: ProbotOctokit,
  deps: JobDeps,
  repo: RepoRef,
  label: string,
): Promise<number | null> {
  const existing = await octokit.rest.issues.listForRepo({
    owner: repo.owner,
    repo: repo.repo,
    labels: label,
    state: "open",
    per_page: 10,
  });
  const mine = existing.data.find(
    (issue) => issue.user?.login === deps.botLogin && issue.body?.includes("shepherd:progress"),
  );
  return mine?.number ?? null;
}

async function loadTracking(deps: JobDeps, repoId: number): Promise<Tracking | null> {
  return parseStored(Tracking, await deps.redis.get(deps.keys.tracking(repoId)));
}

async function saveTracking(deps: JobDeps, repoId: number, tracking: Tracking): Promise<void> {
  await deps.redis.set(deps.keys.tracking(repoId), JSON.stringify(tracking));
}
