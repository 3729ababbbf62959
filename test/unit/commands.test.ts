import { describe, expect, it } from "vitest";
import { djangoAsyncPreset } from "../../src/config/presets/django-async.js";
import { COMMANDS, findCommand } from "../../src/domain/commands/index.js";
import { parseCommands } from "../../src/domain/commands/parse.js";
import type { CommandAction, CommandContext, CommandSpec } from "../../src/domain/commands/types.js";

const vocabulary = { botSlug: "shepherd", commands: COMMANDS.map(({ name, aliases }) => ({ name, aliases })) };
const NOW = Date.parse("2026-11-24T12:00:00Z");

function context(overrides: Partial<CommandContext> = {}): CommandContext {
  return {
    actor: { login: "alice", isTriager: false, isNewcomer: false },
    item: { kind: "issue", number: 7, author: "reporter", state: "open", labels: [], assignees: [], milestone: null },
    claim: null,
    actorClaims: 0,
    repoLabels: ["bug", "good first issue", "subsystem:orm"],
    linkedPrs: [],
    settings: {
      anyoneLabels: ["good first issue"],
      claims: { maxPerUser: 3, maxPerNewcomer: 1, notClaimable: ["blocked"] },
      triage: { subsystemPrefix: "subsystem:", roadmapPrefix: "roadmap:", needsTriage: "needs-triage" },
      model: djangoAsyncPreset,
      enabled: ["commands", "claims", "triage"],
    },
    now: NOW,
    botSlug: "shepherd",
    commands: COMMANDS,
    mentoring: null,
    ...overrides,
  };
}

function run(name: string, args: string[], given: CommandContext): CommandAction[] {
  const spec = findCommand(name) as CommandSpec;
  const parsed = spec.parse(args);
  if (!parsed.ok) throw new Error(parsed.error);
  return spec.decide(given, parsed.value);
}

const replyOf = (actions: CommandAction[]) => actions.find((action) => action.type === "reply");

describe("the command list", () => {
  it("has unique names and aliases", () => {
    const words = COMMANDS.flatMap((spec) => [spec.name, ...spec.aliases]);
    expect(new Set(words).size).toBe(words.length);
  });

  it.each(COMMANDS.flatMap((spec) => spec.examples.map((example) => [spec.name, example] as const)))(
    "/%s example `%s` parses as that command with valid arguments",
    (name, example) => {
      const { commands } = parseCommands(example, vocabulary);
      expect(commands).toHaveLength(1);
      expect(commands[0]?.name).toBe(name);
      expect(findCommand(name)?.parse(commands[0]?.args ?? []).ok).toBe(true);
    },
  );

  it("describes every command for /help and the README", () => {
    for (const spec of COMMANDS) {
      expect(spec.usage.startsWith(`/${spec.name}`)).toBe(true);
      expect(spec.description.length).toBeGreaterThan(10);
      expect(spec.appliesTo.length).toBeGreaterThan(0);
    }
  });
});

describe("/claim decisions", () => {
  const claimed = { claimant: "bob", since: NOW - 86_400_000, pr: null };
  it.each([
    ["an open, unclaimed issue", context(), "claim"],
    ["a claim by someone else", context({ claim: claimed }), "already claimed by **bob**"],
    ["your own claim", context({ claim: { ...claimed, claimant: "Alice" } }), "You already hold this issue"],
    ["a blocked issue", context({ item: { ...context().item, labels: ["Blocked"] } }), "`Blocked` cannot be claimed"],
    ["the cap", context({ actorClaims: 3 }), "the most allowed (3)"],
    [
      "the newcomer cap",
      context({ actorClaims: 1, actor: { login: "alice", isTriager: false, isNewcomer: true } }),
      "while you are new here (1)",
    ],
    ["a closed issue", context({ item: { ...context().item, state: "closed" } }), "is closed"],
  ])("%s", (_name, given, expected) => {
    const actions = run("claim", [], given);
    if (expected === "claim") expect(actions).toEqual([{ type: "claim", login: "alice" }, { type: "react" }]);
    else expect(replyOf(actions)).toEqual({ type: "reply", body: expect.stringContaining(expected) });
  });

  it("takes no arguments", () => {
    expect(findCommand("claim")?.parse(["now"])).toEqual({ ok: false, error: expect.stringContaining("no arguments") });
  });
});

describe("other decisions", () => {
  const claim = { claimant: "bob", since: NOW - 3 * 86_400_000, pr: 12 };
  it("lets the claimant or a triager release", () => {
    expect(run("release", [], context({ claim }))[0]).toMatchObject({
      type: "reply",
      body: expect.stringContaining("Only **bob**"),
    });
    expect(
      run("release", [], context({ claim, actor: { login: "bob", isTriager: false, isNewcomer: false } }))[0],
    ).toEqual({
      type: "release",
      login: "bob",
    });
    expect(
      run("release", [], context({ claim, actor: { login: "x", isTriager: true, isNewcomer: false } }))[0],
    ).toEqual({
      type: "release",
      login: "bob",
    });
    expect(replyOf(run("release", [], context()))?.type).toBe("reply");
  });

  it("unassigning the claimant ends the claim", () => {
    expect(run("unassign", ["@bob"], context({ claim }))).toEqual([
      { type: "unassign", logins: ["bob"] },
      { type: "release", login: "bob" },
      { type: "react" },
    ]);
  });

  it.each([
    [["@a", "@a,"], ["a"]],
    [["octo-cat"], ["octo-cat"]],
  ])("parses logins %j", (args, logins) => {
    expect(findCommand("assign")?.parse(args)).toEqual({ ok: true, value: logins });
  });

  it.each([[[]], [["-bad"]], [["a/b"]], [Array.from({ length: 11 }, (_, i) => `u${i}`)]])(
    "refuses logins %j",
    (args) => {
      expect(findCommand("assign")?.parse(args).ok).toBe(false);
    },
  );

  it("labels: known names in the repo's spelling, allow-list for non-triagers", () => {
    expect(run("label", ["GOOD FIRST ISSUE"], context())).toEqual([
      { type: "add-labels", labels: ["good first issue"] },
      { type: "react" },
    ]);
    expect(replyOf(run("label", ["bug"], context()))).toMatchObject({
      body: expect.stringContaining("Only triagers can add `bug`"),
    });
    expect(replyOf(run("label", ["nope"], context()))).toMatchObject({
      body: expect.stringContaining("no label `nope`"),
    });
    const triager = context({ actor: { login: "t", isTriager: true, isNewcomer: false } });
    expect(run("unlabel", ["bug"], triager)).toEqual([{ type: "remove-labels", labels: ["bug"] }, { type: "react" }]);
  });

  it("sets a subsystem by replacing the old label and clearing needs-triage", () => {
    const given = context({ item: { ...context().item, labels: ["subsystem:orm", "needs-triage", "async"] } });
    expect(run("subsystem", ["Cache"], given)).toEqual([
      { type: "remove-labels", labels: ["subsystem:orm"] },
      { type: "add-labels", labels: ["subsystem:cache"] },
      { type: "remove-labels", labels: ["needs-triage"] },
      { type: "human-triage", dimension: "subsystem" },
      { type: "react" },
    ]);
    expect(replyOf(run("subsystem", ["nope"], given))).toMatchObject({ body: expect.stringContaining("`orm`") });
  });

  it("sets a roadmap version with its milestone", () => {
    expect(run("roadmap", ["3.0"], context())).toEqual([
      { type: "add-labels", labels: ["roadmap:3.0"] },
      { type: "set-milestone", title: "3.0" },
      { type: "human-triage", dimension: "roadmap" },
      { type: "react" },
    ]);
  });

  it("reports status without pinging anyone", () => {
    const given = context({
      claim,
      linkedPrs: [12, 15],
      item: { ...context().item, labels: ["subsystem:orm", "roadmap:2.2"], assignees: ["bob"] },
    });
    const body = (replyOf(run("status", [], given)) as { body: string }).body;
    expect(body).toContain("| Subsystem | orm (ORM and database layer) |");
    expect(body).toContain("| Roadmap | 2.2 |");
    expect(body).toContain("**bob** since 2026-11-21 (3 days ago), in progress in #12");
    expect(body).toContain("| Linked PRs | #12, #15 |");
    expect(body).not.toMatch(/@bob/);
  });

  it("lists in /help only what is enabled and applies here", () => {
    const given = context({
      item: { ...context().item, kind: "pr" },
      settings: { ...context().settings, enabled: ["commands"] },
    });
    const body = (replyOf(run("help", [], given)) as { body: string }).body;
    expect(body).toContain("| `/assign` |");
    expect(body).not.toContain("| `/claim` |");
    expect(body).toContain(
      "Not enabled in this repository: `/claim`, `/release`, `/subsystem`, `/roadmap`, `/mentor`, `/away`, `/back`, `/progress`, `/why`.",
    );
    expect(body).toContain("`@shepherd name`");
  });
});
