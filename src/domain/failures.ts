// What to do when a GitHub call fails inside a job: retry with backoff, wait for the rate limit to
// reset, or fail for good. Pure, so the rules are tested as a table.

export interface CallFailure {
  /** HTTP status, or undefined for a network error or a timeout. */
  status?: number | undefined;
  headers?: Record<string, string | number | undefined> | undefined;
  message: string;
  /** GraphQL answers 200 with errors instead of an HTTP status. */
  graphqlErrors?: Array<{ type?: string | undefined; message: string }> | undefined;
}

export type FailurePlan =
  { kind: "retry" } | { kind: "wait"; untilMs: number; reason: string } | { kind: "fail"; reason: string };

/** Upper bound on one wait, so a wrong header cannot park a job for hours. */
const MAX_WAIT_MS = 60 * 60 * 1000;
/** GitHub's advice for a secondary limit without retry-after: wait at least a minute. */
const SECONDARY_WAIT_MS = 60 * 1000;

export function planFailure(failure: CallFailure, nowMs: number): FailurePlan {
  const { status } = failure;
  if (failure.graphqlErrors && failure.graphqlErrors.length > 0) {
    if (failure.graphqlErrors.some((error) => error.type === "RATE_LIMITED")) {
      return wait(nowMs, SECONDARY_WAIT_MS, "GraphQL rate limit");
    }
    // Other GraphQL errors (a missing permission, a bad query) answer the same way every time.
    return { kind: "fail", reason: `GitHub refused the GraphQL call: ${failure.message}` };
  }
  if (status === undefined) return { kind: "retry" };
  const headers = failure.headers ?? {};
  const retryAfter = Number(headers["retry-after"]);
  const remaining = headers["x-ratelimit-remaining"];
  const reset = Number(headers["x-ratelimit-reset"]);
  if (status === 429 || status === 403) {
    if (Number.isFinite(retryAfter) && retryAfter >= 0) {
      return wait(nowMs, retryAfter * 1000, "GitHub asked to retry later");
    }
    if (String(remaining) === "0" && Number.isFinite(reset)) {
      return wait(nowMs, reset * 1000 - nowMs + 1000, "installation rate limit exhausted");
    }
    if (status === 429 || /secondary rate limit|abuse/i.test(failure.message)) {
      return wait(nowMs, SECONDARY_WAIT_MS, "secondary rate limit");
    }
    return { kind: "fail", reason: `GitHub refused the call (403): ${failure.message}` };
  }
  if (status >= 500 || status === 408) return { kind: "retry" };
  // 409 (conflict) and 422 on a race are not worth hammering; other 4xx are our mistake or a
  // missing permission, and retrying would only spend the installation's budget.
  return { kind: "fail", reason: `GitHub answered ${status}: ${failure.message}` };
}

function wait(nowMs: number, delayMs: number, reason: string): FailurePlan {
  const bounded = Math.min(Math.max(delayMs, 1000), MAX_WAIT_MS);
  return { kind: "wait", untilMs: nowMs + bounded, reason };
}
