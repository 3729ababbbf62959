// Hidden markers in bot comments: they let the bot find its own comment to edit in place and carry
// enough state to rebuild Redis from GitHub.

const MARKER = /<!-- shepherd:([a-z-]+)(?: (\{.*?\}))? -->/;

/** An HTML comment that names the comment kind and carries JSON state. */
export function renderMarker(kind: string, data?: Record<string, unknown>): string {
  if (!data) return `<!-- shepherd:${kind} -->`;
  // `--` would end the HTML comment early; \u002d is the same character to a JSON parser.
  const json = JSON.stringify(data).replace(/-/g, "\\u002d");
  return `<!-- shepherd:${kind} ${json} -->`;
}

export interface ParsedMarker {
  kind: string;
  data: Record<string, unknown>;
}

/** Reads the first marker in a comment body; null when there is none or it is damaged. */
export function parseMarker(body: string | null | undefined): ParsedMarker | null {
  if (!body) return null;
  const match = MARKER.exec(body);
  if (!match?.[1]) return null;
  if (!match[2]) return { kind: match[1], data: {} };
  try {
    const data: unknown = JSON.parse(match[2]);
    if (typeof data !== "object" || data === null || Array.isArray(data)) return null;
    return { kind: match[1], data: data as Record<string, unknown> };
  } catch {
    return null;
  }
}

export function hasMarker(body: string | null | undefined, kind: string): boolean {
  return parseMarker(body)?.kind === kind;
}
