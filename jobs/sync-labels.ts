// Makes a repo's labels match its config: creates what is missing, fixes colour and description
// drift, deletes nothing.
import type { Logger, ProbotOctokit } from "probot";
import { planLabelSync, triageLabelSpecs } from "../src/domain/labels.js";
import type { TaskJobData } from "../src/queues.js";
import type { JobDeps } from "./context.js";

export async function syncLabelsTask(
  task: Extract<TaskJobData, { kind: "sync-labels" }>,
  octokit: ProbotOctokit,
  deps: JobDeps,
  log: Logger,
): Promise<void> {
  const { owner, repo } = task;
  const config = await deps.configs.get(octokit, owner, repo);
  if (config.status === "invalid") {
    log.error({ repo: `${owner}/${repo}`, errors: config.errors }, "config invalid, labels not synced");
    return;
  }
  const triage = config.status === "ok" ? config.config.triage : null;
  if (config.status !== "ok" || !triage || !triage.syncLabels) return;
  const wanted = triageLabelSpecs(config.config.model, triage.labels);
  const existing = await octokit.paginate(octokit.rest.issues.listLabelsForRepo, { owner, repo, per_page: 100 });
  const plan = planLabelSync(wanted, existing);
  for (const label of plan.create) {
    try {
      await octokit.rest.issues.createLabel({ owner, repo, ...label });
    } catch (error) {
      // Created meanwhile (a second run of this task): the goal is reached.
      if ((error as { status?: number }).status !== 422) throw error;
    }
  }
  for (const label of plan.update) {
    await octokit.rest.issues.updateLabel({
      owner,
      repo,
      name: label.current,
      new_name: label.name,
      color: label.color,
      description: label.description,
    });
  }
  log.info({ repo: `${owner}/${repo}`, created: plan.create.length, updated: plan.update.length }, "labels synced");
}
