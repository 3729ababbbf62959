// Rebuilding Shepherd's state from what is on GitHub, for when Redis has lost it: claims from the
// `/claim` and `/release` comments, the assignees, and the markers in Shepherd's own comments;
// triage ownership from the marker in each explanation comment. Pure: jobs/rebuild.ts fetches.
import { parseCommands, type ParseOptions } from "./commands/parse.js";
import { parseMarker } from "./markers.js";
import { findIssueReferences } from "./references.js";

export interface RebuildComment {
  id: number;
  issue: number;
  login: string;
  isBot: boolean;
  body: string;
  /** Epoch milliseconds. */
  createdAt: number;
}

export interface RebuildInput {
  /** Open issues (not PRs) and their assignees. */
  openIssues: Array<{ number: number; assignees: string[] }>;
  /** Open PRs and their text, for `Fixes #n` links. */
  openPulls: Array<{ number: number; title: string; body: string }>;
  /** Repository comments, any order. */
  comments: RebuildComment[];
  botLogin: string;
  parse: ParseOptions;
}

export interface RebuiltClaim {
  issue: number;
  claimant: string;
  since: number;
  assigned: boolean;
  commentId: number | null;
  pr: number | null;
}

export interface RebuiltTriage {
  issue: number;
  commentId: number;
  owned: string[];
}

export interface RebuildResult {
  claims: RebuiltClaim[];
  triage: RebuiltTriage[];
  links: Array<{ issue: number; pr: number }>;
}

export function rebuildState(input: RebuildInput): RebuildResult {
  const open = new Map(input.openIssues.map((issue) => [issue.number, issue.assignees.map((a) => a.toLowerCase())]));
  const comments = [...input.comments].sort((a, b) => a.createdAt - b.createdAt || a.id - b.id);
  const bot = input.botLogin.toLowerCase();
  // Replays the claim events per issue the way they were handled live: a `/claim` takes a free
  // issue, a `/release` by the holder frees it, Shepherd's marker is authoritative. What a triager
  // undid by hand shows in the assignees, checked at the end.
  const latest = new Map<number, { claimant: string; since: number; commentId: number | null } | null>();
  const triage: RebuiltTriage[] = [];

  for (const comment of comments) {
    if (!open.has(comment.issue) && !(comment.isBot && comment.login.toLowerCase() === bot)) continue;
    if (comment.isBot) {
      if (comment.login.toLowerCase() !== bot) continue;
      const marker = parseMarker(comment.body);
      if (marker?.kind === "triage" && Array.isArray(marker.data.owned)) {
        triage.push({ issue: comment.issue, commentId: comment.id, owned: marker.data.owned.map(String) });
      }
      if (marker?.kind === "claim" && typeof marker.data.claimant === "string") {
        const since = Number(marker.data.since) || comment.createdAt;
        latest.set(
          comment.issue,
          marker.data.released ? null : { claimant: marker.data.claimant, since, commentId: comment.id },
        );
      }
      continue;
    }
    for (const command of parseCommands(comment.body, input.parse).commands) {
      const holder = latest.get(comment.issue) ?? null;
      if (command.name === "claim" && holder === null) {
        latest.set(comment.issue, { claimant: comment.login, since: comment.createdAt, commentId: null });
      }
      if (command.name === "release" && holder?.claimant.toLowerCase() === comment.login.toLowerCase()) {
        latest.set(comment.issue, null);
      }
    }
  }

  const links = input.openPulls.flatMap((pull) =>
    findIssueReferences(`${pull.title}\n${pull.body}`)
      .filter((reference) => open.has(reference.number))
      .map((reference) => ({ issue: reference.number, pr: pull.number })),
  );
  const claims: RebuiltClaim[] = [];
  for (const [issue, event] of latest) {
    const assignees = open.get(issue);
    if (!event || !assignees) continue;
    const assigned = assignees.includes(event.claimant.toLowerCase());
    // A `/claim` that left no assignment and no marker was refused (or undone by hand): no claim.
    if (!assigned && event.commentId === null) continue;
    const pr = links.find((link) => link.issue === issue)?.pr ?? null;
    claims.push({ issue, claimant: event.claimant, since: event.since, assigned, commentId: event.commentId, pr });
  }
  claims.sort((a, b) => a.issue - b.issue);
  return { claims, triage, links };
}
