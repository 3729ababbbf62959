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
  const jobs = repositories.map((repository) => {
    const [owner = "", repo = repository.name] = repository.full_name.split("/");
    const data: TaskJobData = { kind: "sync-labels", installationId, owner, repo };
    return {
      name: "sync-labels",
      data,
      opts: { jobId: `sync-labels-${repository.id}-${reason.replace(/[^A-Za-z0-9_-]/g, "_")}` },
    };
  });
  if (jobs.length > 0) await deps.queues.tasks.addBulk(jobs);
}
