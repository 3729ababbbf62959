// The live progress summary: overall progress, a subsystem × roadmap version table, issues waiting
// for a newcomer and who mentors whom. Markdown without the marker (the adapter adds it). Titles
// and logins are user-written: escaped and neutralised, and logins are bold, never @-mentions.
// One pass over the items plus work per table row, so 50,000 items render in a few milliseconds.
import { type BacklogProgress, renderBacklog } from "./backlog.js";
import { boldLogin, escapeCell, escapeInline, escapeTitle, joinWords, plural, shorten } from "./markdown.js";
import type { ClassifierModel } from "./model.js";
import {
  countAll,
  countByGroup,
  emptyCounts,
  percentDone,
  sortGroups,
  topUnclaimed,
  totalOf,
  type Counts,
  type TrackedItem,
} from "./projection.js";

export interface SummaryInput {
  items: TrackedItem[];
  model: ClassifierModel;
  mentorships: Array<{ newcomer: string; mentor: string }>;
  now: number;
  labels: { goodFirst: string[] };
  /** Backlog triage under way (or just finished); absent or null: nothing to show. */
  backlog?: BacklogProgress | null;
}

const NEWCOMER_ISSUES_AT_MOST = 10;
const TITLE_AT_MOST = 100;
const BAR_CELLS = 10;
const DAY_MS = 86_400_000;

export function renderSummary(input: SummaryInput): string {
  return [
    "## Async roadmap progress",
    renderProgress(countAll(input.items)),
    renderBacklog(input.backlog ?? null, input.now),
    renderTable(input.items, input.model),
    renderNewcomerIssues(input.items, input.labels.goodFirst, input.now),
    renderMentoring(input.mentorships),
  ]
    .filter((block) => block !== "")
    .join("\n\n");
}

/** `▓▓▓▓░░░░░░ 42% done (84 of 200)`; rounded down, so a full bar means everything is done. */
export function progressBar(counts: Counts): string {
  const total = totalOf(counts);
  const filled = total === 0 ? 0 : Math.floor((counts.done * BAR_CELLS) / total);
  return `${"▓".repeat(filled)}${"░".repeat(BAR_CELLS - filled)} ${percentDone(counts)}% done (${counts.done} of ${total})`;
}

function renderProgress(counts: Counts): string {
  if (totalOf(counts) === 0) return "No roadmap work is tracked yet.";
  const detail = `${counts.open} open, ${counts.claimed} claimed, ${counts.inProgress} in progress, ${counts.done} done.`;
  return `\`${progressBar(counts)}\`\n\n${detail}`;
}

/** A subsystem's human name from the preset; an id the preset does not know is shown as it is. */
export function subsystemName(model: ClassifierModel, id: string | null): string {
  if (id === null) return "not sorted yet";
  return model.subsystems.find((subsystem) => subsystem.id === id)?.name ?? id;
}

export function versionName(version: string | null): string {
  return version === null ? "no version" : version;
}

function renderTable(items: TrackedItem[], model: ClassifierModel): string {
  const groups = sortGroups(countByGroup(items), model);
  if (groups.length === 0) return "";
  const lines = [
    "| Version | Subsystem | Open | Claimed | In progress | Done | Done % |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
  ];
  let versionTotal = emptyCounts();
  let versionRows = 0;
  groups.forEach((group, index) => {
    const version = escapeCell(versionName(group.version));
    lines.push(tableRow(version, escapeCell(subsystemName(model, group.subsystem)), group.counts));
    addCounts(versionTotal, group.counts);
    versionRows += 1;
    // Groups are sorted by version first, so a version's rows end where the next version starts.
    if (groups[index + 1]?.version !== group.version) {
      // A version with one subsystem would repeat its only row as its subtotal.
      if (versionRows > 1) lines.push(tableRow(`**${version}**`, "**all subsystems**", versionTotal));
      versionTotal = emptyCounts();
      versionRows = 0;
    }
  });
  return lines.join("\n");
}

function tableRow(version: string, subsystem: string, counts: Counts): string {
  const cells = [counts.open, counts.claimed, counts.inProgress, counts.done, `${percentDone(counts)}%`];
  return `| ${version} | ${subsystem} | ${cells.join(" | ")} |`;
}

function addCounts(into: Counts, counts: Counts): void {
  into.open += counts.open;
  into.claimed += counts.claimed;
  into.inProgress += counts.inProgress;
  into.done += counts.done;
}

function renderNewcomerIssues(items: TrackedItem[], goodFirstLabels: string[], now: number): string {
  const { top, total } = topUnclaimed(items, NEWCOMER_ISSUES_AT_MOST, { goodFirstOnly: true });
  const heading = "### Unclaimed and good for newcomers";
  const labelled =
    goodFirstLabels.length > 0
      ? ` labelled ${goodFirstLabels.map((label) => `**${escapeInline(label)}**`).join(" or ")}`
      : "";
  if (total === 0) return `${heading}\n\nNo unclaimed issue${labelled} right now.`;
  // Days waiting, not a timestamp: the text changes at most once a day, so edits stay rare.
  const lines = top.map((item) => `${itemLine(item)} (waiting ${plural(daysBetween(item.openedAt, now), "day")})`);
  if (total > top.length) lines.push(`- and ${total - top.length} more`);
  return [
    heading,
    "",
    `Issues${labelled} that nobody has claimed yet; comment \`/claim\` to take one.`,
    "",
    ...lines,
  ].join("\n");
}

/** `- #12 Title`: the number links the item; the title can neither ping nor link. */
export function itemLine(item: { number: number; title: string }): string {
  return `- #${item.number} ${escapeTitle(shorten(item.title, TITLE_AT_MOST))}`;
}

function renderMentoring(mentorships: SummaryInput["mentorships"]): string {
  const heading = "### Mentoring";
  const byMentor = new Map<string, Set<string>>();
  for (const { mentor, newcomer } of mentorships) {
    let newcomers = byMentor.get(mentor);
    if (!newcomers) byMentor.set(mentor, (newcomers = new Set()));
    newcomers.add(newcomer);
  }
  if (byMentor.size === 0) return `${heading}\n\nNobody is being mentored right now.`;
  const lines = [...byMentor.entries()]
    .sort(([a], [b]) => compareLogins(a, b))
    .map(([mentor, newcomers]) => {
      const names = [...newcomers].sort(compareLogins).map(boldLogin);
      return `- ${boldLogin(mentor)} mentors ${joinWords(names)}`;
    });
  return [heading, "", ...lines].join("\n");
}

export function compareLogins(a: string, b: string): number {
  const foldedA = a.toLowerCase();
  const foldedB = b.toLowerCase();
  return foldedA < foldedB ? -1 : foldedA > foldedB ? 1 : 0;
}

/** Whole days from one instant to a later one (0 when the order is off, as with a skewed clock). */
function daysBetween(from: number, to: number): number {
  return Math.max(0, Math.floor((to - from) / DAY_MS));
}
