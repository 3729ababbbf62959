// Builds a repository's code index (src/domain/code-index.ts) from one tarball of its default
// branch: 1 API call, then the archive streamed through the builder. Skipped when the commit, the
// subsystem globs and the format are those of the stored index; an index over the size budget is
// not kept, and triage then works from the configured cues alone.
import { indexBuilderFor } from "../src/cli/index-file.js";
import type { CompiledModel } from "../src/domain/classifier.js";
import { type CodeEvidence, codeEvidence, INDEX_VERSION, lookupNames } from "../src/domain/code-index.js";
import { downloadTarball, indexArchive } from "../src/github/tarball.js";
import type { TaskJobData } from "../src/queues.js";
import { createCodeIndexStore } from "../src/state/code-index.js";
import { type Context, loadConfig, repoIdOf } from "./context.js";

/** Redis bytes one repository's index may take. */
export const INDEX_BUDGET_BYTES = 20 * 1024 * 1024;
const DOWNLOAD_TIMEOUT_MS = 120_000;

export async function codeIndexTask(ctx: Context, task: Extract<TaskJobData, { kind: "code-index" }>): Promise<void> {
  const { deps, log } = ctx;
  const { owner, repo } = task;
  const repoId = await repoIdOf(ctx, task);
  const ref = { id: repoId, owner, repo };
  const config = await loadConfig(ctx, ref);
  if (config.status !== "ok" || !config.config.triage) return;
  const store = createCodeIndexStore(deps.redis, deps.keys);
  const stored = await store.meta(repoId);
  const sameCommit = task.sha !== undefined && stored !== null && task.sha.startsWith(stored.sha);
  if (sameCommit && stored.globs === config.compiled.globs && stored.version === INDEX_VERSION) {
    log.info({ repo: `${owner}/${repo}`, sha: stored.sha }, "code index current, not rebuilt");
    return;
  }
  const octokit = await ctx.octokit();
  let archive;
  try {
    archive = await downloadTarball(octokit, owner, repo, task.sha ?? "HEAD", { timeoutMs: DOWNLOAD_TIMEOUT_MS });
  } catch (error) {
    // An empty repository has no archive: nothing to index, and nothing a retry would change.
    if ((error as { status?: number }).status !== 404) throw error;
    log.info({ repo: `${owner}/${repo}` }, "no archive to index");
    return;
  }
  const index = await indexArchive(archive, indexBuilderFor(config.compiled));
  const meta = await store.save(repoId, index, deps.now(), INDEX_BUDGET_BYTES);
  if (meta === null) {
    log.warn({ repo: `${owner}/${repo}`, names: index.meta.names }, "code index over budget, not kept");
    return;
  }
  log.info({ repo: `${owner}/${repo}`, sha: meta.sha, names: meta.names, bytes: meta.bytes }, "code index built");
}

/**
 * What the classifier needs of a repo's index for these texts: the entries of the names they
 * mention (one HMGET) and the repo's twin habit; undefined without a current index.
 */
export async function codeEvidenceFor(
  deps: Context["deps"],
  repoId: number,
  compiled: CompiledModel,
  texts: string[],
): Promise<CodeEvidence | undefined> {
  const store = createCodeIndexStore(deps.redis, deps.keys);
  const meta = await store.meta(repoId);
  if (meta === null || meta.globs !== compiled.globs) return undefined;
  return codeEvidence({ meta, names: await store.lookup(repoId, lookupNames(texts)) }, compiled.asyncTwins);
}
