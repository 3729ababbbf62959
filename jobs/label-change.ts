// Records label changes made by people (and other bots), so triage never fights them: a label a
// person removed is never put back, and a label a person added is theirs, not Shepherd's. Shepherd's
// own changes come back as webhooks too; it recorded them when it made them, so they change nothing.
import type { LabelEvent } from "../src/domain/events.js";
import { type HandlerContext, withItemLock } from "./context.js";

export async function labelChangeEvent(ctx: HandlerContext<LabelEvent>): Promise<void> {
  const { event, deps } = ctx;
  const { repo, item, label } = event;
  if (event.bySelf) return;
  await withItemLock(ctx, repo.id, item.number, async () => {
    const state = await deps.items.load(repo.id, item.number);
    const key = label.toLowerCase();
    const without = (labels: string[]) => labels.filter((name) => name.toLowerCase() !== key);
    // Applied as a change, not copied from the payload: deliveries can arrive out of order.
    const known = state.labels ?? item.labels;
    if (event.action === "unlabeled") {
      await deps.items.save(repo.id, item.number, {
        labels: without(known),
        owned: without(state.owned),
        removed: [...without(state.removed), label],
      });
      ctx.log.info(
        { repo: `${repo.owner}/${repo.repo}`, item: item.number, label, by: event.sender.login },
        "label removed by a person, remembered",
      );
      return;
    }
    await deps.items.save(repo.id, item.number, {
      labels: [...without(known), label],
      owned: without(state.owned),
      removed: without(state.removed),
    });
  });
}
