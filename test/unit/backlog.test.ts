import { describe, expect, it } from "vitest";
import { type BacklogProgress, expectedFinish, renderBacklog } from "../../src/domain/backlog.js";

const HOUR = 3_600_000;
const start = Date.UTC(2026, 11, 3, 12, 0);

function progress(overrides: Partial<BacklogProgress> = {}): BacklogProgress {
  return { v: 1, total: 1000, done: 250, startedAt: start, updatedAt: start + HOUR, finishedAt: null, ...overrides };
}

describe("backlog progress", () => {
  it("expects the rest at the pace kept so far", () => {
    expect(expectedFinish(progress())).toBe(start + 4 * HOUR);
    expect(expectedFinish(progress({ done: 0 }))).toBeNull();
    expect(expectedFinish(progress({ finishedAt: start + 2 * HOUR }))).toBe(start + 2 * HOUR);
  });

  it("shows the count and the expected finish while it runs, and a day after it ends", () => {
    expect(renderBacklog(progress(), start + HOUR)).toBe(
      "Backlog triage: 250 of 1000 open items so far; expected to finish around 2026-12-03 16:00 UTC.",
    );
    expect(renderBacklog(progress({ done: 0 }), start)).toBe("Backlog triage: 0 of 1000 open items so far.");
    const finished = progress({ done: 1000, finishedAt: start + 3 * HOUR });
    expect(renderBacklog(finished, start + 4 * HOUR)).toContain("Backlog triage finished: the 1000 items");
    expect(renderBacklog(finished, start + 30 * HOUR)).toBe("");
    expect(renderBacklog(null, start)).toBe("");
  });
});
