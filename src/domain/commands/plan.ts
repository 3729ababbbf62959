// From what a command decided (its CommandActions) to the fine-grained actions the interpreter
// applies. Pure: the adapter passes the facts as they are when the step is first decided. The
// workflows that need GitHub's answer half-way (a claim that GitHub may not assign, mentoring
// matches) are stepped by the adapter; everything else is one plan here.
import { type Action, replyAction } from "../actions.js";
import type { ReactionTarget } from "../events.js";
import { codeSpan } from "../markdown.js";
import { renderMarker } from "../markers.js";
import type { CommandAction } from "./types.js";

/** A command refused before `decide` ran (wrong item kind, feature off, bad arguments, no permission). */
export type Decided = CommandAction | { type: "refuse"; body: string };

export interface PlanFacts {
  issue: number;
  /** Key of this step's reply, unique per run and step (a retry finds its own reply). */
  replyKey: string;
  react: ReactionTarget;
  labels: string[];
  assignees: string[];
  /** Labels Shepherd applied that are still its own (from its item state). */
  owned: string[];
  triagePrefixes: { subsystem: string; roadmap: string } | null;
  now: number;
  /** The command line a reply answers, when the comment held several; null otherwise. */
  answering: string | null;
}

/**
 * Shepherd's replies carry a marker, so they are its own when Redis is rebuilt. When the comment
 * held several commands, the reply first quotes the one it answers (as code: it never runs or pings).
 */
export function replyBody(body: string, answering: string | null = null): string {
  if (answering === null) return `${renderMarker("reply")}\n${body}`;
  return `${renderMarker("reply")}\n> ${codeSpan(answering)}\n\n${body}`;
}

/** The plan of a simple command action; null for the workflows the adapter steps itself. */
export function commandPlan(action: Decided, facts: PlanFacts): Action[] | null {
  const { issue } = facts;
  const fold = (label: string) => label.toLowerCase();
  switch (action.type) {
    case "refuse":
    case "reply":
      return [replyAction(issue, facts.replyKey, replyBody(action.body, facts.answering))];
    case "react":
      return facts.react.kind === "none" ? [] : [{ type: "react", target: facts.react, content: "+1" }];
    case "assign":
      return [{ type: "add-assignees", issue, logins: action.logins }];
    case "unassign":
      return [{ type: "remove-assignees", issue, logins: action.logins }];
    case "add-labels": {
      const have = new Set(facts.labels.map(fold));
      const labels = [...facts.labels, ...action.labels.filter((label) => !have.has(fold(label)))];
      return [
        { type: "add-labels", issue, labels: action.labels },
        { type: "save-item", issue, patch: { labels } },
      ];
    }
    case "remove-labels": {
      const removed = new Set(action.labels.map(fold));
      return [
        ...action.labels.map((label) => ({ type: "remove-label" as const, issue, label })),
        // A person removing a label Shepherd applied makes it theirs to decide: never re-added.
        {
          type: "save-item",
          issue,
          patch: {
            labels: facts.labels.filter((label) => !removed.has(fold(label))),
            owned: facts.owned.filter((label) => !removed.has(fold(label))),
          },
        },
      ];
    }
    case "human-triage": {
      const prefixes = facts.triagePrefixes;
      if (!prefixes) return [];
      const prefix = fold(action.dimension === "subsystem" ? prefixes.subsystem : prefixes.roadmap);
      return [
        { type: "save-item", issue, patch: { owned: facts.owned.filter((label) => !fold(label).startsWith(prefix)) } },
      ];
    }
    case "set-away":
      return [
        {
          type: "set-away",
          mentor: action.mentor,
          until: Number.isFinite(action.until) ? action.until : null,
          since: facts.now,
        },
      ];
    case "refresh-progress":
      return [{ type: "schedule-summary", delaySeconds: 0 }];
    default:
      return null;
  }
}

/** `/release` (or `/unassign` of the claimant): the claim, the assignment, and the claim comment. */
export function releasePlan(input: {
  issue: number;
  login: string;
  assignees: string[];
  claim: { since: number; assigned: boolean; commentId: number | null } | null;
  now: number;
}): Action[] {
  const { issue, login, claim } = input;
  const actions: Action[] = [{ type: "release-claim", issue }];
  if (input.assignees.some((assignee) => assignee.toLowerCase() === login.toLowerCase())) {
    actions.push({ type: "remove-assignees", issue, logins: [login] });
  }
  // Shepherd kept the claim in a comment (GitHub would not assign): say it is free again there.
  if (claim && (!claim.assigned || claim.commentId !== null)) {
    const body = [
      renderMarker("claim", { claimant: login, since: claim.since, released: input.now }),
      `~~Claimed by @${login}~~: released. Anyone can \`/claim\` this issue.`,
    ].join("\n");
    actions.push({ type: "comment", issue, key: "claim", body });
  }
  return actions;
}

/** GitHub would not assign the claimant: Shepherd holds the claim in a comment it edits in place. */
export function heldClaimPlan(input: { issue: number; login: string; since: number }): Action[] {
  const { issue, login, since } = input;
  const body = [
    renderMarker("claim", { claimant: login, since }),
    `**Claimed by @${login}** on ${new Date(since).toISOString().slice(0, 10)}.`,
    "",
    "GitHub cannot assign them yet, so Shepherd holds the claim: others see the issue is taken, " +
      "and `/release` gives it back.",
  ].join("\n");
  return [
    { type: "comment", issue, key: "claim", body, repost: true },
    { type: "update-claim", issue, patch: { assigned: false } },
  ];
}
