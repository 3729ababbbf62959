// Reads about a repo's issues that several jobs share.
import type { ProbotOctokit } from "probot";
import type { Milestone } from "../domain/triage.js";
import type { RedisClient } from "../redis.js";
import type { Keys } from "../state/keys.js";

/** The repo's open milestones, cached; milestone webhooks clear the cache, the expiry covers a lost one. */
export async function openMilestones(
  octokit: ProbotOctokit,
  redis: RedisClient,
  keys: Keys,
  repo: { id: number; owner: string; repo: string },
): Promise<Milestone[]> {
  const key = keys.milestones(repo.id);
  const cached = await redis.get(key);
  if (cached) return JSON.parse(cached) as Milestone[];
  const list = await octokit.paginate(octokit.rest.issues.listMilestones, {
    owner: repo.owner,
    repo: repo.repo,
    state: "open",
    per_page: 100,
  });
  const milestones = list.map((milestone) => ({ number: milestone.number, title: milestone.title }));
  await redis.set(key, JSON.stringify(milestones), "EX", 24 * 3600);
  return milestones;
}
