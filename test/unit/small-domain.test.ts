import { describe, expect, it } from "vitest";
import { claimForAssignees } from "../../src/domain/assignments.js";
import { planFailure } from "../../src/domain/failures.js";
import { planLabelSync } from "../../src/domain/labels.js";
import { parseMarker, renderMarker } from "../../src/domain/markers.js";
import { findIssueReferences } from "../../src/domain/references.js";

describe("findIssueReferences", () => {
  it.each([
    ["Fixes #12", [{ number: 12, closes: true }]],
    [
      "Refs #12 and closes: #3",
      [
        { number: 12, closes: false },
        { number: 3, closes: true },
      ],
    ],
    ["see #7, then Fixes #7", [{ number: 7, closes: true }]],
    ["resolved #44.", [{ number: 44, closes: true }]],
    ["issue #12 without a keyword", []],
    ["Fixes #", []],
    ["Fixes owner/repo#5 is another repo", []],
  ])("%s", (text, expected) => {
    expect(findIssueReferences(text)).toEqual(expected);
  });
});

describe("markers", () => {
  it("round-trips state, even text that would end an HTML comment", () => {
    const body = `${renderMarker("triage", { owned: ["a-->b", "c"] })}\nhello`;
    expect(body.split("\n")[0]).not.toContain("-->b");
    expect(parseMarker(body)).toEqual({ kind: "triage", data: { owned: ["a-->b", "c"] } });
  });
  it.each([null, "", "no marker", "<!-- shepherd:triage {not json} -->"])("returns null for %s", (body) => {
    expect(parseMarker(body)).toBeNull();
  });
});

describe("planFailure", () => {
  const now = 1_000_000;
  it.each([
    ["network error", { message: "ECONNRESET" }, { kind: "retry" }],
    ["502", { status: 502, message: "Bad Gateway" }, { kind: "retry" }],
    ["422", { status: 422, message: "Validation Failed" }, { kind: "fail" }],
    ["404", { status: 404, message: "Not Found" }, { kind: "fail" }],
    ["403 without limits", { status: 403, message: "Resource not accessible by integration" }, { kind: "fail" }],
    [
      "429 with retry-after",
      { status: 429, message: "", headers: { "retry-after": "30" } },
      { kind: "wait", untilMs: now + 30_000 },
    ],
    [
      "403 with exhausted limit",
      {
        status: 403,
        message: "API rate limit exceeded",
        headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(now / 1000 + 120) },
      },
      { kind: "wait", untilMs: now + 121_000 },
    ],
    [
      "403 secondary limit",
      { status: 403, message: "You have exceeded a secondary rate limit" },
      { kind: "wait", untilMs: now + 60_000 },
    ],
  ])("%s", (_name, failure, expected) => {
    expect(planFailure(failure, now)).toMatchObject(expected);
  });
  it("never parks a job for more than an hour", () => {
    const plan = planFailure({ status: 429, message: "", headers: { "retry-after": "999999" } }, now);
    expect(plan).toMatchObject({ kind: "wait", untilMs: now + 3_600_000 });
  });
});

describe("planLabelSync", () => {
  it("creates what is missing, fixes drift case-insensitively, deletes nothing", () => {
    const plan = planLabelSync(
      [
        { name: "async", color: "5319e7", description: "Async-conversion work" },
        { name: "subsystem:orm", color: "1d76db", description: "Subsystem: ORM" },
        { name: "roadmap:3.0", color: "0e8a16", description: "Roadmap 3.0" },
      ],
      [
        { name: "Async", color: "5319E7", description: "Async-conversion work" },
        { name: "subsystem:orm", color: "ffffff", description: null },
        { name: "bug", color: "d73a4a", description: null },
      ],
    );
    expect(plan.create.map((l) => l.name)).toEqual(["roadmap:3.0"]);
    expect(plan.update).toEqual([
      { name: "subsystem:orm", current: "subsystem:orm", color: "1d76db", description: "Subsystem: ORM" },
    ]);
  });
});

describe("claimForAssignees", () => {
  const base = { issue: 4, state: "open" as const, claimsOn: true, now: 1000 };
  it.each([
    ["no claim, someone assigned", [], null, [{ type: "store-claim", issue: 4, login: "ann", since: 1000 }], ["ann"]],
    ["the claimant still assigned", [], { claimant: "Ann", assigned: true }, [], ["ann", "bo"]],
    [
      "the claimant unassigned, nobody left",
      [],
      { claimant: "ann", assigned: true },
      [{ type: "release-claim", issue: 4 }],
      [],
    ],
    [
      "the claimant replaced",
      [],
      { claimant: "ann", assigned: true },
      [
        { type: "release-claim", issue: 4 },
        { type: "store-claim", issue: 4, login: "bo", since: 1000 },
      ],
      ["bo"],
    ],
    ["a claim kept in a comment", [], { claimant: "ann", assigned: false }, [], ["bo"]],
    ["nobody assigned, no claim", [], null, [], []],
  ])("%s", (_name, _unused, claim, expected, assignees) => {
    expect(claimForAssignees({ ...base, assignees, claim })).toEqual(expected);
  });

  it("does nothing when claims are off or the issue is closed", () => {
    expect(claimForAssignees({ ...base, claimsOn: false, assignees: ["ann"], claim: null })).toEqual([]);
    expect(
      claimForAssignees({ ...base, state: "closed", assignees: [], claim: { claimant: "a", assigned: true } }),
    ).toEqual([]);
  });
});
