// Repositories Shepherd was taken off (uninstalled, or removed from an installation). Jobs still
// queued for one, parked by the pacer or waiting for a retry, would fail on GitHub's 404 and sit in
// the failed list for a week; they are dropped instead, decided from this marker and not from
// GitHub. Adding the repository back clears it.
import type { RedisClient } from "../redis.js";
import type { Keys } from "./keys.js";

/** Longer than any job waits or retries, and than the week failed jobs are kept. */
const GONE_TTL_SECONDS = 8 * 24 * 3600;

export interface RepoName {
  owner: string;
  repo: string;
}

export async function markGone(redis: RedisClient, keys: Keys, repos: RepoName[]): Promise<void> {
  // Single-key commands: on a cluster each key may live on another node.
  await Promise.all(repos.map(({ owner, repo }) => redis.set(keys.gone(owner, repo), "1", "EX", GONE_TTL_SECONDS)));
}

export async function clearGone(redis: RedisClient, keys: Keys, repos: RepoName[]): Promise<void> {
  await Promise.all(repos.map(({ owner, repo }) => redis.del(keys.gone(owner, repo))));
}

export async function isGone(redis: RedisClient, keys: Keys, { owner, repo }: RepoName): Promise<boolean> {
  return (await redis.exists(keys.gone(owner, repo))) === 1;
}
