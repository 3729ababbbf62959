// The claim lifecycle outside commands: a PR that references a claimed issue marks the claim in
// progress; a PR closed unmerged unlinks; a closed issue ends its claim.
import type { ItemEvent } from "../src/domain/events.js";
import { findIssueReferences } from "../src/domain/references.js";
import { type HandlerContext, withItemLock } from "./context.js";

export async function pullLinksEvent(ctx: HandlerContext<ItemEvent>): Promise<void> {
  const { event, deps } = ctx;
  const { repo, item: pull } = event;
  if (pull.kind !== "pr") return;
  const closedUnmerged = event.action === "closed" && !pull.merged;
  const references = findIssueReferences(`${pull.title}\n${pull.body}`).filter(
    (reference) => reference.number !== pull.number,
  );
  for (const reference of references.slice(0, 10)) {
    await withItemLock(ctx, repo.id, reference.number, async () => {
      if (closedUnmerged) {
        await deps.claims.unlinkPr(repo.id, reference.number, pull.number);
        const claim = await deps.claims.get(repo.id, reference.number);
        if (claim?.pr === pull.number) await deps.claims.update(repo.id, reference.number, { pr: null });
        return;
      }
      await deps.claims.linkPr(repo.id, reference.number, pull.number);
      const claim = await deps.claims.get(repo.id, reference.number);
      if (claim && claim.pr === null) {
        await deps.claims.update(repo.id, reference.number, { pr: pull.number });
        ctx.log.info(
          { repo: `${repo.owner}/${repo.repo}`, issue: reference.number, pr: pull.number },
          "claim in progress",
        );
      }
    });
  }
}

export async function issueClosedEvent(ctx: HandlerContext<ItemEvent>): Promise<void> {
  const { event, deps } = ctx;
  const { repo, item } = event;
  if (item.kind !== "issue") return;
  await withItemLock(ctx, repo.id, item.number, async () => {
    const released = await deps.claims.release(repo.id, item.number);
    if (released) ctx.log.info({ repo: `${repo.owner}/${repo.repo}`, issue: item.number }, "claim ended: issue closed");
  });
}
