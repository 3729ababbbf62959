import { describe, expect, it } from "vitest";
import {
  MAX_ARG_LENGTH,
  MAX_ARGS,
  MAX_COMMANDS,
  newCommands,
  parseCommands,
  type ParseOptions,
} from "../../src/domain/commands/parse.js";

const options: ParseOptions = {
  botSlug: "shepherd",
  commands: [
    { name: "claim", aliases: ["take", "assign"] },
    { name: "unclaim", aliases: ["release"] },
    { name: "label", aliases: ["labels"] },
    { name: "retest", aliases: ["rt"] },
  ],
};

/** Each command as [name, ...args]: the rows stay one line each. */
function commands(body: string | null | undefined): string[][] {
  return parseCommands(body, options).commands.map((command) => [command.name, ...command.args]);
}

function suggestions(body: string): string[][] {
  return parseCommands(body, options).suggestions.map((found) => [found.typed, found.suggestion]);
}

describe("parseCommands: what runs", () => {
  it.each<[string, string | null | undefined, string[][]]>([
    ["plain", "/claim", [["claim"]]],
    ["plain with args", "/label bug docs", [["label", "bug", "docs"]]],
    ["mixed-case name", "/CLAIM", [["claim"]]],
    ["up to 3 spaces of indentation", "   /claim", [["claim"]]],
    ["trailing spaces", "/claim   ", [["claim"]]],
    ["alias reported under its command", "/take", [["claim"]]],
    ["@-addressed", "@shepherd claim", [["claim"]]],
    ["@-addressed with [bot]", "@shepherd[bot] claim", [["claim"]]],
    ["@-addressed, mixed case", "@ShePherd[BOT] Claim now", [["claim", "now"]]],
    ["@-addressed with a slash", "@shepherd /label x", [["label", "x"]]],
    ["@-addressed alias", "@shepherd release", [["unclaim"]]],
    ["another bot", "@shepherd-dev claim", []],
    ["@-address without a command", "@shepherd", []],
    ["@-address glued to the name", "@shepherd/claim", []],
    ["@-address inside prose", "thanks @shepherd claim", []],
    [
      "several commands in order",
      "/claim\nsome prose\n/label a\n@shepherd retest",
      [["claim"], ["label", "a"], ["retest"]],
    ],
    ["a command in the middle of a paragraph", "I would like this.\n/claim\nThanks!", [["claim"]]],
    ["quoted argument", '/label "good first issue" bug', [["label", "good first issue", "bug"]]],
    ["empty quoted argument", '/label "" bug', [["label", "", "bug"]]],
    ["unterminated quote takes the rest", '/label bug "good first issue', [["label", "bug", "good first issue"]]],
    ["quote inside a word is literal", '/label it"s', [["label", 'it"s']]],
    ["trailing punctuation is kept", "/label bug, docs.", [["label", "bug,", "docs."]]],
    ["backticks in args are kept", "/label `bug`", [["label", "`bug`"]]],
    ["tabs between args", "/label\ta\t\tb", [["label", "a", "b"]]],
    ["CRLF", "/claim\r\n/label a\r\n", [["claim"], ["label", "a"]]],
    ["lone CR", "hi\r/claim\r/label a", [["claim"], ["label", "a"]]],
    ["unknown name", "/frobnicate", []],
    ["path", "/usr/bin/env node", []],
    ["name glued to punctuation", "/claim, please", []],
    ["double slash", "//claim", []],
    ["URL", "https://example.com/claim", []],
    ["prose mentioning the command", "You can type /claim to take it.", []],
    ["and/or in prose", "tests and/or docs", []],
    ["list item", "- /claim", []],
    ["inline code", "`/claim`", []],
    ["inline code mid-line", "Type `/claim` to take it", []],
    ["line starting inside a code span", "see `foo\n/claim` here", []],
    ["code span closed before the line", "see `foo`\n/claim", [["claim"]]],
    ["a lone backtick is literal", "a ` b\n/claim", [["claim"]]],
    ["code spans end with the paragraph", "see `foo\n\n/claim `", [["claim", "`"]]],
    ["backtick fence", "```\n/claim\n```", []],
    ["tilde fence", "~~~\n/claim\n~~~\n/label a", [["label", "a"]]],
    ["fence with info string", "```suggestion\n/claim\n```\n/label a", [["label", "a"]]],
    ["longer fence needs a longer close", "````\n```\n/claim\n````\n/label a", [["label", "a"]]],
    ["tilde does not close backticks", "```\n~~~\n/claim\n```", []],
    ["unclosed fence runs to the end", "/label a\n```\n/claim\n/label b", [["label", "a"]]],
    ["indented fence", "  ```\n/claim\n  ```\n/label a", [["label", "a"]]],
    ["fence in a list item", "- ```\n  /claim\n  ```\n/label a", [["label", "a"]]],
    ["inline code that looks like a fence", "```js```\n/claim", [["claim"]]],
    ["indented code", "    /claim", []],
    ["tab-indented code", "\t/claim", []],
    ["space and tab", "  \t/claim", []],
    ["indented continuation", "text\n    /claim", []],
    ["HTML comment on one line", "<!-- /claim -->\n/label a", [["label", "a"]]],
    ["multi-line HTML comment", "<!--\n/claim\n-->\n/label a", [["label", "a"]]],
    ["line starting inside a comment never runs", "<!--\n--> /claim\n/label a", [["label", "a"]]],
    ["comment opened mid-line", "text <!-- note\n/claim\n-->", []],
    ["comment after a command is hidden", "/label bug <!-- why -->", [["label", "bug"]]],
    ["comment opened after a command", "/label bug <!--\n/claim\n-->", [["label", "bug"]]],
    ["unclosed comment", "<!--\n/claim", []],
    ["comment inside a fence is code", "```\n<!--\n```\n/claim", [["claim"]]],
    ["quote", "> /claim", []],
    ["indented quote", "   > /claim", []],
    ["nested quote", "> > /claim", []],
    ["quote without a space", ">/claim", []],
    ["after a quote", "> I want this\n\n/claim", [["claim"]]],
    ["fence inside a quote ends with it", "> ```\n/claim", [["claim"]]],
    ["comment inside a quote", "> <!--\n/claim\n-->", []],
    ["lazy continuation of a quote", "> I would say\n/claim", []],
    ["lazy continuation runs on", "> I would say\n/label a\n/claim", []],
    ["lazy continuation of a nested quote", "> > deep\n/claim", []],
    ["a blank line ends the quote", "> I would say\n/label a\n\n/claim", [["claim"]]],
    ["a quoted heading takes no continuation", "> # Title\n/claim", [["claim"]]],
    ["a fence after a quote is a fence", "> a\n```\n\n/claim\n```\n/label a", [["label", "a"]]],
    ["pre block", "<pre>\n/claim\n</pre>\n/label a", [["label", "a"]]],
    ["pre block with attributes and blank lines", '<PRE class="x">\n\n/claim\n\n</pre>\n/label a', [["label", "a"]]],
    // CommonMark's HTML block of type 1: only a line that starts with the tag opens one.
    ["pre mid-line is inline HTML, no block", "Output:<pre>\n/claim\n</pre>", [["claim"]]],
    ["pre in a code span opens nothing", "see `<pre>`\n\n/claim", [["claim"]]],
    ["pre line interrupts a paragraph", "Output:\n<pre>\n/claim\n</pre>\n/label a", [["label", "a"]]],
    ["pre indented three spaces", "   <pre>\n/claim\n</pre>\n/label a", [["label", "a"]]],
    ["pre indented four is code", "    <pre>\n\n/claim", [["claim"]]],
    ["unclosed pre after a command", "/claim\n<pre>\n\n\n/label a\n\n/release", [["claim"]]],
    ["any type-1 end tag closes it", "<pre>\n/claim\n</textarea>\n/label a", [["label", "a"]]],
    [
      "script and style open one too",
      "<script>\n/claim\n</script>\n<STYLE type=x>\n/release\n</style>\n/label a",
      [["label", "a"]],
    ],
    ["the closing line is part of the block", "<pre>\n</pre> /claim\n/label a", [["label", "a"]]],
    ["a tag that is not type 1", "<pre/>\n/claim", [["claim"]]],
    ["pre in a quote ends with the quote", "> <pre>\n> /claim\n/label a", [["label", "a"]]],
    ["pre in a quote is not a lazy paragraph", "> <pre>\n/label a\n</pre>", [["label", "a"]]],
    ["quoted pre closed, then a lazy paragraph", "> <pre>\n> </pre>\n> text\n/claim\n\n/label a", [["label", "a"]]],
    ["pre in a list item ends with the item", "- <pre>\n  /claim\n\n  /release\n/label a", [["label", "a"]]],
    ["a pre line ends a quote's lazy paragraph", "> quoted\n<pre>\n/claim\n</pre>\n/label a", [["label", "a"]]],
    ["pre closed on its line", "<pre>x</pre>\n/claim", [["claim"]]],
    ["unclosed pre runs to the end", "/label a\n<pre>\n/claim", [["label", "a"]]],
    ["a tag that only starts with pre", "<preview>\n/claim", [["claim"]]],
    ["pre inside a fence is code", "```\n<pre>\n```\n/claim", [["claim"]]],
    ["null", null, []],
    ["undefined", undefined, []],
    ["empty", "", []],
    ["NUL characters", "\0/claim\n/claim \0", [["claim", "\0"]]],
    ["unicode args", "/label 🐛 ünïcode", [["label", "🐛", "ünïcode"]]],
  ])("%s", (_title, body, expected) => {
    expect(commands(body)).toEqual(expected);
  });

  it("reports the typed word, the 1-based line and the trimmed text", () => {
    expect(parseCommands("hello\r\n\r\n  @Shepherd TAKE  me  ", options).commands).toEqual([
      { name: "claim", typed: "take", args: ["me"], line: 3, text: "@Shepherd TAKE  me" },
    ]);
  });
});

describe("parseCommands: suggestions", () => {
  it.each<[string, string, string[][]]>([
    ["substitution", "/claom", [["claom", "claim"]]],
    ["deletion", "/clam", [["clam", "claim"]]],
    ["insertion", "/claimm", [["claimm", "claim"]]],
    ["transposition", "/lcaim", [["lcaim", "claim"]]],
    ["typo of an alias names the command", "/relase", [["relase", "unclaim"]]],
    ["@-addressed typo", "@shepherd calim", [["calim", "claim"]]],
    ["mixed case is lower-cased", "/Lable x", [["lable", "label"]]],
    ["typo of a short alias", "/rtt", [["rtt", "retest"]]],
    ["two edits away", "/clm", []],
    ["far away", "/frobnicate", []],
    ["two-letter words never get one", "/rr", []],
    ["in code", "```\n/calim\n```", []],
    ["in a quote", "> /calim", []],
  ])("%s", (_title, body, expected) => {
    expect(suggestions(body)).toEqual(expected);
    expect(parseCommands(body, options).commands).toEqual([]);
  });

  it("never comes with a known word, even one edit from another", () => {
    expect(parseCommands("/labels x", options)).toMatchObject({ commands: [{ name: "label" }], suggestions: [] });
  });

  it("gives the line", () => {
    expect(parseCommands("hi\n/calim", options).suggestions).toEqual([
      { typed: "calim", suggestion: "claim", line: 2 },
    ]);
  });
});

describe("parseCommands: limits", () => {
  it("returns at most 50 commands", () => {
    expect(commands("/claim\n".repeat(80))).toHaveLength(MAX_COMMANDS);
  });

  it("keeps at most 20 args of at most 256 chars", () => {
    const [command] = parseCommands(`/label ${"x".repeat(1000)} ${"a ".repeat(40)}`, options).commands;
    expect(command?.args).toHaveLength(MAX_ARGS);
    expect(command?.args[0]).toHaveLength(MAX_ARG_LENGTH);
  });

  it("cuts the text to 200 chars without splitting a surrogate pair", () => {
    const [command] = parseCommands(`/label ${"x".repeat(192)}🐛🐛`, options).commands;
    expect(command?.text).toBe(`/label ${"x".repeat(192)}`);
  });

  it("reads only the first 65,536 characters", () => {
    expect(commands(`${"x".repeat(65_536)}\n/claim`)).toEqual([]);
    expect(commands(`${"x".repeat(65_528)}\n/claim`)).toEqual([["claim"]]);
  });

  it("handles a huge single line quickly", () => {
    const started = performance.now();
    expect(commands(`/label ${'"'.repeat(70_000)}`)).toHaveLength(1);
    expect(commands("`".repeat(30_000) + "\n/claim\n" + "` ".repeat(20_000))).toEqual([]);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("does not address anyone when the slug is empty", () => {
    expect(parseCommands("@ claim", { ...options, botSlug: "" }).commands).toEqual([]);
  });
});

describe("newCommands", () => {
  it.each<[string, string | null, string, string[][]]>([
    ["a new comment", null, "/claim\n/label a", [["claim"], ["label", "a"]]],
    ["added", "/claim", "/claim\n/label a", [["label", "a"]]],
    ["removed", "/claim\n/label a", "/claim", []],
    ["unchanged", "/claim\n/label a", "/claim\n/label a", []],
    ["reordered", "/claim\n/label a", "/label a\n/claim", []],
    ["duplicated: one more runs", "/label a", "/label a\nthanks\n/label a", [["label", "a"]]],
    ["same name, other args", "/label a", "/label b", [["label", "b"]]],
    ["alias of an existing command", "/claim", "/take", []],
    ["moved out of a code block", "```\n/claim\n```", "/claim", [["claim"]]],
    [
      "order follows the edit",
      "/label b",
      "/label c\n/label b\n/label a",
      [
        ["label", "c"],
        ["label", "a"],
      ],
    ],
  ])("%s", (_title, before, after, expected) => {
    expect(newCommands(before, after, options).commands.map((command) => [command.name, ...command.args])).toEqual(
      expected,
    );
  });

  it("reports only new suggestions, by typed word", () => {
    const result = newCommands("/calim", "/calim\n/calim\n/lable", options);
    expect(result.suggestions.map((found) => [found.typed, found.line])).toEqual([
      ["calim", 2],
      ["lable", 3],
    ]);
  });
});
