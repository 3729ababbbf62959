// The one interpreter: applies a single action, GitHub writes through the ensure* verbs and
// Shepherd's state through its stores. Every action is safe to apply again; `maybeDone` says an
// earlier try of this very action was under way, so a GitHub write looks before it writes.
import type { Action } from "../domain/actions.js";
import type { RepoRef } from "../domain/events.js";
import {
  ensureAssigned,
  ensureComment,
  ensureCommentEnded,
  ensureDiscussion,
  ensureIssue,
  ensureIssueBody,
  ensureLabelDefined,
  ensureLabelRemoved,
  ensureLabels,
  ensureLabelsEdited,
  ensureLabelUpdated,
  ensureMilestone,
  ensureReaction,
  ensureReviewRequested,
  ensureUnassigned,
} from "../github/ensure.js";
import type { GitHubPort } from "../github/port.js";
import type { ClaimStore } from "../state/claims.js";
import type { CommentLedger } from "../state/comments.js";
import type { ItemStore } from "../state/items.js";
import type { MentorshipStore } from "../state/mentorships.js";
import type { ProjectionStore } from "../state/projection.js";

export interface InterpreterEnv {
  repo: RepoRef;
  /** The app's own login (`<slug>[bot]`), to recognise its reactions. */
  self: string;
  github(): Promise<GitHubPort>;
  comments: CommentLedger;
  items: ItemStore;
  claims: ClaimStore;
  mentorships: MentorshipStore;
  projection: ProjectionStore;
  scheduleSummary(delaySeconds: number): Promise<void>;
}

/** What an action gives back, for the next step's decision (JSON, stored with the step). */
export type ActionResult =
  | null
  | { assignees: string[] }
  | { comment: number | null; outcome: string }
  | { claimed: boolean; holder: string | null }
  | { issue: number; nodeId: string; url: string }
  | { url: string }
  | { review: "ok" | "refused" };

export async function applyAction(env: InterpreterEnv, action: Action, maybeDone: boolean): Promise<ActionResult> {
  const options = { maybeDone };
  const repoId = env.repo.id;
  switch (action.type) {
    case "add-labels":
      await ensureLabels(await env.github(), action.issue, action.labels, options);
      return null;
    case "edit-labels":
      await ensureLabelsEdited(await env.github(), action.issue, action);
      return null;
    case "remove-label":
      await ensureLabelRemoved(await env.github(), action.issue, action.label, options);
      return null;
    case "set-milestone":
      await ensureMilestone(await env.github(), action.issue, action.milestone, options);
      return null;
    case "add-assignees":
      return { assignees: await ensureAssigned(await env.github(), action.issue, action.logins, options) };
    case "remove-assignees":
      return { assignees: await ensureUnassigned(await env.github(), action.issue, action.logins, options) };
    case "comment": {
      const result = await ensureComment(
        await env.github(),
        env.comments,
        { repoId, issue: action.issue, key: action.key, body: action.body, repost: action.repost === true },
        options,
      );
      return { comment: result.id, outcome: result.outcome };
    }
    case "end-comment":
      await ensureCommentEnded(await env.github(), env.comments, { repoId, ...action });
      return null;
    case "react":
      await ensureReaction(await env.github(), action.target, action.content, env.self, options);
      return null;
    case "request-review":
      return { review: await ensureReviewRequested(await env.github(), action.pr, action.logins, options) };
    case "create-issue": {
      const created = await ensureIssue(await env.github(), action, options);
      return { issue: created.number, nodeId: created.nodeId, url: created.url };
    }
    case "update-issue-body":
      await ensureIssueBody(await env.github(), action.issue, action.body, options);
      return null;
    case "pin-issue":
      await (await env.github()).pinIssue(action.nodeId);
      return null;
    case "create-discussion":
      return { url: await ensureDiscussion(await env.github(), action, options) };
    case "create-label":
      await ensureLabelDefined(await env.github(), action.label);
      return null;
    case "update-label":
      await ensureLabelUpdated(await env.github(), action.current, action.label);
      return null;
    case "save-item":
      await env.items.save(repoId, action.issue, action.patch);
      return null;
    case "store-claim": {
      const result = await env.claims.claim(repoId, action.issue, action.login, action.since);
      // A retry finds its own claim stored: that is success, not a race lost.
      const mine = result.ok || result.holder.toLowerCase() === action.login.toLowerCase();
      return { claimed: mine, holder: result.ok ? action.login : result.holder };
    }
    case "update-claim":
      await env.claims.update(repoId, action.issue, action.patch);
      return null;
    case "release-claim":
      await env.claims.release(repoId, action.issue);
      return null;
    case "start-mentorship": {
      const mentorship = { ...action.mentorship };
      if (mentorship.commentKey && mentorship.commentId === null) {
        mentorship.commentId = (await env.comments.get(repoId, action.commentOn, mentorship.commentKey))?.id ?? null;
      }
      await env.mentorships.start(repoId, mentorship);
      return null;
    }
    case "end-mentorship":
      await env.mentorships.end(repoId, action.newcomer);
      return null;
    case "touch-mentorship":
      await env.mentorships.update(repoId, action.newcomer, action.patch);
      return null;
    case "mark-welcomed":
      await env.mentorships.markWelcomed(repoId, action.login);
      return null;
    case "record-welcome":
      await env.projection.recordWelcome(repoId, { newcomer: action.newcomer, mentor: action.mentor, at: action.at });
      return null;
    case "enqueue-waitlist":
      await env.mentorships.enqueue(repoId, action.entry);
      return null;
    case "dequeue-waitlist":
      await env.mentorships.dequeue(repoId, action.login);
      return null;
    case "set-away":
      await env.mentorships.setAway(repoId, action.mentor, action.until ?? Number.POSITIVE_INFINITY, action.since);
      return null;
    case "set-back":
      await env.mentorships.setBack(repoId, action.mentor);
      return null;
    case "schedule-summary":
      await env.scheduleSummary(action.delaySeconds);
      return null;
  }
}
