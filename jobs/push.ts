// A push to a default branch that touches `.github/shepherd.yml` changes config: forget the cached
// copies (the owner's, since other repos may `_extends` this one) and re-sync labels. A push that
// changes the file on any branch gets a "Shepherd config" check run on its head commit.
import type { MilestoneEvent, PushEvent } from "../src/domain/events.js";
import { CONFIG_PATH } from "../src/github/config.js";
import { pushChangesConfig } from "../src/domain/config-check.js";
import { checkConfig } from "./config-check.js";
import type { HandlerContext } from "./context.js";
import { enqueueRepoSetup } from "./installation.js";
import { createCodeIndexStore } from "../src/state/code-index.js";

const DAY_MS = 24 * 3_600_000;

function onDefaultBranch(event: Pick<PushEvent, "ref" | "defaultBranch">): boolean {
  return (
    event.defaultBranch !== null && event.defaultBranch !== "" && event.ref === `refs/heads/${event.defaultBranch}`
  );
}

export function touchesConfig(event: Pick<PushEvent, "ref" | "defaultBranch" | "paths">): boolean {
  return onDefaultBranch(event) && event.paths.includes(CONFIG_PATH);
}

export async function pushEvent(ctx: HandlerContext<PushEvent>): Promise<void> {
  const { event, deps } = ctx;
  const { repo } = event;
  // Every branch: a pull request from this repository shows the check on its head commit.
  if (pushChangesConfig(event, CONFIG_PATH) && event.after !== null) await checkConfig(ctx, repo, event.after);
  if (onDefaultBranch(event) && !touchesConfig(event)) {
    // Code moves slowly against an index of where names live: at most one rebuild a day (the
    // stored build time says when the last was; the job id coalesces a day's pushes).
    const built = await createCodeIndexStore(deps.redis, deps.keys).meta(repo.id);
    if (built !== null && deps.now() - built.builtAt < DAY_MS && !event.after?.startsWith(built.sha)) {
      ctx.log.debug({ repo: `${repo.owner}/${repo.repo}` }, "code index rebuilt today already");
      return;
    }
    const day = new Date(deps.now()).toISOString().slice(0, 10);
    await deps.queues.tasks.add(
      "code-index",
      {
        kind: "code-index",
        installationId: event.installationId,
        owner: repo.owner,
        repo: repo.repo,
        repoId: repo.id,
        ...(event.after ? { sha: event.after } : {}),
      },
      { jobId: `code-index-${repo.id}-${day}` },
    );
    return;
  }
  if (!touchesConfig(event)) return;
  await deps.configs.invalidateOwner(repo.owner);
  ctx.log.info({ repo: `${repo.owner}/${repo.repo}` }, "config changed, cache cleared");
  if (repo.repo !== ".github") {
    await enqueueRepoSetup(
      deps,
      event.installationId,
      [{ id: repo.id, owner: repo.owner, name: repo.repo }],
      event.delivery,
    );
    return;
  }
  // The org-wide file changed: every repo of the installation may inherit it.
  const octokit = await ctx.octokit();
  const repositories = await octokit.paginate(octokit.rest.apps.listReposAccessibleToInstallation, { per_page: 100 });
  await enqueueRepoSetup(
    deps,
    event.installationId,
    repositories.map((entry) => ({ id: entry.id, owner: entry.owner.login, name: entry.name })),
    event.delivery,
  );
}

export async function milestoneEvent(ctx: HandlerContext<MilestoneEvent>): Promise<void> {
  await ctx.deps.redis.del(ctx.deps.keys.milestones(ctx.event.repo.id));
}
