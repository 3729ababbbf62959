// Keeps the projection current from the webhooks Shepherd already receives (no reads from GitHub),
// and schedules one coalesced summary refresh per burst of changes.
import { findIssueReferences } from "../src/domain/references.js";
import type { TrackedItem } from "../src/domain/projection.js";
import { type ItemFacts, nextTrackedItem, sameItem } from "../src/domain/track.js";
import type { StoredTriage } from "../src/state/items.js";
import type { ResolvedConfig } from "../src/config/resolve.js";
import { type EventJob, type JobDeps, loadConfig, type RepoRef, repoOf, withItemLock } from "./context.js";

export interface RawItem {
  number?: number;
  title?: string;
  body?: string | null;
  state?: string;
  state_reason?: string | null;
  merged?: boolean;
  created_at?: string;
  user?: { login?: string } | null;
  labels?: Array<{ name?: string } | string>;
  pull_request?: { merged_at?: string | null } | null;
}

export async function projectionEvent(event: EventJob, deps: JobDeps): Promise<void> {
  const repo = repoOf(event.payload);
  const raw = (event.payload.pull_request ?? event.payload.issue) as RawItem | undefined;
  if (!repo || typeof raw?.number !== "number") return;
  const config = await loadConfig(event, deps, repo);
  if (config.status !== "ok" || !reporting(config.config)) return;
  await deps.projection.rememberRepo(repo.owner, repo.repo, repo.id);
  const kind =
    event.payload.pull_request || (event.payload.issue as { pull_request?: unknown }).pull_request ? "pr" : "issue";
  const changed = await refreshItem(deps, repo, config.config, raw.number, {
    raw,
    kind,
    labels: event.itemLabels.get(raw.number),
  });
  // A PR moves the issues it fixes to "in progress" (and back when it is closed unmerged).
  let linkedChanged = false;
  if (kind === "pr") {
    for (const reference of findIssueReferences(`${raw.title ?? ""}\n${raw.body ?? ""}`).slice(0, 10)) {
      if (reference.number !== raw.number)
        linkedChanged = (await refreshItem(deps, repo, config.config, reference.number)) || linkedChanged;
    }
  }
  if (changed || linkedChanged) await scheduleSummary(deps, event.installationId, repo, config.config);
}

function reporting(config: ResolvedConfig): boolean {
  return config.triage !== null && (config.progress !== null || config.digest !== null);
}

/** Re-projects one item from the stores (and the payload when there is one); true when it moved. */
export async function refreshItem(
  deps: JobDeps,
  repo: RepoRef,
  config: ResolvedConfig,
  number: number,
  from?: { raw: RawItem; kind: "issue" | "pr"; labels: string[] | undefined },
): Promise<boolean> {
  const triage = config.triage;
  if (!triage) return false;
  return withItemLock(deps, repo.id, number, async () => {
    const previous = await deps.projection.get(repo.id, number);
    const stored = await deps.items.load(repo.id, number);
    const labels = from?.labels ?? (from ? labelNames(from.raw) : (stored.labels ?? []));
    const tracked = stored.triage?.isAsync === true || hasLabel(labels, triage.labels.async);
    if (!tracked && !previous) return false;
    const kind = from?.kind ?? previous?.kind ?? (stored.kind === "pr" ? "pr" : "issue");
    const facts = await gatherFacts(deps, repo, config, {
      number,
      kind,
      labels,
      raw: from?.raw ?? null,
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
  raw: RawItem | null;
  previous: TrackedItem | null;
  triage: StoredTriage | null;
}

/** Facts about one item from GitHub's view of it plus Shepherd's own stores (claims, mentors). */
export async function gatherFacts(
  deps: JobDeps,
  repo: RepoRef,
  config: ResolvedConfig,
  sources: FactSources,
): Promise<ItemFacts> {
  const { number, kind, labels, raw, previous, triage } = sources;
  const names = config.triage?.labels ?? { subsystemPrefix: "subsystem:", roadmapPrefix: "roadmap:" };
  const claim = kind === "issue" ? await deps.claims.get(repo.id, number) : null;
  const linkedPrs = kind === "issue" ? await deps.claims.linkedPrs(repo.id, number) : [];
  const person = claim?.claimant ?? raw?.user?.login ?? null;
  const mentorship = person ? await deps.mentorships.get(repo.id, person) : null;
  const closed = raw ? raw.state === "closed" : previous?.state === "done";
  const merged = raw ? raw.merged === true || Boolean(raw.pull_request?.merged_at) : true;
  const goodFirst = config.onboarding?.goodFirstLabels ?? ["good first issue"];
  return {
    number,
    kind,
    title: raw?.title ?? previous?.title ?? "",
    subsystem: prefixed(labels, names.subsystemPrefix) ?? triage?.subsystems[0] ?? null,
    roadmap: prefixed(labels, names.roadmapPrefix) ?? triage?.roadmap ?? null,
    closed,
    dropped: raw !== null && closed && (kind === "pr" ? !merged : raw.state_reason === "not_planned"),
    claimant: claim?.claimant ?? null,
    mentor: mentorship?.mentor ?? null,
    goodFirst: labels.some((label) => goodFirst.some((name) => fold(name) === fold(label))),
    linked:
      kind === "issue"
        ? (claim?.pr ?? linkedPrs[0] ?? null)
        : (findIssueReferences(`${raw?.title ?? ""}\n${raw?.body ?? ""}`)[0]?.number ?? previous?.linked ?? null),
    openedAt: raw?.created_at ? Date.parse(raw.created_at) : (previous?.openedAt ?? deps.now()),
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

/** One delayed refresh per repo at a time: a burst of events yields one edit, not one per event. */
export async function scheduleSummary(
  deps: JobDeps,
  installationId: number,
  repo: RepoRef,
  config: ResolvedConfig,
  immediately = false,
): Promise<void> {
  if (!config.progress) return;
  await deps.queues.tasks.add(
    "refresh-summary",
    { kind: "refresh-summary", installationId, owner: repo.owner, repo: repo.repo },
    immediately
      ? { jobId: `summary-${repo.id}-now-${deps.now()}` }
      : {
          delay: config.progress.coalesceSeconds * 1000,
          deduplication: { id: `summary-${repo.id}` },
          jobId: `summary-${repo.id}-${deps.now()}`,
        },
  );
}

export function labelNames(raw: RawItem): string[] {
  return (raw.labels ?? []).map((label) => (typeof label === "string" ? label : (label.name ?? ""))).filter(Boolean);
}
