// GitHub's rate limits as the fake enforces them: the primary (hourly) budget, the secondary limit
// on content creation, and the rule behind both that a client told to wait must wait. A bot that
// retries before `retry-after` or `x-ratelimit-reset` works against the fake only by luck on
// GitHub, so such requests are refused again and listed in `rateViolations`.

/** A request that arrived before a rate-limit answer said it could. */
export interface RateViolation {
  operationId: string;
  method: string;
  path: string;
  installationId: number | undefined;
  /** Date.now() when the request arrived. */
  arrivedAt: number;
  /** Date.now() before which the earlier answer asked the caller not to come back. */
  notBefore: number;
  /** Date.now() when that answer was written. */
  noticeAt: number;
}

/** Secondary limit on content creation, per installation (GitHub's documented 80/min, 500/h). */
export interface ContentLimits {
  perMinute?: number;
  perHour?: number;
  /**
   * What the windows count: content creation (GitHub's documented rule, the default) or every
   * mutating request (the stricter reading a benchmark can hold a bot to).
   */
  counts?: "content" | "writes";
  /** Window lengths; a benchmark shrinks them to run in minutes (e.g. 6 s for the minute). */
  minuteMs?: number;
  hourMs?: number;
}

export const DEFAULT_CONTENT_LIMITS: Required<ContentLimits> = {
  perMinute: 80,
  perHour: 500,
  counts: "content",
  minuteMs: 60_000,
  hourMs: 3_600_000,
};

/**
 * What counts as content creation: requests that make something new people are notified about
 * (issues, comments, reviews, discussions). Labels, assignees, edits and reactions change
 * existing items and are not counted, as GitHub's docs on secondary limits describe.
 */
export const CONTENT_OPERATIONS: ReadonlySet<string> = new Set([
  "issues/create",
  "issues/create-comment",
  "pulls/create",
  "pulls/create-review",
  "pulls/create-review-comment",
  "pulls/create-reply-for-review-comment",
]);

/** GraphQL mutations that create content (same rule as CONTENT_OPERATIONS). */
export const CONTENT_MUTATIONS: ReadonlySet<string> = new Set([
  "createDiscussion",
  "addDiscussionComment",
  "createIssue",
  "addComment",
  "addPullRequestReview",
  "addPullRequestReviewComment",
]);

export const SECONDARY_LIMIT_MESSAGE =
  "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.";

export const SECONDARY_LIMIT_DOCS =
  "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits";

/** The time (ms) before which a response asks its caller not to retry, when it is a rate-limit answer. */
export function rateLimitedUntil(
  status: number,
  headers: Record<string, string>,
  writtenAt: number,
): number | undefined {
  if (status !== 403 && status !== 429) return undefined;
  const retryAfter = Number(headers["retry-after"]);
  if (headers["retry-after"] !== undefined && Number.isFinite(retryAfter)) return writtenAt + retryAfter * 1000;
  const reset = Number(headers["x-ratelimit-reset"]);
  if (headers["x-ratelimit-remaining"] === "0" && Number.isFinite(reset)) return reset * 1000;
  return undefined;
}

/**
 * Requests that arrive this soon after a rate-limit answer left were already on the wire when the
 * client could have read it (loopback takes well under this): they are not the client ignoring it.
 */
export const IN_FLIGHT_MS = 20;

/** Remembers, per identity and route, until when a client was told to wait. */
export interface RateWindows {
  /** `notBefore`: the end of the wait; `noticeAt`: when the answer that asked for it was written. */
  note(key: string, notBefore: number, noticeAt?: number): void;
  /** The remembered time when `at` is inside the window (past the in-flight grace). */
  premature(key: string, at: number): number | undefined;
  /** When the answer that opened the key's window was written. */
  noticeAt(key: string): number | undefined;
  clear(): void;
}

export function createRateWindows(): RateWindows {
  const windows = new Map<string, { from: number; until: number }>();
  return {
    note(key, notBefore, noticeAt = 0) {
      const current = windows.get(key);
      const from = noticeAt + IN_FLIGHT_MS;
      // A window that has ended is replaced; one still open is only extended.
      if (!current || current.until <= noticeAt) windows.set(key, { from, until: notBefore });
      else if (notBefore > current.until) windows.set(key, { from: current.from, until: notBefore });
    },
    premature(key, at) {
      const window = windows.get(key);
      return window !== undefined && at >= window.from && at < window.until ? window.until : undefined;
    },
    noticeAt: (key) => {
      const window = windows.get(key);
      return window ? window.from - IN_FLIGHT_MS : undefined;
    },
    clear: () => windows.clear(),
  };
}

export interface RateBucket {
  limit: number;
  count: number;
  /** Date.now() at which the budget refills. */
  resetAt: number;
}

/** Primary budgets per identity and resource, refilled when their window ends (an hour; a minute for search). */
export interface RateBuckets {
  get(key: string, limit: number, windowMs: number, now: number): RateBucket;
  clear(): void;
}

export function createRateBuckets(): RateBuckets {
  const buckets = new Map<string, RateBucket>();
  return {
    get(key, limit, windowMs, now) {
      const found = buckets.get(key);
      if (found && found.resetAt > now) return found;
      // GitHub's reset is a whole second (x-ratelimit-reset is epoch seconds).
      const bucket = { limit, count: 0, resetAt: Math.ceil((now + windowMs) / 1000) * 1000 };
      buckets.set(key, bucket);
      return bucket;
    },
    clear: () => buckets.clear(),
  };
}

/** Sliding windows of content creation per identity. */
export interface ContentLimiter {
  /** Seconds until the caller may create content again, or undefined when it may now. */
  retryAfter(identity: string, now: number): number | undefined;
  spend(identity: string, now: number, count?: number): void;
  clear(): void;
}

export function createContentLimiter(limits: ContentLimits | false | undefined): ContentLimiter {
  const { perMinute, perHour, minuteMs: MINUTE_MS, hourMs: HOUR_MS } = { ...DEFAULT_CONTENT_LIMITS, ...(limits || {}) };
  const spent = new Map<string, number[]>();

  function recent(identity: string, now: number): number[] {
    const times = (spent.get(identity) ?? []).filter((time) => time > now - HOUR_MS);
    spent.set(identity, times);
    return times;
  }

  /** Seconds until the window of `windowMs` holds fewer than `limit` entries. */
  function wait(times: number[], limit: number, windowMs: number, now: number): number {
    const inWindow = times.filter((time) => time > now - windowMs);
    if (inWindow.length < limit) return 0;
    const freeing = inWindow[inWindow.length - limit] ?? now;
    return Math.max(1, Math.ceil((freeing + windowMs - now) / 1000));
  }

  return {
    retryAfter(identity, now) {
      if (limits === false) return undefined;
      const times = recent(identity, now);
      const seconds = Math.max(wait(times, perMinute, MINUTE_MS, now), wait(times, perHour, HOUR_MS, now));
      return seconds > 0 ? seconds : undefined;
    },
    spend(identity, now, count = 1) {
      if (limits === false) return;
      const times = recent(identity, now);
      for (let index = 0; index < count; index++) times.push(now);
    },
    clear: () => spent.clear(),
  };
}

/** A small deterministic PRNG (mulberry32): the same seed gives the same chaos. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
