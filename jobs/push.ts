// A push to a default branch that touches `.github/shepherd.yml` changes config: forget the cached
// copies (the owner's, since other repos may `_extends` this one) and re-sync labels.
import { CONFIG_PATH } from "../src/github/config.js";
import { type EventJob, type JobDeps, repoOf } from "./context.js";
import { enqueueRepoSetup } from "./installation.js";

interface PushPayload {
  ref?: string;
  repository?: { id: number; name: string; full_name: string; default_branch?: string };
  commits?: Array<{ added?: string[]; modified?: string[]; removed?: string[] }>;
  head_commit?: { added?: string[]; modified?: string[]; removed?: string[] } | null;
}

export function touchesConfig(payload: PushPayload): boolean {
  const branch = payload.repository?.default_branch;
  if (!branch || payload.ref !== `refs/heads/${branch}`) return false;
  const commits = [...(payload.commits ?? []), ...(payload.head_commit ? [payload.head_commit] : [])];
  return commits.some((commit) =>
    [...(commit.added ?? []), ...(commit.modified ?? []), ...(commit.removed ?? [])].includes(CONFIG_PATH),
  );
}

export async function pushEvent(event: EventJob, deps: JobDeps): Promise<void> {
  const payload = event.payload as PushPayload;
  const repo = repoOf(event.payload);
  if (!repo || !payload.repository || !touchesConfig(payload)) return;
  await deps.configs.invalidateOwner(repo.owner);
  event.log.info({ repo: `${repo.owner}/${repo.repo}` }, "config changed, cache cleared");
  if (repo.repo !== ".github") {
    await enqueueRepoSetup(deps, event.installationId, [payload.repository], event.delivery);
    return;
  }
  // The org-wide file changed: every repo of the installation may inherit it.
  const octokit = await event.octokit();
  const repositories = await octokit.paginate(octokit.rest.apps.listReposAccessibleToInstallation, { per_page: 100 });
  await enqueueRepoSetup(deps, event.installationId, repositories, event.delivery);
}

export async function milestoneEvent(event: EventJob, deps: JobDeps): Promise<void> {
  const repo = repoOf(event.payload);
  if (repo) await deps.redis.del(deps.keys.milestones(repo.id));
}
