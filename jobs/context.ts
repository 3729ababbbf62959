// What every handler and task gets: its dependencies, the normalised event (or the task), an
// installation Octokit made on first use (a job that needs no API call costs none), resumable
// steps bound to this run and handler, and locks that wait (bounded) instead of replaying work.
import type { ProbotOctokit } from "probot";
import type { ResolvedConfig } from "../src/config/resolve.js";
import type { CompiledModel } from "../src/domain/classifier.js";
import type { ChangedFile } from "../src/domain/model.js";
import type { RepoRef, ShepherdEvent } from "../src/domain/events.js";
import type { GitHubClients } from "../src/github/client.js";
import type { ConfigStore, RepoConfig } from "../src/github/config.js";
import { createGitHubPort } from "../src/github/port.js";
import type { Logger } from "../src/log.js";
import type { Queues } from "../src/queues.js";
import type { RedisClient } from "../src/redis.js";
import { applyAction } from "../src/run/interpreter.js";
import { createSteps, type Steps } from "../src/run/steps.js";
import type { ClaimStore } from "../src/state/claims.js";
import type { CommentLedger } from "../src/state/comments.js";
import type { ItemStore } from "../src/state/items.js";
import { acquireLock, releaseLock, renewLock } from "../src/state/locks.js";
import type { MentorshipStore } from "../src/state/mentorships.js";
import type { ProjectionStore } from "../src/state/projection.js";
import type { Keys } from "../src/state/keys.js";
import type { RunLedger } from "../src/state/runs.js";

export type { RepoRef };

export interface JobDeps {
  clients: GitHubClients;
  redis: RedisClient;
  keys: Keys;
  items: ItemStore;
  claims: ClaimStore;
  mentorships: MentorshipStore;
  projection: ProjectionStore;
  configs: ConfigStore;
  comments: CommentLedger;
  runs: RunLedger;
  queues: Queues;
  /** `<slug>[bot]`: events caused by Shepherd itself are recognised by this login. */
  botLogin: string;
  log: Logger;
  now: () => number;
  /** How long a job waits for a busy item before it is put back for a moment. */
  lockWaitMs: number;
}

/** One job's run: a delivery (its id) or a task (its job id). */
export interface RunScope {
  id: string;
  installationId: number;
  log: Logger;
  octokit(): Promise<ProbotOctokit>;
  /** Locks this run holds, so a nested take of the same lock does not release it early. */
  held: Set<string>;
  /** PR file listings made in this run, by `repoId:number`: two handlers of one event list once. */
  pullFiles: Map<string, Promise<ChangedFile[]>>;
}

export interface Context {
  deps: JobDeps;
  run: RunScope;
  /** The handler or task name: the part of the run its steps belong to. */
  handler: string;
  log: Logger;
  octokit(): Promise<ProbotOctokit>;
  steps(repo: RepoRef): Steps;
}

export interface HandlerContext<E extends ShepherdEvent = ShepherdEvent> extends Context {
  event: E;
}

/** Thrown when an item stays locked past the wait: the worker puts the job back for a moment. */
export class ItemBusyError extends Error {
  override name = "ItemBusyError";
}

const LOCK_TTL_MS = 15_000;

export function createRunScope(deps: JobDeps, id: string, installationId: number, log: Logger): RunScope {
  let octokit: Promise<ProbotOctokit> | null = null;
  return {
    id,
    installationId,
    log,
    held: new Set(),
    pullFiles: new Map(),
    octokit() {
      octokit ??= deps.clients.installation(installationId).catch((error: unknown) => {
        octokit = null;
        throw error;
      });
      return octokit;
    },
  };
}

export function createContext(deps: JobDeps, run: RunScope, handler: string): Context {
  return {
    deps,
    run,
    handler,
    log: run.log,
    octokit: () => run.octokit(),
    steps(repo) {
      return createSteps({
        ledger: deps.runs,
        run: run.id,
        handler,
        apply: (action, maybeDone) =>
          applyAction(
            {
              repo,
              self: deps.botLogin,
              github: async () => createGitHubPort(await run.octokit(), repo.owner, repo.repo),
              comments: deps.comments,
              items: deps.items,
              claims: deps.claims,
              mentorships: deps.mentorships,
              projection: deps.projection,
              scheduleSummary: (delaySeconds) => scheduleSummaryFor(deps, run.installationId, repo, delaySeconds),
            },
            action,
            maybeDone,
          ),
      });
    },
  };
}

/** Runs `fn` holding the item's lock, waiting (bounded) while another job has it. */
export function withItemLock<T>(ctx: Context, repoId: number, number: number, fn: () => Promise<T>): Promise<T> {
  return withLock(ctx, ctx.deps.keys.itemLock(repoId, number), fn);
}

export async function withLock<T>(ctx: Context, key: string, fn: () => Promise<T>): Promise<T> {
  const { deps, run } = ctx;
  if (run.held.has(key)) return fn();
  const deadline = Date.now() + deps.lockWaitMs;
  let delay = 20;
  while (!(await acquireLock(deps.redis, key, run.id, LOCK_TTL_MS))) {
    if (Date.now() >= deadline) throw new ItemBusyError(`${key} is busy`);
    await new Promise((resolve) => setTimeout(resolve, delay + Math.random() * delay));
    delay = Math.min(delay * 2, 500);
  }
  run.held.add(key);
  const renewal = setInterval(() => {
    renewLock(deps.redis, key, run.id, LOCK_TTL_MS).catch(() => {});
  }, LOCK_TTL_MS / 3);
  try {
    return await fn();
  } finally {
    clearInterval(renewal);
    run.held.delete(key);
    await releaseLock(deps.redis, key, run.id).catch(() => {});
  }
}

/** Loads the repo's config and logs, once per event, why nothing happens when it is bad. */
export async function loadConfig(ctx: Context, repo: RepoRef): Promise<RepoConfig> {
  const config = await ctx.deps.configs.get(await ctx.octokit(), repo.owner, repo.repo);
  if (config.status === "invalid") {
    ctx.log.error({ repo: `${repo.owner}/${repo.repo}`, errors: config.errors }, "config invalid, nothing done");
  }
  return config;
}

export interface RepoTask {
  installationId: number;
  owner: string;
  repo: string;
  /** Known when the task was fanned out from a listing or a webhook. */
  repoId?: number;
}

/** The repo's id: from the task, else remembered, else asked of GitHub once. */
export async function repoIdOf(ctx: Context, task: RepoTask): Promise<number> {
  const { deps } = ctx;
  if (task.repoId !== undefined) {
    await deps.projection.rememberRepo(task.owner, task.repo, task.repoId);
    return task.repoId;
  }
  const known = await deps.projection.repoIdOf(task.owner, task.repo);
  if (known !== null) return known;
  const octokit = await ctx.octokit();
  const id = (await octokit.rest.repos.get({ owner: task.owner, repo: task.repo })).data.id;
  await deps.projection.rememberRepo(task.owner, task.repo, id);
  return id;
}

export interface RepoTaskScope {
  octokit: ProbotOctokit;
  config: ResolvedConfig;
  compiled: CompiledModel;
  repo: RepoRef;
}

/**
 * The common start of a per-repository task: an installation Octokit, the repo's config when
 * `wanted` says the task has work to do, and the repo id (remembered, so usually no call).
 */
export async function repoTaskScope(
  ctx: Context,
  task: RepoTask,
  wanted: (config: ResolvedConfig) => boolean,
): Promise<RepoTaskScope | null> {
  const { deps } = ctx;
  const octokit = await ctx.octokit();
  const config = await deps.configs.get(octokit, task.owner, task.repo);
  if (config.status !== "ok" || !wanted(config.config)) return null;
  const id = await repoIdOf(ctx, task);
  return {
    octokit,
    config: config.config,
    compiled: config.compiled,
    repo: { id, owner: task.owner, repo: task.repo },
  };
}

/**
 * A summary refresh for the repo. `delaySeconds` > 0 coalesces: one delayed refresh per repo at a
 * time, so a burst of events yields one edit, not one per event. 0 refreshes now.
 */
export async function scheduleSummaryFor(
  deps: JobDeps,
  installationId: number,
  repo: RepoRef,
  delaySeconds: number,
): Promise<void> {
  const data = { kind: "refresh-summary" as const, installationId, owner: repo.owner, repo: repo.repo };
  await deps.queues.tasks.add(
    "refresh-summary",
    data,
    delaySeconds <= 0
      ? { jobId: `summary-${repo.id}-now-${deps.now()}` }
      : {
          delay: delaySeconds * 1000,
          // Coalesced while it waits; an event during a refresh (which may have read the projection
          // already) queues one more refresh after it, instead of being dropped with the running one.
          deduplication: { id: `summary-${repo.id}`, keepLastIfActive: true },
          jobId: `summary-${repo.id}-${deps.now()}`,
        },
  );
}

/** A PR's changed files, listed once per run however many handlers ask (at most GitHub's 3,000). */
export function listPullFiles(ctx: Context, repo: RepoRef, number: number): Promise<ChangedFile[]> {
  const key = `${repo.id}:${number}`;
  const known = ctx.run.pullFiles.get(key);
  if (known) return known;
  const listed = (async () => {
    const octokit = await ctx.octokit();
    // 100 per page is the cheapest way through a long list.
    const files = await octokit.paginate(octokit.rest.pulls.listFiles, {
      owner: repo.owner,
      repo: repo.repo,
      pull_number: number,
      per_page: 100,
    });
    return files.map((file) => {
      const changed: ChangedFile = { filename: file.filename, additions: file.additions, deletions: file.deletions };
      if (file.patch) changed.patch = file.patch;
      return changed;
    });
  })();
  // A failed listing is not remembered: a retry of the step asks again.
  listed.catch(() => ctx.run.pullFiles.delete(key));
  ctx.run.pullFiles.set(key, listed);
  return listed;
}
