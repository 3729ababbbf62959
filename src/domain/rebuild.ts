// Rebuilding Shepherd's state from what is on GitHub, for when Redis has lost it: claims from the
// `/claim` and `/release` comments, the assignees, and the markers in Shepherd's own comments;
// triage ownership from the marker in each explanation comment. Pure: jobs/rebuild.ts fetches.
import { away } from "./commands/away.js";
import { parseCommands, type ParseOptions } from "./commands/parse.js";
import { parseMarker } from "./markers.js";
import type { Mentorship } from "./mentors.js";
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
  /** Open PRs, their author and text, for `Fixes #n` links and mentees' PRs. */
  openPulls: Array<{ number: number; title: string; body: string; author?: string }>;
  /** Logins of configured mentors (only their `/away` and `/back` count). */
  mentors?: string[];
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

/** A mentorship found in Shepherd's markers (activity restarts from the rebuild). */
export type RebuiltMentorship = Omit<Mentorship, "lastActivity" | "commentId"> & { commentId: number };

export interface RebuildResult {
  claims: RebuiltClaim[];
  triage: RebuiltTriage[];
  links: Array<{ issue: number; pr: number }>;
  welcomed: string[];
  mentorships: RebuiltMentorship[];
  /** In waiting order. */
  waitlist: Array<{ login: string; item: number; since: number; subsystem: string | null }>;
  away: Array<{ mentor: string; until: number; since: number }>;
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
  const mentoring = createMentoringReplay(input);

  for (const comment of comments) {
    if (comment.isBot) {
      if (comment.login.toLowerCase() !== bot) continue;
      const marker = parseMarker(comment.body);
      if (marker?.kind === "triage" && Array.isArray(marker.data.owned)) {
        triage.push({ issue: comment.issue, commentId: comment.id, owned: marker.data.owned.map(String) });
      }
      if (marker) mentoring.marker(marker.kind, marker.data, comment);
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
      mentoring.command(command.name, command.args, comment);
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
  return { claims, triage, links, ...mentoring.result() };
}

/** Mentorships, the waitlist and away mentors, from Shepherd's markers and mentors' commands. */
function createMentoringReplay(input: RebuildInput) {
  const welcomed = new Set<string>();
  const active = new Map<string, RebuiltMentorship | null>();
  const waiting = new Map<string, { login: string; item: number; since: number; subsystem: string | null }>();
  const awayBy = new Map<string, { mentor: string; until: number; since: number } | null>();
  const mentors = new Set((input.mentors ?? []).map((login) => login.toLowerCase()));
  const openIssues = new Set(input.openIssues.map((issue) => issue.number));
  const openPulls = new Set(input.openPulls.map((pull) => pull.number));

  function marker(kind: string, data: Record<string, unknown>, comment: RebuildComment): void {
    if (!["welcome", "mentor", "waitlist"].includes(kind) || typeof data.newcomer !== "string") return;
    const newcomer = data.newcomer;
    const key = newcomer.toLowerCase();
    const item = Number(data.item) || comment.issue;
    const since = Number(data.since) || comment.createdAt;
    if (kind === "welcome") welcomed.add(newcomer);
    if (kind === "waitlist" || (kind === "welcome" && data.waitlisted === true && !data.ended)) {
      const subsystem = typeof data.subsystem === "string" ? data.subsystem : null;
      waiting.set(key, { login: newcomer, item, since, subsystem });
    }
    if (typeof data.mentor !== "string") return;
    waiting.delete(key);
    active.set(
      key,
      data.ended
        ? null
        : {
            newcomer,
            mentor: data.mentor,
            item,
            kind: data.kind === "pr" ? "pr" : "issue",
            pr: data.kind === "pr" ? item : null,
            since,
            commentId: comment.id,
          },
    );
  }

  function command(name: string, args: string[], comment: RebuildComment): void {
    const mentor = comment.login.toLowerCase();
    if (!mentors.has(mentor)) return;
    if (name === "back") awayBy.set(mentor, null);
    if (name !== "away") return;
    const parsed = away.parse(args);
    if (parsed.ok)
      awayBy.set(mentor, { mentor: comment.login, until: parsed.value as number, since: comment.createdAt });
  }

  function result() {
    const mentorships: RebuiltMentorship[] = [];
    for (const mentorship of active.values()) {
      if (!mentorship) continue;
      const ownPr = input.openPulls.find((pull) => pull.author?.toLowerCase() === mentorship.newcomer.toLowerCase());
      const pr = mentorship.pr ?? ownPr?.number ?? null;
      // An item closed while Redis was gone ended its mentorship then.
      const open = pr !== null ? openPulls.has(pr) : openIssues.has(mentorship.item);
      if (open) mentorships.push({ ...mentorship, pr });
    }
    return {
      welcomed: [...welcomed],
      mentorships,
      waitlist: [...waiting.values()]
        .filter((entry) => !active.get(entry.login.toLowerCase()))
        .sort((a, b) => a.since - b.since),
      away: [...awayBy.values()].filter(
        (entry): entry is { mentor: string; until: number; since: number } => entry !== null,
      ),
    };
  }

  return { marker, command, result };
}
