// Records label changes made by people (and other bots), so triage never fights them: a label a
// person removed is never put back, and a label a person added is theirs, not Shepherd's.
import { type EventJob, type JobDeps, repoOf, senderOf, withItemLock } from "./context.js";
import { itemOf } from "./triage.js";

export async function labelChangeEvent(event: EventJob, deps: JobDeps): Promise<void> {
  const repo = repoOf(event.payload);
  const item = itemOf(event.payload);
  const label = (event.payload.label as { name?: string } | undefined)?.name;
  const sender = senderOf(event.payload);
  if (!repo || !item || !label || !sender) return;
  const byShepherd = sender.login.toLowerCase() === deps.botLogin.toLowerCase();

  await withItemLock(deps, repo.id, item.number, async () => {
    const state = await deps.items.load(repo.id, item.number);
    const key = label.toLowerCase();
    const without = (labels: string[]) => labels.filter((name) => name.toLowerCase() !== key);
    // The payload's label list is the item's state right after this change.
    if (byShepherd) {
      await deps.items.save(repo.id, item.number, { labels: item.labels });
      return;
    }
    if (event.action === "unlabeled") {
      await deps.items.save(repo.id, item.number, {
        labels: item.labels,
        owned: without(state.owned),
        removed: [...without(state.removed), label],
      });
      event.log.info(
        { repo: `${repo.owner}/${repo.repo}`, item: item.number, label, by: sender.login },
        "label removed by a person, remembered",
      );
      return;
    }
    await deps.items.save(repo.id, item.number, {
      labels: item.labels,
      owned: without(state.owned),
      removed: without(state.removed),
    });
  });
}
