// The weekly digest: what moved in the week (from the items' timestamps inside the week's bounds in
// the project's time zone), newcomers and their mentors, stale claims, what is up for grabs, and the
// trend as Mermaid charts (GitHub renders ```mermaid blocks). Logins are bold, never @-mentions;
// titles are escaped and neutralised. Every list is capped so the body stays well inside GitHub's
// 65,536-character limit, and the work is one pass over the items plus sorting what moved.
import { renderMarker } from "./markers.js";
import { boldLogin, escapeCell, escapeInline, escapeTitle, joinWords, plural, shorten } from "./markdown.js";
import type { ClassifierModel } from "./model.js";
import {
  emptyCounts,
  remainingOf,
  snapshot,
  sortGroups,
  topUnclaimed,
  totalOf,
  weekBounds,
  workItems,
  type Counts,
  type Group,
  type TrackedItem,
  type WeeklySnapshot,
} from "./projection.js";
import { compareLogins, itemLine, progressBar, subsystemName, versionName } from "./summary.js";

export interface DigestInput {
  repo: string;
  /** ISO week like "2026-W48". */
  week: string;
  /** IANA zone the week's bounds are taken in, e.g. "Europe/Paris". */
  timeZone: string;
  items: TrackedItem[];
  snapshots: WeeklySnapshot[];
  /** Newcomers welcomed; only those welcomed inside the week are listed. */
  welcomed: Array<{ newcomer: string; mentor: string | null; at: number }>;
  stale: Array<{ number: number; title: string; claimant: string; idleDays: number }>;
  model: ClassifierModel;
  now: number;
}

/** What a digest is computed from: the projection's items, its stored snapshots, the welcomes. */
export interface DigestState {
  items: TrackedItem[];
  snapshots: WeeklySnapshot[];
  welcomes: Array<{ newcomer: string; mentor: string | null; at: number }>;
}

export interface DigestPreview {
  week: string;
  title: string;
  body: string;
}

const DAY_MS = 86_400_000;

/**
 * The digest of a week from the stored state: this week's snapshot replaces a stored one of the
 * same week in the trend, and claims idle for `remindAfterDays` are listed as stale. The job and
 * `shepherd digest --dry-run` (from Redis or from an exported file) all come through here.
 */
export function composeDigest(
  state: DigestState,
  input: { repo: string; week: string; timeZone: string; remindAfterDays: number; model: ClassifierModel; now: number },
): DigestPreview {
  const { week, now } = input;
  const current = snapshot(state.items, week, now);
  const snapshots = state.snapshots
    .filter((entry) => entry.week !== week)
    .concat(current)
    .sort((a, b) => a.week.localeCompare(b.week));
  const staleAfter = input.remindAfterDays * DAY_MS;
  const stale = state.items
    .filter((item) => item.state === "claimed" && item.claimant && item.claimedAt !== null)
    .filter((item) => now - (item.claimedAt ?? now) >= staleAfter)
    .map((item) => ({
      number: item.number,
      title: item.title,
      claimant: item.claimant ?? "",
      idleDays: Math.floor((now - (item.claimedAt ?? now)) / DAY_MS),
    }));
  const rendered = renderDigest({
    repo: input.repo,
    week,
    timeZone: input.timeZone,
    items: state.items,
    snapshots,
    welcomed: state.welcomes,
    stale,
    model: input.model,
    now,
  });
  return { week, title: rendered.title, body: `${renderMarker("digest", { week })}\n${rendered.body}` };
}

const MOVED_AT_MOST = 20;
const WELCOMED_AT_MOST = 30;
const STALE_AT_MOST = 20;
const UNCLAIMED_AT_MOST = 10;
const TREND_WEEKS = 12;
const MOVED_TITLE_AT_MOST = 60;

type Movement = "done" | "claimed" | "prs";

const MOVEMENT_HEADINGS: Record<Movement, string> = {
  done: "Done",
  claimed: "Newly claimed",
  prs: "New pull requests",
};

interface Moved extends Group {
  done: TrackedItem[];
  claimed: TrackedItem[];
  prs: TrackedItem[];
}

export function renderDigest(input: DigestInput): { title: string; body: string } {
  const bounds = weekBounds(input.week, input.timeZone);
  // This week's point comes from the live items, so the trend ends where the rest of the digest is.
  const live = snapshot(input.items, input.week, input.now);
  const body = [
    `Weekly digest for **${escapeInline(input.repo)}**, ${describeWeek(bounds, input.timeZone)}.`,
    totalOf(live.total) === 0 ? "No roadmap work is tracked yet." : `\`${progressBar(live.total)}\``,
    renderMoved(input.items, input.model, bounds),
    renderWelcomed(input.welcomed, bounds),
    renderStale(input.stale),
    renderUnclaimed(input.items),
    renderTrend(input.snapshots, live, input.model),
  ].join("\n\n");
  return { title: `Async roadmap, week ${input.week}`, body };
}

/** "Monday 23 November to Sunday 29 November 2026 (Europe/Paris)". */
function describeWeek(bounds: { start: number; end: number }, timeZone: string): string {
  const day = (at: number, options: Intl.DateTimeFormatOptions): string => {
    const date = new Intl.DateTimeFormat("en-GB", { timeZone, day: "numeric", month: "long", ...options }).format(at);
    const weekday = new Intl.DateTimeFormat("en-GB", { timeZone, weekday: "long" }).format(at);
    return `${weekday} ${date}`;
  };
  return `${day(bounds.start, {})} to ${day(bounds.end - 1, { year: "numeric" })} (${escapeInline(timeZone)})`;
}

function within(at: number | null, bounds: { start: number; end: number }): boolean {
  return at !== null && at >= bounds.start && at < bounds.end;
}

function renderMoved(items: TrackedItem[], model: ClassifierModel, bounds: { start: number; end: number }): string {
  const heading = "### What moved this week";
  // Nested maps keyed by version then subsystem: no string is built per item.
  const byVersion = new Map<string | null, Map<string | null, Moved>>();
  const groups: Moved[] = [];
  const add = (item: TrackedItem, movement: Movement): void => {
    let bySubsystem = byVersion.get(item.roadmap);
    if (!bySubsystem) byVersion.set(item.roadmap, (bySubsystem = new Map()));
    let group = bySubsystem.get(item.subsystem);
    if (!group) {
      group = { version: item.roadmap, subsystem: item.subsystem, done: [], claimed: [], prs: [] };
      bySubsystem.set(item.subsystem, group);
      groups.push(group);
    }
    group[movement].push(item);
  };
  // Done and claimed count work items (a merged PR's issue is done with it); every new PR is listed.
  for (const item of workItems(items)) {
    if (item.state === "done" && within(item.doneAt, bounds)) add(item, "done");
    if (within(item.claimedAt, bounds)) add(item, "claimed");
  }
  for (const item of items) if (item.kind === "pr" && within(item.openedAt, bounds)) add(item, "prs");
  if (groups.length === 0) return `${heading}\n\nNothing moved this week.`;

  const sorted = sortGroups(groups, model);
  const table = [
    "| Version | Subsystem | Done | Newly claimed | New PRs |",
    "| --- | --- | ---: | ---: | ---: |",
    ...sorted.map(
      (group) =>
        `| ${escapeCell(versionName(group.version))} | ${escapeCell(subsystemName(model, group.subsystem))} | ` +
        `${group.done.length} | ${group.claimed.length} | ${group.prs.length} |`,
    ),
  ];
  const lists = (["done", "claimed", "prs"] as const)
    .map((movement) => renderMovement(sorted, movement, model))
    .filter((block) => block !== "");
  return [heading, table.join("\n"), ...lists].join("\n\n");
}

/** One category's items: a short list per group in preset order, at most MOVED_AT_MOST items in all. */
function renderMovement(groups: Moved[], movement: Movement, model: ClassifierModel): string {
  const total = groups.reduce((sum, group) => sum + group[movement].length, 0);
  if (total === 0) return "";
  const lines: string[] = [];
  let room = MOVED_AT_MOST;
  for (const group of groups) {
    const moved = group[movement];
    if (moved.length === 0 || room === 0) continue;
    const shown = [...moved]
      .sort((a, b) => (movedAt(a, movement) ?? 0) - (movedAt(b, movement) ?? 0) || a.number - b.number)
      .slice(0, room);
    room -= shown.length;
    const where = `${escapeInline(versionName(group.version))}, ${escapeInline(subsystemName(model, group.subsystem))}`;
    // One item a line: a run of titles joined by semicolons reads as one paragraph.
    lines.push(`- ${where}`, ...shown.map((item) => `  - ${movedItem(item, movement)}`));
  }
  if (total > MOVED_AT_MOST) lines.push(`- and ${total - MOVED_AT_MOST} more`);
  return [`**${MOVEMENT_HEADINGS[movement]} (${total})**`, "", ...lines].join("\n");
}

function movedAt(item: TrackedItem, movement: Movement): number | null {
  if (movement === "done") return item.doneAt;
  if (movement === "claimed") return item.claimedAt;
  return item.openedAt;
}

function movedItem(item: TrackedItem, movement: Movement): string {
  const title = escapeTitle(shorten(item.title, MOVED_TITLE_AT_MOST));
  if (movement === "claimed" && item.claimant !== null) return `#${item.number} ${title} (${boldLogin(item.claimant)})`;
  if (movement === "prs" && item.linked !== null) return `#${item.number} ${title} (for #${item.linked})`;
  return `#${item.number} ${title}`;
}

function renderWelcomed(welcomed: DigestInput["welcomed"], bounds: { start: number; end: number }): string {
  const heading = "### Newcomers welcomed";
  const week = welcomed.filter((entry) => within(entry.at, bounds)).sort((a, b) => a.at - b.at);
  if (week.length === 0) return `${heading}\n\nNo newcomers this week.`;
  const lines = week
    .slice(0, WELCOMED_AT_MOST)
    .map((entry) =>
      entry.mentor === null
        ? `- ${boldLogin(entry.newcomer)}, waiting for a mentor`
        : `- ${boldLogin(entry.newcomer)}, mentored by ${boldLogin(entry.mentor)}`,
    );
  if (week.length > WELCOMED_AT_MOST) lines.push(`- and ${week.length - WELCOMED_AT_MOST} more`);
  const mentors = [...new Set(week.flatMap((entry) => (entry.mentor === null ? [] : [entry.mentor])))].sort(
    compareLogins,
  );
  const thanks =
    mentors.length === 0
      ? []
      : ["", `Thank you, ${joinWords(mentors.map(boldLogin))}, for taking this week's newcomers under your wing.`];
  return [heading, "", ...lines, ...thanks].join("\n");
}

function renderStale(stale: DigestInput["stale"]): string {
  const heading = "### Claims gone stale";
  if (stale.length === 0) return `${heading}\n\nNo claim has gone quiet.`;
  const lines = [...stale]
    .sort((a, b) => b.idleDays - a.idleDays || a.number - b.number)
    .slice(0, STALE_AT_MOST)
    .map(
      (claim) =>
        `${itemLine(claim)}: claimed by ${boldLogin(claim.claimant)}, quiet for ${plural(claim.idleDays, "day")}`,
    );
  if (stale.length > STALE_AT_MOST) lines.push(`- and ${stale.length - STALE_AT_MOST} more`);
  return [heading, "", ...lines].join("\n");
}

function renderUnclaimed(items: TrackedItem[]): string {
  const heading = "### Up for grabs next week";
  const { top, total } = topUnclaimed(items, UNCLAIMED_AT_MOST, { goodFirstOnly: false });
  if (total === 0) return `${heading}\n\nEvery open issue is claimed.`;
  const lines = top.map((item) => (item.goodFirst ? `${itemLine(item)} (good first issue)` : itemLine(item)));
  if (total > top.length) lines.push(`- and ${total - top.length} more unclaimed`);
  return [heading, "", "Comment `/claim` on one to take it.", "", ...lines].join("\n");
}

function renderTrend(snapshots: WeeklySnapshot[], live: WeeklySnapshot, model: ClassifierModel): string {
  const weeks = trendWeeks(snapshots, live);
  const versions = remainingByVersion(live, model);
  return [
    "### Trend",
    xyChart({
      title: "Roadmap items done, by week",
      labels: weeks.map((week) => week.week.replace(/^\d{4}-/, "")),
      bars: weeks.map((week) => week.total.done),
      line: weeks.map((week) => totalOf(week.total)),
    }),
    versions.length === 0
      ? "No roadmap versions to chart."
      : xyChart({
          title: "Remaining work per version",
          labels: versions.map((version) => version.label),
          bars: versions.map((version) => version.remaining),
          line: null,
        }),
    "First chart: work items done by the end of each week (bars) against all work items (line). " +
      "Second chart: work not done yet, per roadmap version.",
  ].join("\n\n");
}

/** The last TREND_WEEKS weeks: stored snapshots before this week (latest per week), then the live one. */
function trendWeeks(snapshots: WeeklySnapshot[], live: WeeklySnapshot): WeeklySnapshot[] {
  const byWeek = new Map<string, WeeklySnapshot>();
  for (const stored of snapshots) {
    // ISO week strings sort as text ("2026-W09" < "2026-W48" < "2027-W01").
    if (stored.week >= live.week) continue;
    const kept = byWeek.get(stored.week);
    if (!kept || stored.takenAt > kept.takenAt) byWeek.set(stored.week, stored);
  }
  const earlier = [...byWeek.values()].sort((a, b) => (a.week < b.week ? -1 : 1));
  return [...earlier.slice(-(TREND_WEEKS - 1)), live];
}

/** Every roadmap version (zero included), then versions the roadmap lacks, then work with none. */
function remainingByVersion(live: WeeklySnapshot, model: ClassifierModel): Array<{ label: string; remaining: number }> {
  const known = new Set(model.roadmap.map((version) => version.version));
  const rows = [...known].map((version) => ({ label: version, remaining: remainingOf(byVersionOf(live, version)) }));
  let versioned = 0;
  for (const [version, counts] of Object.entries(live.byVersion)) {
    versioned += remainingOf(counts);
    if (!known.has(version) && remainingOf(counts) > 0) rows.push({ label: version, remaining: remainingOf(counts) });
  }
  const unversioned = remainingOf(live.total) - versioned;
  if (unversioned > 0) rows.push({ label: versionName(null), remaining: unversioned });
  return rows;
}

function byVersionOf(live: WeeklySnapshot, version: string): Counts {
  return (Object.hasOwn(live.byVersion, version) ? live.byVersion[version] : undefined) ?? emptyCounts();
}

/**
 * A Mermaid `xychart-beta` block. Labels are reduced to characters its quoted strings take safely
 * (no quotes, no entity syntax, no backticks that could end the fence); every series has a value
 * per label, and callers never pass zero labels (the parser rejects an empty axis).
 */
function xyChart(chart: { title: string; labels: string[]; bars: number[]; line: number[] | null }): string {
  const values = [...chart.bars, ...(chart.line ?? [])];
  const top = Math.max(1, ...values);
  return [
    "```mermaid",
    "xychart-beta",
    `  title "${chartText(chart.title)}"`,
    `  x-axis [${chart.labels.map((label) => `"${chartText(label)}"`).join(", ")}]`,
    `  y-axis "Items" 0 --> ${top}`,
    `  bar [${chart.bars.join(", ")}]`,
    ...(chart.line ? [`  line [${chart.line.join(", ")}]`] : []),
    "```",
  ].join("\n");
}

function chartText(text: string): string {
  const safe = text
    .replace(/[^\p{L}\p{N} .,:/+_()'-]/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
  return safe === "" ? "?" : safe;
}
