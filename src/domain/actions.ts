// The fine-grained effects Shepherd's decisions are made of. Domain functions return lists of
// these; one interpreter (src/run/interpreter.ts) applies them, GitHub writes through the ensure*
// verbs of src/github/ensure.ts and Shepherd's own state through its stores. Every action is plain
// JSON: a plan is stored before it is applied, so a retry resumes it instead of deciding again.
import type { ReactionTarget } from "./events.js";
import type { Mentorship } from "./mentors.js";
import type { ChangedFile } from "./model.js";

export interface LabelSpec {
  name: string;
  color: string;
  description: string;
}

export interface ClaimPatch {
  assigned?: boolean;
  pr?: number | null;
  lastActivity?: number | null;
  remindedAt?: number | null;
}

export interface ItemPatch {
  kind?: "issue" | "pr";
  owned?: string[];
  removed?: string[];
  labels?: string[];
  triage?: { isAsync: boolean; subsystems: string[]; roadmap: string | null; confidence: number };
  files?: ChangedFile[];
}

export type GitHubAction =
  | { type: "add-labels"; issue: number; labels: string[] }
  | { type: "remove-label"; issue: number; label: string }
  /** Labels added and removed, and a milestone set, in one write (read first, then one PATCH). */
  | { type: "edit-labels"; issue: number; add: string[]; remove: string[]; milestone: number | null }
  | { type: "set-milestone"; issue: number; milestone: number }
  | { type: "add-assignees"; issue: number; logins: string[] }
  | { type: "remove-assignees"; issue: number; logins: string[] }
  /**
   * One comment per (issue, key), created once and edited in place when the body changes. A
   * comment a person deleted stays deleted unless `repost` is set.
   */
  | { type: "comment"; issue: number; key: string; body: string; repost?: boolean }
  /** Rewrites the marker of a comment (by id, or by key on `issue`) with `ended` and appends a note. */
  | { type: "end-comment"; issue: number; key: string | null; commentId: number | null; ended: number; note: string }
  | { type: "react"; target: ReactionTarget; content: "+1" }
  | { type: "request-review"; pr: number; logins: string[] }
  /** An issue Shepherd opens (tracking issue, digest), found again by its key on a retry. */
  | { type: "create-issue"; key: string; title: string; body: string; labels: string[] }
  | { type: "update-issue-body"; issue: number; body: string }
  | { type: "pin-issue"; issue: number; nodeId: string }
  | { type: "create-discussion"; key: string; categoryId: string; repositoryId: string; title: string; body: string }
  | { type: "create-label"; label: LabelSpec }
  | { type: "update-label"; current: string; label: LabelSpec };

export type StateAction =
  | { type: "save-item"; issue: number; patch: ItemPatch }
  | { type: "store-claim"; issue: number; login: string; since: number }
  | { type: "update-claim"; issue: number; patch: ClaimPatch }
  | { type: "release-claim"; issue: number }
  /** `commentKey` names the announcing comment (on `commentOn`); the interpreter fills in its id. */
  | { type: "start-mentorship"; mentorship: Mentorship; commentOn: number }
  | { type: "end-mentorship"; newcomer: string }
  | { type: "touch-mentorship"; newcomer: string; patch: { pr?: number | null; lastActivity?: number } }
  | { type: "mark-welcomed"; login: string }
  | { type: "record-welcome"; newcomer: string; mentor: string | null; at: number }
  | { type: "enqueue-waitlist"; entry: { login: string; subsystem: string | null; item: number; since: number } }
  | { type: "dequeue-waitlist"; login: string }
  | { type: "set-away"; mentor: string; until: number | null; since: number }
  | { type: "set-back"; mentor: string }
  /** 0: now; more: coalesced with other refreshes within that many seconds. */
  | { type: "schedule-summary"; delaySeconds: number };

export type Action = GitHubAction | StateAction;

const STATE_TYPES = new Set<Action["type"]>([
  "save-item",
  "store-claim",
  "update-claim",
  "release-claim",
  "start-mentorship",
  "end-mentorship",
  "touch-mentorship",
  "mark-welcomed",
  "record-welcome",
  "enqueue-waitlist",
  "dequeue-waitlist",
  "set-away",
  "set-back",
  "schedule-summary",
]);

export function isGitHubAction(action: Action): action is GitHubAction {
  return !STATE_TYPES.has(action.type);
}

/** A reply to a command or event: one comment, keyed so a retry finds it instead of posting again. */
export function replyAction(issue: number, key: string, body: string): GitHubAction {
  return { type: "comment", issue, key, body, repost: true };
}
