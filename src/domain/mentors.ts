// Mentor matching: which mentor a newcomer gets, and why, in words the newcomer can read. Pure: loads,
// away times and the clock come in as arguments; the adapter in jobs/ stores the result.
//
// Fairness. Mentors are picked one newcomer at a time, and each mentor's load should stay within one
// mentee of their capacity-proportional share (k·capacity/C after k assignments, C the total capacity).
// An exhaustive simulation over all 390,625 capacity vectors of 8 mentors with capacities 1..5, one
// newcomer at a time until every mentor is full, with the tie-breaks below, gives the share of vectors
// in which some mentor strays more than one mentee from their share at some point:
//   load/capacity          68.4%  (worst 2.92 mentees off)
//   (load+1)/capacity      19.4%  (worst 2.33)
//   (load+0.5)/capacity     6.8%  (worst 1.75)
// None holds, because each ties too often and "longest ago first" then hands several newcomers in a row
// to small mentors while a large one falls behind. What holds is Tijdeman's rule for the "chairman
// assignment problem" (1980), with n mentors and σ = 1/(2n−2): first the mentors at least σ below their
// share after this assignment, then the smallest (load + 1 − σ)/capacity, i.e. the (load+δ)/capacity
// family with δ between 0.5 (n = 2) and 1. It provably keeps every load within 1 − σ of the share, with
// any tie-break: 0 of 390,625 vectors stray (worst 0.929 = 13/14), and 0 of 200,000 random pools of 2..10
// mentors with capacities 1..20 and random tie-breaks (worst 0.944).

export interface Mentor {
  login: string;
  /** Active mentees at most. */
  capacity: number;
  /** IANA zone, shown in explanations; null when unknown. */
  timezone: string | null;
  /** Subsystem ids the mentor covers; empty for the fallback pool. */
  subsystems: string[];
  /** In the fallback pool, used when nobody covers the item's subsystem (or it has none). */
  fallback: boolean;
}

export interface MentorLoad {
  login: string;
  /** Current active mentees. */
  active: number;
  /** Epoch ms of the last assignment; null if never. */
  lastAssignedAt: number | null;
  /** Epoch ms until which the mentor is away; Number.POSITIVE_INFINITY for "away until /back"; null when available. */
  awayUntil: number | null;
}

export interface MatchRequest {
  newcomer: string;
  subsystem: string | null;
  /** Shown instead of the subsystem id in the explanation when known. */
  subsystemName?: string | null;
  mentors: Mentor[];
  /** A mentor with no entry has no mentees, was never assigned and is available. */
  loads: MentorLoad[];
  now: number;
  /** Deterministic tie-break among exactly equal candidates (e.g. the newcomer's login); optional. */
  seed?: string;
}

export type MatchResult =
  | { mentor: string; explanation: string[] }
  | { mentor: null; reason: "no-mentors" | "all-unavailable"; explanation: string[] };

export interface WaitingNewcomer {
  login: string;
  subsystem: string | null;
  item: number;
  since: number;
}

type Status = "available" | "full" | "away" | "newcomer";

interface Candidate {
  mentor: Mentor;
  /** The mentor's capacity, 0 when it is not a finite number (such a mentor is always full). */
  capacity: number;
  active: number;
  lastAssignedAt: number | null;
  awayUntil: number | null;
  status: Status;
  /** Tie-break hash of seed + login. */
  hash: number;
}

/** What the mentors who are here (away ones aside) carry together; see the fairness note at the top. */
interface Shares {
  /** 2n − 2 (at least 2): σ = 1/steps, kept as an integer so comparisons are exact. */
  steps: number;
  totalCapacity: number;
  /** Total load once this newcomer is assigned. */
  nextTotal: number;
}

/** Which rule decided between the chosen mentor and the runner-up, for the explanation. */
type Decider = "share" | "room" | "longest-ago" | "tie-break";

const LISTED_AT_MOST = 8;

export function matchMentor(request: MatchRequest): MatchResult {
  const pool = choosePool(request.mentors, request.subsystem);
  const scope = describeScope(request, pool);
  if (pool.mentors.length === 0) return { mentor: null, reason: "no-mentors", explanation: [scope] };

  const candidates = pool.mentors.map((mentor) => toCandidate(mentor, request));
  const listing = `${scope} ${listCandidates(candidates)}.`;
  const { ranked, steps } = rank(candidates);
  const chosen = ranked[0];
  if (!chosen) {
    return {
      mentor: null,
      reason: "all-unavailable",
      explanation: [listing, "Nobody has room right now, so the newcomer waits in line for the next free mentor."],
    };
  }
  return { mentor: chosen.candidate.mentor.login, explanation: [listing, explainChoice(ranked, steps)] };
}

/** When capacity frees up: the longest-waiting newcomer (FIFO by `since`, then list order) that some available mentor can take, and that mentor. */
export function nextFromWaitlist(
  waitlist: WaitingNewcomer[],
  mentors: Mentor[],
  loads: MentorLoad[],
  now: number,
): { index: number; newcomer: WaitingNewcomer; match: { mentor: string; explanation: string[] } } | null {
  const order = waitlist.map((newcomer, index) => ({ newcomer, index }));
  order.sort((a, b) => a.newcomer.since - b.newcomer.since || a.index - b.index);
  for (const { newcomer, index } of order) {
    const match = matchMentor({
      newcomer: newcomer.login,
      subsystem: newcomer.subsystem,
      mentors,
      loads,
      now,
      seed: newcomer.login,
    });
    if (match.mentor === null) continue;
    return { index, newcomer, match: { mentor: match.mentor, explanation: match.explanation } };
  }
  return null;
}

interface Pool {
  mentors: Mentor[];
  source: "covering" | "fallback";
}

/**
 * Those who cover the subsystem; the fallback pool when nobody does. A login listed twice (a team member
 * also listed alone) counts once, with its first entry in the pool.
 */
function choosePool(mentors: Mentor[], subsystem: string | null): Pool {
  const wanted = subsystem === null ? null : fold(subsystem);
  const covering =
    wanted === null ? [] : mentors.filter((mentor) => mentor.subsystems.some((id) => fold(id) === wanted));
  if (covering.length > 0) return { mentors: uniqueLogins(covering), source: "covering" };
  return { mentors: uniqueLogins(mentors.filter((mentor) => mentor.fallback)), source: "fallback" };
}

function toCandidate(mentor: Mentor, request: MatchRequest): Candidate {
  const load = request.loads.find((entry) => fold(entry.login) === fold(mentor.login));
  const capacity = Number.isFinite(mentor.capacity) ? Math.max(0, mentor.capacity) : 0;
  const active = Math.max(0, load?.active ?? 0);
  const awayUntil = load?.awayUntil ?? null;
  const status: Status =
    fold(mentor.login) === fold(request.newcomer)
      ? "newcomer"
      : awayUntil !== null && awayUntil > request.now
        ? "away"
        : active >= capacity
          ? "full"
          : "available";
  return {
    mentor,
    capacity,
    active,
    lastAssignedAt: load?.lastAssignedAt ?? null,
    awayUntil,
    status,
    hash: fnv1a(`${request.seed ?? ""}\u0000${fold(mentor.login)}`),
  };
}

interface Ranked {
  candidate: Candidate;
  behindShare: boolean;
}

/** The available candidates, best first, and the σ denominator used to rank them. */
function rank(candidates: Candidate[]): { ranked: Ranked[]; steps: number } {
  // Full mentors are part of the shares (their mentees count); away mentors and the newcomer are not.
  const present = candidates.filter((c) => c.status === "available" || c.status === "full");
  const shares: Shares = {
    steps: 2 * Math.max(present.length - 1, 1),
    totalCapacity: sum(present.map((c) => c.capacity)),
    nextTotal: sum(present.map((c) => Math.min(c.active, c.capacity))) + 1,
  };
  const ranked = present
    .filter((c) => c.status === "available")
    .map((candidate) => ({ candidate, behindShare: isBehindShare(candidate, shares) }))
    .sort((a, b) => decide(a, b, shares.steps)?.order ?? 0);
  return { ranked, steps: shares.steps };
}

/** At least σ below the capacity-proportional share once this newcomer is assigned. */
function isBehindShare(c: Candidate, shares: Shares): boolean {
  return (c.active * shares.steps + 1) * shares.totalCapacity <= shares.steps * shares.nextTotal * c.capacity;
}

function decide(a: Ranked, b: Ranked, steps: number): { order: number; by: Decider } | null {
  if (a.behindShare !== b.behindShare) return { order: a.behindShare ? -1 : 1, by: "share" };
  const room = compareRoom(a.candidate, b.candidate, steps);
  if (room !== 0) return { order: room, by: "room" };
  const lastA = a.candidate.lastAssignedAt ?? Number.NEGATIVE_INFINITY;
  const lastB = b.candidate.lastAssignedAt ?? Number.NEGATIVE_INFINITY;
  if (lastA !== lastB) return { order: lastA < lastB ? -1 : 1, by: "longest-ago" };
  if (a.candidate.hash !== b.candidate.hash) return { order: a.candidate.hash - b.candidate.hash, by: "tie-break" };
  const loginA = a.candidate.mentor.login;
  const loginB = b.candidate.mentor.login;
  if (loginA === loginB) return null;
  return { order: loginA < loginB ? -1 : 1, by: "tie-break" };
}

/** (active + 1 − σ)/capacity, cross-multiplied with σ = 1/steps so that equal loads compare equal. */
function compareRoom(a: Candidate, b: Candidate, steps: number): number {
  return (steps * (a.active + 1) - 1) * b.capacity - (steps * (b.active + 1) - 1) * a.capacity;
}

function explainChoice(ranked: Ranked[], steps: number): string {
  const [first, second] = ranked;
  if (!first) return "";
  const chosen = first.candidate;
  const who = `${bold(chosen.mentor.login)}${chosen.mentor.timezone ? ` (${chosen.mentor.timezone})` : ""}`;
  if (!second) return `${who} is the only one with room right now.`;
  const decided = decide(first, second, steps)?.by ?? "tie-break";
  // The share rule only needs its own words when it overrode plain room.
  const by = decided === "share" && compareRoom(chosen, second.candidate, steps) < 0 ? "room" : decided;
  const other = bold(second.candidate.mentor.login);
  switch (by) {
    case "share":
      return `${who} is furthest below a fair share of mentees for their capacity.`;
    case "room":
      return `${who} has the most room relative to capacity.`;
    case "longest-ago":
      return `${who} and ${other} have the same room; ${bold(chosen.mentor.login)} ${
        chosen.lastAssignedAt === null
          ? "has not had a mentee yet"
          : `last got a mentee longest ago (${isoDate(chosen.lastAssignedAt)})`
      }.`;
    case "tie-break":
      return `${who} and ${other} are level on everything; a fixed tie-break picked ${bold(chosen.mentor.login)}, so asking again gives the same answer.`;
  }
}

function describeScope(request: MatchRequest, pool: Pool): string {
  const name = request.subsystemName ?? request.subsystem;
  const count = pool.mentors.length;
  if (pool.source === "covering")
    return `${count} ${plural(count, "mentor", "mentors")} ${count === 1 ? "covers" : "cover"} ${name}:`;
  const why = name === null ? "No subsystem is known for this yet" : `Nobody covers ${name}`;
  if (count === 0) return `${why}, and there are no fallback mentors.`;
  return `${why}, so the fallback ${plural(count, "mentor", "mentors")} ${count === 1 ? "is" : "are"} asked:`;
}

function listCandidates(candidates: Candidate[]): string {
  const sorted = [...candidates].sort((a, b) => compareText(fold(a.mentor.login), fold(b.mentor.login)));
  const shown = sorted.slice(0, LISTED_AT_MOST).map(describeCandidate);
  const rest = sorted.length - shown.length;
  return rest > 0 ? `${shown.join(", ")} and ${rest} more` : shown.join(", ");
}

function describeCandidate(c: Candidate): string {
  const notes: string[] = [];
  switch (c.status) {
    case "newcomer":
      notes.push("the newcomer");
      break;
    case "away":
      notes.push(c.awayUntil === Number.POSITIVE_INFINITY ? "away for now" : `away until ${isoDate(c.awayUntil ?? 0)}`);
      break;
    case "full":
      notes.push(`${c.active} of ${c.capacity} mentees, full`);
      break;
    case "available":
      notes.push(`${c.active} of ${c.capacity}`);
      break;
  }
  if (c.mentor.timezone) notes.push(c.mentor.timezone);
  return `${bold(c.mentor.login)} (${notes.join(", ")})`;
}

/** Bold, not @: the explanation must not ping anyone. */
function bold(login: string): string {
  return `**${login}**`;
}

function isoDate(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? "an unknown date" : date.toISOString().slice(0, 10);
}

function plural(count: number, one: string, many: string): string {
  return count === 1 ? one : many;
}

/** 32-bit FNV-1a: stable across runs and platforms, unlike anything seeded by the runtime. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** Code-unit order: localeCompare would depend on the machine's locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function uniqueLogins(mentors: Mentor[]): Mentor[] {
  const seen = new Set<string>();
  return mentors.filter((mentor) => {
    const key = fold(mentor.login);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** GitHub logins and subsystem ids are case-insensitive. */
function fold(text: string): string {
  return text.toLowerCase();
}

/** An active mentorship, as Shepherd stores it. */
export interface Mentorship {
  newcomer: string;
  mentor: string;
  /** The issue or PR the mentorship started on. */
  item: number;
  kind: "issue" | "pr";
  /** A PR of the newcomer's that the mentor reviews; merging or closing it ends the mentorship. */
  pr: number | null;
  since: number;
  lastActivity: number;
  /** The comment that announced the mentor (welcome or assignment), for its marker. */
  commentId: number | null;
  /** That comment's key (src/state/comments.ts), when Shepherd posted it through a plan. */
  commentKey?: string | null;
}
