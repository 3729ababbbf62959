// Makes a repo's labels match its config: creates what is missing, fixes colour and description
// drift, deletes nothing. The listing decides the plan, so a second run plans nothing.
import { planLabelSync, triageLabelSpecs } from "../src/domain/labels.js";
import type { TaskJobData } from "../src/queues.js";
import { type Context, repoIdOf } from "./context.js";

export async function syncLabelsTask(ctx: Context, task: Extract<TaskJobData, { kind: "sync-labels" }>): Promise<void> {
  const { deps, log } = ctx;
  const { owner, repo } = task;
  const octokit = await ctx.octokit();
  const config = await deps.configs.get(octokit, owner, repo);
  if (config.status === "invalid") {
    log.error({ repo: `${owner}/${repo}`, errors: config.errors }, "config invalid, labels not synced");
    return;
  }
  const triage = config.status === "ok" ? config.config.triage : null;
  if (config.status !== "ok" || !triage || !triage.syncLabels) return;
  const repoId = await repoIdOf(ctx, task);
  const results = await ctx.steps({ id: repoId, owner, repo }).step("sync", async () => {
    const wanted = triageLabelSpecs(config.config.model, triage.labels);
    const existing = await octokit.paginate(octokit.rest.issues.listLabelsForRepo, { owner, repo, per_page: 100 });
    const plan = planLabelSync(wanted, existing);
    return [
      ...plan.create.map((label) => ({ type: "create-label" as const, label })),
      ...plan.update.map((label) => ({
        type: "update-label" as const,
        current: label.current,
        label: { name: label.name, color: label.color, description: label.description },
      })),
    ];
  });
  log.info({ repo: `${owner}/${repo}`, changes: results.length }, "labels synced");
}
