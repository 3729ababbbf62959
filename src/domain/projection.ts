// The projection of every tracked roadmap item (the lead keeps it in Redis) and the pure counting
// and calendar arithmetic over it that the summary, the digest and the weekly snapshots share.
//
// What counts as a roadmap work item: every tracked issue. A PR is shown as a link, not counted:
// an issue in progress has its PR in `linked`. A tracked PR counts as its own item only when it
// fixes no issue, or fixes one that is not tracked (else that work would be counted nowhere).
import type { ClassifierModel } from "./model.js";

export type TrackedState = "open" | "claimed" | "in-progress" | "done";

export interface TrackedItem {
  number: number;
  kind: "issue" | "pr";
  title: string;
  subsystem: string | null;
  roadmap: string | null;
  state: TrackedState;
  claimant: string | null;
  mentor: string | null;
  /** Has one of the good-first labels. */
  goodFirst: boolean;
  openedAt: number;
  claimedAt: number | null;
  inProgressAt: number | null;
  doneAt: number | null;
  updatedAt: number;
  /** For an issue: the PR working on it; for a PR: the issue it fixes. */
  linked: number | null;
}

export interface Counts {
  open: number;
  claimed: number;
  inProgress: number;
  done: number;
}

export interface WeeklySnapshot {
  /** ISO week like "2026-W48". */
  week: string;
  takenAt: number;
  total: Counts;
  byVersion: Record<string, Counts>;
  bySubsystem: Record<string, Counts>;
}

/** Where an item sits in the subsystem × roadmap version table. */
export interface Group {
  version: string | null;
  subsystem: string | null;
}

export interface GroupCounts extends Group {
  counts: Counts;
}

const DAY_MS = 86_400_000;

/** The items that count as roadmap work (see the rule at the top of this file). */
export function workItems(items: TrackedItem[]): TrackedItem[] {
  // Only the issues PRs point at matter, and there are few: no set of every issue number is built.
  const wanted = new Set<number>();
  for (const item of items) if (item.kind === "pr" && item.linked !== null) wanted.add(item.linked);
  if (wanted.size === 0) return items;
  const tracked = new Set<number>();
  for (const item of items) if (item.kind === "issue" && wanted.has(item.number)) tracked.add(item.number);
  return items.filter((item) => item.kind === "issue" || item.linked === null || !tracked.has(item.linked));
}

export function emptyCounts(): Counts {
  return { open: 0, claimed: 0, inProgress: 0, done: 0 };
}

export function totalOf(counts: Counts): number {
  return counts.open + counts.claimed + counts.inProgress + counts.done;
}

/** Work not done yet: open, claimed or in progress. */
export function remainingOf(counts: Counts): number {
  return counts.open + counts.claimed + counts.inProgress;
}

/** Whole percent done, rounded down so that 100% means everything is done. */
export function percentDone(counts: Counts): number {
  const total = totalOf(counts);
  return total === 0 ? 0 : Math.floor((counts.done * 100) / total);
}

function tally(counts: Counts, state: TrackedState): void {
  if (state === "open") counts.open += 1;
  else if (state === "claimed") counts.claimed += 1;
  else if (state === "in-progress") counts.inProgress += 1;
  else counts.done += 1;
}

/** Counts of the work items, all together. */
export function countAll(items: TrackedItem[]): Counts {
  const counts = emptyCounts();
  for (const item of workItems(items)) tally(counts, item.state);
  return counts;
}

/** Counts of the work items per key; items whose key is null are left out (the total has them). */
export function countBy(items: TrackedItem[], key: (item: TrackedItem) => string | null): Record<string, Counts> {
  return countKeyed(workItems(items), key);
}

function countKeyed(work: TrackedItem[], key: (item: TrackedItem) => string | null): Record<string, Counts> {
  // A Map, not an object: a key like "__proto__" must stay a plain key.
  const groups = new Map<string, Counts>();
  for (const item of work) {
    const name = key(item);
    if (name === null) continue;
    let counts = groups.get(name);
    if (!counts) groups.set(name, (counts = emptyCounts()));
    tally(counts, item.state);
  }
  return Object.fromEntries(groups);
}

/** Counts of the work items per (version, subsystem) pair, in no particular order. */
export function countByGroup(items: TrackedItem[]): GroupCounts[] {
  // Nested maps, not a joined string key: no string is built per item.
  const groups = new Map<string | null, Map<string | null, GroupCounts>>();
  const all: GroupCounts[] = [];
  for (const item of workItems(items)) {
    let bySubsystem = groups.get(item.roadmap);
    if (!bySubsystem) groups.set(item.roadmap, (bySubsystem = new Map()));
    let group = bySubsystem.get(item.subsystem);
    if (!group) {
      group = { version: item.roadmap, subsystem: item.subsystem, counts: emptyCounts() };
      bySubsystem.set(item.subsystem, group);
      all.push(group);
    }
    tally(group.counts, item.state);
  }
  return all;
}

/**
 * Groups in the preset's order: roadmap versions as the roadmap lists them, subsystems as the model
 * lists them; ids the preset does not know come after the known ones (alphabetically), none last.
 */
export function sortGroups<T extends Group>(groups: T[], model: ClassifierModel): T[] {
  const versionRank = rankOf(model.roadmap.map((version) => version.version));
  const subsystemRank = rankOf(model.subsystems.map((subsystem) => subsystem.id));
  return [...groups].sort(
    (a, b) =>
      compareRanked(a.version, b.version, versionRank) || compareRanked(a.subsystem, b.subsystem, subsystemRank),
  );
}

function rankOf(ids: string[]): Map<string, number> {
  const rank = new Map<string, number>();
  ids.forEach((id, index) => {
    if (!rank.has(id)) rank.set(id, index);
  });
  return rank;
}

function compareRanked(a: string | null, b: string | null, rank: Map<string, number>): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  const rankA = rank.get(a) ?? Number.MAX_SAFE_INTEGER;
  const rankB = rank.get(b) ?? Number.MAX_SAFE_INTEGER;
  if (rankA !== rankB) return rankA - rankB;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function snapshot(items: TrackedItem[], week: string, takenAt: number): WeeklySnapshot {
  const work = workItems(items);
  const total = emptyCounts();
  for (const item of work) tally(total, item.state);
  return {
    week,
    takenAt,
    total,
    byVersion: countKeyed(work, (item) => item.roadmap),
    bySubsystem: countKeyed(work, (item) => item.subsystem),
  };
}

/**
 * Open issues nobody has claimed, best first: good-first ones first, then the longest waiting.
 * Only the first `limit` are sorted (a bounded insertion), so 50,000 items cost one pass.
 */
export function topUnclaimed(
  items: TrackedItem[],
  limit: number,
  options: { goodFirstOnly: boolean },
): { top: TrackedItem[]; total: number } {
  const top: TrackedItem[] = [];
  let total = 0;
  for (const item of items) {
    if (item.kind !== "issue" || item.state !== "open" || item.claimant !== null) continue;
    if (options.goodFirstOnly && !item.goodFirst) continue;
    total += 1;
    if (limit <= 0) continue;
    const last = top[top.length - 1];
    if (top.length === limit && last && compareUnclaimed(item, last) >= 0) continue;
    let at = top.length;
    while (at > 0 && compareUnclaimed(item, top[at - 1] as TrackedItem) < 0) at -= 1;
    top.splice(at, 0, item);
    if (top.length > limit) top.pop();
  }
  return { top, total };
}

function compareUnclaimed(a: TrackedItem, b: TrackedItem): number {
  if (a.goodFirst !== b.goodFirst) return a.goodFirst ? -1 : 1;
  return a.openedAt - b.openedAt || a.number - b.number;
}

// --- ISO weeks in a time zone -------------------------------------------------------------------

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** One formatter per zone: building them is the slow part of Intl. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

function wallClock(at: number, timeZone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(at)) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** How far the zone's wall clock is ahead of UTC at an instant, in ms. */
function zoneOffset(at: number, timeZone: string): number {
  const wall = wallClock(at, timeZone);
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return asUtc - Math.floor(at / 1000) * 1000;
}

/** ISO-8601 week of an instant in a time zone, e.g. "2026-W48". */
export function isoWeek(at: number, timeZone: string): string {
  const wall = wallClock(at, timeZone);
  const date = Date.UTC(wall.year, wall.month - 1, wall.day);
  const weekday = (new Date(date).getUTCDay() + 6) % 7;
  // The ISO year is the one the week's Thursday falls in.
  const thursday = date + (3 - weekday) * DAY_MS;
  const year = new Date(thursday).getUTCFullYear();
  const week = 1 + Math.floor((thursday - Date.UTC(year, 0, 1)) / (7 * DAY_MS));
  return `${String(year).padStart(4, "0")}-W${String(week).padStart(2, "0")}`;
}

/** The [start, end) epoch ms of an ISO week in a time zone: local midnight Monday to the next. */
export function weekBounds(week: string, timeZone: string): { start: number; end: number } {
  const match = /^(\d{4})-W(\d{2})$/.exec(week);
  const year = Number(match?.[1]);
  const number = Number(match?.[2]);
  const monday = mondayOfWeek(year, number);
  if (!match || number < 1 || isoWeek(monday, "UTC") !== week) throw new RangeError(`Not an ISO week: ${week}`);
  return { start: startOfDay(monday, timeZone), end: startOfDay(monday + 7 * DAY_MS, timeZone) };
}

function mondayOfWeek(year: number, week: number): number {
  // Week 1 is the one with January 4th in it.
  const january4 = Date.UTC(year, 0, 4);
  const weekday = (new Date(january4).getUTCDay() + 6) % 7;
  return january4 - weekday * DAY_MS + (week - 1) * 7 * DAY_MS;
}

/**
 * The first instant of a calendar day (given as UTC midnight of that date) in a zone. Tries the
 * offsets in force a day before and a day after: with a DST change at midnight the day starts at
 * the change (01:00), and when midnight happens twice it starts at the first one.
 */
function startOfDay(date: number, timeZone: string): number {
  const candidates = [date - zoneOffset(date - DAY_MS, timeZone), date - zoneOffset(date + DAY_MS, timeZone)];
  const target = new Date(date);
  const sameDay = candidates.filter((at) => {
    const wall = wallClock(at, timeZone);
    return (
      wall.year === target.getUTCFullYear() &&
      wall.month === target.getUTCMonth() + 1 &&
      wall.day === target.getUTCDate()
    );
  });
  return Math.min(...(sameDay.length > 0 ? sameDay : candidates));
}
