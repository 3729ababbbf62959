import { describe, expect, it } from "vitest";
import { djangoAsyncPreset } from "../../src/config/presets/django-async.js";
import type { TrackedItem, TrackedState } from "../../src/domain/projection.js";
import { progressBar, renderSummary } from "../../src/domain/summary.js";

const DAY = 86_400_000;
const NOW = Date.parse("2026-11-27T12:00:00Z");
const ZWJ = "\u200d";

function issue(number: number, state: TrackedState, more: Partial<TrackedItem> = {}): TrackedItem {
  const claimed = state === "open" ? null : NOW - DAY;
  return {
    ...{ number, kind: "issue", title: `Issue ${number}`, subsystem: "orm", roadmap: "2.2", state },
    ...{ claimant: claimed === null ? null : "carol", mentor: null, goodFirst: false, openedAt: NOW - 30 * DAY },
    ...{ claimedAt: claimed, inProgressAt: null, doneAt: state === "done" ? NOW : null, updatedAt: NOW, linked: null },
    ...more,
  };
}

function summary(items: TrackedItem[], mentorships: Array<{ newcomer: string; mentor: string }> = []): string {
  return renderSummary({
    items,
    model: djangoAsyncPreset,
    mentorships,
    now: NOW,
    labels: { goodFirst: ["good first issue", "easy pickings"] },
  });
}

describe("progressBar", () => {
  it.each([
    [{ open: 116, claimed: 0, inProgress: 0, done: 84 }, "▓▓▓▓░░░░░░ 42% done (84 of 200)"],
    [{ open: 1, claimed: 0, inProgress: 0, done: 199 }, "▓▓▓▓▓▓▓▓▓░ 99% done (199 of 200)"],
    [{ open: 0, claimed: 0, inProgress: 0, done: 3 }, "▓▓▓▓▓▓▓▓▓▓ 100% done (3 of 3)"],
    [{ open: 0, claimed: 0, inProgress: 0, done: 0 }, "░░░░░░░░░░ 0% done (0 of 0)"],
  ])("%o", (counts, bar) => {
    expect(progressBar(counts)).toBe(bar);
  });
});

describe("renderSummary", () => {
  const items = [
    issue(1, "done"),
    issue(2, "open", { subsystem: "views-http" }),
    issue(3, "in-progress", { subsystem: "cache", roadmap: "3.0", linked: 30 }),
    { ...issue(30, "in-progress", { subsystem: "cache", roadmap: "3.0", linked: 3 }), kind: "pr" as const },
    issue(4, "claimed", { subsystem: "handlers", roadmap: "3.0" }),
    issue(5, "open", { subsystem: null, roadmap: null, goodFirst: true, title: "Ping @bob about #12 | <b>x</b>" }),
  ];

  it("shows overall progress, the table in preset order with version totals, newcomers and mentors", () => {
    const text = summary(items, [
      { newcomer: "zed", mentor: "bob" },
      { newcomer: "amy", mentor: "bob" },
      { newcomer: "kim", mentor: "Ann" },
    ]);
    expect(text).toContain("`▓▓░░░░░░░░ 20% done (1 of 5)`");
    expect(text).toContain("2 open, 1 claimed, 1 in progress, 1 done.");
    const rows = text.split("\n").filter((line) => line.startsWith("| ") && !/^\| (Version|---)/.test(line));
    expect(rows).toEqual([
      "| 2.2 | ORM and database layer | 0 | 0 | 0 | 1 | 100% |",
      "| 2.2 | Views and HTTP | 1 | 0 | 0 | 0 | 0% |",
      "| **2.2** | **all subsystems** | 1 | 0 | 0 | 1 | 50% |",
      "| 3.0 | Request handlers \\(ASGI/WSGI\\) | 0 | 1 | 0 | 0 | 0% |",
      "| 3.0 | Cache framework | 0 | 0 | 1 | 0 | 0% |",
      "| **3.0** | **all subsystems** | 0 | 1 | 1 | 0 | 0% |",
      // One subsystem in the version: no subtotal repeating its only row.
      "| no version | not sorted yet | 1 | 0 | 0 | 0 | 0% |",
    ]);
    expect(text).toContain("### Unclaimed and good for newcomers");
    expect(text).toContain("labelled **good first issue** or **easy pickings**");
    expect(text).toContain(`- #5 Ping @${ZWJ}bob about #${ZWJ}12 \\| &lt;b&gt;x&lt;/b&gt; (waiting 30 days)`);
    expect(text).toContain("- **Ann** mentors **kim**\n- **bob** mentors **amy** and **zed**");
    expect(text).not.toMatch(/(^|[^\\])@[A-Za-z]/m);
  });

  it("lists at most 10 issues for newcomers and counts the rest", () => {
    const many = Array.from({ length: 13 }, (_, index) =>
      issue(index + 1, "open", { goodFirst: true, openedAt: NOW - (20 - index) * DAY }),
    );
    const text = summary(many);
    expect(text).toContain("- #1 Issue 1 (waiting 20 days)");
    expect(text).toContain("- #10 Issue 10 (waiting 11 days)");
    expect(text).not.toContain("#11 ");
    expect(text).toContain("- and 3 more");
  });

  it("says so when there is nothing to show", () => {
    const text = summary([]);
    expect(text).toContain("No roadmap work is tracked yet.");
    expect(text).toContain("No unclaimed issue labelled");
    expect(text).toContain("Nobody is being mentored right now.");
    expect(text).not.toContain("| Version");
  });

  it("renders 50,000 items into a body GitHub accepts", () => {
    const states: TrackedState[] = ["open", "claimed", "in-progress", "done"];
    const { subsystems, roadmap } = djangoAsyncPreset;
    const huge = Array.from({ length: 50_000 }, (_, index) =>
      issue(index + 1, states[index % 4] ?? "open", {
        subsystem: subsystems[index % subsystems.length]?.id ?? null,
        roadmap: roadmap[index % roadmap.length]?.version ?? null,
        goodFirst: index % 7 === 0,
      }),
    );
    const text = summary(huge);
    expect(text).toContain("(12500 of 50000)");
    expect(text.length).toBeGreaterThan(1_000);
    expect(text.length).toBeLessThan(65_536);
  });
});
