// Claims follow GitHub's assignees when a person assigns or unassigns by hand: Shepherd's claim
// is its record of who works on an issue, and a stale claim for someone a maintainer unassigned
// would remind (and later release) the wrong person.
import type { StateAction } from "./actions.js";

export interface AssignmentFacts {
  issue: number;
  state: "open" | "closed";
  /** GitHub's assignees after the change (the payload's issue). */
  assignees: string[];
  /** The claim Shepherd holds; `assigned: false` claims live in a comment, not in the assignees. */
  claim: { claimant: string; assigned: boolean } | null;
  /** Claims are configured for the repo. */
  claimsOn: boolean;
  now: number;
}

/** The claim changes that bring Shepherd's claim in step with the assignees; none when it already is. */
export function claimForAssignees(facts: AssignmentFacts): StateAction[] {
  const { issue, claim, assignees } = facts;
  if (!facts.claimsOn || facts.state === "closed") return [];
  const assigned = (login: string) => assignees.some((name) => name.toLowerCase() === login.toLowerCase());
  const first = assignees[0];
  if (claim) {
    // A claim kept in a comment never was an assignment: hand edits of the assignees leave it be.
    if (!claim.assigned || assigned(claim.claimant)) return [];
    const release: StateAction = { type: "release-claim", issue };
    return first ? [release, { type: "store-claim", issue, login: first, since: facts.now }] : [release];
  }
  return first ? [{ type: "store-claim", issue, login: first, since: facts.now }] : [];
}
