// Idempotent writes: each verb brings GitHub to a wanted state and writes nothing that is already
// there. They decide from Shepherd's own state, so the usual path costs exactly the one write; only
// when a write may already have happened (`maybeDone`: a retry after a crash, a timeout or a 5xx
// during it) do they read GitHub first. Implemented once, used by the interpreter only.
import { createHash } from "node:crypto";
import type { LabelSpec } from "../domain/actions.js";
import type { ReactionTarget } from "../domain/events.js";
import { parseMarker, renderMarker } from "../domain/markers.js";
import type { CommentLedger } from "../state/comments.js";
import type { CheckRunSpec } from "../domain/config-check.js";
import type { CheckRunRef, CreatedIssue, GitHubPort } from "./port.js";

export interface EnsureOptions {
  /** An earlier try of this very write may have reached GitHub: look before writing. */
  maybeDone: boolean;
}

function fold(name: string): string {
  return name.toLowerCase();
}

function missingFrom(current: string[], wanted: string[]): string[] {
  const have = new Set(current.map(fold));
  return wanted.filter((name) => !have.has(fold(name)));
}

export async function ensureLabels(port: GitHubPort, issue: number, labels: string[], options: EnsureOptions) {
  const wanted = options.maybeDone ? missingFrom((await port.issue(issue)).labels, labels) : labels;
  if (wanted.length > 0) await port.addLabels(issue, wanted);
}

export async function ensureLabelRemoved(port: GitHubPort, issue: number, label: string, options: EnsureOptions) {
  if (options.maybeDone && missingFrom((await port.issue(issue)).labels, [label]).length === 1) return;
  await port.removeLabel(issue, label);
}

export async function ensureMilestone(port: GitHubPort, issue: number, milestone: number, options: EnsureOptions) {
  if (options.maybeDone && (await port.issue(issue)).milestone === milestone) return;
  await port.setMilestone(issue, milestone);
}

/**
 * Adds and removes labels and sets the milestone with one write: the labels are read just before,
 * so a label a person added meanwhile is kept. Nothing is written when all is in place already.
 */
export async function ensureLabelsEdited(
  port: GitHubPort,
  issue: number,
  change: { add: string[]; remove: string[]; milestone: number | null },
) {
  const snapshot = await port.issue(issue);
  const removed = new Set(change.remove.map(fold));
  const kept = snapshot.labels.filter((label) => !removed.has(fold(label)));
  const labels = [...kept, ...missingFrom(kept, change.add)];
  const labelsChange = labels.length !== snapshot.labels.length || missingFrom(snapshot.labels, labels).length > 0;
  const milestone = change.milestone !== null && snapshot.milestone !== change.milestone ? change.milestone : null;
  if (!labelsChange && milestone === null) return;
  if (!labelsChange && milestone !== null) return port.setMilestone(issue, milestone);
  await port.setLabels(issue, labels, milestone);
}

/** Returns the assignees afterwards: GitHub silently leaves out people it cannot assign. */
export async function ensureAssigned(
  port: GitHubPort,
  issue: number,
  logins: string[],
  options: EnsureOptions,
): Promise<string[]> {
  if (options.maybeDone) {
    const current = (await port.issue(issue)).assignees;
    const missing = missingFrom(current, logins);
    if (missing.length === 0) return current;
    return port.addAssignees(issue, missing);
  }
  return port.addAssignees(issue, logins);
}

export async function ensureUnassigned(
  port: GitHubPort,
  issue: number,
  logins: string[],
  options: EnsureOptions,
): Promise<string[]> {
  if (options.maybeDone) {
    const current = (await port.issue(issue)).assignees;
    const present = logins.filter((login) => missingFrom(current, [login]).length === 0);
    if (present.length === 0) return current;
    return port.removeAssignees(issue, present);
  }
  return port.removeAssignees(issue, logins);
}

export async function ensureReaction(
  port: GitHubPort,
  target: ReactionTarget,
  content: "+1",
  self: string,
  options: EnsureOptions,
) {
  // GitHub would answer a repeat with 200 and change nothing, but it still spends a write.
  if (options.maybeDone && (await port.reactedBy(target, content)).some((login) => fold(login) === fold(self))) return;
  await port.react(target, content);
}

export async function ensureReviewRequested(port: GitHubPort, pr: number, logins: string[], options: EnsureOptions) {
  const wanted = options.maybeDone ? missingFrom(await port.requestedReviewers(pr), logins) : logins;
  if (wanted.length === 0) return "ok";
  return port.requestReviewers(pr, wanted);
}

/** The hidden line that names a keyed comment or issue, so Shepherd can find it again. */
export function keyMarker(key: string): string {
  return `<!-- shepherd-key: ${key.replace(/[^A-Za-z0-9:._@/-]/g, "_")} -->`;
}

export function withKey(body: string, key: string): string {
  return `${body}\n${keyMarker(key)}`;
}

/** The key a Shepherd comment or issue carries, if any. */
export function keyOf(body: string | null | undefined): string | null {
  return /<!-- shepherd-key: (\S+) -->/.exec(body ?? "")?.[1] ?? null;
}

function hashOf(body: string): string {
  return createHash("sha1").update(body).digest("hex");
}

export interface CommentTarget {
  repoId: number;
  issue: number;
  key: string;
  body: string;
  /** Post again when a person deleted the comment (replies); default: leave it deleted. */
  repost?: boolean;
}

export type CommentOutcome =
  { id: number; outcome: "created" | "updated" | "unchanged" } | { id: null; outcome: "deleted" };

/** One comment per (issue, key): created once, edited in place when the body changes. */
export async function ensureComment(
  port: GitHubPort,
  ledger: CommentLedger,
  target: CommentTarget,
  options: EnsureOptions,
): Promise<CommentOutcome> {
  const { repoId, issue, key } = target;
  const body = withKey(target.body, key);
  const hash = hashOf(body);
  const entry = await ledger.get(repoId, issue, key);
  const record = (state: "pending" | "posted" | "deleted", id: number | null, written: string | null) =>
    ledger.set(repoId, issue, key, { state, id, hash: written });

  if (entry?.state === "deleted" && !target.repost) return { id: null, outcome: "deleted" };
  if (entry?.state === "posted" && entry.id !== null && entry.hash === hash)
    return { id: entry.id, outcome: "unchanged" };

  let id = entry?.state === "deleted" ? null : (entry?.id ?? null);
  if (entry?.state === "pending" || options.maybeDone) {
    // A write may have happened: find what GitHub holds before writing anything.
    const found = id !== null ? await port.comment(id) : null;
    if (id !== null && found === null) {
      // Recorded, then deleted by a person.
      if (!target.repost) {
        await record("deleted", null, null);
        return { id: null, outcome: "deleted" };
      }
      id = null;
    } else if (id !== null && found !== null) {
      if (hashOf(found) === hash) {
        await record("posted", id, hash);
        return { id, outcome: "unchanged" };
      }
    } else {
      const mine = (await port.comments(issue)).find(
        (comment) => comment.isBot && comment.body.includes(keyMarker(key)),
      );
      id = mine?.id ?? null;
      if (mine && hashOf(mine.body) === hash) {
        await record("posted", mine.id, hash);
        return { id: mine.id, outcome: "unchanged" };
      }
    }
  }

  if (id !== null) {
    await record("pending", id, hash);
    if ((await port.updateComment(id, body)) === "ok") {
      await record("posted", id, hash);
      return { id, outcome: "updated" };
    }
    if (!target.repost) {
      await record("deleted", null, null);
      return { id: null, outcome: "deleted" };
    }
  }
  await record("pending", null, hash);
  const created = await port.createComment(issue, body);
  await record("posted", created, hash);
  return { id: created, outcome: "created" };
}

/** Marks a comment's marker as ended and appends a note, once. */
export async function ensureCommentEnded(
  port: GitHubPort,
  ledger: CommentLedger,
  target: { repoId: number; issue: number; key: string | null; commentId: number | null; ended: number; note: string },
): Promise<void> {
  const key = target.key;
  let id = target.commentId;
  if (id === null && key !== null) {
    id = (await ledger.get(target.repoId, target.issue, key))?.id ?? null;
    if (id === null) {
      const mine = (await port.comments(target.issue)).find(
        (comment) => comment.isBot && comment.body.includes(keyMarker(key)),
      );
      id = mine?.id ?? null;
    }
  }
  if (id === null) return;
  const body = await port.comment(id);
  // A person deleted it: nothing to mark.
  if (body === null) return;
  const marker = parseMarker(body);
  if (!marker || marker.data.ended !== undefined) return;
  const rewritten = body.replace(
    /<!-- shepherd:[a-z-]+(?: \{.*?\})? -->/,
    renderMarker(marker.kind, { ...marker.data, ended: target.ended }),
  );
  const next = `${rewritten}\n\n${target.note}`;
  if ((await port.updateComment(id, next)) === "ok" && key !== null) {
    await ledger.set(target.repoId, target.issue, key, { state: "posted", id, hash: hashOf(next) });
  }
}

/** An issue Shepherd opens once (tracking issue, weekly digest), found again by its key. */
export async function ensureIssue(
  port: GitHubPort,
  input: { key: string; title: string; body: string; labels: string[] },
  options: EnsureOptions,
): Promise<CreatedIssue> {
  if (options.maybeDone) {
    const found = await port.findIssue(input.labels[0] ?? "", keyMarker(input.key));
    if (found) return found;
  }
  return port.createIssue({ title: input.title, body: withKey(input.body, input.key), labels: input.labels });
}

export async function ensureIssueBody(port: GitHubPort, issue: number, body: string, options: EnsureOptions) {
  if (options.maybeDone && (await port.issue(issue)).body === body) return;
  await port.updateIssueBody(issue, body);
}

export async function ensureDiscussion(
  port: GitHubPort,
  input: { key: string; repositoryId: string; categoryId: string; title: string; body: string },
  options: EnsureOptions,
): Promise<string> {
  if (options.maybeDone) {
    const found = await port.findDiscussion(keyMarker(input.key));
    if (found) return found;
  }
  const { key, ...rest } = input;
  return port.createDiscussion({ ...rest, body: withKey(input.body, key) });
}

export async function ensureLabelDefined(port: GitHubPort, label: LabelSpec) {
  await port.createLabel(label);
}

export async function ensureLabelUpdated(port: GitHubPort, current: string, label: LabelSpec) {
  await port.updateLabel(current, label);
}

/** One check run per commit and name: after a possible earlier try, the one GitHub has wins. */
export async function ensureCheckRun(
  port: GitHubPort,
  spec: CheckRunSpec,
  options: EnsureOptions,
): Promise<CheckRunRef> {
  if (options.maybeDone) {
    const [found] = await port.checkRuns(spec.headSha, spec.name);
    if (found) return found;
  }
  return port.createCheckRun(spec);
}
