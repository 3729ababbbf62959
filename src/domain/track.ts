// How one tracked item moves between open, claimed, in progress and done, keeping the time of
// each transition (the digest's "what moved this week" reads them). Pure.
import { parseMarker } from "./markers.js";
import type { TrackedItem, TrackedState } from "./projection.js";

export interface ItemFacts {
  number: number;
  kind: "issue" | "pr";
  title: string;
  subsystem: string | null;
  roadmap: string | null;
  /** GitHub's state; for PRs `merged` says how a closed one ended. */
  closed: boolean;
  /** Closed as not planned (issue) or closed unmerged (PR): no longer roadmap work. */
  dropped: boolean;
  claimant: string | null;
  mentor: string | null;
  goodFirst: boolean;
  /** The PR working on an issue, or the issue a PR fixes. */
  linked: number | null;
  openedAt: number;
}

/** The item's next projection, or null when it is no longer roadmap work. */
export function nextTrackedItem(previous: TrackedItem | null, facts: ItemFacts, now: number): TrackedItem | null {
  if (facts.dropped) return null;
  const state = stateOf(facts);
  const base: TrackedItem = previous ?? {
    number: facts.number,
    kind: facts.kind,
    title: facts.title,
    subsystem: null,
    roadmap: null,
    state: "open",
    claimant: null,
    mentor: null,
    goodFirst: false,
    openedAt: facts.openedAt,
    claimedAt: null,
    inProgressAt: null,
    doneAt: null,
    updatedAt: now,
    linked: null,
  };
  const next: TrackedItem = {
    ...base,
    kind: facts.kind,
    title: facts.title,
    subsystem: facts.subsystem,
    roadmap: facts.roadmap,
    state,
    claimant: facts.claimant,
    mentor: facts.mentor,
    goodFirst: facts.goodFirst,
    linked: facts.linked,
  };
  if (state !== base.state || previous === null) {
    if (state === "claimed" && base.state !== "in-progress") next.claimedAt = now;
    if (state === "in-progress") next.inProgressAt = now;
    if (state === "done") next.doneAt = now;
    if (state === "open") {
      next.claimedAt = null;
      next.inProgressAt = null;
      next.doneAt = null;
    }
  }
  next.updatedAt = sameItem(previous, next) ? base.updatedAt : now;
  return next;
}

function stateOf(facts: ItemFacts): TrackedState {
  if (facts.closed) return "done";
  if (facts.kind === "pr") return "in-progress";
  if (facts.linked !== null) return "in-progress";
  return facts.claimant ? "claimed" : "open";
}

/** Equal but for `updatedAt`: nothing moved, so nothing needs re-rendering. */
export function sameItem(a: TrackedItem | null, b: TrackedItem | null): boolean {
  if (a === null || b === null) return a === b;
  return JSON.stringify({ ...a, updatedAt: 0 }) === JSON.stringify({ ...b, updatedAt: 0 });
}

/** What tells one of Shepherd's own issues from roadmap work. */
export interface OwnIssueFacts {
  number: number;
  author: string | null;
  body: string | null;
}

export interface OwnIssueScope {
  botLogin: string;
  /** The maintainer's issue the summary is posted on (`progress.issue`), when configured. */
  trackingIssue?: number | undefined;
}

/** Kinds of marker that only ever open an issue's body (the summary and the digest). */
const OWN_ISSUE_MARKERS = new Set(["progress", "digest"]);

/**
 * Shepherd's own issues (the tracking issue, digests) are never triaged, tracked or counted: the
 * summary would otherwise count itself. Author, marker or the configured tracking issue decide.
 */
export function isShepherdIssue(item: OwnIssueFacts, scope: OwnIssueScope): boolean {
  if (scope.trackingIssue !== undefined && item.number === scope.trackingIssue) return true;
  if (item.author !== null && item.author.toLowerCase() === scope.botLogin.toLowerCase()) return true;
  const kind = parseMarker(item.body)?.kind;
  return kind !== undefined && OWN_ISSUE_MARKERS.has(kind);
}
