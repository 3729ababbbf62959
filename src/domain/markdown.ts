// Escaping for user-written text (titles, logins, explanations) that goes into Shepherd's markdown:
// it must neither format, nor inject HTML, nor ping people, nor link other issues and PRs.

/** HTML goes as entities (safe in any context); other markdown characters are backslash-escaped. */
const HTML_ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };

/** Zero-width joiner: after `@` or `#` it stops GitHub from reading a mention or a reference. */
const ZWJ = "\u200d";

/** Breaks `@user`, `#123` (also `org/repo#123`) and `GH-123` with a zero-width joiner after the sign. */
export function neutralise(text: string): string {
  return text.replace(/([@#])(?=[A-Za-z0-9_-])/g, `$1${ZWJ}`).replace(/\b(GH)(?=-\d)/gi, `$1${ZWJ}`);
}

/** Plain text inside a markdown line: one line, no formatting, no HTML, no mentions, no references. */
export function escapeInline(text: string): string {
  const flat = String(text).replace(/\s+/g, " ").trim();
  return neutralise(flat.replace(/[\\`*_[\]()~|!&<>]/g, (char) => HTML_ENTITIES[char] ?? `\\${char}`));
}

/** A one-line code span: raw inside (markdown, HTML and mentions do not work in code). */
const CODE_SPAN = /`([^`\n]+)`/g;

/**
 * A title people wrote: code spans render as code (`QuerySet.aget()`), everything else is escaped
 * as plain inline text. In a table cell a pipe inside the code span is escaped too (GitHub splits
 * cells before it reads code spans, and drops the backslash there).
 */
export function escapeTitle(text: string, where: "inline" | "cell" = "inline"): string {
  const flat = String(text).replace(/\s+/g, " ").trim();
  let out = "";
  let last = 0;
  for (const match of flat.matchAll(CODE_SPAN)) {
    const code = (match[1] ?? "").replace(/\|/g, where === "cell" ? "\\|" : "|");
    // A pipe escape outside a table would show its backslash: outside a cell the span stays as typed.
    out += `${escapeInline(flat.slice(last, match.index))}${spacing(flat, last, match.index)}\`${code}\``;
    last = match.index + match[0].length;
    out += spacing(flat, last, last, true);
  }
  return (out + escapeInline(flat.slice(last))).trim();
}

/** escapeInline trims its text: the space that separated the text from a code span comes back. */
function spacing(text: string, from: number, at: number, after = false): string {
  if (after) return text[at] === " " ? " " : "";
  return at > from && text[at - 1] === " " ? " " : "";
}

/**
 * Text for a table cell. Inline escaping already turns newlines into spaces, pipes into `\|` (which
 * GitHub's table parser does not split on) and HTML into entities; an empty cell stays valid.
 */
export function escapeCell(text: string): string {
  return escapeInline(text);
}

/** At most `max` characters (before escaping, so an escape is never cut in half), with an ellipsis. */
export function shorten(text: string, max: number): string {
  const flat = String(text).replace(/\s+/g, " ").trim();
  const chars = Array.from(flat);
  if (chars.length <= max) return flat;
  return `${chars
    .slice(0, Math.max(0, max - 1))
    .join("")
    .trimEnd()}…`;
}

/** A login in bold: readable, and never a mention. */
export function boldLogin(login: string): string {
  return `**${escapeInline(login)}**`;
}

/** "1 day", "2 days". */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** "a", "a and b", "a, b and c". */
export function joinWords(words: string[]): string {
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}

/** A code span around any one-line text: its fence is longer than any backtick run inside. */
export function codeSpan(text: string): string {
  const flat = String(text).replace(/\s+/g, " ").trim();
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") ? " " : "";
  return `${fence}${pad}${flat}${pad}${fence}`;
}
