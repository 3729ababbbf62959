// @vitest-environment happy-dom
// Mermaid's parser needs a DOM (DOMPurify sanitises chart titles), so this file runs in happy-dom.
import { beforeAll, describe, expect, it } from "vitest";
import { djangoAsyncPreset } from "../../src/config/presets/django-async.js";
import { renderDigest, type DigestInput } from "../../src/domain/digest.js";
import type { ClassifierModel } from "../../src/domain/model.js";
import { weekBounds, type Counts, type TrackedItem, type WeeklySnapshot } from "../../src/domain/projection.js";

type Mermaid = (typeof import("mermaid"))["default"];
let mermaid: Mermaid;

beforeAll(async () => {
  mermaid = (await import("mermaid")).default;
});

const DAY = 86_400_000;
const WEEK = "2026-W48";
const ZONE = "Europe/Paris";
const { start, end } = weekBounds(WEEK, ZONE);
const IN_WEEK = start + 2 * DAY;
const BEFORE = start - 10 * DAY;
const ZWJ = "\u200d";

function item(number: number, more: Partial<TrackedItem> = {}): TrackedItem {
  return {
    ...{ number, kind: "issue", title: `Item ${number}`, subsystem: "orm", roadmap: "2.2", state: "open" },
    ...{ claimant: null, mentor: null, goodFirst: false, openedAt: BEFORE, claimedAt: null, inProgressAt: null },
    ...{ doneAt: null, updatedAt: BEFORE, linked: null },
    ...more,
  };
}

function counts(done: number, open: number): Counts {
  return { open, claimed: 0, inProgress: 0, done };
}

function weekly(week: string, done: number, takenAt = 0): WeeklySnapshot {
  return { week, takenAt, total: counts(done, 10), byVersion: {}, bySubsystem: {} };
}

function digest(overrides: Partial<DigestInput> = {}): { title: string; body: string } {
  return renderDigest({
    repo: "django/django",
    week: WEEK,
    timeZone: ZONE,
    items: [],
    snapshots: [],
    welcomed: [],
    stale: [],
    model: djangoAsyncPreset,
    now: end - DAY,
    ...overrides,
  });
}

function charts(body: string): string[] {
  return [...body.matchAll(/```mermaid\n([\s\S]*?)\n```/g)].map((match) => match[1] ?? "");
}

/** Every chart in the body goes through Mermaid's own parser (it throws on a syntax error). */
async function expectChartsParse(body: string, count: number): Promise<string[]> {
  const found = charts(body);
  expect(found).toHaveLength(count);
  for (const chart of found) await expect(mermaid.parse(chart)).resolves.toMatchObject({ diagramType: "xychart" });
  return found;
}

describe("the Mermaid check itself", () => {
  it("rejects a broken chart, so passing charts mean something", async () => {
    await expect(mermaid.parse('xychart-beta\n  title "a "quoted" title"\n  bar [1]')).rejects.toThrow();
    await expect(mermaid.parse("xychart-beta\n  x-axis []\n  bar []")).rejects.toThrow();
  });
});

describe("renderDigest", () => {
  const items = [
    item(1, { state: "done", doneAt: IN_WEEK, claimant: "carol", claimedAt: BEFORE, title: "Async `QuerySet` @bob" }),
    item(2, { state: "claimed", claimant: "dave", claimedAt: IN_WEEK, subsystem: "cache", roadmap: "3.0" }),
    item(3, {
      state: "in-progress",
      claimant: "erin",
      claimedAt: BEFORE,
      linked: 30,
      subsystem: "cache",
      roadmap: "3.0",
    }),
    item(30, { kind: "pr", state: "in-progress", linked: 3, openedAt: IN_WEEK, subsystem: "cache", roadmap: "3.0" }),
    item(4, { goodFirst: true, title: "Fix #99 | <i>now</i>" }),
    item(5, { state: "done", doneAt: end + 1 }),
    item(6, { state: "done", doneAt: start - 1 }),
  ];

  it("titles the week and reports what moved, grouped in preset order", async () => {
    const { title, body } = digest({ items });
    expect(title).toBe("Async roadmap, week 2026-W48");
    expect(body).toContain(
      "Weekly digest for **django/django**, Monday 23 November to Sunday 29 November 2026 (Europe/Paris).",
    );
    expect(body).toContain("| 2.2 | ORM and database layer | 1 | 0 | 0 |");
    expect(body).toContain("| 3.0 | Cache framework | 0 | 1 | 1 |");
    // One item a line under its group; the title's code span renders, the mention still cannot ping.
    expect(body).toContain(`**Done (1)**\n\n- 2.2, ORM and database layer\n  - #1 Async \`QuerySet\` @${ZWJ}bob`);
    expect(body).toContain("**Newly claimed (1)**\n\n- 3.0, Cache framework\n  - #2 Item 2 (**dave**)");
    expect(body).toContain("**New pull requests (1)**\n\n- 3.0, Cache framework\n  - #30 Item 30 (for #3)");
    expect(body).not.toContain("#5 ");
    expect(body).not.toContain("#6 ");
    expect(body).toContain(`- #4 Fix #${ZWJ}99 \\| &lt;i&gt;now&lt;/i&gt; (good first issue)`);
    await expectChartsParse(body, 2);
  });

  it("welcomes newcomers and thanks their mentors by name, without pinging anyone", () => {
    const { body } = digest({
      welcomed: [
        { newcomer: "zoe", mentor: "bob", at: IN_WEEK + 5 },
        { newcomer: "yan", mentor: null, at: IN_WEEK },
        { newcomer: "xia", mentor: "Ann", at: IN_WEEK + 9 },
        { newcomer: "old", mentor: "kim", at: BEFORE },
      ],
      stale: [
        { number: 8, title: "Quiet @one", claimant: "sam", idleDays: 15 },
        { number: 9, title: "Quieter", claimant: "tom", idleDays: 30 },
      ],
    });
    expect(body).toContain(
      "- **yan**, waiting for a mentor\n- **zoe**, mentored by **bob**\n- **xia**, mentored by **Ann**",
    );
    expect(body).toContain("Thank you, **Ann** and **bob**, for taking this week's newcomers under your wing.");
    expect(body).not.toContain("old");
    expect(body).toContain(
      `- #9 Quieter: claimed by **tom**, quiet for 30 days\n- #8 Quiet @${ZWJ}one: claimed by **sam**`,
    );
    expect(body).not.toMatch(/(^|[^\\])@[A-Za-z]/m);
  });

  it("charts the last 12 weeks from snapshots, ending with this week's live counts", async () => {
    const snapshots = Array.from({ length: 15 }, (_, index) =>
      weekly(`2026-W${String(33 + index).padStart(2, "0")}`, index),
    );
    snapshots.push(weekly("2026-W40", 99, 1), weekly("2026-W49", 500));
    const { body } = digest({ items, snapshots });
    const [done] = await expectChartsParse(body, 2);
    expect(done).toContain(
      'x-axis ["W37", "W38", "W39", "W40", "W41", "W42", "W43", "W44", "W45", "W46", "W47", "W48"]',
    );
    expect(done).toContain("bar [4, 5, 6, 99, 8, 9, 10, 11, 12, 13, 14, 3]");
    expect(done).toContain("line [14, 15, 16, 109, 18, 19, 20, 21, 22, 23, 24, 6]");
  });

  it.each<{ name: string; input: Partial<DigestInput>; remaining: string }>([
    { name: "zero weeks and no items", input: {}, remaining: "bar [0, 0, 0, 0]" },
    { name: "one week", input: { items, snapshots: [weekly("2026-W47", 1)] }, remaining: "bar [1, 2, 0, 0]" },
    {
      name: "versions with nothing left, odd and missing versions",
      input: {
        items: [item(1, { state: "done", doneAt: IN_WEEK }), item(2, { roadmap: "4.0" }), item(3, { roadmap: null })],
      },
      remaining: 'x-axis ["2.2", "3.0", "3.1", "3.2", "4.0", "no version"]',
    },
  ])("keeps every chart valid: $name", async ({ input, remaining }) => {
    const found = await expectChartsParse(digest(input).body, 2);
    expect(found[1]).toContain(remaining);
  });

  it("keeps charts valid with quotes and markup in titles, versions and the repo", async () => {
    const model: ClassifierModel = {
      ...djangoAsyncPreset,
      roadmap: [
        { version: '3.0 "final"', title: 'The "big" one', delivers: "`x`", subsystems: ["orm"] },
        { version: "```\n#quot; <b>", title: "odd", delivers: "", subsystems: [] },
      ],
    };
    const { body } = digest({
      repo: 'o/r"`x',
      model,
      items: [
        item(1, { roadmap: '3.0 "final"', title: '"Quoted" title ```' }),
        item(2, { roadmap: "```\n#quot; <b>" }),
      ],
      snapshots: [weekly("2026-W47", 0)],
    });
    const found = await expectChartsParse(body, 2);
    expect(found[1]).toContain('x-axis ["3.0 final", "quot b"]');
    expect(body.match(/```/g)).toHaveLength(4);
  });

  it("says so when there are no versions to chart", async () => {
    const { body } = digest({ model: { ...djangoAsyncPreset, roadmap: [] } });
    await expectChartsParse(body, 1);
    expect(body).toContain("No roadmap versions to chart.");
  });

  it("renders 50,000 items into a body GitHub accepts, with valid charts", async () => {
    const { subsystems, roadmap } = djangoAsyncPreset;
    const huge = Array.from({ length: 50_000 }, (_, index) => {
      const state = (["open", "claimed", "in-progress", "done"] as const)[index % 4] ?? "open";
      return item(index + 1, {
        state,
        subsystem: subsystems[index % subsystems.length]?.id ?? null,
        roadmap: roadmap[index % roadmap.length]?.version ?? null,
        claimant: state === "open" ? null : `user${index % 300}`,
        claimedAt: state === "open" ? null : IN_WEEK + index,
        doneAt: state === "done" ? IN_WEEK + index : null,
        openedAt: index % 3 === 0 ? IN_WEEK : BEFORE,
        kind: index % 10 === 9 ? "pr" : "issue",
      });
    });
    const snapshots = Array.from({ length: 30 }, (_, index) => weekly(`2026-W${String(10 + index)}`, index * 100));
    const { body } = digest({ items: huge, snapshots });
    expect(body).toContain("**Done (");
    expect(body).toContain("- and ");
    expect(body.length).toBeLessThan(65_536);
    await expectChartsParse(body, 2);
  });
});
