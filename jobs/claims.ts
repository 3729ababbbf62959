// The claim lifecycle outside commands: a PR that references a claimed issue marks the claim in
// progress; a PR closed unmerged unlinks; a closed issue ends its claim.
import { findIssueReferences } from "../src/domain/references.js";
import { type EventJob, type JobDeps, repoOf, withItemLock } from "./context.js";

interface RawPull {
  number?: number;
  title?: string;
  body?: string | null;
  merged?: boolean;
}

export async function pullLinksEvent(event: EventJob, deps: JobDeps): Promise<void> {
  const repo = repoOf(event.payload);
  const pull = event.payload.pull_request as RawPull | undefined;
  if (!repo || typeof pull?.number !== "number") return;
  const closedUnmerged = event.action === "closed" && !pull.merged;
  const references = findIssueReferences(`${pull.title ?? ""}\n${pull.body ?? ""}`).filter(
    (reference) => reference.number !== pull.number,
  );
  for (const reference of references.slice(0, 10)) {
    await withItemLock(deps, repo.id, reference.number, async () => {
      if (closedUnmerged) {
        await deps.claims.unlinkPr(repo.id, reference.number, pull.number as number);
        const claim = await deps.claims.get(repo.id, reference.number);
        if (claim?.pr === pull.number) await deps.claims.update(repo.id, reference.number, { pr: null });
        return;
      }
      await deps.claims.linkPr(repo.id, reference.number, pull.number as number);
      const claim = await deps.claims.get(repo.id, reference.number);
      if (claim && claim.pr === null) {
        await deps.claims.update(repo.id, reference.number, { pr: pull.number as number });
        event.log.info(
          { repo: `${repo.owner}/${repo.repo}`, issue: reference.number, pr: pull.number },
          "claim in progress",
        );
      }
    });
  }
}

export async function issueClosedEvent(event: EventJob, deps: JobDeps): Promise<void> {
  const repo = repoOf(event.payload);
  const number = (event.payload.issue as { number?: number } | undefined)?.number;
  if (!repo || typeof number !== "number") return;
  await withItemLock(deps, repo.id, number, async () => {
    const released = await deps.claims.release(repo.id, number);
    if (released) event.log.info({ repo: `${repo.owner}/${repo.repo}`, issue: number }, "claim ended: issue closed");
  });
}
