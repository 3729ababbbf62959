// A new installation, or repositories added to one: create the labels each repo's config defines,
// and build the projection.
import type { InstallationEvent } from "../src/domain/events.js";
import { clearGone } from "../src/state/gone.js";
import type { HandlerContext, JobDeps } from "./context.js";
import { addRepoTasks } from "./fan-out.js";

export async function installationEvent(ctx: HandlerContext<InstallationEvent>): Promise<void> {
  const { event, deps } = ctx;
  const targets = event.repositories.map((entry) => ({ id: entry.id, owner: entry.owner, name: entry.repo }));
  // Added back after an uninstall: its jobs run again.
  await clearGone(deps.redis, deps.keys, event.repositories);
  await enqueueRepoSetup(deps, event.installationId, targets, event.delivery);
  ctx.log.info({ installation: event.installationId, repos: targets.length }, "repository setup fanned out");
}

/** Label sync and reconcile, one task each per repo, so one bad repo neither blocks nor retries the others. */
export async function enqueueRepoSetup(
  deps: JobDeps,
  installationId: number,
  repositories: Array<{ id: number; owner: string; name: string }>,
  reason: string,
): Promise<void> {
  // A new or changed config also means the projection may be missing or stale.
  // The code index comes first, so backlog triage can read it. Then the open items already there
  // are triaged, in the budget live work leaves.
  await addRepoTasks(
    deps,
    ["sync-labels", "code-index", "reconcile-repo", "backlog-repo"],
    installationId,
    repositories,
    reason,
  );
}
