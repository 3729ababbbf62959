// Small issue writes and reads shared by several jobs.
import type { Redis } from "ioredis";
import type { ProbotOctokit } from "probot";
import type { Milestone } from "../domain/triage.js";
import type { Keys } from "../state/keys.js";

/** Removes a label; a label already gone (404) means the goal is reached. */
export async function removeLabel(
  octokit: ProbotOctokit,
  params: { owner: string; repo: string; issue_number: number; name: string },
): Promise<void> {
  try {
    await octokit.rest.issues.removeLabel(params);
  } catch (error) {
    if ((error as { status?: number }).status !== 404) throw error;
  }
}

/** The repo's open milestones, cached; milestone webhooks clear the cache, the expiry covers a lost one. */
export async function openMilestones(
  octokit: ProbotOctokit,
  redis: Redis,
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
