import { describe, expect, it } from "vitest";
import { parseMarker } from "../../src/domain/markers.js";
import type { Classification, ClassifierModel } from "../../src/domain/model.js";
import { decideTriage, type TriageInput } from "../../src/domain/triage.js";

const model: ClassifierModel = {
  subsystems: [
    { id: "orm", name: "ORM", description: "", paths: ["django/db/**"], cues: ["QuerySet"] },
    { id: "cache", name: "Cache", description: "", paths: ["django/core/cache/**"], cues: ["cache"] },
  ],
  roadmap: [
    { version: "2.2", title: "ORM first steps", delivers: "", subsystems: ["orm"] },
    { version: "3.0", title: "Request stack", delivers: "", subsystems: ["cache"] },
  ],
  asyncCues: [],
};

function classification(overrides: Partial<Classification> = {}): Classification {
  return {
    isAsync: true,
    subsystems: [{ id: "orm", score: 1 }],
    roadmap: "2.2",
    confidence: 0.9,
    reasons: ["title mentions `QuerySet.aget`"],
    ...overrides,
  };
}

function input(overrides: Partial<TriageInput> = {}): TriageInput {
  return {
    kind: "issue",
    labels: [],
    milestone: null,
    classification: classification(),
    memory: { owned: [], removed: [] },
    settings: {
      labels: { async: "async", subsystemPrefix: "subsystem:", roadmapPrefix: "roadmap:", needsTriage: "needs-triage" },
      minConfidence: 0.5,
      explain: "comment",
      explainBelow: 0.8,
      milestones: true,
      maxSubsystems: 1,
    },
    model,
    milestones: null,
    inherited: null,
    ...overrides,
  };
}

describe("decideTriage", () => {
  const cases: Array<{ name: string; input: TriageInput; add: string[]; remove: string[]; owned?: string[] }> = [
    {
      name: "a new async issue gets async, subsystem and roadmap labels",
      input: input(),
      add: ["async", "subsystem:orm", "roadmap:2.2"],
      remove: [],
    },
    {
      name: "low confidence gets needs-triage instead of a guess",
      input: input({ classification: classification({ confidence: 0.3 }) }),
      add: ["async", "needs-triage"],
      remove: [],
    },
    {
      name: "a label a person removed is not put back",
      input: input({ memory: { owned: [], removed: ["subsystem:orm"] } }),
      add: ["async", "roadmap:2.2"],
      remove: [],
    },
    {
      name: "removed labels match case-insensitively",
      input: input({ memory: { owned: [], removed: ["ASYNC"] } }),
      add: ["subsystem:orm", "roadmap:2.2"],
      remove: [],
    },
    {
      name: "a subsystem label a person set wins: nothing added or removed in that dimension",
      input: input({ labels: ["subsystem:cache"], classification: classification({ confidence: 0.2 }) }),
      add: ["async"],
      remove: [],
    },
    {
      name: "a changed classification moves Shepherd's own subsystem label",
      input: input({
        labels: ["async", "subsystem:orm", "roadmap:2.2"],
        memory: { owned: ["async", "subsystem:orm", "roadmap:2.2"], removed: [] },
        classification: classification({ subsystems: [{ id: "cache", score: 1 }], roadmap: "3.0" }),
      }),
      add: ["subsystem:cache", "roadmap:3.0"],
      remove: ["subsystem:orm", "roadmap:2.2"],
      owned: ["async", "subsystem:cache", "roadmap:3.0"],
    },
    {
      name: "labels Shepherd does not own are never removed",
      input: input({ labels: ["bug", "roadmap:2.2"], classification: classification({ roadmap: "3.0" }) }),
      add: ["async", "subsystem:orm"],
      remove: [],
    },
    {
      name: "needs-triage Shepherd added goes once the evidence is good",
      input: input({ labels: ["async", "needs-triage"], memory: { owned: ["async", "needs-triage"], removed: [] } }),
      add: ["subsystem:orm", "roadmap:2.2"],
      remove: ["needs-triage"],
    },
    {
      name: "a second run changes nothing",
      input: input({
        labels: ["async", "subsystem:orm", "roadmap:2.2"],
        memory: { owned: ["async", "subsystem:orm", "roadmap:2.2"], removed: [] },
      }),
      add: [],
      remove: [],
    },
    {
      name: "a PR with weak evidence inherits the referenced issue's triage",
      input: input({
        kind: "pr",
        classification: classification({ isAsync: false, subsystems: [], confidence: 0.1, roadmap: null }),
        inherited: { number: 12, subsystems: ["cache"], roadmap: "3.0", confidence: 1 },
      }),
      add: ["async", "subsystem:cache", "roadmap:3.0"],
      remove: [],
    },
    {
      name: "a PR with stronger evidence of its own keeps it",
      input: input({ kind: "pr", inherited: { number: 12, subsystems: ["cache"], roadmap: "3.0", confidence: 0.6 } }),
      add: ["async", "subsystem:orm", "roadmap:2.2"],
      remove: [],
    },
    {
      name: "a second subsystem scoring at least half the first is labelled when allowed",
      input: input({
        classification: classification({
          subsystems: [
            { id: "orm", score: 0.6 },
            { id: "cache", score: 0.4 },
          ],
        }),
        settings: { ...input().settings, maxSubsystems: 2 },
      }),
      add: ["async", "subsystem:orm", "subsystem:cache", "roadmap:2.2"],
      remove: [],
    },
  ];

  it.each(cases)("$name", ({ input: given, add, remove, owned }) => {
    const decision = decideTriage(given);
    expect(decision.applies).toBe(true);
    expect(decision.add).toEqual(add);
    expect(decision.remove).toEqual(remove);
    if (owned) expect(decision.owned).toEqual(owned);
  });

  it("leaves work that is not async alone, even labels it added before", () => {
    const decision = decideTriage(
      input({
        labels: ["async"],
        memory: { owned: ["async"], removed: [] },
        classification: classification({ isAsync: false }),
      }),
    );
    expect(decision).toMatchObject({ applies: false, add: [], remove: [], owned: ["async"] });
  });

  it("sets the milestone named like the version when the item has none", () => {
    const milestones = [
      { number: 4, title: "Django 2.2" },
      { number: 5, title: "3.0" },
    ];
    expect(decideTriage(input({ milestones })).milestone).toBe(4);
    expect(decideTriage(input({ milestones, milestone: { number: 9, title: "someday" } })).milestone).toBeNull();
    expect(decideTriage(input({ milestones: [{ number: 5, title: "3.0" }] })).milestone).toBeNull();
    expect(
      decideTriage(input({ milestones, classification: classification({ confidence: 0.1 }) })).milestone,
    ).toBeNull();
  });

  it.each([
    [{ decidedBy: { kind: "word", text: "aget()" } }, "async · orm · 2.2 — decided by the word `aget()`"],
    [
      { decidedBy: { kind: "path", text: "django/db/models/query.py" } },
      "async · orm · 2.2 — decided by `django/db/models/query.py`",
    ],
    // A backtick in the evidence cannot end the code span early.
    [{ decidedBy: { kind: "word", text: "a`b" } }, "async · orm · 2.2 — decided by the word ``a`b``"],
    [{ confidence: 0.1 }, "async · needs-triage — confidence 0.10, too low to decide"],
  ] as const)("says in its summary line what decided: %j", (overrides, line) => {
    const decision = decideTriage(input({ classification: classification(overrides as Partial<Classification>) }));
    expect(decision.explanation).toContain(`<details><summary>${line}</summary>`);
  });

  it("explains itself in a comment whose marker records what Shepherd owns", () => {
    const decision = decideTriage(input());
    expect(decision.explanation).toContain("<details><summary>async · orm · 2.2</summary>");
    expect(decision.explanation).toContain("title mentions `QuerySet.aget`");
    expect(parseMarker(decision.explanation)).toEqual({
      kind: "triage",
      data: { owned: ["async", "subsystem:orm", "roadmap:2.2"] },
    });
    expect(decideTriage(input({ settings: { ...input().settings, explain: "none" } })).explanation).toBeNull();
  });

  it("with explain: low-confidence, explains only unsure or needs-triage items", () => {
    const settings = { ...input().settings, explain: "low-confidence" as const };
    expect(decideTriage(input({ settings })).explanation).toBeNull();
    const unsure = decideTriage(input({ settings, classification: classification({ confidence: 0.6 }) }));
    expect(unsure.explanation).toContain("confidence 0.60");
    const thin = decideTriage(input({ settings, classification: classification({ confidence: 0.3 }) }));
    expect(thin.needsTriage).toBe(true);
    expect(thin.explanation).toContain("needs-triage");
  });
});
