// The stale-claim clock. A claim with no linked PR and no word from the claimant for
// `remindAfterDays` gets one friendly reminder; if the claimant stays quiet for `releaseAfterDays`
// after it, the claim is released so someone else can pick the issue up. The claimant's own
// activity restarts the clock (and a later reminder can come again); others' activity does not
// count, and the caller passes only the claimant's. Pure: the sweep job applies the actions.
import { boldLogin, plural } from "./markdown.js";

export interface StaleClaim {
  issue: number;
  claimant: string;
  since: number;
  /** The claimant's latest comment, commit or review on the issue; null when none since the claim. */
  lastClaimantActivity: number | null;
  /** A PR linked to the issue: the work is visibly going on. */
  pr: number | null;
  labels: string[];
  /** When the reminder was posted; set by the caller after a "remind" action. */
  remindedAt: number | null;
}

/** The stale-clock view of a stored claim (the sweep and `shepherd sweep --dry-run` share it). */
export function staleClaimOf(
  issue: number,
  claim: { claimant: string; since: number; lastActivity: number | null; pr: number | null; remindedAt: number | null },
  labels: string[],
): StaleClaim {
  return {
    issue,
    claimant: claim.claimant,
    since: claim.since,
    lastClaimantActivity: claim.lastActivity,
    pr: claim.pr,
    labels,
    remindedAt: claim.remindedAt,
  };
}

export interface StaleClaimInput {
  claims: StaleClaim[];
  now: number;
  remindAfterDays: number;
  releaseAfterDays: number;
  exemptLabels: string[];
}

export interface StaleClaimAction {
  type: "remind" | "release";
  issue: number;
  claimant: string;
  /** Whole days since the claimant was last heard from (or claimed). */
  idleDays: number;
}

const DAY_MS = 86_400_000;

export function staleClaimActions(input: StaleClaimInput): StaleClaimAction[] {
  const exempt = new Set(input.exemptLabels.map(fold));
  const actions: StaleClaimAction[] = [];
  for (const claim of input.claims) {
    const action = decide(claim, input, exempt);
    if (action) actions.push(action);
  }
  return actions;
}

function decide(claim: StaleClaim, input: StaleClaimInput, exempt: Set<string>): StaleClaimAction | null {
  if (claim.pr !== null) return null;
  if (claim.labels.some((label) => exempt.has(fold(label)))) return null;
  const lastHeard = Math.max(claim.since, claim.lastClaimantActivity ?? claim.since);
  const idleDays = Math.max(0, Math.floor((input.now - lastHeard) / DAY_MS));
  const base = { issue: claim.issue, claimant: claim.claimant, idleDays };
  // A reminder counts only while the claimant has been quiet since it; a word from them resets it.
  const pending = claim.remindedAt !== null && claim.remindedAt >= lastHeard ? claim.remindedAt : null;
  if (pending !== null) {
    return input.now - pending >= input.releaseAfterDays * DAY_MS ? { type: "release", ...base } : null;
  }
  return input.now - lastHeard >= input.remindAfterDays * DAY_MS ? { type: "remind", ...base } : null;
}

function fold(label: string): string {
  return label.trim().toLowerCase();
}

/** The reminder: pings the claimant (on purpose) and says what happens, and when. */
export function renderReminder(input: { claimant: string; idleDays: number; releaseAfterDays: number }): string {
  return [
    `Hi @${input.claimant}, how is this going? You claimed this issue and we have not heard from you here ` +
      `for ${plural(input.idleDays, "day")}.`,
    "",
    "- Still on it? Leave a comment (a quick status or a question is plenty), or open a pull request " +
      "that links this issue, and the clock starts again.",
    "- Stuck? Say where: someone here will gladly help, and `/mentor` asks for a mentor.",
    "- Moved on? Comment `/release` so someone else can pick it up. No hard feelings.",
    "",
    `If there is no word from you in the next ${plural(input.releaseAfterDays, "day")}, the claim will be released ` +
      "automatically so the issue is free again. You can always claim it back with `/claim`.",
  ].join("\n");
}

/** The release note: thanks the claimant without pinging them again (they had the reminder). */
export function renderRelease(input: { claimant: string; idleDays: number }): string {
  const claimant = boldLogin(input.claimant);
  return [
    `This issue is free to claim again: ${claimant} has not been active here for ${plural(input.idleDays, "day")}, ` +
      "so their claim has been released.",
    "",
    `Thank you for your time on it, ${claimant}: if you come back to it, \`/claim\` takes it again. ` +
      "Anyone else who would like to work on it: comment `/claim`.",
  ].join("\n");
}
