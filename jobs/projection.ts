// Keeps the projection current from the webhooks Shepherd already receives (no reads from GitHub),
// and schedules one coalesced summary refresh per burst of changes.
import type { ResolvedConfig } from "../src/config/resolve.js";
import type { Item, ShepherdEvent } from "../src/domain/events.js";
import type { TrackedItem } from "../src/domain/projection.js";
import { findIssueReferences } from "../src/domain/references.js";
import { type ItemFacts, isShepherdIssue, nextTrackedItem, type OwnIssueFacts, sameItem } from "../src/domain/track.js";
import type { StoredTriage } from "../src/state/items.js";
import {
  type Context,
  type HandlerContext,
  type JobDeps,
  loadConfig,
  type RepoRef,
  scheduleSummaryFor,
  withItemLock,
} from "./context.js";

/** What the projection reads of an item, from a webhook or a listing. */
export interface ItemView {
  title: string;
  body: string;
  state: "open" | "closed";
  stateReason: string | null;
  merged: boolean;
  createdAt: number | null;
  author: string | null;
  labels: string[];
}

export function viewOf(item: Item): ItemView {
  return {
    title: item.title,
    body: item.body,
    state: item.state,
    stateReason: item.stateReason,
    merged: item.merged,
    createdAt: item.createdAt,
    author: item.author.login || null,
    labels: item.labels,
  };
}

export async function projectionEvent(ctx: HandlerContext<ShepherdEvent>): Promise<void> {
  const { event, deps } = ctx;
  if (event.type !== "item" && event.type !== "label" && event.type !== "comment" && event.type !== "assignment")
    return;
  if (event.type === "comment" && event.source !== "issue-comment") return;
  // Shepherd's own assignments follow a claim it already projected.
  if (event.type === "assignment" && event.bySelf) return;
  const { repo, item } = event;
  const config = await loadConfig(ctx, repo);
  if (config.status !== "ok" || !reporting(config.config)) return;
  await deps.projection.rememberRepo(repo.owner, repo.repo, repo.id);
  if (isShepherdIssue(ownFacts(item), { botLogin: deps.botLogin, trackingIssue: config.config.progress?.issue })) {
    // Never counted; one tracked before this rule (or labelled by hand) leaves the projection.
    const dropped = await forgetItem(ctx, repo, item.number);
    if (dropped && config.config.progress) {
      await scheduleSummaryFor(deps, event.installationId, repo, config.config.progress.coalesceSeconds);
    }
    return;
  }
  const changed = await refreshItem(ctx, repo, config.config, item.number, { view: viewOf(item), kind: item.kind });
  // A PR moves the issues it fixes to "in progress" (and back when it is closed unmerged).
  let linkedChanged = false;
  if (item.kind === "pr") {
    for (const reference of findIssueReferences(`${item.title}\n${item.body}`).slice(0, 10)) {
      if (reference.number !== item.number)
        linkedChanged = (await refreshItem(ctx, repo, config.config, reference.number)) || linkedChanged;
    }
  }
  const progress = config.config.progress;
  if ((changed || linkedChanged) && progress) {
    await scheduleSummaryFor(deps, event.installationId, repo, progress.coalesceSeconds);
  }
}

/** What tells Shepherd's own issues apart, from an event's item. */
export function ownFacts(item: Item): OwnIssueFacts {
  return { number: item.number, author: item.author.login || null, body: item.body };
}

/** Drops one item from the projection; true when it was there. */
async function forgetItem(ctx: Context, repo: RepoRef, number: number): Promise<boolean> {
  return withItemLock(ctx, repo.id, number, async () => {
    if (!(await ctx.deps.projection.get(repo.id, number))) return false;
    await ctx.deps.projection.remove(repo.id, number);
    return true;
  });
}

function reporting(config: ResolvedConfig): boolean {
  return config.triage !== null && (config.progress !== null || config.digest !== null);
}

/** Re-projects one item from the stores (and the event's view of it when there is one); true when it moved. */
export async function refreshItem(
  ctx: Context,
  repo: RepoRef,
  config: ResolvedConfig,
  number: number,
  from?: { view: ItemView; kind: "issue" | "pr" },
): Promise<boolean> {
  const { deps } = ctx;
  const triage = config.triage;
  if (!triage) return false;
  return withItemLock(ctx, repo.id, number, async () => {
    const previous = await deps.projection.get(repo.id, number);
    const stored = await deps.items.load(repo.id, number);
    // Shepherd's record of the labels is fresher than a payload: it includes what it just wrote.
    const labels = stored.labels ?? from?.view.labels ?? [];
    const tracked = stored.triage?.isAsync === true || hasLabel(labels, triage.labels.async);
    if (!tracked && !previous) return false;
    const kind = from?.kind ?? previous?.kind ?? (stored.kind === "pr" ? "pr" : "issue");
    const facts = await gatherFacts(deps, repo, config, {
      number,
      kind,
      labels,
      view: from?.view ?? null,
      previous,
      triage: stored.triage,
    });
    const next = nextTrackedItem(previous, facts, deps.now());
    if (next === null) {
      if (previous) await deps.projection.remove(repo.id, number);
      return previous !== null;
    }
    if (sameItem(previous, next)) return false;
    await deps.projection.put(repo.id, next);
    return true;
  });
}

export interface FactSources {
  number: number;
  kind: "issue" | "pr";
  labels: string[];
  /** The item as GitHub sent it (webhook or list); null to keep what the projection knows. */
  view: ItemView | null;
  previous: TrackedItem | null;
  triage: StoredTriage | null;
}

/** Facts about one item from GitHub's view of it plus Shepherd's own stores (claims, mentors). */
export async function gatherFacts(
  deps: Pick<JobDeps, "claims" | "mentorships" | "now">,
  repo: RepoRef,
  config: ResolvedConfig,
  sources: FactSources,
): Promise<ItemFacts> {
  const { number, kind, labels, view, previous, triage } = sources;
  const names = config.triage?.labels ?? { subsystemPrefix: "subsystem:", roadmapPrefix: "roadmap:" };
  const claim = kind === "issue" ? await deps.claims.get(repo.id, number) : null;
  const linkedPrs = kind === "issue" ? await deps.claims.linkedPrs(repo.id, number) : [];
  const person = claim?.claimant ?? view?.author ?? null;
  const mentorship = person ? await deps.mentorships.get(repo.id, person) : null;
  const closed = view ? view.state === "closed" : previous?.state === "done";
  const merged = view ? view.merged : true;
  const goodFirst = config.onboarding?.goodFirstLabels ?? ["good first issue"];
  return {
    number,
    kind,
    title: view?.title ?? previous?.title ?? "",
    subsystem: prefixed(labels, names.subsystemPrefix) ?? triage?.subsystems[0] ?? null,
    roadmap: prefixed(labels, names.roadmapPrefix) ?? triage?.roadmap ?? null,
    closed,
    dropped: view !== null && closed && (kind === "pr" ? !merged : view.stateReason === "not_planned"),
    claimant: claim?.claimant ?? null,
    mentor: mentorship?.mentor ?? null,
    goodFirst: labels.some((label) => goodFirst.some((name) => fold(name) === fold(label))),
    linked:
      kind === "issue"
        ? (claim?.pr ?? linkedPrs[0] ?? null)
        : (findIssueReferences(`${view?.title ?? ""}\n${view?.body ?? ""}`)[0]?.number ?? previous?.linked ?? null),
    openedAt: view?.createdAt ?? previous?.openedAt ?? deps.now(),
  };
}

function fold(text: string): string {
  return text.toLowerCase();
}

export function hasLabel(labels: string[], name: string): boolean {
  return labels.some((label) => fold(label) === fold(name));
}

function prefixed(labels: string[], prefix: string): string | null {
  return labels.find((label) => fold(label).startsWith(fold(prefix)))?.slice(prefix.length) ?? null;
}
