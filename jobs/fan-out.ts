// Repository-wide work (rebuild, sweep) starts as one task for the whole app and fans out to one
// task per repository, so each is retried on its own and a big org does not block a small one.
import type { TaskJobData } from "../src/queues.js";
import type { Context, JobDeps } from "./context.js";

type RepoTaskKind = Extract<TaskJobData, { owner: string }>["kind"];

export async function fanOutToRepos(ctx: Context, kind: RepoTaskKind): Promise<void> {
  const { deps, log } = ctx;
  const app = await deps.clients.app();
  const installations = await app.paginate(app.rest.apps.listInstallations, { per_page: 100 });
  let repos = 0;
  const stamp = deps.now();
  for (const installation of installations) {
    const octokit = await deps.clients.installation(installation.id);
    const repositories = await octokit.paginate(octokit.rest.apps.listReposAccessibleToInstallation, { per_page: 100 });
    const targets = repositories.map((repository) => ({
      id: repository.id,
      owner: repository.owner.login,
      name: repository.name,
    }));
    await addRepoTasks(deps, [kind], installation.id, targets, String(stamp));
    repos += targets.length;
  }
  log.info({ kind, installations: installations.length, repos }, "fanned out");
}

/** One task of each kind per repository; the job id (kind, repo, reason) dedupes a repeated fan-out. */
export async function addRepoTasks(
  deps: JobDeps,
  kinds: readonly RepoTaskKind[],
  installationId: number,
  repositories: Array<{ id: number; owner: string; name: string }>,
  reason: string,
): Promise<void> {
  const safeReason = reason.replace(/[^A-Za-z0-9_-]/g, "_");
  const jobs = repositories.flatMap((repository) =>
    kinds.map((kind) => ({
      name: kind,
      data: {
        kind,
        installationId,
        owner: repository.owner,
        repo: repository.name,
        repoId: repository.id,
      } as TaskJobData,
      opts: { jobId: `${kind}-${repository.id}-${safeReason}` },
    })),
  );
  if (jobs.length > 0) await deps.queues.tasks.addBulk(jobs);
}
