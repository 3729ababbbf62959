// A new installation, or repositories added to one: create the labels each repo's config defines.
import type { TaskJobData } from "../src/queues.js";
import type { EventJob, JobDeps } from "./context.js";

interface RepoSummary {
  id: number;
  name: string;
  full_name: string;
}

export async function installationEvent(event: EventJob, deps: JobDeps): Promise<void> {
  const key = event.name === "installation" ? "repositories" : "repositories_added";
  const repositories = (event.payload[key] as RepoSummary[] | undefined) ?? [];
  await enqueueLabelSync(deps, event.installationId, repositories, event.delivery);
  event.log.info({ installation: event.installationId, repos: repositories.length }, "label sync fanned out");
}

/** One task per repo, so one bad repo neither blocks nor retries the others. */
export async function enqueueLabelSync(
  deps: JobDeps,
  installationId: number,
  repositories: RepoSummary[],
  reason: string,
): Promise<void> {
  const jobs = repositories.flatMap((repository) => {
    const [owner = "", repo = repository.name] = repository.full_name.split("/");
    // A new or changed config also means the projection may be missing or stale.
    return (["sync-labels", "reconcile-repo"] as const).map((kind) => {
      const data: TaskJobData = { kind, installationId, owner, repo };
      return {
        name: kind,
        data,
        opts: { jobId: `${kind}-${repository.id}-${reason.replace(/[^A-Za-z0-9_-]/g, "_")}` },
      };
    });
  });
  if (jobs.length > 0) await deps.queues.tasks.addBulk(jobs);
}
