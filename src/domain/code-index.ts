// A repository's code index: which subsystems define each identifier. Built from the repository's
// own code (one tarball of the default branch), so issue text that names a function, class,
// decorator or setting is sorted where that name lives, with no hand-written cue for it. Pure: the
// builder takes file paths and texts and says which subsystem a path belongs to through a function;
// reading the archive and storing the index happen at the edges.

/** Kinds of definition, as bits of `IndexEntry.k`. */
export const KIND = { function: 1, type: 2, async: 4, name: 8, value: 16, folder: 32, attribute: 64 } as const;

/** One identifier: where the repository defines it. */
export interface IndexEntry {
  /** Definitions per subsystem id (source and tests; docs and vendored code are left out). */
  s: Record<string, number>;
  /** Definitions in source files no subsystem claims. */
  u: number;
  /** The first source path defining it, for the explanation. */
  p: string;
  /** The first path defining it in each subsystem (a source path over a test's). */
  w?: Record<string, string>;
  /** Bits of KIND: what the definitions were. */
  k: number;
  /** Files under folders of this name (counted apart from definitions: a folder's size). */
  f?: number;
}

/**
 * The index's format. 2: folder sizes (`f`) apart from definitions, and languages by extension
 * (`.js`). 3: the docs' words (`~squash`). 4: Python names only set or passed (`alters_data`). 5:
 * names the docs write as code and the code does not define (`` `iscoroutinefunction ``). An index
 * of an older format is still read, and rebuilt at the next chance.
 */
export const INDEX_VERSION = 5;

/** The formats still read. */
export const INDEX_VERSIONS = [1, 2, 3, 4, INDEX_VERSION] as const;

export function isIndexVersion(version: unknown): version is CodeIndexMeta["version"] {
  return INDEX_VERSIONS.some((known) => known === version);
}

/** Key prefix of a docs word (`~squash`): no identifier starts so. */
export const DOCS_WORD = "~";

/** Key prefix of a name the docs write as code (`` `iscoroutinefunction ``): no identifier starts so. */
export const DOCS_CODE = "`";

export interface CodeIndexMeta {
  version: (typeof INDEX_VERSIONS)[number];
  /** The commit the archive was made of (from the archive's top folder, or as asked for). */
  sha: string;
  /** Fingerprint of the subsystems' path globs the index was built with: other globs, other index. */
  globs: string;
  files: number;
  skipped: number;
  names: number;
  /** Functions `aX` defined beside a function `X`: how much the repository names async twins so. */
  twins: number;
  /** Docs pages whose words were counted (format 3). */
  pages?: number;
}

export interface CodeIndex {
  meta: CodeIndexMeta;
  names: Map<string, IndexEntry>;
}

interface DefinitionPattern {
  regex: RegExp;
  kind: number;
}

interface Language {
  id: string;
  extensions: string[];
  patterns: DefinitionPattern[];
}

const IDENT = "[A-Za-z_][A-Za-z0-9_]*";
const JS_IDENT = "[A-Za-z_$][A-Za-z0-9_$]*";

/** Definitions per language: regexes over whole files, group 1 is the name. A start, not a parser. */
export const LANGUAGES: Language[] = [
  {
    id: "python",
    extensions: [".py", ".pyi"],
    patterns: [
      { regex: new RegExp(`^[ \\t]*async[ \\t]+def[ \\t]+(${IDENT})`, "gm"), kind: KIND.function | KIND.async },
      { regex: new RegExp(`^[ \\t]*def[ \\t]+(${IDENT})`, "gm"), kind: KIND.function },
      { regex: new RegExp(`^[ \\t]*class[ \\t]+(${IDENT})`, "gm"), kind: KIND.type },
      // Module level only (column 0): settings, constants, aliases.
      { regex: new RegExp(`^(${IDENT})[ \\t]*(?::[^=\\n]*)?=(?!=)`, "gm"), kind: KIND.value },
    ],
  },
  {
    id: "typescript",
    extensions: [".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"],
    patterns: [
      {
        regex: new RegExp(
          `^[ \\t]*(?:export[ \\t]+)?(?:default[ \\t]+)?async[ \\t]+function\\*?[ \\t]*(${JS_IDENT})`,
          "gm",
        ),
        kind: KIND.function | KIND.async,
      },
      {
        regex: new RegExp(`^[ \\t]*(?:export[ \\t]+)?(?:default[ \\t]+)?function\\*?[ \\t]*(${JS_IDENT})`, "gm"),
        kind: KIND.function,
      },
      {
        regex: new RegExp(
          `^[ \\t]*(?:export[ \\t]+)?(?:default[ \\t]+)?(?:declare[ \\t]+)?(?:abstract[ \\t]+)?(?:class|interface|type|enum)[ \\t]+(${JS_IDENT})`,
          "gm",
        ),
        kind: KIND.type,
      },
      { regex: new RegExp(`^(?:export[ \\t]+)?(?:const|let|var)[ \\t]+(${JS_IDENT})`, "gm"), kind: KIND.value },
      {
        regex: new RegExp(
          `^[ \\t]+(?:(?:public|private|protected|static|readonly|override|async|get|set)[ \\t]+)*(${JS_IDENT})[ \\t]*\\([^)\\n]*\\)[ \\t]*(?::[^{\\n]*)?\\{`,
          "gm",
        ),
        kind: KIND.function,
      },
    ],
  },
  {
    id: "go",
    extensions: [".go"],
    patterns: [
      { regex: new RegExp(`^func[ \\t]+(?:\\([^)]*\\)[ \\t]*)?(${IDENT})`, "gm"), kind: KIND.function },
      { regex: new RegExp(`^type[ \\t]+(${IDENT})`, "gm"), kind: KIND.type },
      { regex: new RegExp(`^(?:var|const)[ \\t]+(${IDENT})`, "gm"), kind: KIND.value },
    ],
  },
  {
    id: "rust",
    extensions: [".rs"],
    patterns: [
      {
        regex: new RegExp(
          `^[ \\t]*(?:pub(?:\\([^)]*\\))?[ \\t]+)?(?:const[ \\t]+)?async[ \\t]+(?:unsafe[ \\t]+)?fn[ \\t]+(${IDENT})`,
          "gm",
        ),
        kind: KIND.function | KIND.async,
      },
      {
        regex: new RegExp(
          `^[ \\t]*(?:pub(?:\\([^)]*\\))?[ \\t]+)?(?:const[ \\t]+)?(?:unsafe[ \\t]+)?(?:extern[ \\t]+"[^"]*"[ \\t]+)?fn[ \\t]+(${IDENT})`,
          "gm",
        ),
        kind: KIND.function,
      },
      {
        regex: new RegExp(
          `^[ \\t]*(?:pub(?:\\([^)]*\\))?[ \\t]+)?(?:struct|enum|trait|type|union|mod)[ \\t]+(${IDENT})`,
          "gm",
        ),
        kind: KIND.type,
      },
      { regex: new RegExp(`macro_rules![ \\t]*(${IDENT})`, "gm"), kind: KIND.function },
    ],
  },
  {
    id: "java",
    extensions: [".java", ".kt"],
    patterns: [
      {
        regex: new RegExp(
          `^[ \\t]*(?:(?:public|protected|private|static|final|abstract|sealed|data|open)[ \\t]+)*(?:class|interface|enum|record|object|@interface)[ \\t]+(${IDENT})`,
          "gm",
        ),
        kind: KIND.type,
      },
      {
        regex: new RegExp(
          `^[ \\t]+(?:(?:public|protected|private|static|final|abstract|synchronized|native|default)[ \\t]+)+[A-Za-z0-9_<>\\[\\], .?]+[ \\t]+(${IDENT})[ \\t]*\\(`,
          "gm",
        ),
        kind: KIND.function,
      },
      { regex: new RegExp(`^[ \\t]*(?:suspend[ \\t]+)fun[ \\t]+(${IDENT})`, "gm"), kind: KIND.function | KIND.async },
      { regex: new RegExp(`^[ \\t]*(?:[a-z]+[ \\t]+)*fun[ \\t]+(${IDENT})`, "gm"), kind: KIND.function },
    ],
  },
];

const BY_EXTENSION = new Map(LANGUAGES.flatMap((language) => language.extensions.map((ext) => [ext, language])));

/** Words the method pattern of C-like languages would take for a name. */
const KEYWORDS = new Set(["if", "for", "while", "switch", "catch", "function", "return", "else", "do", "try", "with"]);

// Folders of someone else's code, of build output, or of data: their names say nothing of the
// repository's own subsystems.
const SKIPPED_SEGMENTS = new Set([
  "node_modules",
  "vendor",
  "vendored",
  "third_party",
  "thirdparty",
  "external",
  "dist",
  "build",
  "target",
  "out",
  ".git",
  "__pycache__",
  "site-packages",
  "generated",
  "__generated__",
  "fixtures",
  "locale",
]);
const GENERATED_FILE = /(?:\.min\.[a-z]+|_pb2\.py|\.pb\.go|\.generated\.[a-z]+|\.d\.ts|-lock\.json)$/;
// Tests and docs mention names, they do not define them for users.
const TEST_SEGMENTS = new Set(["tests", "__tests__", "spec", "specs", "testdata", "docs", "doc", "examples"]);
const TEST_FILE = /(?:^test_[^/]*|_tests?\.[a-z]+|\.(?:test|spec)\.[a-z]+|_spec\.[a-z]+|Tests?\.java|conftest\.py)$/;

// The languages' own names: a repository that defines `super` or `print` somewhere does not own them.
const BUILTINS = new Set(
  (
    "self cls this super print len str int dict list set tuple type object isinstance issubclass range open " +
    "bool float bytes iter next map filter zip sorted reversed sum min max any all repr hash format getattr " +
    "setattr hasattr delattr callable vars dir input property staticmethod classmethod enumerate None True False " +
    "console require module exports Promise Array Object String Number Error JSON Math window document undefined " +
    "make new append panic copy delete close main init"
  ).split(" "),
);

/** Names too common or too short to point anywhere. */
function usefulName(name: string): boolean {
  if (name.length < 3 || name.length > 80) return false;
  if (/^__\w+__$/.test(name)) return false;
  return !KEYWORDS.has(name) && !BUILTINS.has(name);
}

/**
 * Languages as text names them, and the extension of their files: "a JavaScript fix" points
 * where the repository keeps its `.js` files. A language is looked up by its extension (`.js`),
 * a key no identifier can take. HTML is left out: a web framework's HTML is wherever its output
 * is, whichever folder keeps its templates.
 */
const LANGUAGE_WORDS = new Map([
  ["javascript", ".js"],
  ["js", ".js"],
  ["typescript", ".ts"],
  ["css", ".css"],
  ["scss", ".scss"],
  ["svg", ".svg"],
]);
const LONGEST_LANGUAGE = Math.max(...[...LANGUAGE_WORDS.keys()].map((word) => word.length));
const LANGUAGE_EXTENSIONS = new Set(LANGUAGE_WORDS.values());

/** `Q`, `F`: a class name too short to be a name anywhere else, counted when written as code. */
const SHORT_CLASS = /^[A-Z][A-Z0-9]?$/;

/** A test's path (`tests/…`, `test_x.py`, `x.spec.ts`): what it defines are fixtures. */
export function isTestPath(path: string): boolean {
  const segments = path.split("/");
  const file = segments.pop() ?? "";
  return segments.some((segment) => TEST_SEGMENTS.has(segment)) || TEST_FILE.test(file);
}

export type SkipReason = "vendored" | "test" | "language" | "size";

/** Why a path is left out of the index, or null when its definitions count. */
export function skipReason(path: string, size: number, maxFileBytes: number): SkipReason | null {
  const file = path.slice(path.lastIndexOf("/") + 1);
  if (isVendored(path)) return "vendored";
  if (!BY_EXTENSION.has(extension(file))) return "language";
  if (size > maxFileBytes) return "size";
  if (isTestPath(path)) return "test";
  return null;
}

/** A vendored or generated file: another project's code, or no one's. */
function isVendored(path: string): boolean {
  const file = path.slice(path.lastIndexOf("/") + 1);
  return path.split("/").some((segment) => SKIPPED_SEGMENTS.has(segment)) || GENERATED_FILE.test(file);
}

function extension(file: string): string {
  const dot = file.lastIndexOf(".");
  return dot <= 0 ? "" : file.slice(dot).toLowerCase();
}

/** The names a file defines, each with the bits of KIND it was defined as. */
export function definitions(path: string, text: string): Map<string, number> {
  const found = new Map<string, number>();
  const language = BY_EXTENSION.get(extension(path.slice(path.lastIndexOf("/") + 1)));
  if (language === undefined) return found;
  for (const { regex, kind } of language.patterns) {
    regex.lastIndex = 0;
    for (let m = regex.exec(text); m !== null; m = regex.exec(text)) {
      const name = m[1];
      if (name === undefined) continue;
      if (usefulName(name) || ((kind & KIND.type) !== 0 && SHORT_CLASS.test(name))) {
        found.set(name, (found.get(name) ?? 0) | kind);
      }
    }
  }
  return found;
}

// `self.alters_data = True`, `    radio_fields = {}` (a class's attribute, or a local of a
// module-level function), `def __init__(self, limit_choices_to=None`: Python names that are no
// definition but are still where the code keeps them. Only names with an underscore: a one-word
// attribute (`name`, `value`) is everywhere.
const PY_ATTRIBUTES = [
  new RegExp(`\\bself\\.(${IDENT})[ \\t]*(?::[^=\\n]*)?=(?!=)`, "g"),
  new RegExp(`^    (${IDENT})[ \\t]*(?::[^=\\n]*)?=(?!=)`, "gm"),
  new RegExp(`[(,][ \\t\\n]*(${IDENT})[ \\t]*(?::[^=,)\\n]*)?=(?!=)`, "g"),
];

/** Names a Python file keeps as attributes or parameters (see PY_ATTRIBUTES). */
export function attributes(path: string, text: string): Set<string> {
  const found = new Set<string>();
  if (!path.endsWith(".py")) return found;
  for (const regex of PY_ATTRIBUTES) {
    regex.lastIndex = 0;
    for (let m = regex.exec(text); m !== null; m = regex.exec(text)) {
      const name = m[1];
      if (name !== undefined && /[a-zA-Z0-9]_[a-zA-Z0-9]/.test(name) && usefulName(name)) found.add(name);
    }
  }
  return found;
}

export interface IndexBuilderOptions {
  /** The subsystem a repository path belongs to (the config's globs), or null. */
  subsystemOf: (path: string) => string | null;
  globs: string;
  /** Files larger than this are not read. */
  maxFileBytes: number;
}

export interface IndexBuilder {
  /** Whether `path` (of `size` bytes) should be read at all; counts what is skipped. Tests are read. */
  wants(path: string, size: number): boolean;
  /** A file that `wants` took, with its text. */
  add(path: string, text: string): void;
  finish(sha: string): CodeIndex;
}

export function createIndexBuilder(options: IndexBuilderOptions): IndexBuilder {
  const names = new Map<string, IndexEntry>();
  /** Names whose `p` is still a test's path. */
  const testPaths = new Set<string>();
  /** Subsystem and name pairs whose `w` is still a test's path. */
  const testWhere = new Set<string>();
  let files = 0;
  let skipped = 0;
  const vocabulary = createVocabulary();
  let pages = 0;
  /** Attributes and parameters, kept apart: they become names only where nothing defines them. */
  const kept = new Map<string, Array<[string, string | null, boolean]>>();

  function record(name: string, kind: number, path: string, subsystem: string | null, test: boolean): void {
    let entry = names.get(name);
    if (entry === undefined) {
      entry = { s: {}, u: 0, p: path, k: 0 };
      names.set(name, entry);
      if (test) testPaths.add(name);
    } else if (!test && testPaths.delete(name)) {
      // The explanation names where code defines it, not a test.
      entry.p = path;
    }
    entry.k |= kind;
    if ((kind & KIND.folder) !== 0) entry.f = (entry.f ?? 0) + 1;
    if (subsystem === null) {
      entry.u += 1;
      return;
    }
    entry.s[subsystem] = (entry.s[subsystem] ?? 0) + 1;
    const where = (entry.w ??= {});
    const key = `${subsystem}\u0000${name}`;
    if (where[subsystem] === undefined) {
      where[subsystem] = path;
      if (test) testWhere.add(key);
    } else if (!test && testWhere.delete(key)) {
      where[subsystem] = path;
    }
  }

  return {
    wants(path, size) {
      if (isProsePage(path)) return size <= options.maxFileBytes && options.subsystemOf(path) !== null;
      const reason = skipReason(path, size, options.maxFileBytes);
      const ext = extension(path.slice(path.lastIndexOf("/") + 1));
      // Where a language's files live: vendored ones are the subsystem's too, a test's are fixtures.
      if (LANGUAGE_EXTENSIONS.has(ext) && !isTestPath(path))
        record(ext, KIND.name, path, options.subsystemOf(path), false);
      // Tests count too: a helper every test suite defines (`setUp`) is then seen to be everywhere.
      if (reason === null || reason === "test") return true;
      if (reason !== "language") skipped += 1;
      return false;
    },
    add(path, text) {
      if (isProsePage(path)) {
        const subsystem = options.subsystemOf(path);
        if (subsystem !== null) vocabulary.add(subsystem, path, text);
        pages += 1;
        return;
      }
      files += 1;
      const subsystem = options.subsystemOf(path);
      const test = isTestPath(path);
      for (const [name, kind] of definitions(path, text)) {
        // A test's `A`, `X` are fixtures; only the code's own `Q` and `F` are names.
        if (test && SHORT_CLASS.test(name)) continue;
        record(name, kind, path, subsystem, test);
      }
      for (const name of attributes(path, text)) {
        const places = kept.get(name);
        if (places === undefined) kept.set(name, [[path, subsystem, test]]);
        else places.push([path, subsystem, test]);
      }
      // A file's name and its folders' names are identifiers too: `middleware.py`, `sessions/`.
      const segments = path.split("/");
      const stem = (segments.pop() ?? "").replace(/\.[^.]*$/, "");
      const parts = new Map<string, number>(segments.map((segment) => [segment, KIND.name | KIND.folder]));
      parts.set(stem, (parts.get(stem) ?? 0) | KIND.name);
      for (const [part, kind] of parts) {
        if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(part) && usefulName(part)) record(part, kind, path, subsystem, test);
      }
    },
    finish(sha) {
      for (const [name, places] of kept) {
        if (names.has(name)) continue;
        for (const [path, subsystem, test] of places) record(name, KIND.attribute, path, subsystem, test);
      }
      for (const [word, entry] of vocabulary.finish((name) => names.has(name))) names.set(word, entry);
      let twins = 0;
      for (const [name, entry] of names) {
        if (!(entry.k & KIND.function) || !/^a[a-z_]/.test(name)) continue;
        const base = names.get(name.slice(1));
        if (base !== undefined && base.k & KIND.function) twins += 1;
      }
      return {
        meta: { version: INDEX_VERSION, sha, globs: options.globs, files, skipped, names: names.size, twins, pages },
        names,
      };
    },
  };
}

// --- the docs' vocabulary ---------------------------------------------------------------------

/** Prose pages: a docs folder's text files. */
const PROSE_PAGE = /(?:^|\/)docs?\/(?:[^/]+\/)*[^/]+\.(?:txt|rst|md|mdx|adoc)$/;
const PROSE_WORD = /(?<![A-Za-z0-9_])[a-z]{4,}(?![A-Za-z0-9_])/g;
// A word is a subsystem's when its rate in that subsystem's pages is at least half the sum of its
// rates over all subsystems' pages, and it is used there this often. Measured on Django's history
// (npm run eval:history): looser (3 uses) moves dev-set rows; stricter (60%, 2 pages) gains less.
const VOCABULARY_SHARE = 0.5;
const VOCABULARY_USES = 5;

/** Whether a path is a docs page whose words are counted (when a subsystem's globs claim it). */
export function isProsePage(path: string): boolean {
  const page = PROSE_PAGE.exec(path);
  if (page === null || isVendored(path)) return false;
  // A test's docs (a fixture) describe something else.
  return !path
    .slice(0, page.index)
    .split("/")
    .some((segment) => TEST_SEGMENTS.has(segment));
}

// A name the docs write as code but the code does not define (`asyncio.iscoroutinefunction`, a
// library's setting) is the docs' subject where at least this share of its uses are one subsystem's,
// and it is used at least this often: one use is an example's variable.
const DOCS_CODE_SHARE = 2 / 3;
const DOCS_CODE_USES = 2;
const CODE_NAME = /[A-Za-z_][A-Za-z0-9_]*/g;
const CODE_DIRECTIVES = new Set(["code-block", "code", "sourcecode", "console"]);

/**
 * The code in a docs page: inline spans (``` ``x`` ```, `` :func:`x` ``, markdown's `` `x` ``) and
 * literal blocks (the indented lines after a line ending `::` or a `.. code-block::`, a fenced
 * block in markdown). Prose in a `.. note::` is not code: only a literal block counts.
 */
export function docsCode(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/`+([^`\n]+)`+/g)) out.push(m[1] ?? "");
  let block: number | null = null;
  let fence = false;
  for (const line of text.split("\n")) {
    if (/^\s*(?:```|~~~)/.test(line)) {
      fence = !fence;
      continue;
    }
    if (fence) {
      out.push(line);
      continue;
    }
    const indent = line.length - line.trimStart().length;
    if (block !== null) {
      if (line.trim() === "" || indent > block) {
        out.push(line);
        continue;
      }
      block = null;
    }
    // A directive (`.. note::`) ends so too; of those, only the code ones hold code.
    const directive = /^\s*\.\. ([\w-]+)::/.exec(line)?.[1];
    if (directive !== undefined ? CODE_DIRECTIVES.has(directive) : /::\s*$/.test(line)) block = indent;
  }
  return out;
}

interface PageWords {
  uses: Map<string, number>;
  /** The first page using each word, for the explanation. */
  first: Map<string, string>;
  words: number;
}

/** Words of the docs pages each subsystem's globs claim; the words concentrated in one become names. */
function createVocabulary() {
  const bySubsystem = new Map<string, PageWords>();
  /** Names written as code in the docs: uses and the first page, per subsystem. */
  const code = new Map<string, Map<string, { uses: number; page: string }>>();
  return {
    add(subsystem: string, path: string, text: string): void {
      let mine = bySubsystem.get(subsystem);
      if (mine === undefined) {
        mine = { uses: new Map(), first: new Map(), words: 0 };
        bySubsystem.set(subsystem, mine);
      }
      PROSE_WORD.lastIndex = 0;
      for (let m = PROSE_WORD.exec(text); m !== null; m = PROSE_WORD.exec(text)) {
        const word = m[0];
        mine.words += 1;
        const uses = mine.uses.get(word);
        mine.uses.set(word, (uses ?? 0) + 1);
        if (uses === undefined) mine.first.set(word, path);
      }
      for (const span of docsCode(text)) {
        for (const [name] of span.matchAll(CODE_NAME)) {
          if (name.length < 4 || !usefulName(name)) continue;
          let where = code.get(name);
          if (where === undefined) {
            where = new Map();
            code.set(name, where);
          }
          const seen = where.get(subsystem);
          if (seen === undefined) where.set(subsystem, { uses: 1, page: path });
          else seen.uses += 1;
        }
      }
    },
    /**
     * `~word` → the subsystem whose pages use it most by rate, for the words that pass; and
     * `` `name `` → the subsystem whose docs write it as code, for names the code does not define.
     */
    finish(defined: (name: string) => boolean): Map<string, IndexEntry> {
      const out = new Map<string, IndexEntry>();
      const words = new Set<string>();
      for (const pages of bySubsystem.values()) for (const word of pages.uses.keys()) words.add(word);
      for (const word of words) {
        let sum = 0;
        let best: [string, PageWords] | null = null;
        let bestRate = 0;
        for (const entry of bySubsystem) {
          const rate = (entry[1].uses.get(word) ?? 0) / entry[1].words;
          sum += rate;
          if (rate > bestRate) [best, bestRate] = [entry, rate];
        }
        if (best === null || bestRate < VOCABULARY_SHARE * sum) continue;
        const [subsystem, pages] = best;
        const uses = pages.uses.get(word) ?? 0;
        if (uses < VOCABULARY_USES) continue;
        const page = pages.first.get(word) ?? "";
        out.set(`${DOCS_WORD}${word}`, { s: { [subsystem]: uses }, u: 0, p: page, k: KIND.name });
      }
      for (const [name, where] of code) {
        if (defined(name)) continue;
        let total = 0;
        let best: [string, { uses: number; page: string }] | null = null;
        for (const entry of where) {
          total += entry[1].uses;
          if (best === null || entry[1].uses > best[1].uses) best = entry;
        }
        if (best === null || best[1].uses < DOCS_CODE_USES || best[1].uses < DOCS_CODE_SHARE * total) continue;
        const [subsystem, { uses, page }] = best;
        out.set(`${DOCS_CODE}${name}`, { s: { [subsystem]: uses }, u: 0, p: page, k: KIND.name });
      }
      return out;
    },
  };
}

/** Strips the archive's top folder (`owner-repo-sha/`); null for the folder itself. */
export function archivePath(entryPath: string): string | null {
  const slash = entryPath.indexOf("/");
  if (slash < 0) return null;
  const rest = entryPath.slice(slash + 1);
  return rest === "" || rest.endsWith("/") ? null : rest;
}

/** The commit in a GitHub tarball's top folder (`django-django-c179ad9/` → `c179ad9`), if it has one. */
export function archiveSha(entryPath: string): string | null {
  const top = entryPath.split("/")[0] ?? "";
  return /-([0-9a-f]{7,40})$/.exec(top)?.[1] ?? null;
}

// --- reading text against the index ----------------------------------------------------------

/** A name in issue text and how surely it is code (`backticks`, `name()`, `@decorator`, `a.b`). */
export interface Mention {
  name: string;
  /** Written the way code is, not just shaped like it. */
  code: boolean;
  /** A plain lower-case word: only a file or folder of that name can say where it points. */
  word?: boolean;
  /** A capitalised word inside a sentence (`Query`, `Media`): only a class of that name counts. */
  capital?: boolean;
  /** A language ("JavaScript"), as the extension of its files (`.js`). */
  language?: boolean;
  /** A plain word written as an acronym ("GIS" as `gis`): only a folder of that name counts. */
  acronym?: boolean;
}

/** A name written as code or shaped like it: not a plain word, a capitalised word or a language. */
export function isCodeMention(mention: Mention): boolean {
  return mention.word !== true && mention.capital !== true && mention.language !== true;
}

const CODE_SPAN = /`([^`\n]{1,200})`/g;
// Addresses are not code: `https://bugs.python.org/` names no function.
const ADDRESS = /\b(?:https?:\/\/|www\.)\S+|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;
// A host's labels are words, not attributes: "bugs.python.org" is "bugs", "python"; "postgresql.org"
// still says PostgreSQL.
const HOST = /\b[\w-]+(?:\.[\w-]+)*\.(?:org|com|net|io)\b/g;
const HOST_END = /\.(?:org|com|net|io)\b/;
const NAME = /[A-Za-z_][A-Za-z0-9_]*/g;

/**
 * What a name looks like on its own: `code` (snake_case, CamelCase, also behind an acronym as in
 * `GDALRaster`), a plain lower-case `word` of four letters or more, a `capital` word ("Query"), an
 * `acronym` of three to five capitals, or none of these. One pass over the characters: it runs for
 * every word of every text.
 */
export function shapeOf(name: string): "code" | "word" | "capital" | "acronym" | null {
  const n = name.length;
  for (let i = 1; i + 1 < n; i++) {
    if (name.charCodeAt(i) === 95 /* _ */ && isAlnum(name.charCodeAt(i - 1)) && isAlnum(name.charCodeAt(i + 1)))
      return "code";
  }
  let i = 0;
  if (isUpper(name.charCodeAt(0))) {
    while (i < n && isUpper(name.charCodeAt(i))) i++;
    if (i === n) return n >= 3 && n <= 5 ? "acronym" : null;
    // `JSONField`: capitals, then a lower-case letter.
    if (i >= 2) return isLower(name.charCodeAt(i)) ? "code" : null;
    // `QuerySet`: one capital, lower-case letters or digits, a capital.
    let lower = true;
    while (i < n && (isLower(name.charCodeAt(i)) || isDigit(name.charCodeAt(i)))) {
      lower &&= isLower(name.charCodeAt(i));
      i++;
    }
    if (i === n) return lower && n >= 4 ? "capital" : null;
    return i > 1 && isUpper(name.charCodeAt(i)) ? "code" : null;
  }
  // `aiterCount`: lower-case letters, then a capital.
  while (i < n && isLower(name.charCodeAt(i))) i++;
  if (i === n) return n >= 4 ? "word" : null;
  return i > 0 && isUpper(name.charCodeAt(i)) ? "code" : null;
}

function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}

function isLower(c: number): boolean {
  return c >= 97 && c <= 122;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isAlnum(c: number): boolean {
  return isUpper(c) || isLower(c) || isDigit(c);
}

// `django/contrib/auth/middleware.py`, `tests/cache/tests.py`: a repository path, said outright.
const PATH_MENTION = /(?<![\w/.-])(?:[A-Za-z0-9_.-]+\/)+[A-Za-z0-9_-]+(?:\.[A-Za-z0-9]+)?(?![\w/])/g;

/**
 * A path mention names a file or folder when it has an extension or two folders; a single
 * slash between two names is usually "either" (`unique/index_together`, `MySQL/MariaDB`), and
 * each side is still a name.
 */
function looksLikeFile(mention: string): boolean {
  return /\.[A-Za-z][A-Za-z0-9]*$/.test(mention) || mention.split("/").length > 2;
}

/** Repository paths written in text (at least one folder); a file's path is not read for names. */
export function pathMentions(text: string): string[] {
  if (!text.includes("/")) return [];
  const found = new Set<string>();
  for (const m of text.replace(ADDRESS, " ").matchAll(PATH_MENTION)) {
    const path = m[0].replace(/^\.\//, "");
    if (!path.startsWith("/") && !path.includes("..")) found.add(path);
  }
  return [...found];
}

// `default.html`, `compress.py`: a file named without its folder. The extensions are the indexed
// languages' and the usual text, markup and data files.
const EXTENSION = String.raw`\.(?:py|pyi|js|mjs|cjs|ts|tsx|jsx|go|rs|java|kt|html?|txt|css|scss|json|xml|ya?ml|md|rst|cfg|toml|ini|po|mo|sql|sh|csv|svg|png|gif|jpe?g)(?![\w(]|\.[A-Za-z_])`;
const FILE_NAME = new RegExp(String.raw`(?<![\w.])[\w-]+` + EXTENSION, "g");
// Scanning for the dot first is several times cheaper, and most texts name no file.
const HAS_EXTENSION = new RegExp(EXTENSION);

/** A capital at the start of the text or after `.`, `!`, `?` or `:` is grammar, not a class name. */
function startsSentence(text: string, at: number): boolean {
  return /(?:^|[.!?:])\s*$/.test(text.slice(Math.max(0, at - 3), at));
}

/**
 * Names in text worth looking up: in backticks, called (`name()`), decorators, parts of dotted
 * paths, files named without their folder, and words shaped like code. Plain lower-case words and
 * capitalised words come marked as such: only a folder, or a class, of that name vouches for them.
 */
export function mentions(raw: string): Mention[] {
  let text = raw;
  // The replacements are the costliest part of reading a long body; most texts need none.
  if (text.includes("://") || text.includes("www.") || text.includes("@")) text = text.replace(ADDRESS, " ");
  if (HOST_END.test(text)) text = text.replace(HOST, (host) => host.replace(/\./g, " "));
  if (text.includes("/")) text = text.replace(PATH_MENTION, (m) => (looksLikeFile(m) ? " " : m.replace(/\//g, " ")));
  // A file named on its own is its module: the stem is a name, the extension is not.
  const stems: string[] = [];
  if (HAS_EXTENSION.test(text)) {
    text = text.replace(FILE_NAME, (file) => {
      stems.push(file.slice(0, file.lastIndexOf(".")));
      return " ";
    });
  }
  const found = new Map<string, boolean>();
  const words = new Set<string>();
  const capitals = new Set<string>();
  const acronyms = new Set<string>();
  const languages = new Set<string>();
  const add = (name: string, code: boolean) => {
    // A one-letter name gets here only written as code (`Q()`, `F.x`): never a plain letter.
    if (!usefulName(name) && !SHORT_CLASS.test(name)) return;
    found.set(name, (found.get(name) ?? false) || code);
  };
  for (const stem of stems) for (const name of stem.match(NAME) ?? []) add(name, true);
  CODE_SPAN.lastIndex = 0;
  for (let m = CODE_SPAN.exec(text); m !== null; m = CODE_SPAN.exec(text)) {
    for (const name of (m[1] ?? "").match(NAME) ?? []) add(name, true);
  }
  NAME.lastIndex = 0;
  for (let m = NAME.exec(text); m !== null; m = NAME.exec(text)) {
    const name = m[0];
    const before = text[m.index - 1] ?? "";
    const after = text[m.index + name.length] ?? "";
    const code =
      after === "(" ||
      before === "@" ||
      (before === "." && /[A-Za-z0-9_)]/.test(text[m.index - 2] ?? "")) ||
      (after === "." && /[A-Za-z_]/.test(text[m.index + name.length + 1] ?? ""));
    const language = code || name.length > LONGEST_LANGUAGE ? undefined : LANGUAGE_WORDS.get(name.toLowerCase());
    if (language !== undefined) languages.add(language);
    else {
      const shape = code ? "code" : shapeOf(name);
      if (shape === "code") add(name, code);
      // In a compound ("async-related", "thread-safe") a plain word qualifies, it names nothing.
      else if (shape === "word") {
        if (before !== "-" && after !== "-") words.add(name);
      } else if (shape === "capital" && !startsSentence(text, m.index)) capitals.add(name);
      // An acronym is its folder's or file's word in capitals: "GIS" for `gis/`, "SMTP" for `smtp.py`.
      else if (shape === "acronym") acronyms.add(name.toLowerCase());
    }
  }
  const out: Mention[] = [];
  for (const [name, code] of found) out.push({ name, code });
  for (const word of words) if (!found.has(word)) out.push({ name: word, code: false, word: true });
  for (const language of languages) out.push({ name: language, code: false, language: true });
  for (const acronym of acronyms) {
    if (!found.has(acronym) && !words.has(acronym)) out.push({ name: acronym, code: false, word: true, acronym: true });
  }
  for (const capital of capitals) if (!found.has(capital)) out.push({ name: capital, code: false, capital: true });
  return out;
}

/** The singular a code name in the plural may stand for: `ForeignKeys` → `ForeignKey`. */
export function singularForm(name: string): string | null {
  return name.length >= 4 && name.endsWith("s") && /[A-Z_]/.test(name) ? name.slice(0, -1) : null;
}

/**
 * The class names a CamelCase name ends with, longest first: `GeneratedField` → `Field`,
 * `LoginRequiredMiddleware` → `RequiredMiddleware`, `Middleware`. A new class is usually named
 * after the one it extends, so a name the index has not seen yet still says where it belongs.
 */
export function classSuffixes(name: string): string[] {
  if (!/^[A-Z]/.test(name) || name.includes("_")) return [];
  const out: string[] = [];
  for (let i = 1; i < name.length - 3; i++) {
    if (!/[A-Z]/.test(name[i] ?? "") || !/[a-z]/.test(name[i + 1] ?? "")) continue;
    const suffix = name.slice(i);
    if (!LANGUAGE_PARENTS.has(suffix)) out.push(suffix);
  }
  return out;
}

// `ResourceWarning`, `ValueError`: exceptions end like this in every language, and most are the
// language's own; a repository's `Warning` class is not their parent.
const LANGUAGE_PARENTS = new Set(["Error", "Exception", "Warning"]);

/** The folder names a name in mixed capitals may stand for: `SpatiaLite` → `spatialite(s)`. */
export function folderForms(name: string): string[] {
  const lower = name.toLowerCase();
  if (lower === name || name.includes("_")) return [];
  return lower.endsWith("s") ? [lower] : [lower, `${lower}s`];
}

/**
 * The names to fetch from a stored index for `texts`: each mention, the `X` of each `aX`, and the
 * classes and folders a code name may stand for (`classSuffixes`, `folderForms`).
 */
export function lookupNames(texts: string[]): string[] {
  const names = new Set<string>();
  for (const text of texts) {
    for (const mention of mentions(text)) {
      const { name, word } = mention;
      names.add(name);
      if (word) {
        names.add(`${name}s`);
        names.add(`${DOCS_WORD}${name}`);
      }
      if (isCodeMention(mention)) names.add(`${DOCS_CODE}${name}`);
      const singular = singularForm(name);
      if (!word && singular !== null) names.add(singular);
      const base = twinBase(name);
      if (base !== null) names.add(base);
      if (!word) for (const other of [...classSuffixes(name), ...folderForms(name)]) names.add(other);
    }
  }
  return [...names];
}

/** `X` for a name `aX` that could be an async twin (`aget` → `get`, `aprocess_request`). */
export function twinBase(name: string): string | null {
  return /^a[a-z_][a-z0-9_]{2,}$/.test(name) ? name.slice(1) : null;
}

/** What the classifier is given: entries for the names it may meet, and the repository's habits. */
export interface CodeEvidence {
  lookup(name: string): IndexEntry | undefined;
  /** The repository names async twins `aX` (enough pairs in the code), and the config wants it read. */
  asyncTwins: boolean;
  /** Where the index came from, for the explanation (`c179ad9`). */
  sha: string;
}

/** Twins this many or more make `aX` naming a habit of the repository. */
export const TWIN_HABIT = 3;

export function codeEvidence(index: CodeIndex, asyncTwins: boolean): CodeEvidence {
  return {
    lookup: (name) => index.names.get(name),
    asyncTwins: asyncTwins && index.meta.twins >= TWIN_HABIT,
    sha: index.meta.sha,
  };
}

/**
 * Subsystems a name points to, each with its share of the name's definitions: the subsystem that
 * holds most of them, and a second that holds a good part. A name spread over the codebase, or
 * defined mostly outside every subsystem, points nowhere.
 */
export function pointsTo(entry: IndexEntry): Array<{ subsystem: string; share: number }> {
  // The two largest counts in one pass (ties to the first seen): it runs for every name mentioned.
  let total = entry.u;
  let first: [string, number] | null = null;
  let second: [string, number] | null = null;
  for (const subsystem in entry.s) {
    const count = entry.s[subsystem] ?? 0;
    total += count;
    if (first === null || count > first[1]) [first, second] = [[subsystem, count], first];
    else if (second === null || count > second[1]) second = [subsystem, count];
  }
  if (first === null) return [];
  const top = { subsystem: first[0], share: first[1] / total };
  const next = second === null ? null : { subsystem: second[0], share: second[1] / total };
  if (top.share >= DOMINANT_SHARE) return next !== null && next.share >= DOMINANT_SHARE / 2 ? [top, next] : [top];
  // Defined in two subsystems and hardly anywhere else (`urlize`: a template filter over a utility): both.
  if (next !== null && top.share + next.share >= TWO_PLACES_SHARE) return [top, next];
  return [];
}

/** The share of a name's definitions two subsystems must hold together to point at both. */
export const TWO_PLACES_SHARE = 0.8;

/** The share of a name's definitions one subsystem must hold for the name to point there. */
export const DOMINANT_SHARE = 0.5;

// --- storage form ----------------------------------------------------------------------------

/** One entry as stored (a Redis hash field, a line of the index file). */
export function encodeEntry(entry: IndexEntry): string {
  return JSON.stringify(entry);
}

export function decodeEntry(text: string): IndexEntry | undefined {
  try {
    const value = JSON.parse(text) as Partial<IndexEntry>;
    if (typeof value !== "object" || value === null || typeof value.p !== "string") return undefined;
    if (typeof value.k !== "number" || typeof value.u !== "number" || typeof value.s !== "object") return undefined;
    return value as IndexEntry;
  } catch {
    return undefined;
  }
}
