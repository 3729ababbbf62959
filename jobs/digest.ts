// The weekly digest: exactly one post per repo per week. An hourly tick fans out to the repos;
// each checks its own cron and time zone, so a worker that was down at 09:00 posts at 10:00.
// Idempotent across retries and crashes: Redis remembers the week, and before posting Shepherd
// looks on GitHub for a post carrying that week's marker.
import { CronExpressionParser } from "cron-parser";
import type { ProbotOctokit } from "probot";
import type { ResolvedConfig } from "../src/config/resolve.js";
import type { DigestConfig } from "../src/config/schema.js";
import { composeDigest, type DigestPreview } from "../src/domain/digest.js";
import { parseMarker } from "../src/domain/markers.js";
import { isoWeek, snapshot, weekBounds } from "../src/domain/projection.js";
import type { TaskJobData } from "../src/queues.js";
import type { Steps } from "../src/run/steps.js";
import { type Context, type JobDeps, type RepoRef, repoTaskScope } from "./context.js";

const DAY_MS = 86_400_000;
/** Remembered long after the week, so a late retry never posts twice. */
const POSTED_TTL_SECONDS = 60 * 24 * 3600;

const DISCUSSIONS_QUERY = `query ($owner: String!, $name: String!) {
  repository(owner: $owner, name: $name) {
    id
    hasDiscussionsEnabled
    discussionCategories(first: 50) { nodes { id name slug } }
    discussions(first: 20, orderBy: { field: CREATED_AT, direction: DESC }) { nodes { body url } }
  }
}`;

interface DiscussionsInfo {
  repository: {
    id: string;
    hasDiscussionsEnabled: boolean;
    discussionCategories: { nodes: Array<{ id: string; name: string; slug: string }> };
    discussions: { nodes: Array<{ body: string; url: string }> };
  } | null;
}

export async function digestRepoTask(ctx: Context, task: Extract<TaskJobData, { kind: "digest-repo" }>): Promise<void> {
  const { deps, log } = ctx;
  const scope = await repoTaskScope(ctx, task, (config) => config.digest !== null);
  if (!scope?.config.digest) return;
  const { octokit, repo, config } = scope;
  const digest = scope.config.digest;
  const now = deps.now();
  const due = lastFire(digest, now);
  if (!task.force && (due === null || now - due > 7 * DAY_MS)) return;
  const week = isoWeek(task.force ? now : (due ?? now), digest.timeZone);
  const postedKey = deps.keys.digest(repo.id, week);
  if (await deps.redis.exists(postedKey)) return;

  const steps = ctx.steps(repo);
  // Decided once per run: a retry posts the digest it built, and takes no second snapshot.
  const preview = await steps.once("preview", () => buildDigest(deps, repo, config, week, now));
  const url = await postOnce(octokit, deps, steps, repo, digest, preview);
  await deps.redis.set(postedKey, url, "EX", POSTED_TTL_SECONDS);
  log.info({ repo: `${repo.owner}/${repo.repo}`, week, url }, "digest posted");
}

/** The digest of a week from the projection; also takes that week's snapshot for the trend. */
export async function buildDigest(
  deps: Pick<JobDeps, "projection">,
  repo: RepoRef,
  config: ResolvedConfig,
  week: string,
  now: number,
  options: { saveSnapshot?: boolean } = { saveSnapshot: true },
): Promise<DigestPreview> {
  const timeZone = config.digest?.timeZone ?? "UTC";
  const { start, end } = weekBounds(week, timeZone);
  const [items, snapshots, welcomes] = await Promise.all([
    deps.projection.all(repo.id),
    deps.projection.snapshots(repo.id),
    deps.projection.welcomesBetween(repo.id, start, end),
  ]);
  if (options.saveSnapshot !== false) await deps.projection.saveSnapshot(repo.id, snapshot(items, week, now));
  return composeDigest(
    { items, snapshots, welcomes },
    {
      repo: `${repo.owner}/${repo.repo}`,
      week,
      timeZone,
      remindAfterDays: config.staleClaims?.remindAfterDays ?? 14,
      model: config.model,
      now,
    },
  );
}

/** Posts unless GitHub already has this week's digest (a crash after posting, a second run). */
async function postOnce(
  octokit: ProbotOctokit,
  deps: JobDeps,
  steps: Steps,
  repo: RepoRef,
  config: DigestConfig,
  preview: DigestPreview,
): Promise<string> {
  const isThisWeek = (body: string | null | undefined) => parseMarker(body)?.data.week === preview.week;
  const key = `digest:${preview.week}`;
  const params = { owner: repo.owner, repo: repo.repo };
  if (config.discussionCategory) {
    const info = await octokit.graphql<DiscussionsInfo>(DISCUSSIONS_QUERY, { owner: repo.owner, name: repo.repo });
    const repository = info.repository;
    const posted = repository?.discussions.nodes.find((node) => isThisWeek(node.body));
    if (posted) return posted.url;
    const wanted = config.discussionCategory.toLowerCase();
    const category = repository?.discussionCategories.nodes.find(
      (node) => node.name.toLowerCase() === wanted || node.slug === wanted,
    );
    if (repository?.hasDiscussionsEnabled && category) {
      const [created] = await steps.step("discussion", () => [
        {
          type: "create-discussion",
          key,
          repositoryId: repository.id,
          categoryId: category.id,
          title: preview.title,
          body: preview.body,
        },
      ]);
      return (created as { url: string }).url;
    }
    deps.log.warn(
      { repo: `${repo.owner}/${repo.repo}` },
      "discussions off or category missing, digest posted as an issue",
    );
  }
  const recent = await octokit.rest.issues.listForRepo({ ...params, labels: config.label, state: "all", per_page: 10 });
  const posted = recent.data.find((issue) => isThisWeek(issue.body));
  if (posted) return posted.html_url;
  const [created] = await steps.step("issue", () => [
    { type: "create-issue", key, title: preview.title, body: preview.body, labels: [config.label] },
  ]);
  return (created as { url: string }).url;
}

/** The most recent time the repo's cron fired, in its time zone; null for a cron that never fires. */
export function lastFire(config: DigestConfig, now: number): number | null {
  try {
    return CronExpressionParser.parse(config.cron, { currentDate: new Date(now), tz: config.timeZone })
      .prev()
      .getTime();
  } catch {
    return null;
  }
}
