// What every job processor gets: its dependencies, an installation-authenticated Octokit (made on
// first use, so a job that needs no API call costs none), and helpers for items and config.
import type { Redis } from "ioredis";
import type { Logger, Probot, ProbotOctokit } from "probot";
import type { ResolvedConfig } from "../src/config/resolve.js";
import type { CompiledModel } from "../src/domain/classifier.js";
import type { ConfigStore, RepoConfig } from "../src/github/config.js";
import type { Queues } from "../src/queues.js";
import type { ClaimStore } from "../src/state/claims.js";
import type { ItemStore } from "../src/state/items.js";
import type { MentorshipStore } from "../src/state/mentorships.js";
import type { ProjectionStore } from "../src/state/projection.js";
import type { Keys } from "../src/state/keys.js";
import { acquireLock, releaseLock } from "../src/state/locks.js";

export interface JobDeps {
  probot: Probot;
  redis: Redis;
  keys: Keys;
  items: ItemStore;
  claims: ClaimStore;
  mentorships: MentorshipStore;
  projection: ProjectionStore;
  configs: ConfigStore;
  queues: Queues;
  /** `<slug>[bot]`: events caused by Shepherd itself are recognised by this login. */
  botLogin: string;
  log: Logger;
  now: () => number;
}

export interface RepoRef {
  id: number;
  owner: string;
  repo: string;
}

export interface EventJob {
  delivery: string;
  name: string;
  action: string | undefined;
  payload: Record<string, unknown>;
  installationId: number;
  log: Logger;
  octokit(): Promise<ProbotOctokit>;
  /** Labels an earlier handler of this same event left on an item, fresher than the payload's. */
  itemLabels: Map<number, string[]>;
}

/** Thrown when another job holds an item's lock: the worker puts this job back for a moment. */
export class ItemBusyError extends Error {
  override name = "ItemBusyError";
}

const ITEM_LOCK_MS = 60_000;

/** Runs `fn` while holding the item's lock; throws ItemBusyError when another job has it. */
export function withItemLock<T>(deps: JobDeps, repoId: number, number: number, fn: () => Promise<T>): Promise<T> {
  return withLock(deps, deps.keys.itemLock(repoId, number), fn);
}

/** Runs `fn` holding a Redis lock; throws ItemBusyError (the job is retried shortly) when it is taken. */
export async function withLock<T>(deps: JobDeps, key: string, fn: () => Promise<T>): Promise<T> {
  const token = await acquireLock(deps.redis, key, ITEM_LOCK_MS);
  if (!token) throw new ItemBusyError(`${key} is busy`);
  try {
    return await fn();
  } finally {
    await releaseLock(deps.redis, key, token);
  }
}

export function repoOf(payload: Record<string, unknown>): RepoRef | null {
  const repository = payload.repository as { id?: number; name?: string; owner?: { login?: string } } | undefined;
  if (!repository?.id || !repository.name || !repository.owner?.login) return null;
  return { id: repository.id, owner: repository.owner.login, repo: repository.name };
}

export function senderOf(payload: Record<string, unknown>): { login: string; type: string } | null {
  const sender = payload.sender as { login?: string; type?: string } | undefined;
  if (!sender?.login) return null;
  return { login: sender.login, type: sender.type ?? "User" };
}

/** Loads the repo's config and logs, once per event, why nothing happens when it is absent or bad. */
export async function loadConfig(event: EventJob, deps: JobDeps, repo: RepoRef): Promise<RepoConfig> {
  const octokit = await event.octokit();
  const config = await deps.configs.get(octokit, repo.owner, repo.repo);
  if (config.status === "invalid") {
    event.log.error({ repo: `${repo.owner}/${repo.repo}`, errors: config.errors }, "config invalid, nothing done");
  }
  return config;
}

export interface RepoTask {
  installationId: number;
  owner: string;
  repo: string;
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
  deps: JobDeps,
  task: RepoTask,
  wanted: (config: ResolvedConfig) => boolean,
): Promise<RepoTaskScope | null> {
  const octokit = await deps.probot.auth(task.installationId);
  const config = await deps.configs.get(octokit, task.owner, task.repo);
  if (config.status !== "ok" || !wanted(config.config)) return null;
  let id = await deps.projection.repoIdOf(task.owner, task.repo);
  if (id === null) {
    id = (await octokit.rest.repos.get({ owner: task.owner, repo: task.repo })).data.id;
    await deps.projection.rememberRepo(task.owner, task.repo, id);
  }
  return {
    octokit,
    config: config.config,
    compiled: config.compiled,
    repo: { id, owner: task.owner, repo: task.repo },
  };
}
