import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  MAX_ARG_LENGTH,
  MAX_ARGS,
  MAX_BODY_LENGTH,
  MAX_COMMANDS,
  MAX_TEXT_LENGTH,
  newCommands,
  parseCommands,
  type ParseOptions,
} from "../../src/domain/commands/parse.js";

/** Each command's name and aliases. */
const vocabulary: Record<string, string[]> = {
  claim: ["take", "assign"],
  unclaim: ["release"],
  label: ["labels"],
  retest: ["rt"],
};
const options: ParseOptions = {
  botSlug: "shepherd",
  commands: Object.entries(vocabulary).map(([name, aliases]) => ({ name, aliases })),
};
/** Every known word → its command's name. */
const canonical = new Map(
  Object.entries(vocabulary).flatMap(([name, aliases]) => [name, ...aliases].map((word) => [word, name])),
);
const LINE_BREAK = /\r\n|\r|\n/;

const knownWord = fc.constantFrom(...canonical.keys());
/** A known word with one slip: deleted, doubled, swapped or replaced letter. */
const typo = fc
  .tuple(
    knownWord,
    fc.nat(),
    fc.constantFrom("delete", "double", "swap", "replace"),
    fc.constantFrom("a", "x", "-", "9"),
  )
  .map(([word, at, edit, letter]) => {
    const i = at % word.length;
    if (edit === "delete") return word.slice(0, i) + word.slice(i + 1);
    if (edit === "double") return word.slice(0, i + 1) + word.slice(i);
    if (edit === "swap") return word.slice(0, i) + (word[i + 1] ?? "") + (word[i] ?? "") + word.slice(i + 2);
    return word.slice(0, i) + letter + word.slice(i + 1);
  });
const word = fc.oneof(
  knownWord,
  knownWord.map((w) => w.toUpperCase()),
  typo,
  fc.stringMatching(/^[a-z0-9-]{1,12}$/),
);
const prefix = fc.constantFrom(
  "/",
  "/",
  "/",
  "@shepherd ",
  "@Shepherd[bot] ",
  "@SHEPHERD /",
  "@shepherd-dev ",
  "@other ",
);
const indent = fc.constantFrom("", "", "", "", "", " ", "   ", "    ", "\t", "  \t");
const separator = fc.constantFrom(" ", "  ", "\t");
const unicode = fc.string({ unit: "grapheme", maxLength: 30 });
/** An argument as typed: plain, quoted (maybe unterminated), punctuated, backticked or exotic. */
const argument = fc.oneof(
  fc.stringMatching(/^[a-z0-9:-]{1,10}$/),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 10 }),
  fc.stringMatching(/^"[a-z ]{0,12}"?$/),
  fc.constantFrom("`bug`", "bug,", "<!--", "-->", '"', "x".repeat(300)),
);
const commandLine = fc
  .tuple(
    indent,
    prefix,
    word,
    fc.array(fc.tuple(separator, argument), { maxLength: 25 }),
    fc.constantFrom("", " ", "\t"),
  )
  .map(
    ([space, start, name, args, end]) => `${space}${start}${name}${args.map(([gap, arg]) => gap + arg).join("")}${end}`,
  );
const prose = fc.oneof(
  unicode,
  fc.constantFrom("", "   ", "Thanks!", "I'd like to /claim this.", "see `foo", "bar` baz", "`/claim`", "- /claim"),
);
const markup = fc.constantFrom(
  "```",
  "````",
  "```js",
  "~~~",
  "~~~~ text",
  "- ```",
  "<!--",
  "-->",
  "<!-- /claim -->",
  "> ",
  "> > ",
);
const line = fc.oneof(
  { arbitrary: commandLine, weight: 6 },
  { arbitrary: prose, weight: 3 },
  { arbitrary: markup, weight: 1 },
  { arbitrary: fc.tuple(markup, commandLine).map(([a, b]) => a + b), weight: 1 },
);
const lineBreak = fc.constantFrom("\n", "\n", "\r\n", "\r");

function joinLines(lines: [string, string][]): string {
  return lines.map(([text, end]) => text + end).join("");
}

const body = fc.oneof(
  { arbitrary: fc.array(fc.tuple(line, lineBreak), { maxLength: 80, size: "medium" }).map(joinLines), weight: 8 },
  // Past the caps: many command lines in a row.
  {
    arbitrary: fc
      .tuple(commandLine, lineBreak, fc.integer({ min: 40, max: 120 }))
      .map(([text, end, times]) => (text + end).repeat(times)),
    weight: 1,
  },
  { arbitrary: fc.string({ unit: "binary", maxLength: 400 }), weight: 1 },
  { arbitrary: fc.string({ unit: "grapheme", maxLength: 400 }), weight: 1 },
);

/** Lines that open nothing that could run past them (no fences, no comments). */
const cleanLine = fc.oneof(commandLine, prose, fc.constantFrom("> ", "> > /claim", "    /claim"));
const cleanBody = fc
  .array(fc.tuple(cleanLine, lineBreak), { maxLength: 30 })
  .map(joinLines)
  .filter((text) => !/<!--|```|~~~/.test(text));
/** Plain arguments that come back exactly as typed. */
const plainArgument = fc
  .string({ unit: "grapheme", minLength: 1, maxLength: 12 })
  .filter((arg) => !/\s/.test(arg) && !arg.startsWith('"') && !arg.includes("<!--"));

function lineCount(text: string): number {
  return text.slice(0, MAX_BODY_LENGTH).split(LINE_BREAK).length;
}

function longestRun(text: string, char: string): number {
  let longest = 0;
  let run = 0;
  for (const c of text) {
    run = c === char ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  return longest;
}

describe("parseCommands properties", () => {
  it("never throws and stays within its limits", () => {
    fc.assert(
      fc.property(body, (text) => {
        const result = parseCommands(text, options);
        expect(result.commands.length).toBeLessThanOrEqual(MAX_COMMANDS);
        expect(result.suggestions.length).toBeLessThanOrEqual(MAX_COMMANDS);
        for (const command of result.commands) {
          expect(command.args.length).toBeLessThanOrEqual(MAX_ARGS);
          for (const arg of command.args) expect(arg.length).toBeLessThanOrEqual(MAX_ARG_LENGTH);
          expect(command.text.length).toBeLessThanOrEqual(MAX_TEXT_LENGTH);
          expect(command.text).toBe(command.text.trim());
        }
      }),
      { numRuns: 10_000 },
    );
  });

  it("never throws on huge bodies", () => {
    fc.assert(
      fc.property(body, fc.integer({ min: 100, max: 1_000 }), (text, times) => {
        const huge = `${text}\n`.repeat(times);
        const result = parseCommands(huge, options);
        expect(result.commands.length).toBeLessThanOrEqual(MAX_COMMANDS);
        expect(result.commands.every((command) => command.line <= lineCount(huge))).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it("reports known names on increasing lines within the body", () => {
    fc.assert(
      fc.property(body, (text) => {
        const { commands, suggestions } = parseCommands(text, options);
        const lines = lineCount(text);
        let previous = 0;
        for (const command of commands) {
          expect(canonical.get(command.name)).toBe(command.name);
          expect(canonical.get(command.typed)).toBe(command.name);
          expect(command.line).toBeGreaterThan(previous);
          expect(command.line).toBeLessThanOrEqual(lines);
          previous = command.line;
        }
        for (const suggestion of suggestions) {
          expect(canonical.get(suggestion.suggestion)).toBe(suggestion.suggestion);
          expect(canonical.has(suggestion.typed)).toBe(false);
          expect(suggestion.line).toBeLessThanOrEqual(lines);
        }
      }),
      { numRuns: 4_000 },
    );
  });

  it("runs nothing from a body wrapped in a fence or quoted", () => {
    fc.assert(
      fc.property(body, (text) => {
        const fence = "`".repeat(Math.max(3, longestRun(text, "`") + 1));
        expect(parseCommands(`${fence}\n${text}\n${fence}\n`, options)).toEqual({ commands: [], suggestions: [] });
        const quoted = text
          .split(LINE_BREAK)
          .map((part) => `> ${part}`)
          .join("\n");
        expect(parseCommands(quoted, options)).toEqual({ commands: [], suggestions: [] });
      }),
      { numRuns: 4_000 },
    );
  });

  it("runs nothing from a body wrapped in <pre>", () => {
    fc.assert(
      fc.property(
        body.filter((text) => !/<\/pre/i.test(text)),
        (text) => {
          expect(parseCommands(`<pre>\n${text}\n</pre>\n`, options)).toEqual({ commands: [], suggestions: [] });
        },
      ),
      { numRuns: 4_000 },
    );
  });

  it("finds a command appended after a blank line as the last one, with its args", () => {
    fc.assert(
      fc.property(
        cleanBody,
        fc.constantFrom("/", "@shepherd ", "@Shepherd[bot] /"),
        knownWord,
        fc.array(plainArgument, { maxLength: MAX_ARGS }),
        (text, start, name, args) => {
          const full = `${text}\n\n${[start + name, ...args].join(" ")}`;
          const last = parseCommands(full, options).commands.at(-1);
          expect(last).toMatchObject({ name: canonical.get(name), typed: name, args, line: lineCount(full) });
        },
      ),
      { numRuns: 4_000 },
    );
  });

  it("runs nothing new for an unchanged comment, and everything for a new one", () => {
    fc.assert(
      fc.property(body, (text) => {
        expect(newCommands(text, text, options)).toEqual({ commands: [], suggestions: [] });
        expect(newCommands("", text, options)).toEqual(parseCommands(text, options));
      }),
      { numRuns: 4_000 },
    );
  });
});
