import { describe, expect, it } from "vitest";
import { renderMentorAssigned, renderWelcome, type WelcomeInput } from "../../src/domain/welcome.js";

const ZWJ = "\u200d";

function input(overrides: Partial<WelcomeInput> = {}): WelcomeInput {
  return {
    newcomer: "newbie",
    kind: "issue",
    template: null,
    contributingUrl: "https://docs.djangoproject.com/en/dev/internals/contributing/",
    testsUrl: "https://docs.djangoproject.com/en/dev/internals/contributing/writing-code/unit-tests/",
    suggestions: [
      { number: 12, title: "Add QuerySet.aiterator()" },
      { number: 34, title: "Async cache backends" },
    ],
    subsystemName: "ORM",
    mentor: {
      login: "bob",
      explanation: ["1 mentor covers ORM: **bob** (0 of 2).", "**bob** is the only one with room."],
    },
    waitlistPosition: null,
    botSlug: "shepherd-bot",
    ...overrides,
  };
}

/** Every `@login` that would ping on GitHub. */
function mentions(markdown: string): string[] {
  const withoutCode = markdown.replace(/`[^`]*`/g, "");
  return [...withoutCode.matchAll(/(?<![\w`])@([A-Za-z0-9-]+)/g)].map((match) => match[1] ?? "");
}

describe("renderWelcome", () => {
  const cases: Array<{
    name: string;
    input: WelcomeInput;
    contains: string[];
    lacks?: string[];
    pings?: string[];
  }> = [
    {
      name: "default: greeting, mentor with a collapsed why, next steps and suggestions",
      input: input(),
      contains: [
        "Welcome, @newbie! Thanks for opening this issue",
        "Your mentor is @bob",
        "<details><summary>Why this mentor?</summary>",
        "- **bob** is the only one with room.",
        "[contributing guide](https://docs.djangoproject.com/en/dev/internals/contributing/)",
        "[how to run the tests](https://docs.djangoproject.com/en/dev/internals/contributing/writing-code/unit-tests/)",
        "`/claim`",
        "`/mentor`",
        "`/help`",
        "`@shepherd-bot name`",
        "**Good first async issues in ORM**",
        "- #12 Add QuerySet.aiterator\\(\\)",
        "- #34 Async cache backends",
      ],
      lacks: ["{{", "null", "undefined", "\n\n\n"],
      pings: ["newbie", "bob"],
    },
    {
      name: "a pull request is thanked as one",
      input: input({ kind: "pr" }),
      contains: ["Thanks for this pull request"],
    },
    {
      name: "waitlisted: an honest note with the place in line, and no mentor",
      input: input({ mentor: null, waitlistPosition: 3 }),
      contains: ["Every mentor is busy right now", "You are number 3 in line", "as soon as a mentor is free"],
      lacks: ["Why this mentor?", "Your mentor is"],
      pings: ["newbie"],
    },
    {
      name: "waitlisted at a place that makes no sense: still in line, no number",
      input: input({ mentor: null, waitlistPosition: 0 }),
      contains: ["You are in line"],
      lacks: ["number 0"],
    },
    {
      name: "no suggestions: the section is left out",
      input: input({ suggestions: [] }),
      contains: ["**Next steps**"],
      lacks: ["Good first async issues", "\n\n\n"],
    },
    {
      name: "titles cannot ping, link other items or bring in markdown",
      input: input({
        suggestions: [
          { number: 56, title: "Ping @django/core about #123 and GH-45" },
          { number: 78, title: "**bold** [link](https://x.test) <img src=x> `code` _it_ {{mentor}}" },
        ],
      }),
      contains: [
        `- #56 Ping @${ZWJ}django/core about #${ZWJ}123 and GH${ZWJ}-45`,
        // A code span in a title renders as code; everything else stays escaped.
        "- #78 \\*\\*bold\\*\\* \\[link\\]\\(https://x.test\\) &lt;img src=x&gt; `code` \\_it\\_ {{mentor}}",
      ],
      lacks: ["@django", "#123", "GH-45", "<img"],
      pings: ["newbie", "bob"],
    },
    {
      name: "no contributing or tests URL: those steps are left out, the commands stay",
      input: input({ contributingUrl: null, testsUrl: null }),
      contains: ["`/claim`"],
      lacks: ["contributing guide", "how to run the tests", "null", "]("],
    },
    {
      name: "template: placeholders expand to the same blocks, unknown ones stay",
      input: input({
        template:
          "Hello {{newcomer}}!\n\n{{mentor}}\n\n{{nextSteps}}\n\n{{issues}}\n\nSee {{ unknown }} and {{roadmap}}.",
      }),
      contains: [
        "Hello @newbie!",
        "Your mentor is @bob",
        "<details><summary>Why this mentor?</summary>",
        "**Next steps**",
        "- #12 Add QuerySet",
        "See {{ unknown }} and {{roadmap}}.",
      ],
      lacks: ["Welcome, @newbie"],
      pings: ["newbie", "bob"],
    },
    {
      name: "template with an empty block: no gap is left",
      input: input({ template: "Hi {{newcomer}}.\n\n{{issues}}\n\nBye.", suggestions: [] }),
      contains: ["Hi @newbie.\n\nBye."],
    },
    {
      name: "an explanation line with an @ does not ping",
      input: input({ mentor: { login: "bob", explanation: ["asked by @someone"] } }),
      contains: [`- asked by @${ZWJ}someone`],
      pings: ["newbie", "bob"],
    },
  ];

  it.each(cases)("$name", ({ input: given, contains, lacks = [], pings }) => {
    const markdown = renderWelcome(given);
    for (const text of contains) expect(markdown).toContain(text);
    for (const text of lacks) expect(markdown).not.toContain(text);
    if (pings) expect(mentions(markdown)).toEqual(pings);
  });

  it("never throws on odd input", () => {
    const odd = input({
      newcomer: "",
      template: "{{}} {{nextSteps",
      suggestions: [{ number: Number.NaN, title: "" }],
      subsystemName: "",
      mentor: { login: "x", explanation: [] },
      waitlistPosition: Number.POSITIVE_INFINITY,
    });
    expect(() => renderWelcome(odd)).not.toThrow();
    expect(renderWelcome(odd)).toBe("{{}} {{nextSteps");
  });
});

describe("renderMentorAssigned", () => {
  it("after waiting: thanks the newcomer for waiting and names the mentor", () => {
    const markdown = renderMentorAssigned({
      newcomer: "newbie",
      mentor: "bob",
      explanation: ["why"],
      afterWaiting: true,
    });
    expect(markdown).toContain("@newbie, thanks for waiting: a mentor is free now. @bob will be your mentor.");
    expect(markdown).toContain("<details><summary>Why this mentor?</summary>\n\n- why\n\n</details>");
    expect(mentions(markdown)).toEqual(["newbie", "bob"]);
  });

  it("straight away: names the mentor without talk of waiting", () => {
    const markdown = renderMentorAssigned({ newcomer: "newbie", mentor: "bob", explanation: [], afterWaiting: false });
    expect(markdown).toContain("@newbie, @bob will be your mentor.");
    expect(markdown).not.toContain("waiting");
    expect(markdown).toContain("(no details recorded)");
  });
});
