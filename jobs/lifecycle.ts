// GitHub changes Shepherd did not make and must follow: assignees edited by hand move claims; an
// issue transferred or deleted leaves the repo's state; an uninstall (or repos taken away) purges
// every key of those repos.
import { claimForAssignees } from "../src/domain/assignments.js";
import type { AssignmentEvent, GoneEvent, InstallationEvent } from "../src/domain/events.js";
import { markGone } from "../src/state/gone.js";
import { purgeRepos } from "../src/state/purge.js";
import { type HandlerContext, loadConfig, scheduleSummaryFor, withItemLock } from "./context.js";

export async function assignmentEvent(ctx: HandlerContext<AssignmentEvent>): Promise<void> {
  const { event, deps } = ctx;
  const { repo, item } = event;
  // Shepherd's own assignments (a /claim) come back too: it recorded them when it made them.
  if (event.bySelf || item.kind !== "issue") return;
  const config = await loadConfig(ctx, repo);
  const claimsOn = config.status === "ok" && Boolean(config.config.claims);
  if (!claimsOn) return;
  await withItemLock(ctx, repo.id, item.number, async () => {
    const claim = await deps.claims.get(repo.id, item.number);
    const plan = claimForAssignees({
      issue: item.number,
      state: item.state,
      assignees: item.assignees,
      claim,
      claimsOn,
      now: deps.now(),
    });
    await ctx.steps(repo).step("claim", () => plan);
    if (plan.length > 0) {
      ctx.log.info(
        { repo: `${repo.owner}/${repo.repo}`, issue: item.number, by: event.sender.login, assignees: item.assignees },
        "claim follows assignees",
      );
    }
  });
}

export async function goneEvent(ctx: HandlerContext<GoneEvent>): Promise<void> {
  const { event, deps } = ctx;
  const { repo, item } = event;
  const tracked = await withItemLock(ctx, repo.id, item.number, async () => {
    await deps.claims.release(repo.id, item.number);
    await deps.items.forget(repo.id, item.number);
    const known = await deps.projection.get(repo.id, item.number);
    await deps.projection.remove(repo.id, item.number);
    return known !== null;
  });
  // The summary counted it: it is refreshed like after any other change (coalesced).
  if (tracked) {
    const config = await loadConfig(ctx, repo);
    const progress = config.status === "ok" ? config.config.progress : undefined;
    if (progress) await scheduleSummaryFor(deps, event.installationId, repo, progress.coalesceSeconds);
  }
  ctx.log.info(
    { repo: `${repo.owner}/${repo.repo}`, item: item.number, action: event.action },
    "item left the repo, forgotten",
  );
}

export async function uninstallEvent(ctx: HandlerContext<InstallationEvent>): Promise<void> {
  const { event, deps } = ctx;
  const targets = event.repositories;
  if (targets.length === 0) {
    ctx.log.warn({ installation: event.installationId }, "removal named no repositories, nothing purged");
    return;
  }
  const removed = await purgeRepos(deps.redis, deps.keys, targets);
  // After the purge, which would take the marker with the rest of the repository's keys.
  await markGone(deps.redis, deps.keys, targets);
  ctx.log.info({ installation: event.installationId, repos: targets.length, keys: removed }, "repositories purged");
}
