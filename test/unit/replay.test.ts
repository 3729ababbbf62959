import { describe, expect, it } from "vitest";
import {
  failedGuids,
  FIRST_LOOKBACK_MS,
  type ListedDelivery,
  MAX_AGE_MS,
  OVERLAP_MS,
  planReplay,
  type ReplayInput,
  replayWindowStart,
} from "../../src/domain/replay.js";

const NOW = Date.parse("2024-05-06T12:00:00Z");
const MINUTE = 60_000;

let nextId = 1;

/** An attempt `minutesAgo` before NOW; failed with no answer unless a status is given. */
function attempt(guid: string, minutesAgo: number, overrides: Partial<ListedDelivery> = {}): ListedDelivery {
  return {
    id: nextId++,
    guid,
    deliveredAt: NOW - minutesAgo * MINUTE,
    statusCode: 0,
    event: "issues",
    action: "opened",
    redelivery: false,
    ...overrides,
  };
}

function plan(deliveries: ListedDelivery[], overrides: Partial<ReplayInput> = {}) {
  return planReplay({
    deliveries,
    checkpoint: null,
    now: NOW,
    processed: new Set(),
    asked: new Set(),
    max: 20,
    ...overrides,
  });
}

const guids = (result: ReturnType<typeof plan>) => result.redeliver.map((entry) => entry.guid);

describe("replayWindowStart", () => {
  it("looks back an hour on the first run, and a little behind the checkpoint after", () => {
    expect(replayWindowStart(null, NOW)).toBe(NOW - FIRST_LOOKBACK_MS);
    expect(replayWindowStart(NOW - 10 * MINUTE, NOW)).toBe(NOW - 10 * MINUTE - OVERLAP_MS);
  });

  it("never looks further back than GitHub redelivers", () => {
    expect(replayWindowStart(NOW - 30 * 24 * 60 * MINUTE, NOW)).toBe(NOW - MAX_AGE_MS);
  });
});

describe("planReplay", () => {
  it("redelivers failed handled deliveries, 503s and unanswered ones alike, oldest first", () => {
    const deliveries = [attempt("c", 1, { statusCode: 503 }), attempt("b", 2, { statusCode: 0 }), attempt("a", 3)];
    const result = plan(deliveries);
    expect(guids(result)).toEqual(["a", "b", "c"]);
    expect(result.redeliver[0]).toEqual({ id: deliveries[2]?.id, guid: "a", event: "issues", action: "opened" });
  });

  it("leaves alone what succeeded, what Shepherd does not handle, what it processed and what was asked for", () => {
    const deliveries = [
      attempt("ok", 1, { statusCode: 202 }),
      attempt("ping", 2, { event: "ping", action: null }),
      attempt("pinned", 3, { action: "pinned" }),
      attempt("done", 4, { statusCode: 503 }),
      attempt("asked", 5),
      attempt("push", 6, { event: "push", action: null }),
    ];
    const result = plan(deliveries, { processed: new Set(["done"]), asked: new Set(["asked"]) });
    expect(guids(result)).toEqual(["push"]);
    expect(result.counts).toEqual({ ok: 1, unhandled: 2, processed: 1, asked: 1, redeliver: 1, deferred: 0 });
  });

  it("does not redeliver a GUID whose later attempt (a redelivery) succeeded", () => {
    const deliveries = [attempt("g", 1, { statusCode: 202, redelivery: true }), attempt("g", 5, { statusCode: 0 })];
    expect(guids(plan(deliveries))).toEqual([]);
  });

  it("asks once per GUID, for its newest failed attempt", () => {
    const newer = attempt("g", 1, { statusCode: 502, redelivery: true });
    const older = attempt("g", 5);
    const result = plan([newer, older]);
    expect(result.redeliver).toEqual([{ id: newer.id, guid: "g", event: "issues", action: "opened" }]);
  });

  it("ignores deliveries before the window, and moves the checkpoint to the newest one seen", () => {
    const checkpoint = NOW - 10 * MINUTE;
    const deliveries = [
      attempt("new", 3),
      attempt("overlap", 11),
      attempt("old", 10 + OVERLAP_MS / MINUTE + 1),
      attempt("first-run-only", 90),
    ];
    const result = plan(deliveries, { checkpoint });
    expect(result.since).toBe(checkpoint - OVERLAP_MS);
    expect(guids(result)).toEqual(["overlap", "new"]);
    expect(result.checkpoint).toBe(NOW - 3 * MINUTE);
  });

  it("on the first run looks back an hour only", () => {
    const result = plan([attempt("recent", 59), attempt("stale", 61)]);
    expect(guids(result)).toEqual(["recent"]);
  });

  it("keeps the checkpoint where it was when nothing new is listed", () => {
    const checkpoint = NOW - 10 * MINUTE;
    expect(plan([], { checkpoint }).checkpoint).toBe(checkpoint);
    expect(plan([]).checkpoint).toBe(NOW - FIRST_LOOKBACK_MS);
  });

  it("takes at most `max` a run and stops the checkpoint before the rest, so the next run gets them", () => {
    const deliveries = [attempt("d", 1), attempt("c", 2), attempt("b", 3), attempt("a", 4), attempt("ok", 0.5)];
    deliveries[4] = { ...deliveries[4]!, statusCode: 200 };
    const first = plan(deliveries, { max: 2 });
    expect(guids(first)).toEqual(["a", "b"]);
    expect(first.counts.deferred).toBe(2);
    expect(first.checkpoint).toBe(NOW - 2 * MINUTE);
    const second = plan(deliveries, { max: 2, checkpoint: first.checkpoint, asked: new Set(["a", "b"]) });
    expect(guids(second)).toEqual(["c", "d"]);
    expect(second.checkpoint).toBe(NOW - 0.5 * MINUTE);
    const third = plan(deliveries, { max: 2, checkpoint: second.checkpoint, asked: new Set(["a", "b", "c", "d"]) });
    expect(guids(third)).toEqual([]);
  });
});

describe("failedGuids", () => {
  it("names each GUID that failed in the window and never succeeded, once", () => {
    const deliveries = [
      attempt("a", 1, { statusCode: 503 }),
      attempt("a", 2),
      attempt("b", 1, { statusCode: 200 }),
      attempt("b", 3),
      attempt("c", 120),
    ];
    expect(failedGuids(deliveries, NOW - 60 * MINUTE)).toEqual(["a"]);
  });
});
