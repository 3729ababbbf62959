// Validates the text of a `.github/shepherd.yml` and says, for every error, which key it is and on
// which lines: the `yaml` library's document keeps each node's source range, so a zod issue path
// (or the path a resolve error starts with) maps back to the lines a maintainer has to edit.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair } from "yaml";
import { z } from "zod";
import { resolveConfigInput } from "./resolve.js";
import { ShepherdConfig } from "./schema.js";

export interface ConfigProblem {
  /** Dotted key path (`triage.minConfidence`), or `(file)` for the whole file. */
  key: string;
  /** 1-based, inclusive. */
  startLine: number;
  endLine: number;
  message: string;
}

export type ValidationResult = { ok: true; problems: [] } | { ok: false; problems: ConfigProblem[] };

interface Located {
  startLine: number;
  endLine: number;
}

type Range = [number, number, number] | null | undefined;

/** Validates a config file's text exactly as the app resolves it (schema, then preset merge). */
export function validateConfigText(text: string): ValidationResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const lines = (range: Range): Located => rangeLines(lineCounter, range);
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((error) => ({
        key: "(file)",
        startLine: lineCounter.linePos(error.pos[0]).line,
        endLine: lineCounter.linePos(error.pos[1]).line,
        message: `invalid YAML: ${error.message.split("\n")[0] ?? error.code}`,
      })),
    };
  }
  const problems: ConfigProblem[] = [...numericRoadmapKeys(doc.contents, text, lines)];
  const raw: unknown = doc.toJS() ?? {};
  const body = isRecord(raw) ? Object.fromEntries(Object.entries(raw).filter(([key]) => key !== "_extends")) : raw;
  const parsed = ShepherdConfig.safeParse(body);
  if (!parsed.success) {
    problems.push(...parsed.error.issues.flatMap((issue) => fromZodIssue(issue, doc.contents, lines)));
  } else {
    // Cross-section rules (unknown subsystem ids, sections that need others) come as strings
    // that start with the dotted key they are about.
    const resolved = resolveConfigInput(body);
    if (!resolved.ok) problems.push(...resolved.errors.map((error) => fromResolveError(error, doc.contents, lines)));
  }
  if (problems.length === 0) return { ok: true, problems: [] };
  return { ok: false, problems: problems.sort((a, b) => a.startLine - b.startLine) };
}

/**
 * The rules only the file's text can show (the parsed object has lost them): a bare `3.0:` roadmap
 * key. The app's loader applies them to the text it read, as `shepherd validate` and the check do.
 */
export function textOnlyProblems(text: string): ConfigProblem[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) return [];
  return numericRoadmapKeys(doc.contents, text, (range) => rangeLines(lineCounter, range));
}

/** `file:line: key: message`, one line per problem. */
export function formatProblems(path: string, problems: ConfigProblem[]): string {
  return problems.map((problem) => `${path}:${problem.startLine}: ${problem.key}: ${problem.message}\n`).join("");
}

function rangeLines(lineCounter: LineCounter, range: Range): Located {
  if (!range) return { startLine: 1, endLine: 1 };
  const startLine = lineCounter.linePos(range[0]).line;
  // The value end is exclusive and may sit at the start of the next line.
  const endLine = Math.max(startLine, lineCounter.linePos(Math.max(range[0], range[1] - 1)).line);
  return { startLine, endLine };
}

/** `3.0:` is the number 3 to YAML, so the version would silently become "3". */
function numericRoadmapKeys(contents: unknown, text: string, lines: (range: Range) => Located): ConfigProblem[] {
  const roadmap = isMap(contents) ? contents.items.find((pair) => keyText(pair) === "roadmap")?.value : undefined;
  if (!isMap(roadmap)) return [];
  return roadmap.items.flatMap((pair) => {
    const key = pair.key;
    if (!isScalar(key) || typeof key.value === "string" || !key.range) return [];
    const written = text.slice(key.range[0], key.range[1]);
    if (written === String(key.value)) return [];
    return [
      {
        key: `roadmap.${written}`,
        ...lines(key.range),
        message: `YAML reads the key ${written} as the number ${String(key.value)}; quote it: "${written}":`,
      },
    ];
  });
}

function fromZodIssue(issue: z.core.$ZodIssue, contents: unknown, lines: (range: Range) => Located): ConfigProblem[] {
  const path = issue.path.map(String);
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => ({
      key: [...path, key].join("."),
      ...lines(locate(contents, [...path, key])),
      message: "unknown key",
    }));
  }
  return [
    { key: path.length > 0 ? path.join(".") : "(file)", ...lines(locate(contents, path)), message: issue.message },
  ];
}

function fromResolveError(error: string, contents: unknown, lines: (range: Range) => Located): ConfigProblem {
  const colon = error.indexOf(": ");
  const key = colon > 0 ? error.slice(0, colon) : "(file)";
  const message = colon > 0 ? error.slice(colon + 2) : error;
  return { key, ...lines(locateDotted(contents, key.split("."))), message };
}

/** The range of a key's pair (key through value), or of the deepest node on the path that exists. */
function locate(node: unknown, path: string[]): Range {
  let current: unknown = node;
  let found: Range = (current as Node | null)?.range;
  for (const segment of path) {
    const pair = childPair(current, segment);
    if (pair === null) return found;
    found = pairRange(pair);
    current = pair.value;
  }
  return found;
}

/** Like locate, but a key may itself contain dots (`roadmap.3.0.subsystems`): longest match first. */
function locateDotted(node: unknown, segments: string[]): Range {
  let current: unknown = node;
  let found: Range = (current as Node | null)?.range;
  let rest = segments;
  while (rest.length > 0) {
    let matched = 0;
    for (let take = rest.length; take > 0; take--) {
      const pair = childPair(current, rest.slice(0, take).join("."));
      if (pair === null) continue;
      found = pairRange(pair);
      current = pair.value;
      matched = take;
      break;
    }
    if (matched === 0) return found;
    rest = rest.slice(matched);
  }
  return found;
}

function childPair(node: unknown, segment: string): Pair | null {
  if (isMap(node)) return node.items.find((pair) => keyText(pair) === segment) ?? null;
  if (isSeq(node)) {
    const item = node.items[Number(segment)];
    return item === undefined ? null : ({ key: item, value: item } as Pair);
  }
  return null;
}

function pairRange(pair: Pair): Range {
  const key = pair.key as Node | null;
  const value = pair.value as Node | null;
  const start = key?.range?.[0] ?? value?.range?.[0];
  const end = value?.range?.[1] ?? key?.range?.[1];
  return start === undefined || end === undefined ? null : [start, end, end];
}

function keyText(pair: Pair): string {
  return isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
