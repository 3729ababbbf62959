// Idempotent bot comments: one comment per (item, kind), found by its hidden marker and edited in
// place, never posted twice.
import type { ProbotOctokit } from "probot";
import { hasMarker } from "../domain/markers.js";

export interface EnsureCommentInput {
  owner: string;
  repo: string;
  issueNumber: number;
  /** Marker kind the body carries (`<!-- shepherd:KIND ... -->`). */
  kind: string;
  body: string;
  /** The comment id recorded earlier, if any. */
  knownId: number | null;
  /** False only when the bot is sure no such comment exists (saves a listing). */
  mayExist: boolean;
}

export type EnsureCommentResult =
  | { action: "created" | "updated"; id: number }
  /** The recorded comment is gone: a person deleted it, and Shepherd does not post it again. */
  | { action: "deleted-by-person"; id: null };

export async function ensureComment(octokit: ProbotOctokit, input: EnsureCommentInput): Promise<EnsureCommentResult> {
  const { owner, repo, issueNumber, body } = input;
  let id = input.knownId;
  if (id === null && input.mayExist) id = await findComment(octokit, input);
  if (id !== null) {
    try {
      await octokit.rest.issues.updateComment({ owner, repo, comment_id: id, body });
      return { action: "updated", id };
    } catch (error) {
      if ((error as { status?: number }).status === 404) return { action: "deleted-by-person", id: null };
      throw error;
    }
  }
  const created = await octokit.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body });
  return { action: "created", id: created.data.id };
}

async function findComment(octokit: ProbotOctokit, input: EnsureCommentInput): Promise<number | null> {
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    owner: input.owner,
    repo: input.repo,
    issue_number: input.issueNumber,
    per_page: 100,
  });
  const mine = comments.find((comment) => comment.user?.type === "Bot" && hasMarker(comment.body, input.kind));
  return mine ? mine.id : null;
}
