// The live progress summary: rendered from the projection (src/domain/summary.ts) onto the
// tracking issue, edited in place. Steady state: one API call, and none when nothing changed.
import { createHash } from "node:crypto";
import type { Logger, ProbotOctokit } from "probot";
import type { ProgressConfig } from "../src/config/schema.js";
import { renderMarker } from "../src/domain/markers.js";
import { renderSummary } from "../src/domain/summary.js";
import { ensureComment } from "../src/github/comments.js";
import type { TaskJobData } from "../src/queues.js";
import { type JobDeps, type RepoRef, repoTaskScope } from "./context.js";

interface Tracking {
  issue: number;
  /** Shepherd opened the issue, so the summary is its body; otherwise a bot comment on it. */
  ownBody: boolean;
  commentId: number | null;
  hash: string | null;
}

export async function refreshSummaryTask(
  task: Extract<TaskJobData, { kind: "refresh-summary" }>,
  deps: JobDeps,
  log: Logger,
): Promise<void> {
  const scope = await repoTaskScope(deps, task, (config) => config.progress !== null);
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
  });
  const body = `${renderMarker("progress")}\n${summary}`;
  const hash = createHash("sha1").update(body).digest("hex");
  const tracking = await trackingIssue(octokit, deps, repo, progress, body);
  if (tracking.hash === hash) return;
  const params = { owner: repo.owner, repo: repo.repo };
  if (tracking.ownBody) {
    await octokit.rest.issues.update({ ...params, issue_number: tracking.issue, body });
  } else {
    const comment = await ensureComment(octokit, {
      ...params,
      issueNumber: tracking.issue,
      kind: "progress",
      body,
      knownId: tracking.commentId,
      mayExist: tracking.commentId === null,
    });
    tracking.commentId = comment.id;
  }
  await saveTracking(deps, repo.id, { ...tracking, hash });
  log.info({ repo: `${repo.owner}/${repo.repo}`, issue: tracking.issue, items: items.length }, "summary refreshed");
}

/** The configured issue, the one Shepherd opened before (found by label after a Redis loss), or a new pinned one. */
async function trackingIssue(
  octokit: ProbotOctokit,
  deps: JobDeps,
  repo: RepoRef,
  config: ProgressConfig,
  body: string,
): Promise<Tracking> {
  const raw = await deps.redis.get(deps.keys.tracking(repo.id));
  const known = raw ? (JSON.parse(raw) as Tracking) : null;
  if (config.issue !== undefined) {
    if (known?.issue === config.issue && !known.ownBody) return known;
    return { issue: config.issue, ownBody: false, commentId: null, hash: null };
  }
  if (known?.ownBody) return known;
  const params = { owner: repo.owner, repo: repo.repo };
  const existing = await octokit.rest.issues.listForRepo({
    ...params,
    labels: config.label,
    state: "open",
    per_page: 10,
  });
  const mine = existing.data.find(
    (issue) => issue.user?.login === deps.botLogin && issue.body?.includes("shepherd:progress"),
  );
  if (mine) return { issue: mine.number, ownBody: true, commentId: null, hash: null };
  // Opened with the summary in it: the first refresh costs a listing, the creation and the pin.
  const { data: created } = await octokit.rest.issues.create({
    ...params,
    title: config.title,
    labels: [config.label],
    body,
  });
  const hash = createHash("sha1").update(body).digest("hex");
  const tracking: Tracking = { issue: created.number, ownBody: true, commentId: null, hash };
  await saveTracking(deps, repo.id, tracking);
  try {
    await octokit.graphql(`mutation ($issueId: ID!) { pinIssue(input: { issueId: $issueId }) { issue { number } } }`, {
      issueId: created.node_id,
    });
  } catch (error) {
    // GitHub pins at most three issues per repository: the summary works unpinned too.
    deps.log.warn({ repo: `${repo.owner}/${repo.repo}`, err: (error as Error).message }, "tracking issue not pinned");
  }
  return tracking;
}

async function saveTracking(deps: JobDeps, repoId: number, tracking: Tracking): Promise<void> {
  await deps.redis.set(deps.keys.tracking(repoId), JSON.stringify(tracking));
}
