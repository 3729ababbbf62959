import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  boldLogin,
  codeSpan,
  escapeCell,
  escapeInline,
  escapeTitle,
  joinWords,
  neutralise,
  plural,
  shorten,
} from "../../src/domain/markdown.js";

const ZWJ = "\u200d";

describe("neutralise", () => {
  it.each([
    ["cc @alice please", `cc @${ZWJ}alice please`],
    ["see #123 and django/django#45", `see #${ZWJ}123 and django/django#${ZWJ}45`],
    ["fixed by GH-12 and gh-3", `fixed by GH${ZWJ}-12 and gh${ZWJ}-3`],
    ["a lone @ or # stays", "a lone @ or # stays"],
  ])("%s", (text, expected) => {
    expect(neutralise(text)).toBe(expected);
  });
});

describe("escapeInline", () => {
  it("flattens whitespace, escapes markdown and HTML, and neutralises", () => {
    expect(escapeInline("  **Bold** [x](y)\n<script> & `code` @bob #1 ")).toBe(
      `\\*\\*Bold\\*\\* \\[x\\]\\(y\\) &lt;script&gt; &amp; \\\`code\\\` @${ZWJ}bob #${ZWJ}1`,
    );
  });

  it("never leaves a pingable mention, a reference or a raw tag", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme-ascii" }), (text) => {
        const out = escapeInline(text);
        expect(out).not.toMatch(/(^|[^\\])@[A-Za-z0-9_-]/);
        expect(out).not.toMatch(/#[0-9A-Za-z_-]/);
        expect(out).not.toMatch(/[<>\n]/);
      }),
    );
  });
});

describe("escapeTitle", () => {
  it.each([
    ["`QuerySet.aget()` is slow", "`QuerySet.aget()` is slow", "`QuerySet.aget()` is slow"],
    ["a `b` c `d`", "a `b` c `d`", "a `b` c `d`"],
    ["Fix `a|b` for @bob | x", `Fix \`a|b\` for @${ZWJ}bob \\| x`, `Fix \`a\\|b\` for @${ZWJ}bob \\| x`],
    ["unbalanced ` tick *x*", "unbalanced \\` tick \\*x\\*", "unbalanced \\` tick \\*x\\*"],
    ["`<script>` & `@carol`", "`<script>` &amp; `@carol`", "`<script>` &amp; `@carol`"],
  ])("%s", (title, inline, cell) => {
    expect(escapeTitle(title)).toBe(inline);
    expect(escapeTitle(title, "cell")).toBe(cell);
  });

  it("keeps a table row one row and never pings outside code", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme-ascii" }), (text) => {
        const out = escapeTitle(text, "cell");
        expect(`| ${out} |`.split(/(?<!\\)\|/)).toHaveLength(3);
        const outsideCode = out.replace(/`[^`]+`/g, "");
        expect(outsideCode).not.toMatch(/(^|[^\\])@[A-Za-z0-9_-]/);
        expect(out).not.toMatch(/\n/);
      }),
    );
  });
});

describe("escapeCell", () => {
  it("keeps a table row one row with the same number of cells", () => {
    const cell = escapeCell("a | b\nc <br> d");
    expect(cell).toBe("a \\| b c &lt;br&gt; d");
    expect(`| ${cell} |`.split(/(?<!\\)\|/)).toHaveLength(3);
  });
});

describe("small helpers", () => {
  it("shortens before escaping, never cutting a character in two", () => {
    expect(shorten("abcdef", 10)).toBe("abcdef");
    expect(shorten("abcdef", 4)).toBe("abc…");
    expect(shorten("ab😀😀😀", 4)).toBe("ab😀…");
  });

  it("bolds logins without pinging, counts and joins words", () => {
    expect(boldLogin("alice")).toBe("**alice**");
    expect(boldLogin("@alice")).toBe(`**@${ZWJ}alice**`);
    expect([plural(1, "day"), plural(2, "day")]).toEqual(["1 day", "2 days"]);
    expect([joinWords([]), joinWords(["a"]), joinWords(["a", "b"]), joinWords(["a", "b", "c"])]).toEqual([
      "",
      "a",
      "a and b",
      "a, b and c",
    ]);
  });
});

describe("codeSpan", () => {
  it.each([
    ["/claim", "`/claim`"],
    ["/label `bug`", "`` /label `bug` ``"],
    ["a ``b`` c\nd", "```a ``b`` c d```"],
  ])("%s", (text, expected) => {
    expect(codeSpan(text)).toBe(expected);
  });
});
