// The webhook events Shepherd acts on. The web role enqueues only these (others are answered and
// dropped), and app.yml subscribes to the same list (a test keeps the two in step).
export const HANDLED_EVENTS = [
  "installation",
  "installation_repositories",
  "issues",
  "issue_comment",
  "pull_request",
  "pull_request_review",
  "pull_request_review_comment",
  "push",
  "milestone",
] as const;
export type HandledEvent = (typeof HANDLED_EVENTS)[number];

export function isHandledEvent(name: string): name is HandledEvent {
  return (HANDLED_EVENTS as readonly string[]).includes(name);
}
