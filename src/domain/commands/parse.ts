// Comment commands (`/claim`, `@shepherd label "good first issue"`), read the way GitHub renders the comment:
// nothing inside code, quotes or HTML comments runs, so quoting or explaining a command never triggers it.
//
// Choices for the ambiguous cases, all on the side of running less:
// - Inline code: a command must start its line, so "`/claim`" never runs; a line that starts inside a code span
//   opened on an earlier line of the same paragraph ("see `foo\n/claim`") does not run either. Backticks in
//   arguments are kept as typed, like any other punctuation: commands decide what is valid.
// - HTML comments: any `<!--` outside code opens a comment, even inside inline code or a quote, and a line that is
//   inside one or starts inside one never runs, even after its `-->`. A comment within a command line is removed
//   from its arguments (`/label bug <!-- why -->` → ["bug"]), as GitHub hides it.
// - A fence also opens after a list marker ("- ~~~"): its content is indented too little to count as indented code.
// - `<pre>`: CommonMark's HTML block of type 1, exactly. A line that starts (after up to three spaces, a quote's `>`
//   or a list marker) with `<pre`, `<script`, `<style` or `<textarea` followed by a space, a tab, `>` or the line's
//   end opens it, even inside a paragraph; it runs through the first line holding `</pre>`, `</script>`, `</style>`
//   or `</textarea>` (any of them), blank lines included, or to the end of the comment when none does, or to the end
//   of its quote or list item. No line inside it runs. A `<pre>` elsewhere in a line is inline HTML and opens nothing.
//   A list item is only known by the marker on the block's first line (the parser does not track lists otherwise).
// - Quotes: a line that continues a quoted paragraph without its own `>` (a lazy continuation, "> I'd say\n/claim")
//   is part of the quote and never runs; a blank line, or a quote that is a fence or a heading, ends that.

export interface CommandName {
  name: string;
  aliases: readonly string[];
}

export interface ParseOptions {
  /** The app's slug; `@<slug> claim` and `@<slug>[bot] claim` address Shepherd (case-insensitive). */
  botSlug: string;
  /** Known commands; names and aliases are lower-case words like "claim", "unclaim". */
  commands: readonly CommandName[];
}

export interface ParsedCommand {
  /** Canonical name (an alias is reported under its command's name). */
  name: string;
  /** What the user typed as the name (the alias, lower-cased). */
  typed: string;
  args: string[];
  /** 1-based line number in the body. */
  line: number;
  /** The command line as written, trimmed (for replies), at most 200 chars. */
  text: string;
}

export interface Suggestion {
  typed: string;
  suggestion: string;
  line: number;
}

export interface ParseResult {
  commands: ParsedCommand[];
  suggestions: Suggestion[];
}

/** GitHub's limit on a comment body; anything longer is not a real comment. */
export const MAX_BODY_LENGTH = 65_536;
/** Also the cap on suggestions. */
export const MAX_COMMANDS = 50;
export const MAX_ARGS = 20;
export const MAX_ARG_LENGTH = 256;
export const MAX_TEXT_LENGTH = 200;
/** Shorter typed words are too often something else (`/s`, `/me`) to guess at. */
const MIN_SUGGESTION_LENGTH = 3;

const NAME = /([a-z0-9-]+)(?=\s|$)/iy;
const SPACES = /\s+/y;
const LINE_BREAK = /\r\n|\r|\n/;
const LIST_MARKER = /^(?:[-*+]|\d{1,9}[.)])[ \t]+/;
/** The start of CommonMark's HTML block of type 1, at the start of a line's content. */
const RAW_BLOCK_START = /^<(?:pre|script|style|textarea)(?=[ \t>]|$)/i;
/** Its end: a line holding any of these end tags (it need not match the tag that opened the block). */
const RAW_BLOCK_END = /<\/(?:pre|script|style|textarea)>/i;
/** The markers of a quote, nested or not: what is left is the quoted line's content. */
const QUOTE_MARKERS = /^(?:[ ]{0,3}>[ ]?)+/;

interface Vocabulary {
  slug: string;
  /** Every name and alias → its command's name. */
  canonical: Map<string, string>;
}

interface Fence {
  char: string;
  length: number;
  /** Where the fence characters start; a list item's closing fence is indented like its opening one. */
  column: number;
}

type Found = { kind: "command"; command: ParsedCommand } | { kind: "suggestion"; suggestion: Suggestion };

/** Consecutive text lines: code spans can run across them, so what they hold is only known at the end. */
interface Paragraph {
  length: number;
  /** Backtick runs, by offset in the paragraph's text (lines joined with one character). */
  ticks: { offset: number; length: number }[];
  found: { offset: number; found: Found }[];
}

export function parseCommands(body: string | null | undefined, options: ParseOptions): ParseResult {
  const result: ParseResult = { commands: [], suggestions: [] };
  if (typeof body !== "string" || body.length === 0) return result;
  const vocabulary = buildVocabulary(options);
  const lines = body.slice(0, MAX_BODY_LENGTH).split(LINE_BREAK);
  let paragraph = emptyParagraph();
  let fence: Fence | null = null;
  let inComment = false;
  /** An open HTML block of type 1; `column`: where its list item's content starts (0 outside lists). */
  let pre: { column: number } | null = null;
  /** The same block, opened inside a quote: it ends with the quote. */
  let quotedPre = false;
  let lazyQuote = false;
  for (let index = 0; index < lines.length && result.commands.length < MAX_COMMANDS; index++) {
    const line = lines[index] ?? "";
    if (fence) {
      if (closesFence(line, fence)) fence = null;
      continue;
    }
    const { column, start } = measureIndent(line);
    const content = line.slice(start);
    const quoted = column < 4 && content.startsWith(">");
    // An HTML block is no paragraph: a line without `>` never continues it lazily, the quote ends.
    if (!quoted) quotedPre = false;
    // A list item ends at a line indented less than its content, and its block with it.
    if (pre && content.trim() !== "" && column < pre.column) pre = null;
    if (pre) {
      inComment = stripComments(line, inComment).inside;
      if (RAW_BLOCK_END.test(line)) pre = null;
      continue;
    }
    if (inComment) {
      inComment = stripComments(line, true).inside;
      continue;
    }
    if (content.trim() === "") {
      paragraph = flush(paragraph, result);
      lazyQuote = false;
      continue;
    }
    // Indented code, unless it continues a paragraph; either way it never runs.
    if (column >= 4 && paragraph.length === 0 && !lazyQuote) continue;
    if (quoted) {
      paragraph = flush(paragraph, result);
      inComment = stripComments(content, false).inside;
      const inner = content.replace(QUOTE_MARKERS, "");
      if (quotedPre) {
        quotedPre = !RAW_BLOCK_END.test(inner);
        lazyQuote = false;
        continue;
      }
      const indent = measureIndent(inner);
      const opens = indent.column < 4 ? rawBlockColumn(inner.slice(indent.start)) : null;
      quotedPre = opens !== null && !RAW_BLOCK_END.test(inner);
      lazyQuote = opens === null && continuesLazily(line);
      continue;
    }
    const opened = column < 4 ? openFence(content, column) : null;
    if (opened) {
      paragraph = flush(paragraph, result);
      fence = opened;
      lazyQuote = false;
      continue;
    }
    const raw = column < 4 ? rawBlockColumn(content) : null;
    if (raw !== null) {
      // Type 1 interrupts a paragraph, and a quote's lazy continuation too.
      paragraph = flush(paragraph, result);
      lazyQuote = false;
      inComment = stripComments(line, false).inside;
      if (!RAW_BLOCK_END.test(line)) pre = { column: raw === 0 ? 0 : column + raw };
      continue;
    }
    if (lazyQuote) {
      // Still the quoted paragraph: GitHub renders this line inside the quote.
      inComment = stripComments(line, false).inside;
      continue;
    }
    const offset = addLine(paragraph, line);
    const { inside, visible } = stripComments(line, false);
    inComment = inside;
    if (column >= 4 || (content[0] !== "/" && content[0] !== "@")) continue;
    const found = readCommand(line, visible.trim(), index + 1, vocabulary);
    if (found) paragraph.found.push({ offset, found });
  }
  flush(paragraph, result);
  return result;
}

/** Commands in `after` that were not in `before` (an edited comment runs only its new commands). */
export function newCommands(
  before: string | null | undefined,
  after: string | null | undefined,
  options: ParseOptions,
): ParseResult {
  const old = parseCommands(before, options);
  const now = parseCommands(after, options);
  // Multisets: an edit that adds a second `/label a` runs it once more.
  const commandsBefore = countKeys(old.commands.map(commandKey));
  const suggestionsBefore = countKeys(old.suggestions.map((suggestion) => suggestion.typed));
  return {
    commands: now.commands.filter((command) => takeKey(commandsBefore, commandKey(command))),
    suggestions: now.suggestions.filter((suggestion) => takeKey(suggestionsBefore, suggestion.typed)),
  };
}

function commandKey(command: ParsedCommand): string {
  return JSON.stringify([command.name, command.args]);
}

function countKeys(keys: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}

/** True when `key` is new: not left among the old ones (which it uses up otherwise). */
function takeKey(counts: Map<string, number>, key: string): boolean {
  const left = counts.get(key) ?? 0;
  if (left === 0) return true;
  counts.set(key, left - 1);
  return false;
}

function buildVocabulary(options: ParseOptions): Vocabulary {
  const canonical = new Map<string, string>();
  // Names first, so an alias never shadows another command's name.
  for (const command of options.commands) canonical.set(command.name.toLowerCase(), command.name.toLowerCase());
  for (const command of options.commands) {
    for (const alias of command.aliases) {
      if (!canonical.has(alias.toLowerCase())) canonical.set(alias.toLowerCase(), command.name.toLowerCase());
    }
  }
  return { slug: options.botSlug.toLowerCase(), canonical };
}

/**
 * Whether `content` (a line after its indentation) opens an HTML block of type 1, directly (0) or
 * after a list marker (that marker's width, where the item's content starts); null when it does not.
 */
function rawBlockColumn(content: string): number | null {
  if (RAW_BLOCK_START.test(content)) return 0;
  const marker = LIST_MARKER.exec(content);
  if (!marker) return null;
  const rest = content.slice(marker[0].length);
  return RAW_BLOCK_START.test(rest) ? marker[0].length : null;
}

/** A quoted line whose content is paragraph text: the next line without `>` still belongs to it. */
function continuesLazily(line: string): boolean {
  const quoted = line.replace(QUOTE_MARKERS, "");
  const { column, start } = measureIndent(quoted);
  const content = quoted.slice(start);
  if (content.trim() === "" || column >= 4) return false;
  if (openFence(content, column) !== null) return false;
  return !/^#{1,6}(?:\s|$)/.test(content);
}

/** Columns of leading spaces and tabs (tab stops every 4), and where the content starts. */
function measureIndent(line: string): { column: number; start: number } {
  let column = 0;
  let start = 0;
  for (; start < line.length; start++) {
    if (line[start] === " ") column++;
    else if (line[start] === "\t") column += 4 - (column % 4);
    else break;
  }
  return { column, start };
}

function openFence(content: string, column: number): Fence | null {
  const marker = LIST_MARKER.exec(content);
  const rest = marker ? content.slice(marker[0].length) : content;
  const char = rest[0];
  if (char !== "`" && char !== "~") return null;
  let length = 0;
  while (rest[length] === char) length++;
  if (length < 3) return null;
  // "```js```" on one line is inline code, not a fence.
  if (char === "`" && rest.includes("`", length)) return null;
  return { char, length, column: column + (marker?.[0].length ?? 0) };
}

function closesFence(line: string, fence: Fence): boolean {
  const { column, start } = measureIndent(line);
  if (column > fence.column + 3) return false;
  let end = start;
  while (line[end] === fence.char) end++;
  return end - start >= fence.length && line.slice(end).trim() === "";
}

/** Whether the line leaves an HTML comment open, and the line as rendered, without its comments. */
function stripComments(line: string, inside: boolean): { inside: boolean; visible: string } {
  let visible = "";
  let at = 0;
  let open = inside;
  for (;;) {
    if (open) {
      const end = line.indexOf("-->", at);
      if (end < 0) return { inside: true, visible };
      at = end + 3;
      open = false;
    } else {
      const start = line.indexOf("<!--", at);
      if (start < 0) return { inside: false, visible: visible + line.slice(at) };
      visible += line.slice(at, start);
      at = start + 4;
      open = true;
    }
  }
}

function readCommand(raw: string, text: string, line: number, vocabulary: Vocabulary): Found | null {
  let at = 1;
  if (text[0] === "@") {
    const { slug } = vocabulary;
    if (slug === "" || text.slice(1, 1 + slug.length).toLowerCase() !== slug) return null;
    at += slug.length;
    if (text.slice(at, at + 5).toLowerCase() === "[bot]") at += 5;
    SPACES.lastIndex = at;
    if (!SPACES.test(text)) return null;
    at = SPACES.lastIndex;
    if (text[at] === "/") at++;
  } else if (text[0] !== "/") {
    return null;
  }
  NAME.lastIndex = at;
  const typed = NAME.exec(text)?.[1]?.toLowerCase();
  if (!typed) return null;
  const name = vocabulary.canonical.get(typed);
  if (name) {
    const args = splitArgs(text.slice(NAME.lastIndex));
    return { kind: "command", command: { name, typed, args, line, text: truncate(raw.trim(), MAX_TEXT_LENGTH) } };
  }
  const suggestion = suggest(typed, vocabulary);
  return suggestion ? { kind: "suggestion", suggestion: { typed, suggestion, line } } : null;
}

function splitArgs(rest: string): string[] {
  const args: string[] = [];
  let at = 0;
  while (args.length < MAX_ARGS) {
    SPACES.lastIndex = at;
    if (SPACES.test(rest)) at = SPACES.lastIndex;
    if (at >= rest.length) break;
    let end: number;
    let arg: string;
    if (rest[at] === '"') {
      // An unterminated quote takes the rest of the line.
      const close = rest.indexOf('"', at + 1);
      end = close < 0 ? rest.length : close + 1;
      arg = rest.slice(at + 1, close < 0 ? rest.length : close);
    } else {
      end = at;
      while (end < rest.length && !/\s/.test(rest[end] ?? "")) end++;
      arg = rest.slice(at, end);
    }
    args.push(truncate(arg, MAX_ARG_LENGTH));
    at = end;
  }
  return args;
}

/** The command a typed word is one slip away from, if any. */
function suggest(typed: string, vocabulary: Vocabulary): string | null {
  if (typed.length < MIN_SUGGESTION_LENGTH) return null;
  for (const [word, name] of vocabulary.canonical) {
    if (oneEditApart(typed, word)) return name;
  }
  return null;
}

/** Damerau–Levenshtein distance exactly 1: one insertion, deletion, substitution or adjacent transposition. */
function oneEditApart(a: string, b: string): boolean {
  if (a === b) return false;
  if (a.length === b.length) {
    let i = 0;
    while (a[i] === b[i]) i++;
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  const [shorter, longer] = a.length < b.length ? [a, b] : [b, a];
  if (longer.length - shorter.length !== 1) return false;
  let i = 0;
  while (i < shorter.length && shorter[i] === longer[i]) i++;
  return shorter.slice(i) === longer.slice(i + 1);
}

/** Cuts to at most `max` UTF-16 units without splitting a surrogate pair. */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

function emptyParagraph(): Paragraph {
  return { length: 0, ticks: [], found: [] };
}

/** Adds a line to the paragraph; returns where it starts. */
function addLine(paragraph: Paragraph, line: string): number {
  const offset = paragraph.length;
  for (let i = 0; i < line.length; i++) {
    if (line[i] !== "`") continue;
    let end = i;
    while (line[end] === "`") end++;
    paragraph.ticks.push({ offset: offset + i, length: end - i });
    i = end - 1;
  }
  paragraph.length += line.length + 1;
  return offset;
}

/** Emits what the paragraph found outside its code spans; returns a fresh paragraph. */
function flush(paragraph: Paragraph, result: ParseResult): Paragraph {
  if (paragraph.found.length === 0) return paragraph.length === 0 ? paragraph : emptyParagraph();
  const spans = codeSpans(paragraph.ticks);
  let span = 0;
  for (const { offset, found } of paragraph.found) {
    while (span < spans.length && (spans[span]?.end ?? 0) <= offset) span++;
    if ((spans[span]?.start ?? offset) < offset) continue;
    if (found.kind === "command" && result.commands.length < MAX_COMMANDS) result.commands.push(found.command);
    if (found.kind === "suggestion" && result.suggestions.length < MAX_COMMANDS) {
      result.suggestions.push(found.suggestion);
    }
  }
  return emptyParagraph();
}

/** CommonMark code spans: a backtick run up to the next run of the same length; a run without one is literal. */
function codeSpans(ticks: Paragraph["ticks"]): { start: number; end: number }[] {
  const next: (number | undefined)[] = new Array<number | undefined>(ticks.length);
  const lastByLength = new Map<number, number>();
  for (let i = ticks.length - 1; i >= 0; i--) {
    const length = ticks[i]?.length ?? 0;
    next[i] = lastByLength.get(length);
    lastByLength.set(length, i);
  }
  const spans: { start: number; end: number }[] = [];
  for (let i = 0; i < ticks.length; i++) {
    const close = next[i];
    if (close === undefined) continue;
    spans.push({ start: ticks[i]?.offset ?? 0, end: ticks[close]?.offset ?? 0 });
    i = close;
  }
  return spans;
}
