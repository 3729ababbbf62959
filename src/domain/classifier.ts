// The triage classifier: is an item async-conversion work, which subsystems does it touch, and
// which roadmap version does it belong to. Pure: no I/O, no clocks. `compileModel` does all the
// expensive work (glob and regex compilation) once; `classify` only scans text and paths.

import picomatch from "picomatch";
import {
  type CodeEvidence,
  type IndexEntry,
  type Mention,
  classSuffixes,
  folderForms,
  isCodeMention,
  isTestPath,
  KIND,
  mentions,
  pathMentions,
  pointsTo,
  DOCS_CODE,
  DOCS_WORD,
  singularForm,
  twinBase,
} from "./code-index.js";
import type { ChangedFile, ClassifierModel, Classification, ClassifyInput, Decider, SubsystemScore } from "./model.js";

type CueStrength = "identifier" | "phrase" | "word";

interface CompiledCue {
  /** Index into CompiledModel.cues; used to count each cue once per text field. */
  index: number;
  text: string;
  strength: CueStrength;
  /** Subsystem indices that list this cue. */
  subsystems: number[];
  isAsync: boolean;
}

interface CompoundCue {
  /** Index into the compound list; used to queue each compound at most once per text. */
  id: number;
  cue: CompiledCue;
  regex: RegExp;
}

interface WildcardCue {
  cue: CompiledCue;
  caseSensitive: boolean;
  /** Anchored regex tested against single identifier tokens. */
  regex: RegExp;
  /** Literal part that the token must contain. */
  anchor: string;
}

interface CompiledGlob {
  subsystem: number;
  glob: string;
  /** Static prefix of the glob; a path that does not start with it cannot match. */
  base: string;
  specificity: number;
  match: (path: string) => boolean;
}

interface TokenCues {
  /** Identifier cues whose lower-cased text is the token, with their exact text. */
  exact: Array<{ text: string; cues: CompiledCue[] }>;
  words: CompiledCue[] | undefined;
  /** The word's async cues that name no subsystem: what a part of a snake_case name can say. */
  asyncOnly: CompiledCue[] | undefined;
  compounds: CompoundCue[] | undefined;
}

interface CompiledSubsystem {
  id: string;
  name: string;
}

interface CompiledVersion {
  version: string;
  title: string;
  subsystems: Set<number>;
  /** Finds this version inside a milestone title ("Django 3.1", "v3.1 async"). */
  inMilestone: RegExp;
}

export interface CompiledModel {
  subsystems: CompiledSubsystem[];
  cues: CompiledCue[];
  /** Case-sensitive identifier cues by exact token. */
  exact: Map<string, CompiledCue[]>;
  /** Lower-case word cues (and their plurals) by lower-cased token. */
  words: Map<string, CompiledCue[]>;
  /** The words with an async cue among theirs: what a changed path's words are looked up in. */
  asyncWords: Set<string>;
  /**
   * What a text's token can meet, by lower-cased token: identifier cues, word cues and compound
   * cues (phrases, dotted names) anchored on it. One lookup per token.
   */
  tokens: Map<string, TokenCues>;
  wildcards: WildcardCue[];
  /** Compound cues without a usable anchor token; tried on every text. */
  compoundsAlways: CompoundCue[];
  /** Globs by a path's top folder (`tests`), or its first two (`tests/cache`) where some glob is that deep. */
  globsByTop: Map<string, CompiledGlob[]>;
  /** Globs whose base has no directory part; tried for every path. */
  globsAnyTop: CompiledGlob[];
  roadmap: CompiledVersion[];
  roadmapLongestFirst: CompiledVersion[];
  /** Matches a version mention in prose ("in 3.1", "Django 3.1"); group 1 is the version. */
  versionMention: RegExp | null;
  versionByText: Map<string, CompiledVersion>;
  fallback: number;
  /** Subsystem id → its index in `subsystems`. */
  subsystemIndex: Map<string, number>;
  asyncTwins: boolean;
  /** Fingerprint of every subsystem's path globs: an index built with other globs is stale. */
  globs: string;
}

// Evidence weights. Identifiers (`QuerySet.aget`) are much stronger than plain words ("cache");
// the title says what an item is about, the body wanders.
const STRENGTH_WEIGHT: Record<CueStrength, number> = { identifier: 2, phrase: 1.5, word: 1 };
const TITLE_FACTOR = 2;
// The subject a title names first (a cue, a path or a code name) gets this much more: three
// quarters of a title word. On Django's 2012–2022 history it turns 1.3% of commits right.
const LEAD_BONUS = 1.5;
const BODY_FACTOR = 1;
// Changed paths decide a PR; text only breaks ties between paths of equal weight.
const TEXT_IN_PR_FACTOR = 0.05;
// Source under the project package outweighs tests, tests outweigh docs.
const FILE_KIND_WEIGHT = { source: 1, test: 0.3, docs: 0.15 } as const;
// Long pasted logs add noise and cost; the first part of a text carries the signal.
const MAX_TEXT = 100_000;
const MAX_FILES = 3_000;
// Async evidence below this is not enough to call an item async work.
const ASYNC_THRESHOLD = 1;
// The share of a PR's changed files that must look async (by path or patch) for that to count.
// On Django's history 2019–2022 a quarter drops 10 of the 14 PRs whose text says nothing async
// (reformats, typo sweeps, release-annotation removals); 3 of the 4 left are async docs work.
const ASYNC_FILE_SHARE = 0.25;

const WORD_CHAR = /[A-Za-z0-9_]/;
const TOKEN = /[A-Za-z_][A-Za-z0-9_]*/g;
const PATH_TOKEN = /[A-Za-z0-9]+/g;

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function cueStrength(cue: string): CueStrength {
  if (/[A-Z_.(]/.test(cue)) return "identifier";
  return /[^a-z0-9]/.test(cue) ? "phrase" : "word";
}

function isCaseSensitive(cue: string): boolean {
  return /[A-Z_.(]/.test(cue);
}

/**
 * The lower-cased word of a compound cue that must appear as a token of the text for the cue to
 * match at all; null when no part can be a token. The last word of a lower-case phrase is skipped
 * because it may appear in plural.
 */
function anchorToken(cue: string, caseSensitive: boolean): string | null {
  const parts = cue
    .toLowerCase()
    .split(/[^a-z0-9_]+/)
    .filter((p) => p !== "");
  const candidates = !caseSensitive && parts.length > 1 ? parts.slice(0, -1) : parts;
  let best: string | null = null;
  for (const part of candidates) {
    if (/^[a-z_]/.test(part) && part.length > (best?.length ?? 0)) best = part;
  }
  return best;
}

/** Regex for a cue with spaces, dots, hyphens or brackets, matched against whole text. */
function compoundRegex(cue: string, caseSensitive: boolean): RegExp {
  const first = cue[0] ?? "";
  const last = cue[cue.length - 1] ?? "";
  let body = cue
    .trim()
    .split(/\s+/)
    .map((part) => escapeRegex(part))
    .join("\\s+");
  // Plural of the last word of a lower-case phrase ("related manager" → "related managers").
  if (!caseSensitive && /[a-z]$/.test(cue)) body += "(?:e?s)?";
  const before = WORD_CHAR.test(first) ? "(?<![A-Za-z0-9_])" : "";
  const after = WORD_CHAR.test(last) ? "(?![A-Za-z0-9_])" : "";
  return new RegExp(before + body + after, caseSensitive ? "" : "i");
}

function addTo<K>(map: Map<K, CompiledCue[]>, key: K, cue: CompiledCue): void {
  const list = map.get(key);
  if (list === undefined) {
    map.set(key, [cue]);
    return;
  }
  if (!list.includes(cue)) list.push(cue);
}

/** The first two folders of a path (`tests/cache` of `tests/cache/tests.py`), or null if it has fewer. */
function folderKey(path: string): string | null {
  const first = path.indexOf("/");
  const second = first < 0 ? -1 : path.indexOf("/", first + 1);
  return second < 0 ? null : path.slice(0, second);
}

function topSegment(path: string): string {
  const slash = path.indexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}

/** A short stable hash (FNV-1a, 32 bits, hex). */
function fingerprint(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}

/** The subsystem whose globs claim a repository path (the most specific glob wins), or null. */
export function subsystemOfPath(compiled: CompiledModel, path: string): string | null {
  const glob = assignPath(compiled, path);
  return glob === null ? null : (compiled.subsystems[glob.subsystem]?.id ?? null);
}

/**
 * The folder a subsystem's glob names (`django/core/handlers/**` → "handlers"): a word of the
 * config's own paths is a cue of its subsystem, with no one having to list it. Test and docs
 * folders are left out, and words of four letters or fewer ("http" is in every address).
 */
function folderWords(paths: readonly string[]): string[] {
  return paths.flatMap((glob) => {
    const word = /(?:^|\/)([a-z]{5,})\/\*\*$/.exec(glob)?.[1];
    if (word === undefined || fileKind(glob) !== "source") return [];
    // Folders are mostly plural ("handlers"); the text may say "an ASGI handler".
    return /[^s]s$/.test(word) ? [word.slice(0, -1)] : [word];
  });
}

export function compileModel(model: ClassifierModel): CompiledModel {
  const subsystems: CompiledSubsystem[] = model.subsystems.map((s) => ({ id: s.id, name: s.name }));
  const cueByText = new Map<string, CompiledCue>();
  const cues: CompiledCue[] = [];

  // A plural listed next to its singular ("view", "views") is the same cue: words already match
  // their plurals, and counting both would double the evidence.
  const lowerWords = new Set(
    [...model.subsystems.flatMap((s) => s.cues), ...model.asyncCues]
      .map((c) => c.trim())
      .filter((c) => /^[a-z][a-z0-9]*$/.test(c)),
  );
  function canonical(text: string): string {
    if (!/^[a-z][a-z0-9]*$/.test(text)) return text;
    if (text.endsWith("es") && lowerWords.has(text.slice(0, -2))) return text.slice(0, -2);
    if (text.endsWith("s") && lowerWords.has(text.slice(0, -1))) return text.slice(0, -1);
    return text;
  }

  function cueFor(raw: string): CompiledCue | null {
    const text = canonical(raw.trim());
    if (text === "" || text.replace(/\*/g, "") === "") return null;
    let cue = cueByText.get(text);
    if (cue === undefined) {
      cue = { index: cues.length, text, strength: cueStrength(text), subsystems: [], isAsync: false };
      cueByText.set(text, cue);
      cues.push(cue);
    }
    return cue;
  }

  model.subsystems.forEach((subsystem, index) => {
    for (const raw of [...subsystem.cues, ...folderWords(subsystem.paths)]) {
      const cue = cueFor(raw);
      if (cue !== null && !cue.subsystems.includes(index)) cue.subsystems.push(index);
    }
  });
  for (const raw of model.asyncCues) {
    const cue = cueFor(raw);
    if (cue !== null) cue.isAsync = true;
  }

  const exact = new Map<string, CompiledCue[]>();
  const words = new Map<string, CompiledCue[]>();
  const wildcards: WildcardCue[] = [];
  const compoundsByAnchor = new Map<string, CompoundCue[]>();
  const compoundsAlways: CompoundCue[] = [];
  let compoundCount = 0;
  for (const cue of cues) {
    const caseSensitive = isCaseSensitive(cue.text);
    if (cue.text.includes("*")) {
      const parts = cue.text.split("*").map(escapeRegex);
      const anchor = cue.text.split("*").reduce((a, b) => (b.length > a.length ? b : a), "");
      wildcards.push({
        cue,
        caseSensitive,
        regex: new RegExp(`^${parts.join("[A-Za-z0-9_]*")}$`, caseSensitive ? "" : "i"),
        anchor: caseSensitive ? anchor : anchor.toLowerCase(),
      });
      continue;
    }
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(cue.text)) {
      if (caseSensitive) {
        addTo(exact, cue.text, cue);
        continue;
      }
      addTo(words, cue.text, cue);
      if (/[a-z]$/.test(cue.text)) {
        addTo(words, `${cue.text}s`, cue);
        addTo(words, `${cue.text}es`, cue);
      }
      continue;
    }
    const compound: CompoundCue = { id: compoundCount++, cue, regex: compoundRegex(cue.text, caseSensitive) };
    const anchor = anchorToken(cue.text, caseSensitive);
    if (anchor === null) compoundsAlways.push(compound);
    else compoundsByAnchor.set(anchor, [...(compoundsByAnchor.get(anchor) ?? []), compound]);
  }

  const globsByTop = new Map<string, CompiledGlob[]>();
  const globsAnyTop: CompiledGlob[] = [];
  model.subsystems.forEach((subsystem, index) => {
    for (const glob of subsystem.paths) {
      const scan = picomatch.scan(glob);
      const base = scan.isGlob ? scan.base + (scan.base === "" ? "" : "/") : glob;
      // Exact paths beat any glob; otherwise the longer the literal prefix, the more specific.
      const specificity = scan.isGlob ? base.length : 10_000 + glob.length;
      const compiled: CompiledGlob = {
        subsystem: index,
        glob,
        base,
        specificity,
        // `django/db/**` holds every path under its base, which assignPath checks first.
        match: scan.isGlob && glob === `${scan.base}/**` ? everyPath : picomatch(glob, { dot: true }),
      };
      const top = topSegment(base);
      if (top === "") {
        globsAnyTop.push(compiled);
        continue;
      }
      const list = globsByTop.get(top);
      if (list === undefined) globsByTop.set(top, [compiled]);
      else list.push(compiled);
    }
  });
  const bySpecificity = (a: CompiledGlob, b: CompiledGlob): number =>
    b.specificity - a.specificity || a.subsystem - b.subsystem;
  for (const [top, list] of globsByTop) {
    const all = [...list, ...globsAnyTop].sort(bySpecificity);
    // A path under `tests/cache/` is tried only against globs that could hold it: those below
    // `tests/cache/` and those above it. `tests/` alone has a hundred globs in the Django preset.
    globsByTop.set(
      top,
      all.filter((g) => folderKey(g.base) === null),
    );
    for (const key of new Set(all.map((g) => folderKey(g.base)))) {
      if (key !== null)
        globsByTop.set(
          key,
          all.filter((g) => [key, null].includes(folderKey(g.base))),
        );
    }
  }
  globsAnyTop.sort(bySpecificity);

  const idIndex = new Map(subsystems.map((s, i) => [s.id, i] as const));
  const roadmap: CompiledVersion[] = model.roadmap.map((v) => ({
    version: v.version,
    title: v.title,
    subsystems: new Set(v.subsystems.flatMap((id) => (idIndex.has(id) ? [idIndex.get(id) ?? -1] : []))),
    inMilestone: new RegExp(`(?<![A-Za-z0-9_.])${escapeRegex(v.version.toLowerCase())}(?![A-Za-z0-9_]|\\.\\d)`),
  }));
  const versionByText = new Map(roadmap.map((v) => [v.version.toLowerCase(), v] as const));
  const versionAlternatives = [...roadmap]
    .map((v) => v.version)
    .filter((v) => v.trim() !== "")
    .sort((a, b) => b.length - a.length)
    .map(escapeRegex);
  const versionMention =
    versionAlternatives.length === 0
      ? null
      : new RegExp(
          `(?<![A-Za-z0-9_])(?:django|version|milestone|release|in|for|into|targets?|targeting)\\s+v?(${versionAlternatives.join("|")})(?![A-Za-z0-9_]|\\.\\d)`,
          "i",
        );

  return {
    subsystems,
    cues,
    exact,
    words,
    asyncWords: new Set([...words].filter(([, list]) => list.some((cue) => cue.isAsync)).map(([word]) => word)),
    tokens: tokenCues(exact, words, compoundsByAnchor),
    wildcards,
    compoundsAlways,
    globsByTop,
    globsAnyTop,
    roadmap,
    roadmapLongestFirst: [...roadmap].sort((a, b) => b.version.length - a.version.length),
    versionMention,
    versionByText,
    fallback: model.fallbackSubsystem === undefined ? -1 : (idIndex.get(model.fallbackSubsystem) ?? -1),
    subsystemIndex: idIndex,
    asyncTwins: model.asyncTwins === true,
    globs: fingerprint(model.subsystems.map((s) => `${s.id}=${s.paths.join(",")}`).join(";")),
  };
}

function tokenCues(
  exact: Map<string, CompiledCue[]>,
  words: Map<string, CompiledCue[]>,
  compounds: Map<string, CompoundCue[]>,
): Map<string, TokenCues> {
  const out = new Map<string, TokenCues>();
  const entry = (token: string): TokenCues => {
    let found = out.get(token);
    if (found === undefined) {
      found = { exact: [], words: undefined, asyncOnly: undefined, compounds: undefined };
      out.set(token, found);
    }
    return found;
  };
  for (const [text, cues] of exact) entry(text.toLowerCase()).exact.push({ text, cues });
  for (const [word, cues] of words) {
    const asyncOnly = cues.filter((cue) => cue.isAsync && cue.subsystems.length === 0);
    Object.assign(entry(word), { words: cues, asyncOnly: asyncOnly.length > 0 ? asyncOnly : undefined });
  }
  for (const [anchor, list] of compounds) entry(anchor).compounds = list;
  return out;
}

interface CueHit {
  cue: CompiledCue;
  /** What the text said, for wildcard cues (`ASGIHander` for `ASGI*`). */
  seenAs: string;
  /** 1, or less when the cue only appeared as an attribute (`ASGIStaticFilesHandler.get_response_async`). */
  factor: number;
  /** Where in the text the cue first appeared. */
  at: number;
}

// In `Class.method`, the class names the subject; the method name is often shared by many classes.
const ATTRIBUTE_FACTOR = 0.5;

/** Distinct cues found in one text field, in order of first appearance, each with its best factor. */
function scanText(compiled: CompiledModel, text: string, code?: CodeEvidence): CueHit[] {
  if (text === "") return [];
  // Sparse: a text meets a handful of the hundreds of cues, and a dense array per field was the
  // classifier's largest cost (its allocation and the garbage it left).
  const best = new Map<number, number>();
  const order: CompiledCue[] = [];
  const seenAs = new Map<number, string>();
  const firstAt = new Map<number, number>();
  const add = (list: CompiledCue[] | undefined, factor: number, at: number, token?: string): void => {
    if (list === undefined) return;
    for (const cue of list) {
      const prev = best.get(cue.index) ?? 0;
      if (prev === 0) {
        order.push(cue);
        firstAt.set(cue.index, at);
      }
      if (factor > prev) best.set(cue.index, factor);
      if (token !== undefined && !seenAs.has(cue.index)) seenAs.set(cue.index, token);
    }
  };
  let candidates: CompoundCue[] | null = null;
  let queued: Set<number> | null = null;
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(text); m !== null; m = TOKEN.exec(text)) {
    const token = m[0];
    const at = m.index;
    const isAttribute = at >= 2 && text.charCodeAt(at - 1) === 46 /* . */ && WORD_CHAR.test(text[at - 2] ?? "");
    const factor = isAttribute ? ATTRIBUTE_FACTOR : 1;
    const lowerToken = token.toLowerCase();
    const known = compiled.tokens.get(lowerToken);
    if (known !== undefined) {
      for (const { text: exact, cues } of known.exact) if (exact === token) add(cues, factor, at);
      add(known.words, factor, at);
    }
    // `async_capable`, `sync_and_async_middleware`, `get_asgi_application`: a name with an async
    // word among its parts is async work, whatever subsystem it belongs to.
    if (lowerToken.includes("_")) {
      for (const part of lowerToken.split("_")) {
        if (part !== "") add(compiled.tokens.get(part)?.asyncOnly, factor, at, token);
      }
    }
    const compounds = known?.compounds;
    if (compounds !== undefined) {
      // Queue each compound once: a repeated anchor must not re-run a regex over the whole text.
      queued ??= new Set();
      for (const c of compounds) {
        if (queued.has(c.id)) continue;
        queued.add(c.id);
        (candidates ??= []).push(c);
      }
    }
    for (const w of compiled.wildcards) {
      // The anchor first: most tokens hold none, and it is cheaper than the lookup.
      if (!(w.caseSensitive ? token : lowerToken).includes(w.anchor)) continue;
      if ((best.get(w.cue.index) ?? 0) >= factor || !w.regex.test(token)) continue;
      if (code !== undefined && placedElsewhere(compiled, code, w.cue, token)) continue;
      add([w.cue], factor, at, token);
    }
  }
  const addCompound = (c: CompoundCue): void => {
    if ((best.get(c.cue.index) ?? 0) > 0) return;
    const at = text.search(c.regex);
    if (at >= 0) add([c.cue], 1, at);
  };
  candidates?.forEach(addCompound);
  compiled.compoundsAlways.forEach(addCompound);
  const hits: CueHit[] = [];
  for (const cue of order) {
    hits.push({
      cue,
      seenAs: seenAs.get(cue.index) ?? cue.text,
      factor: best.get(cue.index) ?? 1,
      at: firstAt.get(cue.index) ?? 0,
    });
  }
  return hits;
}

// "Removed obsolete doc reference to asyncio.iscoroutinefunction": a title that says it changes
// the docs. Not "docstring", which is code.
const DOCS_TITLE = /\b(?:docs?|documentation|documented)\b/i;

/**
 * In a docs change, a name the code does not define is the subject of the docs that write it as
 * code: a cue placing it elsewhere (`iscoroutinefunction` in utils) keeps only its async sense.
 */
function docsRead(compiled: CompiledModel, code: CodeEvidence, hit: CueHit): CueHit {
  if (hit.cue.subsystems.length === 0) return hit;
  const written = docsWritten(code, hit.seenAs);
  if (written === undefined) return hit;
  const places = pointsTo(written).map(({ subsystem }) => compiled.subsystemIndex.get(subsystem));
  if (hit.cue.subsystems.every((s) => places.includes(s))) return hit;
  return { ...hit, cue: { ...hit.cue, subsystems: [] } };
}

/** Where the docs write a name as code; the index keeps only names the code does not define (format 5). */
function docsWritten(code: CodeEvidence, name: string): IndexEntry | undefined {
  return code.lookup(`${DOCS_CODE}${name}`);
}

/**
 * A pattern cue stands for names nobody placed: when the code defines the name it matched
 * (`RemoteUserMiddleware` for `*Middleware`) in other subsystems only, the code knows better.
 */
function placedElsewhere(compiled: CompiledModel, code: CodeEvidence, cue: CompiledCue, token: string): boolean {
  if (cue.isAsync || cue.subsystems.length === 0) return false;
  const entry = code.lookup(token);
  if (entry === undefined) return false;
  const targets = pointsTo(entry);
  if (targets.length === 0) return false;
  return targets.every(({ subsystem }) => {
    const s = compiled.subsystemIndex.get(subsystem);
    return s === undefined || !cue.subsystems.includes(s);
  });
}

// "Thanks Jane for the report and patch.": a sentence of thanks names people, not code.
const THANKS = /(?:^|(?<=[.!?]\s)|(?<=\n))Thank(?:s| you)\b[^]*?(?:[.!?](?=\s|$)|\n\s*\n|$)/g;

function withoutThanks(text: string): string {
  return text.includes("Thank") ? text.replace(THANKS, " ") : text;
}

type FileKind = keyof typeof FILE_KIND_WEIGHT;

function fileKind(path: string): FileKind {
  const top = topSegment(path);
  if (top === "docs" || top === "doc") return "docs";
  if (top === "tests" || top === "test") return "test";
  return "source";
}

/** The match of a `base/**` glob, once the path is known to start with its base. */
function everyPath(): boolean {
  return true;
}

function assignPath(compiled: CompiledModel, path: string): CompiledGlob | null {
  const key = folderKey(path);
  const globs =
    (key === null ? undefined : compiled.globsByTop.get(key)) ??
    compiled.globsByTop.get(topSegment(path)) ??
    compiled.globsAnyTop;
  for (const g of globs) {
    if (path.startsWith(g.base) && g.match(path)) return g;
  }
  return null;
}

/** Lines changed damped logarithmically: a 300-line change counts for more than a typo fix, but
 * one generated file cannot outvote several real ones. Plain paths (no counts) weigh 1. */
function lineWeight(lines: number): number {
  return 1 + Math.log2(1 + lines) / 4;
}

const PATCH_ASYNC = /\basync\s+def\b|\bawait\s|\bsync_to_async\b|\basync_to_sync\b|\basync\s+(?:for|with)\b/;

function cueLabel(cue: CompiledCue, seenAs = cue.text): string {
  return cue.strength === "identifier" ? `\`${seenAs}\`` : `"${seenAs}"`;
}

function safeString(value: unknown): string {
  if (typeof value !== "string") return "";
  return value.length > MAX_TEXT ? value.slice(0, MAX_TEXT) : value;
}

function safeFiles(value: unknown): ChangedFile[] {
  if (!Array.isArray(value)) return [];
  const out: ChangedFile[] = [];
  for (const f of value.slice(0, MAX_FILES)) {
    if (typeof f === "string") {
      out.push({ filename: f, additions: 0, deletions: 0 });
      continue;
    }
    if (f === null || typeof f !== "object") continue;
    const file = f as Partial<ChangedFile>;
    if (typeof file.filename !== "string") continue;
    const additions = Number.isFinite(file.additions) ? Math.max(0, file.additions ?? 0) : 0;
    const deletions = Number.isFinite(file.deletions) ? Math.max(0, file.deletions ?? 0) : 0;
    const entry: ChangedFile = { filename: file.filename, additions, deletions };
    if (typeof file.patch === "string") entry.patch = file.patch.slice(0, MAX_TEXT);
    out.push(entry);
  }
  return out;
}

interface PathTally {
  glob: string;
  /** The heaviest file under the glob: the path that decided, when this tally wins. */
  top: string;
  topWeight: number;
  subsystem: number;
  files: number;
  lines: number;
  weight: number;
}

/**
 * Classifies one item. With `code` (the repository's code index, see ./code-index.ts), names in
 * the text that the code defines count as evidence for where they are defined.
 */
export function classify(compiled: CompiledModel, input: ClassifyInput, code?: CodeEvidence): Classification {
  try {
    return classifyUnsafe(compiled, input, code);
  } catch (error) {
    // Defensive: the classifier runs inside webhook handlers and must not take them down.
    return {
      isAsync: false,
      subsystems: [],
      roadmap: null,
      confidence: 0,
      reasons: [`classifier error: ${error instanceof Error ? error.message : String(error)}`],
    };
  }
}

function classifyUnsafe(compiled: CompiledModel, input: ClassifyInput, code?: CodeEvidence): Classification {
  const n = compiled.subsystems.length;
  const title = safeString(input?.title);
  const body = withoutThanks(safeString(input?.body));
  const files = input?.kind === "pr" ? safeFiles(input.files) : [];
  const reasons: string[] = [];

  // --- text cues -------------------------------------------------------------------------------
  const docsTitle = code !== undefined && DOCS_TITLE.test(title);
  // Read once: the cues of a docs title and the index both need its names.
  const titleNames = code !== undefined ? mentions(title) : [];
  const titleCode = docsTitle ? new Set(titleNames.filter(isCodeMention).map((m) => m.name)) : null;
  const titleHits = scanText(compiled, title, code);
  if (titleCode !== null && code !== undefined) {
    titleHits.forEach((hit, i) => {
      if (titleCode.has(hit.seenAs)) titleHits[i] = docsRead(compiled, code, hit);
    });
  }
  const bodyHits = scanText(compiled, body, code);
  const textScore = scores(n);
  let asyncScore = 0;
  const asyncEvidence: string[] = [];
  for (const [hits, factor, where] of [
    [titleHits, TITLE_FACTOR, "title"],
    [bodyHits, BODY_FACTOR, "body"],
  ] as const) {
    for (const { cue, factor: seen, seenAs } of hits) {
      const w = STRENGTH_WEIGHT[cue.strength] * factor * seen;
      for (const s of cue.subsystems) textScore[s] = (textScore[s] ?? 0) + w;
      if (cue.isAsync) {
        asyncScore += factor;
        // "asgi" and `ASGI` are two cues for one word; say it once.
        const label = `${where} mentions ${cueLabel(cue, seenAs)}`;
        const said = asyncEvidence.some(
          (e) => e.toLowerCase().replace(/[`"]/g, "") === label.toLowerCase().replace(/[`"]/g, ""),
        );
        if (asyncEvidence.length < 2 && !said) asyncEvidence.push(label);
      }
    }
  }

  const codeReasons = new Map<number, string[]>();
  const namedPaths = new Map<number, string>();
  // Candidates for the title's subject: its cues, the paths and the code names it writes.
  const leads: Lead[] = [];
  for (const hit of titleHits) leads.push({ at: hit.at, subsystems: hit.cue.subsystems });
  // A path written in the text is sorted by the same globs as a PR's changed files.
  for (const [text, factor] of [
    [title, TITLE_FACTOR],
    [body, BODY_FACTOR],
  ] as const) {
    for (const path of pathMentions(text).slice(0, MAX_NAMES_PER_TEXT)) {
      const glob = assignPath(compiled, path);
      if (glob === null) continue;
      textScore[glob.subsystem] = (textScore[glob.subsystem] ?? 0) + STRENGTH_WEIGHT.identifier * factor;
      if (factor === TITLE_FACTOR) leads.push({ at: title.indexOf(path), subsystems: [glob.subsystem] });
      if (!namedPaths.has(glob.subsystem)) namedPaths.set(glob.subsystem, path);
      const list = codeReasons.get(glob.subsystem) ?? [];
      if (list.length < 2) list.push(`text names \`${path}\` (${compiled.subsystems[glob.subsystem]?.id ?? ""})`);
      codeReasons.set(glob.subsystem, list);
    }
  }
  if (code !== undefined) {
    const read = readCode(compiled, code, title, titleNames, body, textScore, docsTitle);
    leads.push(...read.titleLeads);
    asyncScore += read.asyncScore;
    for (const e of read.asyncEvidence) if (asyncEvidence.length < 3) asyncEvidence.push(e);
    for (const [s, list] of read.reasons) codeReasons.set(s, [...(codeReasons.get(s) ?? []), ...list]);
  }

  // --- changed paths ---------------------------------------------------------------------------
  const pathScore = scores(n);
  const tallies = new Map<CompiledGlob, PathTally>();
  let pathEvidence = 0;
  let asyncPath: string | null = null;
  let asyncPaths = 0;
  let asyncPatch: string | null = null;
  let asyncPatches = 0;
  for (const file of files) {
    const path = file.filename;
    if (pathLooksAsync(compiled, path)) {
      asyncPaths += 1;
      asyncPath ??= path;
    }
    if (file.patch !== undefined) {
      const m = PATCH_ASYNC.exec(file.patch);
      if (m !== null) {
        asyncPatches += 1;
        asyncPatch ??= m[0].trim();
      }
    }
    const glob = assignPath(compiled, path);
    if (glob === null) continue;
    const lines = file.additions + file.deletions;
    const weight = FILE_KIND_WEIGHT[fileKind(path)] * lineWeight(lines);
    pathScore[glob.subsystem] = (pathScore[glob.subsystem] ?? 0) + weight;
    pathEvidence += weight;
    // Keyed by the glob itself: the first matching glob in a fixed order, so one per subsystem and glob.
    const tally = tallies.get(glob);
    if (tally === undefined)
      tallies.set(glob, {
        glob: glob.glob,
        top: path,
        topWeight: weight,
        subsystem: glob.subsystem,
        files: 1,
        lines,
        weight,
      });
    else {
      if (weight > tally.topWeight) {
        tally.top = path;
        tally.topWeight = weight;
      }
      tally.files += 1;
      tally.lines += lines;
      tally.weight += weight;
    }
  }
  // Async code must be a fair part of what a PR changes: one async file in a sweep (a reformat,
  // "Removed versionadded annotations for 3.1" over 45 files) is not async work.
  if (asyncPath !== null && asyncPaths >= ASYNC_FILE_SHARE * files.length) {
    asyncScore += 2;
    asyncEvidence.push(`changes async code paths (${asyncPath})`);
  }
  if (asyncPatch !== null && asyncPatches >= ASYNC_FILE_SHARE * files.length) {
    asyncScore += 1.5;
    asyncEvidence.push(`patch contains \`${asyncPatch}\``);
  }
  // What a title names first is what it is about: "Added deployment system check for
  // DJANGO_ALLOW_ASYNC_UNSAFE" is check framework work that names a utils setting.
  let lead: Lead | undefined;
  for (const l of leads) if (l.subsystems.length > 0 && (lead === undefined || l.at < lead.at)) lead = l;
  if (lead !== undefined) {
    for (const s of lead.subsystems) textScore[s] = (textScore[s] ?? 0) + LEAD_BONUS;
  }

  const isAsync = asyncScore >= ASYNC_THRESHOLD;
  if (isAsync) reasons.push(...asyncEvidence);
  else reasons.push("no async cues in text or changed files");

  // --- subsystems ------------------------------------------------------------------------------
  const textFactor = pathEvidence > 0 ? TEXT_IN_PR_FACTOR : 1;
  const total = scores(n);
  let sum = 0;
  for (let s = 0; s < n; s++) {
    total[s] = (pathScore[s] ?? 0) + textFactor * (textScore[s] ?? 0);
    sum += total[s] ?? 0;
  }
  const order: number[] = [];
  for (let s = 0; s < n; s++) if ((total[s] ?? 0) > 0) order.push(s);
  order.sort((a, b) => (total[b] ?? 0) - (total[a] ?? 0) || a - b);

  let subsystems: SubsystemScore[] = [];
  for (const s of order)
    subsystems.push({ id: compiled.subsystems[s]?.id ?? "", score: round3((total[s] ?? 0) / sum) });
  let subsystemConfidence = 0;
  let decidedBy: Decider | undefined;
  const primary = order[0];
  let primaryId = primary === undefined ? undefined : compiled.subsystems[primary]?.id;
  if (primary !== undefined) {
    // How decisively the winner beats its closest rival: many faint secondary cues (an `aget`
    // that also names the ORM) should not drown a clear primary the way a close runner-up does.
    const runnerUp = order[1] === undefined ? 0 : (total[order[1]] ?? 0);
    const share = Math.max(
      (total[primary] ?? 0) / sum,
      (total[primary] ?? 0) / ((total[primary] ?? 0) + runnerUp) - 0.15,
    );
    // Raw evidence for the winner, in "one source file" units for paths and cue weights for text.
    const strength =
      pathEvidence > 0 ? 1 - Math.exp(-(total[primary] ?? 0) / 0.5) : 1 - Math.exp(-(total[primary] ?? 0) / 2.5);
    subsystemConfidence = share * strength;
    // A PR whose title and body point where its paths do is clearer than its path split says.
    if (pathEvidence > 0 && textAgrees(textScore, primary)) subsystemConfidence += (1 - subsystemConfidence) * 0.4;
    reasons.push(...pathReasons(compiled, tallies, order.slice(0, 3)));
    reasons.push(...textReasons(compiled, primary, titleHits, bodyHits));
    if (pathEvidence === 0) reasons.push(...(codeReasons.get(primary) ?? []).slice(0, 2));
    decidedBy = decider(primary, tallies, pathScore, textFactor * (textScore[primary] ?? 0), namedPaths, [
      ...titleHits,
      ...bodyHits,
    ]);
  } else if (isAsync && compiled.fallback >= 0) {
    const id = compiled.subsystems[compiled.fallback]?.id ?? "";
    subsystems = [{ id, score: 1 }];
    primaryId = id;
    subsystemConfidence = 0.3;
    reasons.push(`no subsystem evidence; async work defaults to ${id}`);
  } else {
    reasons.push("no subsystem evidence");
  }

  // --- roadmap ---------------------------------------------------------------------------------
  // Not `subsystems[0]`: that array is made two ways, and V8 looped deoptimizing this very load on
  // it (thousands of times a run, a third of the classifier's speed in some processes).
  const roadmap = pickRoadmap(compiled, input?.milestone, title, body, primaryId, reasons);

  // --- confidence ------------------------------------------------------------------------------
  const asyncConfidence = isAsync ? 0.7 + 0.3 * (1 - Math.exp(-asyncScore / 2)) : 0.95;
  const confidence = round3(Math.min(1, Math.max(0, subsystemConfidence * asyncConfidence)));

  const classification: Classification = { isAsync, subsystems, roadmap, confidence, reasons };
  if (decidedBy) classification.decidedBy = decidedBy;
  return classification;
}

/**
 * What decided the primary subsystem: its heaviest changed file when paths outweigh the text,
 * else the first cue for it in the title then the body, else a path the text names.
 */
function decider(
  primary: number,
  tallies: Map<CompiledGlob, PathTally>,
  pathScore: number[],
  /** The primary's text score as it counts in the total (text weighs less in a PR with paths). */
  textWeight: number,
  namedPaths: Map<number, string>,
  hits: CueHit[],
): Decider | undefined {
  if ((pathScore[primary] ?? 0) >= textWeight) {
    const top = [...tallies.values()]
      .filter((t) => t.subsystem === primary)
      .sort((a, b) => b.topWeight - a.topWeight)[0];
    if (top) return { kind: "path", text: top.top };
  }
  const hit = hits.find((h) => h.cue.subsystems.includes(primary));
  if (hit) return { kind: "word", text: hit.seenAs || hit.cue.text };
  const named = namedPaths.get(primary);
  return named === undefined ? undefined : { kind: "path", text: named };
}

// A name the code defines in one or two subsystems counts like a configured identifier cue, scaled
// by the share of its definitions there. Plain words are left to the cues; at most this many names
// of one text count, so a pasted traceback cannot outvote the title.
const INDEX_WEIGHT = 2;
// A plain word names a folder only when the folder is a part of the code, not a corner of it:
// `checks/compatibility/` (two files) does not make "compatibility" mean the check framework.
const MIN_FOLDER_FILES = 3;

function definitionCount(entry: IndexEntry): number {
  return Object.values(entry.s).reduce((sum, count) => sum + count, entry.u);
}

/** Files under folders of the name; an index of format 1 counted them with the definitions. */
function folderFiles(entry: IndexEntry): number {
  return entry.f ?? definitionCount(entry);
}

const MAX_NAMES_PER_TEXT = 8;

// A plain word the code defines as a function or class counts when at least this many files define
// it: one `def only(` or `def names(` does not make the English word a subsystem's. Measured on
// Django's history (npm run eval:history): one file breaks more than it mends, two mends ~75 rows.
const MIN_WORD_DEFINITIONS = 2;
/** A defined word weighs this share of a folder word: a def is a weaker sign than a folder. */
const DEFINED_WORD_FACTOR = 0.5;
// A docs word weighs a quarter of a folder word: prose is looser than code. At half, dev-set rows
// move; on Django's history a quarter mends about 80 rows and breaks 7.
const DOCS_WORD_FACTOR = 0.25;
// A class placed by the class its name ends with weighs this share of a defined name. On Django's
// history a quarter mends 24 rows and breaks 3 (`GeoQuerySet` is GIS's); a half mends 26, breaks 5.
const SUFFIX_FACTOR = 0.25;
// A name the code only sets or passes (`self.alters_data = True`, `limit_choices_to=None`) weighs
// half a definition. On Django's history half mends 40 rows and breaks 4; the full weight mends
// 4 more and breaks 4 more.
const KEPT_FACTOR = 0.5;

/**
 * A plain word as the code's own: the name of a source file (`autodetector`, `questioner`; a folder
 * needs MIN_FOLDER_FILES instead), or of a function or class that several files define (`urlize`).
 * Files count from one: on Django's history that mends 81 rows and breaks 2.
 */
function definedWord(entry: IndexEntry | undefined): IndexEntry | undefined {
  if (entry === undefined) return undefined;
  if ((entry.k & KIND.name) !== 0 && (entry.k & KIND.folder) === 0 && !isTestPath(entry.p)) return entry;
  if ((entry.k & (KIND.function | KIND.type)) === 0) return undefined;
  // Files under a folder of the name are not definitions of it.
  return definitionCount(entry) - (entry.f ?? 0) >= MIN_WORD_DEFINITIONS ? entry : undefined;
}

/** A capitalised word as the code's own: a class some source file, not only a test, defines. */
function definedClass(entry: IndexEntry | undefined): IndexEntry | undefined {
  return entry !== undefined && (entry.k & KIND.type) !== 0 && !isTestPath(entry.p) ? entry : undefined;
}

/** A subject the title names, and where: the first one named is the title's subject. */
interface Lead {
  at: number;
  subsystems: number[];
}
const WORD_FACTOR = STRENGTH_WEIGHT.word / STRENGTH_WEIGHT.identifier;

interface CodeRead {
  /** Title names the code defines: where each stands, and the subsystems it was credited to. */
  titleLeads: Lead[];
  asyncScore: number;
  asyncEvidence: string[];
  /** Per subsystem index: "`X` is defined in `path` → id". */
  reasons: Map<number, string[]>;
}

/**
 * How the index knows where a name points: a definition, where its files are kept, a folder of
 * its name, its docs, the class its name ends with, or where the code sets it.
 */
type Said = "defined" | "files" | "folder" | "docs" | "suffix" | "kept" | "written";

function explain(said: Said, name: string, path: string, subsystem: string, parent = ""): string {
  // `parent` is the folder's name (`decorators` for "decorator"), found among the path's folders.
  const at = said === "folder" ? `/${path}`.indexOf(`/${parent}/`) : -1;
  if (at >= 0) return `"${name}" names the folder \`${path.slice(0, at + parent.length)}/\` → ${subsystem}`;
  if (said === "suffix") return `\`${name}\` is named like \`${parent}\` (defined in \`${path}\`) → ${subsystem}`;
  if (said === "files")
    return `\`${name}\` files are kept in \`${path.slice(0, path.lastIndexOf("/") + 1)}\` → ${subsystem}`;
  if (said === "kept") return `\`${name}\` is set in \`${path}\` → ${subsystem}`;
  if (said === "docs") return `"${name}" is a word of the ${subsystem} docs (\`${path}\`)`;
  if (said === "written") return `\`${name}\` is code in the ${subsystem} docs (\`${path}\`), not in the code`;
  return `\`${name}\` is defined in \`${path}\` → ${subsystem}`;
}

/** Names in title and body that the code defines, as subsystem (and async-twin) evidence. */
function readCode(
  compiled: CompiledModel,
  code: CodeEvidence,
  title: string,
  titleNames: Mention[],
  body: string,
  textScore: number[],
  docsTitle: boolean,
): CodeRead {
  const read: CodeRead = { titleLeads: [], asyncScore: 0, asyncEvidence: [], reasons: new Map() };
  const seen = new Set<string>();
  // `lead`: a code name in the title, a candidate for its subject (plain folder words are not).
  const credit = (
    entry: IndexEntry,
    name: string,
    factor: number,
    lead: boolean,
    said: Said = "defined",
    parent = "",
  ): boolean => {
    const targets = pointsTo(entry);
    const titleLead: Lead | null = lead ? { at: title.indexOf(name), subsystems: [] } : null;
    for (const { subsystem, share } of targets) {
      const s = compiled.subsystemIndex.get(subsystem);
      if (s === undefined) continue;
      titleLead?.subsystems.push(s);
      textScore[s] = (textScore[s] ?? 0) + INDEX_WEIGHT * factor * share;
      const list = read.reasons.get(s) ?? [];
      const path = entry.w?.[subsystem] ?? entry.p;
      if (list.length < 2) list.push(explain(said, name, path, subsystem, parent));
      read.reasons.set(s, list);
    }
    if (titleLead !== null && titleLead.at >= 0 && titleLead.subsystems.length > 0) read.titleLeads.push(titleLead);
    return targets.length > 0;
  };
  for (const [text, factor] of [
    [title, TITLE_FACTOR],
    [body, BODY_FACTOR],
  ] as const) {
    const inTitle = factor === TITLE_FACTOR;
    let counted = 0;
    for (const mention of inTitle ? titleNames : mentions(text)) {
      const { name, code: written, word, capital, acronym, language } = mention;
      if (counted >= MAX_NAMES_PER_TEXT) break;
      if (language === true) {
        // "JavaScript", "CSS": where the repository keeps most files of that language.
        const files = code.lookup(name);
        const key = `${factor}:${name}`;
        if (files === undefined || seen.has(key)) continue;
        seen.add(key);
        if (credit(files, name, factor * WORD_FACTOR, false, "files")) counted += 1;
        continue;
      }
      // A docs change is about the docs that write its names, cue or not (see docsRead).
      if (docsTitle && inTitle && isCodeMention(mention)) {
        const written = docsWritten(code, name);
        if (written !== undefined) {
          if (seen.has(`${factor}:${name}`)) continue;
          seen.add(`${factor}:${name}`);
          if (credit(written, name, factor, true, "written")) counted += 1;
          continue;
        }
      }
      // Configured cues speak for themselves; the index is for the names nobody listed.
      if (compiled.exact.has(name) || compiled.words.has(name.toLowerCase())) continue;
      if (word) {
        // A plain word counts as the name of a folder ("handlers", "checks"), or at half that as a
        // source file's name or a function or class several files define ("urlize"); either
        // counts as a word.
        const own = code.lookup(name);
        const folder = isCodeFolder(own, true) ? { name, entry: own } : codeFolder(code, [`${name}s`], true);
        const named = folder?.entry;
        const defined = named === undefined && acronym !== true ? definedWord(own) : undefined;
        const key = `${factor}:${name}`;
        // Else a word the docs of one subsystem use far more than the others' ("squash").
        const docs = named === undefined && defined === undefined ? code.lookup(`${DOCS_WORD}${name}`) : undefined;
        const subject = named ?? defined ?? docs;
        if (subject === undefined || seen.has(key)) continue;
        seen.add(key);
        const weight = named !== undefined ? 1 : defined !== undefined ? DEFINED_WORD_FACTOR : DOCS_WORD_FACTOR;
        const said: Said = named !== undefined ? "folder" : docs === undefined ? "defined" : "docs";
        if (credit(subject, name, factor * WORD_FACTOR * weight, false, said, folder?.name)) counted += 1;
        continue;
      }
      if (capital) {
        // `Query`, `Media`: a capitalised word is a class name when the code, not only a test
        // fixture (`Language`, `Host` in test models), defines a class of that name.
        const defined = definedClass(code.lookup(name));
        const key = `${factor}:${name}`;
        if (defined === undefined || seen.has(key)) continue;
        seen.add(key);
        if (credit(defined, name, factor, false)) counted += 1;
        continue;
      }
      const own = code.lookup(name);
      const plural = own === undefined ? singularOf(code, name) : null;
      const singular = plural?.name ?? null;
      const entry = own ?? plural?.entry;
      const twin = code.asyncTwins ? twinOf(code, name, own, written) : null;
      if (twin !== null && !seen.has(`twin:${name}`)) {
        seen.add(`twin:${name}`);
        read.asyncScore += factor;
        if (read.asyncEvidence.length < 1) {
          read.asyncEvidence.push(`\`${name}\` is the async twin of \`${twin.base}\` (defined in \`${twin.entry.p}\`)`);
        }
      }
      const subject = entry ?? twin?.entry;
      const shown = entry === undefined && twin !== null ? twin.base : (singular ?? name);
      if (subject === undefined) {
        // `SpatiaLite`: a product's name in its own capitals is the code's folder of that name.
        const folder = codeFolder(code, folderForms(name), false);
        if (folder !== null) {
          if (seen.has(`${factor}:${folder.name}`)) continue;
          seen.add(`${factor}:${folder.name}`);
          if (credit(folder.entry, name, factor * WORD_FACTOR, false, "folder", folder.name)) counted += 1;
          continue;
        }
        // A class the index has not seen (newer than the index, or gone from the code) is placed
        // by the class its name ends with: `GeneratedField` by `Field`.
        const parent = parentClassOf(code, name);
        if (parent === null || seen.has(`${factor}:${parent.name}`)) continue;
        seen.add(`${factor}:${parent.name}`);
        if (credit(parent.entry, name, factor * SUFFIX_FACTOR, inTitle, "suffix", parent.name)) counted += 1;
        continue;
      }
      if (seen.has(`${factor}:${shown}`)) continue;
      seen.add(`${factor}:${shown}`);
      const kept = subject.k === KIND.attribute;
      const weight = kept ? factor * KEPT_FACTOR : factor;
      if (credit(subject, shown, weight, inTitle, kept ? "kept" : "defined")) counted += 1;
    }
  }
  return read;
}

/**
 * The first of `candidates` that names a folder of the code with three files or more (and, unless
 * `tests`, not a test's): `checks/` for "check", `gis/db/backends/spatialite/` for `SpatiaLite`.
 */
function codeFolder(
  code: CodeEvidence,
  candidates: string[],
  tests: boolean,
): { name: string; entry: IndexEntry } | null {
  for (const candidate of candidates) {
    const entry = code.lookup(candidate);
    if (isCodeFolder(entry, tests)) return { name: candidate, entry };
  }
  return null;
}

/** The entry is a folder of the code with three files or more (and, unless `tests`, not a test's). */
function isCodeFolder(entry: IndexEntry | undefined, tests: boolean): entry is IndexEntry {
  if (entry === undefined || (entry.k & KIND.folder) === 0 || (!tests && isTestPath(entry.p))) return false;
  return folderFiles(entry) >= MIN_FOLDER_FILES;
}

/** The longest class name that `name` ends with and the code (not only a test) defines. */
function parentClassOf(code: CodeEvidence, name: string): { name: string; entry: IndexEntry } | null {
  for (const suffix of classSuffixes(name)) {
    const entry = definedClass(code.lookup(suffix));
    if (entry !== undefined) return { name: suffix, entry };
  }
  return null;
}

/** `ForeignKeys`, `QuerySets`: a code name in the plural that the code defines in the singular. */
function singularOf(code: CodeEvidence, name: string): { name: string; entry: IndexEntry } | null {
  const singular = singularForm(name);
  const entry = singular === null ? undefined : code.lookup(singular);
  return singular === null || entry === undefined ? null : { name: singular, entry };
}

/**
 * `aX` as the async twin of a function `X` the code defines: when `aX` is itself an async function
 * of the code, or is written as code (`aX()`, in backticks, snake_case) so an English word is not.
 */
function twinOf(
  code: CodeEvidence,
  name: string,
  entry: IndexEntry | undefined,
  written: boolean,
): { base: string; entry: IndexEntry } | null {
  const base = twinBase(name);
  if (base === null) return null;
  const baseEntry = code.lookup(base);
  if (baseEntry === undefined || (baseEntry.k & KIND.function) === 0) return null;
  const definedAsync = entry !== undefined && (entry.k & KIND.async) !== 0;
  if (!definedAsync && !written && !name.includes("_")) return null;
  return { base, entry: baseEntry };
}

/** Zeroed scores, one per subsystem: a plain array, as a typed array's allocation cost more than its use. */
function scores(n: number): number[] {
  return new Array<number>(n).fill(0);
}

/** The text alone points at `primary` with at least one title word's worth of evidence. */
function textAgrees(textScore: number[], primary: number): boolean {
  const mine = textScore[primary] ?? 0;
  if (mine < STRENGTH_WEIGHT.word * TITLE_FACTOR) return false;
  for (const score of textScore) if (score > mine) return false;
  return true;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** A path is async-looking when one of its name parts is an async cue word (`asgi`, `async`). */
function pathLooksAsync(compiled: CompiledModel, path: string): boolean {
  PATH_TOKEN.lastIndex = 0;
  for (let m = PATH_TOKEN.exec(path); m !== null; m = PATH_TOKEN.exec(path)) {
    if (compiled.asyncWords.has(m[0].toLowerCase())) return true;
  }
  return false;
}

function pathReasons(compiled: CompiledModel, tallies: Map<CompiledGlob, PathTally>, top: number[]): string[] {
  const out: string[] = [];
  for (const s of top) {
    const id = compiled.subsystems[s]?.id ?? "";
    const mine = [...tallies.values()].filter((t) => t.subsystem === s).sort((a, b) => b.weight - a.weight);
    for (const t of mine.slice(0, 2)) {
      const files = t.files === 1 ? "1 changed file" : `${t.files} changed files`;
      const lines = t.lines > 0 ? `, ${t.lines} lines` : "";
      out.push(`${files} under ${t.glob} (${id}${lines})`);
    }
  }
  return out;
}

function textReasons(compiled: CompiledModel, primary: number, titleHits: CueHit[], bodyHits: CueHit[]): string[] {
  const out: string[] = [];
  const id = compiled.subsystems[primary]?.id ?? "";
  for (const [hits, where] of [
    [titleHits, "title"],
    [bodyHits, "body"],
  ] as const) {
    const mine = hits.filter((h) => h.cue.subsystems.includes(primary)).slice(0, 3);
    if (mine.length > 0) out.push(`${where} mentions ${mine.map((h) => cueLabel(h.cue, h.seenAs)).join(", ")} (${id})`);
  }
  return out;
}

function pickRoadmap(
  compiled: CompiledModel,
  milestone: unknown,
  title: string,
  body: string,
  primaryId: string | undefined,
  reasons: string[],
): string | null {
  if (typeof milestone === "string" && milestone.trim() !== "") {
    const version = versionInMilestone(compiled, milestone);
    if (version !== null) {
      reasons.push(`milestone "${milestone.slice(0, 80)}" sets ${version}`);
      return version;
    }
  }
  if (compiled.versionMention !== null) {
    for (const text of [title, body]) {
      const m = compiled.versionMention.exec(text);
      const version = m?.[1] === undefined ? undefined : compiled.versionByText.get(m[1].toLowerCase());
      if (version !== undefined) {
        reasons.push(`text mentions "${m?.[0] ?? version.version}"`);
        return version.version;
      }
    }
  }
  if (primaryId === undefined) return null;
  const index = compiled.subsystems.findIndex((s) => s.id === primaryId);
  const version = compiled.roadmap.find((v) => v.subsystems.has(index));
  if (version === undefined) return null;
  reasons.push(`${primaryId} is planned for ${version.version} (${version.title})`);
  return version.version;
}

function versionInMilestone(compiled: CompiledModel, milestone: string): string | null {
  const text = milestone.trim().toLowerCase();
  const direct = compiled.versionByText.get(text.replace(/^(?:django\s+|v)/, ""));
  if (direct !== undefined) return direct.version;
  // Longest version first so "3.10" is not read as "3.1".
  const sorted = compiled.roadmapLongestFirst;
  for (const v of sorted) {
    if (v.inMilestone.test(text)) return v.version;
  }
  return null;
}
