// Which write class (pacer lane priority) a write goes in: answers to people first, then labels,
// then explanations and welcomes, then summaries and digests, then backlog triage.
import type { Action } from "./actions.js";

export type WriteClass = "command" | "label" | "comment" | "report" | "backlog";

/** Handlers and tasks whose every write answers a person who is waiting for it. */
const ANSWERS: ReadonlySet<string> = new Set(["commands"]);
/** Tasks whose writes nobody waits for. */
const REPORTS: ReadonlySet<string> = new Set(["refresh-summary", "digest-repo", "sync-labels"]);

export function writeClassOf(handler: string, action: Action): WriteClass {
  if (ANSWERS.has(handler)) return "command";
  if (handler === "backlog-repo") return "backlog";
  if (REPORTS.has(handler)) return "report";
  switch (action.type) {
    case "add-labels":
    case "edit-labels":
    case "remove-label":
    case "set-milestone":
    case "add-assignees":
    case "remove-assignees":
      return "label";
    case "create-issue":
    case "update-issue-body":
    case "pin-issue":
    case "create-discussion":
      return "report";
    default:
      return "comment";
  }
}
