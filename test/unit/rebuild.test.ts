import { describe, expect, it } from "vitest";
import { COMMANDS } from "../../src/domain/commands/index.js";
import { renderMarker } from "../../src/domain/markers.js";
import { type RebuildComment, type RebuildInput, rebuildState } from "../../src/domain/rebuild.js";

const parse = { botSlug: "shepherd", commands: COMMANDS };
let nextId = 1;

function comment(issue: number, login: string, body: string, createdAt: number, isBot = false): RebuildComment {
  return { id: nextId++, issue, login, body, createdAt, isBot };
}

function input(overrides: Partial<RebuildInput>): RebuildInput {
  return { openIssues: [], openPulls: [], comments: [], botLogin: "shepherd[bot]", parse, ...overrides };
}

describe("rebuildState", () => {
  it("replays claims the way they were handled live", () => {
    const result = rebuildState(
      input({
        openIssues: [
          { number: 1, assignees: ["alice"] },
          { number: 2, assignees: [] },
          { number: 3, assignees: ["carol"] },
          { number: 4, assignees: ["maintainer"] },
        ],
        comments: [
          comment(1, "alice", "/claim", 10),
          comment(1, "bob", "/claim", 20), // refused: alice held it
          comment(2, "erin", "/claim", 10),
          comment(2, "erin", "/release", 20),
          comment(3, "dave", "/claim", 10),
          comment(3, "dave", "/release", 20),
          comment(3, "carol", "I'll take it\n/claim", 30),
          comment(4, "maintainer", "/assign @maintainer", 10), // an assignment is not a claim
        ],
      }),
    );
    expect(result.claims.map(({ issue, claimant, since }) => ({ issue, claimant, since }))).toEqual([
      { issue: 1, claimant: "alice", since: 10 },
      { issue: 3, claimant: "carol", since: 30 },
    ]);
  });

  it("drops a claim a triager undid by unassigning, and keeps one only Shepherd's comment shows", () => {
    const result = rebuildState(
      input({
        openIssues: [
          { number: 1, assignees: [] },
          { number: 2, assignees: [] },
        ],
        comments: [
          comment(1, "alice", "/claim", 10),
          comment(2, "dana", "/claim", 10),
          comment(2, "shepherd[bot]", `${renderMarker("claim", { claimant: "dana", since: 11 })}\nClaimed`, 12, true),
        ],
      }),
    );
    expect(result.claims).toEqual([
      { issue: 2, claimant: "dana", since: 11, assigned: false, commentId: expect.any(Number), pr: null },
    ]);
  });

  it("honours a released marker, ignores other bots' markers and closed issues", () => {
    const result = rebuildState(
      input({
        openIssues: [{ number: 2, assignees: [] }],
        comments: [
          comment(2, "shepherd[bot]", renderMarker("claim", { claimant: "dana", since: 1, released: 5 }), 6, true),
          comment(2, "other[bot]", renderMarker("claim", { claimant: "zed", since: 7 }), 7, true),
          comment(9, "alice", "/claim", 1),
        ],
      }),
    );
    expect(result.claims).toEqual([]);
  });

  it("links open PRs to the open issues they reference and marks claims in progress", () => {
    const result = rebuildState(
      input({
        openIssues: [{ number: 1, assignees: ["alice"] }],
        openPulls: [
          { number: 5, title: "Cache", body: "Fixes #1, refs #99" },
          { number: 6, title: "Other", body: "" },
        ],
        comments: [comment(1, "alice", "/claim", 10)],
      }),
    );
    expect(result.links).toEqual([{ issue: 1, pr: 5 }]);
    expect(result.claims[0]?.pr).toBe(5);
  });

  it("recovers what triage owns from its explanation comments", () => {
    const body = `${renderMarker("triage", { owned: ["async", "subsystem:orm"] })}\n<details>...`;
    const result = rebuildState(
      input({ openIssues: [{ number: 3, assignees: [] }], comments: [comment(3, "shepherd[bot]", body, 1, true)] }),
    );
    expect(result.triage).toEqual([{ issue: 3, commentId: expect.any(Number), owned: ["async", "subsystem:orm"] }]);
  });
});
