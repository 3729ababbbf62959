// Rebuilds the projection from GitHub and repairs drift (a lost webhook, a Redis restore). Cost:
// tracked issues / 100 list calls; when nothing changed, one conditional request that GitHub
// answers 304 and does not count against the rate limit.
import type { Logger, ProbotOctokit } from "probot";
import type { ResolvedConfig } from "../src/config/resolve.js";
import type { TrackedItem } from "../src/domain/projection.js";
import { isShepherdIssue, nextTrackedItem, sameItem } from "../src/domain/track.js";
import type { TaskJobData } from "../src/queues.js";
import { type Context, type JobDeps, type RepoRef, repoTaskScope, scheduleSummaryFor } from "./context.js";
import { gatherFacts, type ItemView } from "./projection.js";

export interface ReconcileReport {
  calls: number;
  items: number;
  added: number;
  changed: number;
  removed: number;
  /** GitHub answered 304: nothing moved since the last reconcile. */
  unchanged: boolean;
}

export async function reconcileRepoTask(
  ctx: Context,
  task: Extract<TaskJobData, { kind: "reconcile-repo" }>,
): Promise<ReconcileReport | null> {
  const { deps, log } = ctx;
  const scope = await repoTaskScope(
    ctx,
    task,
    (config) => config.triage !== null && (config.progress !== null || config.digest !== null),
  );
  if (!scope) return null;
  const { octokit, repo, config } = scope;
  const report = await reconcile(octokit, deps, repo, config);
  if (report.added + report.changed + report.removed > 0) {
    if (config.progress) await scheduleSummaryFor(deps, task.installationId, repo, 0);
  }
  log.info({ repo: `${repo.owner}/${repo.repo}`, ...report }, "projection reconciled");
  return report;
}

export async function reconcile(
  octokit: ProbotOctokit,
  deps: JobDeps,
  repo: RepoRef,
  config: ResolvedConfig,
): Promise<ReconcileReport> {
  const asyncLabel = config.triage?.labels.async ?? "async";
  const etagKey = deps.keys.conditional(`${repo.id}:issues:${asyncLabel}`);
  const route = "GET /repos/{owner}/{repo}/issues" as const;
  // Most recently updated first: any change anywhere shows on page one, so one 304 means none.
  const params = {
    owner: repo.owner,
    repo: repo.repo,
    labels: asyncLabel,
    state: "all" as const,
    sort: "updated" as const,
    direction: "desc" as const,
    per_page: 100,
  };
  const etag = await deps.redis.get(etagKey);
  let calls = 0;
  let first;
  try {
    calls += 1;
    first = await octokit.request(route, { ...params, headers: etag ? { "if-none-match": etag } : {} });
  } catch (error) {
    if ((error as { status?: number }).status === 304) {
      return { calls, items: -1, added: 0, changed: 0, removed: 0, unchanged: true };
    }
    throw error;
  }
  const issues = [...first.data];
  let next = nextLink(first.headers.link);
  for (let page = 2; next; page += 1) {
    calls += 1;
    const response = await octokit.request(route, { ...params, page });
    issues.push(...response.data);
    next = nextLink(response.headers.link);
  }

  const previous = new Map((await deps.projection.all(repo.id)).map((item) => [item.number, item]));
  const seen = new Set<number>();
  const updated: TrackedItem[] = [];
  let added = 0;
  let changed = 0;
  let removed = 0;
  const own = { botLogin: deps.botLogin, trackingIssue: config.progress?.issue };
  for (const issue of issues) {
    // Shepherd's own issues are never tracked, even labelled by hand: left unseen, they are removed below.
    if (isShepherdIssue({ number: issue.number, author: issue.user?.login ?? null, body: issue.body ?? null }, own))
      continue;
    seen.add(issue.number);
    const before = previous.get(issue.number) ?? null;
    const stored = await deps.items.load(repo.id, issue.number);
    const view = restView(issue);
    const facts = await gatherFacts(deps, repo, config, {
      number: issue.number,
      kind: issue.pull_request ? "pr" : "issue",
      labels: view.labels,
      view,
      previous: before,
      triage: stored.triage,
    });
    const after = nextTrackedItem(before, facts, deps.now());
    if (after === null) {
      if (before) {
        await deps.projection.remove(repo.id, issue.number);
        removed += 1;
      }
      continue;
    }
    if (sameItem(before, after)) continue;
    if (before) changed += 1;
    else added += 1;
    updated.push(after);
  }
  await deps.projection.putMany(repo.id, updated);
  // Items that lost the async label (a person removed it), and Shepherd's own, are no longer tracked.
  for (const number of previous.keys()) {
    if (seen.has(number)) continue;
    await deps.projection.remove(repo.id, number);
    removed += 1;
  }
  const newEtag = first.headers.etag;
  if (newEtag) await deps.redis.set(etagKey, newEtag, "EX", 30 * 24 * 3600);
  return { calls, items: issues.length, added, changed, removed, unchanged: false };
}

function nextLink(link: string | undefined): boolean {
  return link !== undefined && /rel="next"/.test(link);
}

interface RestIssue {
  title: string;
  body?: string | null;
  state: string;
  state_reason?: string | null;
  created_at: string;
  user: { login: string } | null;
  labels: Array<string | { name?: string }>;
  pull_request?: { merged_at?: string | null };
}

/** The projection's view of an issue as GitHub lists it. */
export function restView(issue: RestIssue): ItemView {
  return {
    title: issue.title,
    body: issue.body ?? "",
    state: issue.state === "closed" ? "closed" : "open",
    stateReason: issue.state_reason ?? null,
    merged: Boolean(issue.pull_request?.merged_at),
    createdAt: Date.parse(issue.created_at),
    author: issue.user?.login ?? null,
    labels: issue.labels.map((label) => (typeof label === "string" ? label : (label.name ?? ""))).filter(Boolean),
  };
}
