// Who is a triager: triage, write, maintain or admin permission on the repository (asked of GitHub
// once and cached for a few minutes), or a user or team member listed in config.
import type { ProbotOctokit } from "probot";
import type { TriagersConfig } from "../config/schema.js";
import type { RedisClient } from "../redis.js";
import type { Keys } from "../state/keys.js";

const CACHE_SECONDS = 600;
const TRIAGE_ROLES = new Set(["triage", "write", "maintain", "admin"]);

export interface PermissionQuery {
  owner: string;
  repo: string;
  login: string;
  triagers: TriagersConfig;
}

export async function isTriager(
  octokit: ProbotOctokit,
  redis: RedisClient,
  keys: Keys,
  query: PermissionQuery,
): Promise<boolean> {
  const { owner, repo, login, triagers } = query;
  if (triagers.users.some((user) => user.toLowerCase() === login.toLowerCase())) return true;
  const role = await cached(redis, keys.permission(owner, repo, login), async () => {
    try {
      const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username: login });
      return data.role_name || data.permission;
    } catch (error) {
      if ((error as { status?: number }).status === 404) return "none";
      throw error;
    }
  });
  if (TRIAGE_ROLES.has(role)) return true;
  for (const team of triagers.teams) {
    const [org = "", slug = ""] = team.split("/");
    const member = await cached(redis, keys.teamMember(org, slug, login), async () => {
      try {
        const { data } = await octokit.rest.teams.getMembershipForUserInOrg({ org, team_slug: slug, username: login });
        return data.state === "active" ? "yes" : "no";
      } catch (error) {
        if ((error as { status?: number }).status === 404) return "no";
        throw error;
      }
    });
    if (member === "yes") return true;
  }
  return false;
}

async function cached(redis: RedisClient, key: string, load: () => Promise<string>): Promise<string> {
  const hit = await redis.get(key);
  if (hit !== null) return hit;
  const value = await load();
  await redis.set(key, value, "EX", CACHE_SECONDS);
  return value;
}
