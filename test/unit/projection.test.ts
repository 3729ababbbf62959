import { describe, expect, it } from "vitest";
import { djangoAsyncPreset } from "../../src/config/presets/django-async.js";
import {
  countAll,
  countBy,
  isoWeek,
  percentDone,
  snapshot,
  sortGroups,
  topUnclaimed,
  weekBounds,
  workItems,
  type TrackedItem,
} from "../../src/domain/projection.js";

function tracked(number: number, overrides: Partial<TrackedItem> = {}): TrackedItem {
  return {
    number,
    kind: "issue",
    title: `Item ${number}`,
    subsystem: "orm",
    roadmap: "2.2",
    state: "open",
    claimant: null,
    mentor: null,
    goodFirst: false,
    openedAt: number,
    claimedAt: null,
    inProgressAt: null,
    doneAt: null,
    updatedAt: number,
    linked: null,
    ...overrides,
  };
}

describe("work items", () => {
  const items = [
    tracked(1, { state: "in-progress", linked: 10 }),
    tracked(10, { kind: "pr", linked: 1, state: "in-progress" }),
    tracked(11, { kind: "pr", linked: null, state: "done", subsystem: "cache", roadmap: "3.0" }),
    tracked(12, { kind: "pr", linked: 99, state: "claimed", subsystem: "cache", roadmap: "3.0" }),
    tracked(2, { state: "done", roadmap: null }),
  ];

  it("counts issues, and PRs only when they fix no tracked issue", () => {
    expect(workItems(items).map((item) => item.number)).toEqual([1, 11, 12, 2]);
    expect(countAll(items)).toEqual({ open: 0, claimed: 1, inProgress: 1, done: 2 });
  });

  it("groups by a key, leaving null keys to the total", () => {
    expect(countBy(items, (item) => item.roadmap)).toEqual({
      "2.2": { open: 0, claimed: 0, inProgress: 1, done: 0 },
      "3.0": { open: 0, claimed: 1, inProgress: 0, done: 1 },
    });
    const odd = countBy([tracked(3, { subsystem: "__proto__" })], (item) => item.subsystem);
    expect(Object.keys(odd)).toEqual(["__proto__"]);
  });

  it("snapshots the total, versions and subsystems", () => {
    const taken = snapshot(items, "2026-W48", 1234);
    expect(taken).toMatchObject({ week: "2026-W48", takenAt: 1234, total: countAll(items) });
    expect(Object.keys(taken.bySubsystem).sort()).toEqual(["cache", "orm"]);
    expect(percentDone(taken.total)).toBe(50);
    expect(percentDone({ open: 0, claimed: 0, inProgress: 0, done: 0 })).toBe(0);
    expect(percentDone({ open: 1, claimed: 0, inProgress: 0, done: 199 })).toBe(99);
  });
});

describe("sortGroups", () => {
  it("follows the preset, then unknown ids alphabetically, then none", () => {
    const groups = [
      { version: null, subsystem: "orm" },
      { version: "3.0", subsystem: "zzz" },
      { version: "3.0", subsystem: "cache" },
      { version: "9.9", subsystem: "orm" },
      { version: "3.0", subsystem: null },
      { version: "2.2", subsystem: "views-http" },
      { version: "3.0", subsystem: "handlers" },
      { version: "2.2", subsystem: "orm" },
    ];
    expect(sortGroups(groups, djangoAsyncPreset).map((group) => `${group.version}/${group.subsystem}`)).toEqual([
      "2.2/orm",
      "2.2/views-http",
      "3.0/handlers",
      "3.0/cache",
      "3.0/zzz",
      "3.0/null",
      "9.9/orm",
      "null/orm",
    ]);
  });
});

describe("topUnclaimed", () => {
  it("puts good-first issues first, then the longest waiting, and counts the rest", () => {
    const items = [
      tracked(1, { openedAt: 50 }),
      tracked(2, { openedAt: 10, goodFirst: true }),
      tracked(3, { openedAt: 5 }),
      tracked(4, { openedAt: 1, state: "claimed", claimant: "bob" }),
      tracked(5, { openedAt: 1, kind: "pr" }),
      tracked(6, { openedAt: 20, goodFirst: true }),
    ];
    expect(topUnclaimed(items, 3, { goodFirstOnly: false })).toEqual({
      top: [items[1], items[5], items[2]],
      total: 4,
    });
    expect(topUnclaimed(items, 10, { goodFirstOnly: true }).top.map((item) => item.number)).toEqual([2, 6]);
    expect(topUnclaimed(items, 0, { goodFirstOnly: false })).toEqual({ top: [], total: 4 });
  });
});

describe("ISO weeks in a time zone", () => {
  it.each([
    ["2026-11-23T00:00:00Z", "UTC", "2026-W48"],
    ["2026-11-22T23:30:00Z", "Europe/Paris", "2026-W48"],
    ["2026-11-22T23:30:00Z", "UTC", "2026-W47"],
    ["2026-11-23T03:00:00Z", "America/Los_Angeles", "2026-W47"],
    ["2021-01-03T12:00:00Z", "UTC", "2020-W53"],
    ["2024-12-30T12:00:00Z", "UTC", "2025-W01"],
    ["2026-12-31T12:00:00Z", "Pacific/Kiritimati", "2026-W53"],
  ])("%s in %s is %s", (at, zone, week) => {
    expect(isoWeek(Date.parse(at), zone)).toBe(week);
  });

  it.each([
    ["2026-W48", "UTC", "2026-11-23T00:00:00.000Z", "2026-11-30T00:00:00.000Z"],
    ["2026-W48", "Europe/Paris", "2026-11-22T23:00:00.000Z", "2026-11-29T23:00:00.000Z"],
    ["2026-W43", "Europe/Paris", "2026-10-18T22:00:00.000Z", "2026-10-25T23:00:00.000Z"],
    ["2026-W13", "Europe/Paris", "2026-03-22T23:00:00.000Z", "2026-03-29T22:00:00.000Z"],
    ["2026-W01", "Asia/Kolkata", "2025-12-28T18:30:00.000Z", "2026-01-04T18:30:00.000Z"],
    // Chile moves its clocks at midnight: that Sunday starts at 01:00.
    ["2026-W36", "America/Santiago", "2026-08-31T04:00:00.000Z", "2026-09-07T03:00:00.000Z"],
  ])("%s in %s", (week, zone, start, end) => {
    const bounds = weekBounds(week, zone);
    expect([new Date(bounds.start).toISOString(), new Date(bounds.end).toISOString()]).toEqual([start, end]);
    expect(isoWeek(bounds.start, zone)).toBe(week);
    expect(isoWeek(bounds.end - 1, zone)).toBe(week);
    expect(isoWeek(bounds.end, zone)).not.toBe(week);
  });

  it("rejects what is not an ISO week", () => {
    for (const week of ["2026-48", "2026-W00", "2026-W54", "2025-W53", "2026W48"]) {
      expect(() => weekBounds(week, "UTC"), week).toThrow(RangeError);
    }
    expect(weekBounds("2026-W53", "UTC").start).toBe(Date.parse("2026-12-28T00:00:00Z"));
  });
});
