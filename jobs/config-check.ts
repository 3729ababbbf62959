// The "Shepherd config" check run on a commit that changes `.github/shepherd.yml` (any branch, so
// a pull request from the repository shows it too; the org's `.github` repository the same way).
// Safe to run twice: the intent is recorded in Redis before the create, a finished check is never
// created again, and a run that may have reached GitHub looks for its check run before writing.
import { validateConfigText } from "../src/config/validate.js";
import { decideConfigCheck, pullRequestMayChangeConfig } from "../src/domain/config-check.js";
import type { ItemEvent, RepoRef } from "../src/domain/events.js";
import { CONFIG_PATH } from "../src/github/config.js";
import { ensureCheckRun } from "../src/github/ensure.js";
import { createGitHubPort } from "../src/github/port.js";
import { type Context, type HandlerContext, listPullFiles, withLock } from "./context.js";

const RECORD_TTL_SECONDS = 30 * 24 * 3600;

/** What Redis holds per commit, and as `latest` per repository (for replies to commands). */
export type ConfigCheckRecord =
  { state: "intent" } | { state: "posted"; sha: string; id: number; url: string; conclusion: "success" | "failure" };

export async function readConfigCheck(
  ctx: Pick<HandlerContext, "deps">,
  repoId: number,
  sha: string,
): Promise<ConfigCheckRecord | null> {
  const raw = await ctx.deps.redis.get(ctx.deps.keys.configCheck(repoId, sha));
  return raw === null ? null : (JSON.parse(raw) as ConfigCheckRecord);
}

/**
 * A pull request whose changes include the config gets the check on its head commit, also from a
 * fork (whose pushes never reach Shepherd). One file listing (shared with triage), and only when
 * the head moved; a head already checked after its push costs nothing more.
 */
export async function pullRequestConfigEvent(ctx: HandlerContext<ItemEvent>): Promise<void> {
  const { event } = ctx;
  if (!pullRequestMayChangeConfig(event) || event.headSha === null) return;
  if ((await readConfigCheck(ctx, event.repo.id, event.headSha))?.state === "posted") return;
  const files = await listPullFiles(ctx, event.repo, event.item.number);
  if (!files.some((file) => file.filename === CONFIG_PATH)) return;
  await checkConfig(ctx, event.repo, event.headSha);
}

export async function checkConfig(ctx: Context, repo: RepoRef, sha: string): Promise<void> {
  const { deps } = ctx;
  const where = { repo: `${repo.owner}/${repo.repo}`, sha };
  await withLock(ctx, deps.keys.lock(`config-check-${repo.id}-${sha}`), async () => {
    const recorded = await readConfigCheck(ctx, repo.id, sha);
    if (recorded?.state === "posted") {
      ctx.log.debug(where, "config check exists already");
      return;
    }
    const port = createGitHubPort(await ctx.octokit(), repo.owner, repo.repo);
    const text = await port.fileAt(CONFIG_PATH, sha);
    const problems = text === null ? null : validateConfigText(text).problems;
    const spec = decideConfigCheck({ headSha: sha, path: CONFIG_PATH, problems, now: deps.now() });
    const key = deps.keys.configCheck(repo.id, sha);
    await deps.redis.set(key, JSON.stringify({ state: "intent" }), "EX", RECORD_TTL_SECONDS);
    const run = await ensureCheckRun(port, spec, { maybeDone: recorded !== null });
    const posted: ConfigCheckRecord = { state: "posted", sha, id: run.id, url: run.url, conclusion: spec.conclusion };
    await deps.redis
      .multi()
      .set(key, JSON.stringify(posted), "EX", RECORD_TTL_SECONDS)
      .set(deps.keys.configCheck(repo.id, "latest"), JSON.stringify(posted), "EX", RECORD_TTL_SECONDS)
      .exec();
    ctx.log.info({ ...where, conclusion: spec.conclusion, errors: problems?.length ?? 0 }, "config check posted");
  });
}
