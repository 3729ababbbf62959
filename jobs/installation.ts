// A new installation, or repositories added to one: create the labels each repo's config defines.
import type { EventJob, JobDeps } from "./context.js";
import { addRepoTasks } from "./fan-out.js";

interface RepoSummary {
  id: number;
  name: string;
  full_name: string;
}

export async function installationEvent(event: EventJob, deps: JobDeps): Promise<void> {
  const key = event.name === "installation" ? "repositories" : "repositories_added";
  const repositories = (event.payload[key] as RepoSummary[] | undefined) ?? [];
  await enqueueRepoSetup(deps, event.installationId, repositories, event.delivery);
  event.log.info({ installation: event.installationId, repos: repositories.length }, "label sync fanned out");
}

/** Label sync and reconcile, one task each per repo, so one bad repo neither blocks nor retries the others. */
export async function enqueueRepoSetup(
  deps: JobDeps,
  installationId: number,
  repositories: RepoSummary[],
  reason: string,
): Promise<void> {
  const targets = repositories.map((repository) => {
    const [owner = "", name = repository.name] = repository.full_name.split("/");
    return { id: repository.id, owner, name };
  });
  // A new or changed config also means the projection may be missing or stale.
  await addRepoTasks(deps, ["sync-labels", "reconcile-repo"], installationId, targets, reason);
}
