import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { PassThrough } from "node:stream";
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it, onTestFinished } from "vitest";
import { djangoAsyncPreset } from "../../src/config/presets/django-async.js";
import { classify, compileModel, subsystemOfPath } from "../../src/domain/classifier.js";
import type { ClassifyInput } from "../../src/domain/model.js";
import {
  archiveSha,
  attributes,
  codeEvidence,
  createIndexBuilder,
  definitions,
  docsCode,
  isTestPath,
  KIND,
  lookupNames,
  mentions,
  pathMentions,
  pointsTo,
  shapeOf,
  skipReason,
} from "../../src/domain/code-index.js";
import { indexArchive } from "../../src/github/tarball.js";
import { indexBuilderFor, readIndexFile, writeIndexFile } from "../../src/cli/index-file.js";
import { main } from "../../src/cli/main.js";
import { createCodeIndexStore } from "../../src/state/code-index.js";
import { createKeys } from "../../src/state/keys.js";
import { FILES, makeTarball, removeTarball } from "../support/tarball.js";

const compiled = compileModel(djangoAsyncPreset);

async function* input(...chunks: string[]): AsyncGenerator<string> {
  yield* chunks;
}

async function buildIndex(files = FILES) {
  const file = makeTarball(files);
  const stream = new PassThrough();
  stream.end(readFileSync(file));
  removeTarball(file);
  return indexArchive(stream, indexBuilderFor(compiled));
}

/** A word the index vouches for in `source`, and the files (or title) where it names nothing. */
interface WordCase {
  rule: string;
  title: string;
  source: Record<string, string>;
  reason: string;
  nothing: Array<{ files: Record<string, string>; title?: string }>;
}

/** Docs pages of the same length, each using "quokka" so many times. */
function docsPages(uses: Record<string, number>): Record<string, string> {
  const page = (n: number) => `${"The quokka hops. ".repeat(n)}${"Values stay here. ".repeat(10 - n)}\n`;
  return Object.fromEntries(Object.entries(uses).map(([path, n]) => [path, page(n)]));
}

/** `item` classified with the index of `files`. */
async function classifyWith(item: ClassifyInput, files = FILES) {
  return classify(compiled, item, codeEvidence(await buildIndex(files), true));
}

describe("definitions", () => {
  it("reads Python, TypeScript, Go, Rust and Java definitions", () => {
    expect([...definitions("a/b.py", "class Page:\n  async def aget(self):\n    pass\nX_Y = 1\n  z = 2\n")]).toEqual([
      ["aget", KIND.function | KIND.async],
      ["Page", KIND.type],
      ["X_Y", KIND.value],
    ]);
    expect([
      ...definitions(
        "src/x.ts",
        "export async function fetchAll() {}\nexport interface Options {}\nconst limit = 1;\n",
      ),
    ]).toEqual([
      ["fetchAll", KIND.function | KIND.async],
      ["Options", KIND.type],
      ["limit", KIND.value],
    ]);
    expect(
      [...definitions("pkg/x.go", "func (s *Server) ServeHTTP() {}\ntype Handler struct{}\n")].map(([n]) => n),
    ).toEqual(["ServeHTTP", "Handler"]);
    expect(
      [...definitions("src/lib.rs", "pub async fn spawn_task() {}\npub struct Runtime;\n")].map(([n]) => n),
    ).toEqual(["spawn_task", "Runtime"]);
    expect(
      [...definitions("A.java", "public class Router {\n    public static void route(String s) {\n")].map(([n]) => n),
    ).toEqual(["Router", "route"]);
    // Builtins and dunders point nowhere; unknown languages define nothing.
    expect([...definitions("a.py", "def __init__(self):\n  pass\ndef print():\n  pass\n")]).toEqual([]);
    expect(definitions("README.md", "def thing():").size).toBe(0);
  });

  it("reads the Python names a file only sets or passes, with an underscore", () => {
    const source = [
      "class ModelAdmin:",
      "    radio_fields = {}",
      "    def __init__(self, model, limit_choices_to=None, *, empty_label: str = ''):",
      "        self.alters_data = True",
      "        self.name = model",
      "        if self.radio_fields == {}:",
      "            call(on_delete=CASCADE)",
      "",
    ].join("\n");
    expect([...attributes("django/contrib/admin/options.py", source)].sort()).toEqual([
      "alters_data",
      "empty_label",
      "limit_choices_to",
      "on_delete",
      "radio_fields",
    ]);
    expect(attributes("src/x.ts", "this.alters_data = true;\n").size).toBe(0);
  });

  it("skips vendored, generated and oversized files, and marks tests", () => {
    expect(skipReason("node_modules/x/index.js", 10, 1000)).toBe("vendored");
    expect(skipReason("static/app.min.js", 10, 1000)).toBe("vendored");
    expect(skipReason("django/core/big.py", 5000, 1000)).toBe("size");
    expect(skipReason("tests/auth_tests/test_views.py", 10, 1000)).toBe("test");
    expect(skipReason("docs/conf.txt", 10, 1000)).toBe("language");
    expect(skipReason("django/test/client.py", 10, 1000)).toBeNull();
  });
});

describe("reading text", () => {
  it("finds names written as code, paths, and plain words apart", () => {
    const found = mentions(
      "Use `request.auser()` and @sensitive_variables with RemoteUserMiddleware, see https://bugs.python.org/x and docs/ref/x.txt",
    );
    const byName = new Map(found.map((m) => [m.name, m]));
    expect(byName.get("auser")?.code).toBe(true);
    expect(byName.get("sensitive_variables")?.code).toBe(true);
    expect(byName.get("RemoteUserMiddleware")?.code).toBe(false);
    expect(byName.has("python")).toBe(false);
    // A host's labels are words: `bugs.python.org` names no attribute `bugs`.
    const host = new Map(mentions("Added an extlink for bugs.python.org and QuerySet.get").map((m) => [m.name, m]));
    expect(host.get("bugs")).toEqual({ name: "bugs", code: false, word: true });
    expect(host.get("python")?.word).toBe(true);
    expect(host.get("get")?.code).toBe(true);
    expect(byName.get("with")?.word).toBe(true);
    expect(byName.get("request")?.code).toBe(true);
    // CamelCase behind an acronym is code-shaped too; a capitalised word is only a class candidate,
    // and not at the start of a sentence.
    const shaped = new Map(mentions("Added GDALRaster and JSONField, Fixed URLs. Made it").map((m) => [m.name, m]));
    expect(shaped.get("GDALRaster")).toEqual({ name: "GDALRaster", code: false });
    expect(shaped.has("JSONField")).toBe(true);
    expect(shaped.get("Fixed")).toEqual({ name: "Fixed", code: false, capital: true });
    expect(shaped.has("Added")).toBe(false);
    expect(shaped.has("Made")).toBe(false);
    // One slash between two names is "either": both are still names. A file's path is not read.
    const either = new Map(mentions("Fixed unique/index_together in docs/ref/models.txt").map((m) => [m.name, m]));
    expect(either.has("index_together")).toBe(true);
    expect(either.get("unique")?.word).toBe(true);
    expect(either.has("models")).toBe(false);
    expect(either.has("ref")).toBe(false);
    // A file named without its folder is its module's name; the extension is not a name.
    const file = new Map(mentions("Deprecated default.html and fixed compress.py.").map((m) => [m.name, m]));
    expect(file.get("default")?.code).toBe(true);
    expect(file.get("compress")?.code).toBe(true);
    expect(file.has("html")).toBe(false);
    expect(file.has("py")).toBe(false);
    // A call or an attribute after the dot is not an extension.
    expect(new Map(mentions("Used response.json()").map((m) => [m.name, m])).get("json")?.code).toBe(true);
    expect(pathMentions("Fixed typo in tests/cache/tests.py and ./django/http/request.py.")).toEqual([
      "tests/cache/tests.py",
      "django/http/request.py",
    ]);
    expect(lookupNames(["`aget_object_or_404()`"])).toEqual([
      "aget_object_or_404",
      "`aget_object_or_404", // where the docs write it as code
      "get_object_or_404",
    ]);
    expect(lookupNames(["ForeignKeys"])).toEqual(["ForeignKeys", "`ForeignKeys", "ForeignKey", "Keys", "foreignkeys"]);
    expect(lookupNames(["SpatiaLite"])).toEqual(["SpatiaLite", "`SpatiaLite", "Lite", "spatialite", "spatialites"]);
  });

  it("tells code-shaped names from plain words, capitalised words and acronyms", () => {
    const shapes = ["sync_to_async", "X_Y", "QuerySet", "GDALRaster", "JSONField", "aiterCount", "Q1Set", "A1B"];
    for (const name of shapes) expect(shapeOf(name), name).toBe("code");
    expect(["squash", "Query", "GIS", "SMTPS"].map(shapeOf)).toEqual(["word", "capital", "acronym", "acronym"]);
    // Too short, too long, or only partly shaped: none of these.
    for (const name of ["abc", "Abc", "AB", "ABCDEF", "AB1c", "Ab1d", "__init__", "_a", "a_", "abc1", "A_"]) {
      expect(shapeOf(name), name).toBeNull();
    }
  });

  it("points a name at the subsystem holding most of its definitions, and spread names nowhere", () => {
    expect(pointsTo({ s: { auth: 3 }, u: 0, p: "x", k: 1 })).toEqual([{ subsystem: "auth", share: 1 }]);
    expect(pointsTo({ s: { auth: 6, orm: 4 }, u: 0, p: "x", k: 1 })).toEqual([
      { subsystem: "auth", share: 0.6 },
      { subsystem: "orm", share: 0.4 },
    ]);
    expect(pointsTo({ s: { auth: 2, orm: 2, cache: 2 }, u: 0, p: "x", k: 1 })).toEqual([]);
    // Half of its definitions is enough (`Field`: two of four in the ORM).
    expect(pointsTo({ s: { orm: 1 }, u: 1, p: "x", k: 1 })).toEqual([{ subsystem: "orm", share: 0.5 }]);
    // Split evenly between two subsystems and defined nowhere else: both.
    expect(pointsTo({ s: { templates: 1, utils: 1 }, u: 0, p: "x", k: 1 })).toEqual([
      { subsystem: "templates", share: 0.5 },
      { subsystem: "utils", share: 0.5 },
    ]);
    expect(pointsTo({ s: { templates: 2, utils: 2 }, u: 2, p: "x", k: 1 })).toEqual([]);
    expect(pointsTo({ s: { auth: 1 }, u: 5, p: "x", k: 1 })).toEqual([]);
  });
});

describe("the index from a tarball", () => {
  it("streams the archive, takes the commit from its top folder, and skips vendored code", async () => {
    const index = await buildIndex();
    expect(index.meta.sha).toBe("c179ad9");
    expect(index.meta.globs).toBe(compiled.globs);
    expect(index.names.get("RemoteUserMiddleware")).toMatchObject({
      s: { auth: 1 },
      p: "django/contrib/auth/middleware.py",
    });
    expect(index.names.has("jQuery")).toBe(false);
    expect(index.names.has("not_code")).toBe(false);
    // Tests count (a helper defined in every suite is then seen to be everywhere), named by source first.
    expect(index.names.get("setUp")?.s).toEqual({ auth: 1 });
    // File and folder names are identifiers too.
    expect((index.names.get("shortcuts")?.k ?? 0) & KIND.name).toBeTruthy();
    expect((index.names.get("auth")?.k ?? 0) & KIND.folder).toBeTruthy();
    // aget/get, acount/count, aget_list/get_list, alogin/login: four twins, so the habit is learned.
    expect(index.meta.twins).toBe(4);
    expect(archiveSha("owner-repo-0123abc/x.py")).toBe("0123abc");
    expect(subsystemOfPath(compiled, "django/contrib/auth/middleware.py")).toBe("auth");
  });

  it("sorts issue text by where the code defines the names it mentions, and explains it", async () => {
    const code = codeEvidence(await buildIndex(), true);
    const item = { kind: "issue" as const, title: "Make @sensitive_variables work with coroutines", body: "" };
    expect(classify(compiled, item).subsystems[0]?.id).not.toBe("views-http");
    const read = classify(compiled, item, code);
    expect(read.subsystems[0]?.id).toBe("views-http");
    expect(read.reasons).toContain(
      "`sensitive_variables` is defined in `django/views/decorators/debug.py` → views-http",
    );
  });

  it("counts a plain word as a folder only when the folder holds a few files", async () => {
    const small = {
      "django/core/checks/compatibility/__init__.py": "",
      "django/core/checks/compatibility/django_4_0.py": "",
    };
    const big = Object.fromEntries(
      ["a", "b", "c"].map((name) => [`django/core/checks/compatibility/${name}.py`, ""] as const),
    );
    const item = { kind: "issue" as const, title: "Added asgiref compatibility", body: "" };
    const withSmall = classify(compiled, item, codeEvidence(await buildIndex({ ...FILES, ...small }), true));
    expect(withSmall.subsystems[0]?.id).toBe("handlers"); // async work's fallback: no evidence
    expect(withSmall.reasons).toContain("no subsystem evidence; async work defaults to handlers");
    const withBig = classify(compiled, item, codeEvidence(await buildIndex({ ...FILES, ...big }), true));
    expect(withBig.subsystems[0]?.id).toBe("core-other");
    expect(withBig.reasons).toContain(
      '"compatibility" names the folder `django/core/checks/compatibility/` → core-other',
    );
    // A folder in the plural names the word in the singular ("check" for `checks/`).
    const checks = Object.fromEntries(["a", "b", "c"].map((name) => [`django/core/checks/${name}.py`, ""] as const));
    const check = { ...item, title: "Added an asgiref check" };
    const withChecks = classify(compiled, check, codeEvidence(await buildIndex({ ...FILES, ...checks }), true));
    expect(withChecks.reasons).toContain('"check" names the folder `django/core/checks/` → core-other');
    // A function of the name elsewhere neither makes the small folder bigger nor counts twice.
    const def = { "django/core/checks/registry.py": "def compatibility():\n    pass\n" };
    const withDef = classify(compiled, item, codeEvidence(await buildIndex({ ...FILES, ...small, ...def }), true));
    expect(withDef.subsystems[0]?.id).toBe("handlers");
  });

  it("counts a plain word the code defines as a function in two files, not in one", async () => {
    const item = { kind: "issue" as const, title: "Made urlize trim trailing periods", body: "" };
    const once = { "django/utils/html.py": "def urlize(text, trim_url_limit=None):\n    return text\n" };
    const twice = { ...once, "django/utils/text.py": "def urlize(value):\n    return value\n" };
    const withOnce = classify(compiled, item, codeEvidence(await buildIndex({ ...FILES, ...once }), true));
    expect(withOnce.subsystems).toEqual([]);
    expect(withOnce.reasons).toContain("no subsystem evidence");
    const withTwice = classify(compiled, item, codeEvidence(await buildIndex({ ...FILES, ...twice }), true));
    expect(withTwice.subsystems[0]?.id).toBe("utils");
    expect(withTwice.reasons).toContain("`urlize` is defined in `django/utils/html.py` → utils");
  });

  it.each<WordCase>([
    {
      rule: "a plain word naming a source file, not a test's, nor one inside a compound",
      title: "Fixed autodetector crash for proxy models",
      source: { "django/db/migrations/autodetector.py": "" },
      reason: "`autodetector` is defined in `django/db/migrations/autodetector.py` → orm",
      nothing: [
        { files: { "tests/migrations/autodetector.py": "" } },
        { files: { "django/db/migrations/autodetector.py": "" }, title: "Fixed autodetector-like crash for proxies" },
      ],
    },
    {
      rule: "a capitalised word naming a class the code defines, not a test fixture nor a function",
      title: "Allowed customizing Query's classes",
      source: { "django/db/models/sql/query.py": "class Query(BaseExpression):\n    pass\n" },
      reason: "`Query` is defined in `django/db/models/sql/query.py` → orm",
      nothing: [
        { files: { "tests/queries/models.py": "class Query(models.Model):\n    pass\n" } },
        { files: { "django/db/models/sql/query.py": "def Query():\n    pass\n" } },
      ],
    },
    {
      rule: "a one-letter class written as code, not a test's nor said as a letter",
      title: "Added Q.check() hook",
      source: { "django/db/models/query_utils.py": "class Q(tree.Node):\n    pass\n" },
      reason: "`Q` is defined in `django/db/models/query_utils.py` → orm",
      nothing: [
        { files: { "tests/queries/models.py": "class Q(models.Model):\n    pass\n" } },
        { files: { "django/db/models/query_utils.py": "class Q(tree.Node):\n    pass\n" }, title: "Added Q hook" },
      ],
    },
    {
      rule: "an acronym naming a folder, not a file",
      title: "Fixed SQL for proxies",
      source: Object.fromEntries(["compiler", "query", "where"].map((f) => [`django/db/models/sql/${f}.py`, ""])),
      reason: '"sql" names the folder `django/db/models/sql/` → orm',
      nothing: [{ files: { "django/db/models/sql.py": "", "django/db/backends/sql.py": "" } }],
    },
    {
      rule: "a word one subsystem's docs use five times and at half the rate of all, not a test's nor a vendored package's",
      title: "Fixed quokka handling for proxies",
      source: docsPages({ "docs/topics/db/queries.txt": 5, "docs/topics/cache.txt": 1 }),
      reason: '"quokka" is a word of the orm docs (`docs/topics/db/queries.txt`)',
      nothing: [
        { files: docsPages({ "docs/topics/db/queries.txt": 4 }) },
        {
          files: docsPages({
            "docs/topics/db/queries.txt": 5,
            "docs/topics/cache.txt": 5,
            "docs/topics/templates.txt": 5,
          }),
        },
        { files: docsPages({ "tests/model_fields/docs/queries.txt": 9 }) },
        { files: docsPages({ "django/db/models/vendor/docs/queries.txt": 9 }) },
      ],
    },
  ])("counts $rule", async ({ title, source, reason, nothing }) => {
    const item = { kind: "issue" as const, title, body: "" };
    const read = await classifyWith(item, { ...FILES, ...source });
    expect(read.subsystems[0]?.id).toBe("orm");
    expect(read.reasons).toContain(reason);
    for (const other of nothing) {
      const otherItem = { ...item, title: other.title ?? title };
      expect((await classifyWith(otherItem, { ...FILES, ...other.files })).subsystems).toEqual([]);
    }
  });

  it("reads the code in docs pages: inline spans and literal blocks, not a note's prose", () => {
    const page = [
      "Use ``asgiref.sync.iscoroutinefunction`` or :func:`~django.utils.quux`.",
      "",
      ".. note::",
      "",
      "    Prose in a note names quokkafunc.",
      "",
      "An example::",
      "",
      "    if iscoroutinefunction(get_response):",
      "        pass",
      "",
      "After the block, wombatfunc.",
      "```python",
      "numbat_call()",
      "```",
    ].join("\n");
    const code = docsCode(page).join("\n");
    expect(code).toContain("asgiref.sync.iscoroutinefunction");
    expect(code).toContain("~django.utils.quux");
    expect(code).toContain("if iscoroutinefunction(get_response):");
    expect(code).toContain("        pass");
    expect(code).toContain("numbat_call()");
    expect(code).not.toContain("quokkafunc");
    expect(code).not.toContain("wombatfunc");
  });

  it("in a docs change, places a name the code does not define by the docs that write it as code", async () => {
    const page = (uses: number) =>
      "Check it with ``asgiref.sync.iscoroutinefunction``.\n\nAn example::\n\n" +
      "    iscoroutinefunction(f)\n".repeat(uses - 1) +
      "\nDone.\n";
    const middlewareDocs = { "docs/topics/http/middleware.txt": page(3) };
    const item = {
      kind: "issue" as const,
      title: "Removed obsolete doc reference to asyncio.iscoroutinefunction.",
      body: "",
    };
    expect(classify(compiled, item).subsystems[0]?.id).toBe("utils"); // the preset's cue, without an index
    const read = await classifyWith(item, { ...FILES, ...middlewareDocs });
    expect(read.subsystems.map((s) => s.id)).toEqual(["middleware"]);
    expect(read.isAsync).toBe(true); // the cue keeps its async sense
    expect(read.reasons).toContain(
      "`iscoroutinefunction` is code in the middleware docs (`docs/topics/http/middleware.txt`), not in the code",
    );
    const primary = async (title: string, files: Record<string, string>) =>
      (await classifyWith({ ...item, title }, { ...FILES, ...files })).subsystems[0]?.id;
    // Served from Redis, the index answers only the names the text asks for: this one among them.
    const index = await buildIndex({ ...FILES, ...middlewareDocs });
    const asked = new Map(
      lookupNames([item.title]).flatMap((name) => {
        const entry = index.names.get(name);
        return entry === undefined ? [] : [[name, entry] as const];
      }),
    );
    const served = classify(compiled, item, codeEvidence({ meta: index.meta, names: asked }, true));
    expect(served.subsystems.map((s) => s.id)).toEqual(["middleware"]);
    // Not a docs change: the cue decides.
    expect(await primary("Removed obsolete reference to asyncio.iscoroutinefunction.", middlewareDocs)).toBe("utils");
    // The code defines it: the definition, not the docs, says where it lives.
    const defined = { ...middlewareDocs, "django/utils/asyncio.py": "def iscoroutinefunction(f):\n    pass\n" };
    expect(await primary(item.title, defined)).toBe("utils");
    // One use is an example's; uses shared evenly with another subsystem's docs place it nowhere.
    expect(await primary(item.title, { "docs/topics/http/middleware.txt": page(1) })).toBe("utils");
    const shared = { ...middlewareDocs, "docs/topics/http/views.txt": page(3) };
    expect(await primary(item.title, shared)).toBe("utils");
    // A docs change naming such a name that no cue lists is placed the same way.
    const plain = { "docs/topics/http/middleware.txt": page(3).replace(/iscoroutinefunction/g, "quokka_check") };
    expect(await primary("Doc'd asyncio.quokka_check() behavior.", plain)).toBe("middleware");
    expect(await primary("Fixed asyncio.quokka_check() behavior.", plain)).toBe("handlers"); // async work's fallback
  });

  it("places a name where the code defines it, over a pattern cue of another subsystem", async () => {
    const item = { kind: "issue" as const, title: "Added async version of RemoteUserMiddleware", body: "" };
    expect(classify(compiled, item).subsystems[0]?.id).toBe("middleware"); // `*Middleware`, without an index
    const read = await classifyWith(item);
    expect(read.subsystems[0]?.id).toBe("auth");
    expect(read.subsystems.map((s) => s.id)).not.toContain("middleware");
    expect(read.reasons).toContain("`RemoteUserMiddleware` is defined in `django/contrib/auth/middleware.py` → auth");
    // A pattern cue still speaks for a name the code defines in its own subsystem.
    const own = { ...FILES, "django/middleware/csrf.py": "class CsrfViewMiddleware:\n    pass\n" };
    const csrf = await classifyWith({ ...item, title: "Added async version of CsrfViewMiddleware" }, own);
    expect(csrf.subsystems[0]?.id).toBe("middleware");
    expect(csrf.reasons).toContain("title mentions `CsrfViewMiddleware` (middleware)");
  });

  it("points a language at where the repository keeps its files, vendored ones too, not tests'", async () => {
    const item = { kind: "issue" as const, title: "Fixed JavaScript linter violations", body: "" };
    const admin = { "django/contrib/admin/static/admin/js/actions.js": "function f() {}\n" };
    const read = await classifyWith(item, admin);
    expect(read.subsystems[0]?.id).toBe("admin");
    expect(read.reasons).toContain("`.js` files are kept in `django/contrib/admin/static/admin/js/` → admin");
    const vendored = { "django/contrib/admin/static/admin/js/vendor/jquery/jquery.js": "" };
    expect((await classifyWith(item, vendored)).subsystems[0]?.id).toBe("admin");
    const fixtures = Object.fromEntries(["a", "b", "c"].map((f) => [`tests/admin_views/static/${f}.js`, ""]));
    expect((await classifyWith(item, fixtures)).subsystems).toEqual([]);
    // Written as code, the word is a name, not the language.
    expect(mentions("Used JS and response.css()").map((m) => m.name)).toEqual(["response", "css", ".js"]);
    expect(isTestPath("tests/staticfiles_tests/project/a.css")).toBe(true);
  });

  it("reads a code name in the plural as its singular, and says the singular", async () => {
    const item = { kind: "issue" as const, title: "Chained RemoteUserMiddlewares", body: "" };
    const read = await classifyWith(item);
    expect(read.subsystems[0]?.id).toBe("auth");
    expect(read.reasons).toContain("`RemoteUserMiddleware` is defined in `django/contrib/auth/middleware.py` → auth");
    // A plural the code defines itself is its own name; an undefined singular is no evidence.
    const defined = { ...FILES, "django/forms/formsets.py": "class RemoteUserMiddlewares:\n    pass\n" };
    const own = await classifyWith(item, defined);
    expect(own.reasons).toContain("`RemoteUserMiddlewares` is defined in `django/forms/formsets.py` → forms");
    const none = await classifyWith({ ...item, title: "Fixed ordering of HelperFunctions" });
    expect(none.subsystems).toEqual([]);
  });

  it("reads a product's name in its own capitals as the code's folder of that name", async () => {
    const folder = (root: string, n: number) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`${root}/m${i}.py`, `def f${i}():\n    pass\n`]));
    const item = { kind: "issue" as const, title: "Dropped support for SpatiaLite 4.0", body: "" };
    const read = await classifyWith(item, folder("django/contrib/gis/db/backends/spatialite", 3));
    expect(read.subsystems.map((s) => s.id)).toEqual(["contrib-other"]);
    expect(read.reasons).toContain(
      '"SpatiaLite" names the folder `django/contrib/gis/db/backends/spatialite/` → contrib-other',
    );
    // A corner of the code (two files), or a test's folder, is no product's home.
    expect((await classifyWith(item, folder("django/contrib/gis/db/backends/spatialite", 2))).subsystems).toEqual([]);
    expect((await classifyWith(item, folder("tests/gis_tests/spatialite", 3))).subsystems).toEqual([]);
  });

  it("places a class the index has not seen by the class its name ends with, the longest first", async () => {
    const code = {
      "django/forms/boundfield.py": "class BoundWidget:\n    pass\n",
      "django/template/widget.py": "class Widget:\n    pass\n",
      "django/core/checks/messages.py": "class Warning:\n    pass\n",
    };
    const item = { kind: "issue" as const, title: "Deprecated QuokkaBoundWidget", body: "" };
    const read = await classifyWith(item, code);
    expect(read.subsystems.map((s) => s.id)).toEqual(["forms"]);
    expect(read.reasons).toContain(
      "`QuokkaBoundWidget` is named like `BoundWidget` (defined in `django/forms/boundfield.py`) → forms",
    );
    expect(lookupNames(["Deprecated QuokkaBoundWidget"])).toEqual([
      "QuokkaBoundWidget",
      "`QuokkaBoundWidget",
      "BoundWidget",
      "Widget",
      "quokkaboundwidget",
      "quokkaboundwidgets",
    ]);
    // A name the index defines is its own; an exception is the language's, whatever the repo's
    // `Warning`; a class only a test defines is a fixture.
    const own = { ...code, "django/core/cache/quokka.py": "class QuokkaBoundWidget:\n    pass\n" };
    expect((await classifyWith(item, own)).subsystems.map((s) => s.id)).toEqual(["cache"]);
    expect((await classifyWith({ ...item, title: "Silenced QuokkaWarning" }, code)).subsystems).toEqual([]);
    const fixture = { "tests/forms_tests/widgets.py": "class BoundWidget:\n    pass\n" };
    expect((await classifyWith(item, fixture)).subsystems).toEqual([]);
  });

  it("places a name the code only sets or passes where it does so, at half a definition's weight", async () => {
    const code = {
      "django/contrib/admin/options.py": "class ModelAdmin:\n    radio_fields = {}\n",
      "django/contrib/admin/helpers.py": "class Fieldset:\n    def __init__(self, radio_fields=None):\n        pass\n",
    };
    const item = { kind: "issue" as const, title: "Allowed lists in radio_fields", body: "" };
    const read = await classifyWith(item, code);
    expect(read.subsystems.map((s) => s.id)).toEqual(["admin"]);
    expect(read.reasons).toContain("`radio_fields` is set in `django/contrib/admin/helpers.py` → admin");
    // A definition wins over where a name is set: only names nothing defines are kept so.
    const defined = { ...code, "django/forms/widgets.py": "def radio_fields():\n    pass\n" };
    const own = await classifyWith(item, defined);
    expect(own.reasons).toContain("`radio_fields` is defined in `django/forms/widgets.py` → forms");
    expect(own.subsystems.map((s) => s.id)).toEqual(["forms"]);
    // Half a definition: a defined name outweighs a set one, even named second.
    const two = { ...code, "django/forms/widgets.py": "def quokka_level():\n    pass\n" };
    const mixed = await classifyWith({ ...item, title: "Moved radio_fields to quokka_level" }, two);
    expect(mixed.subsystems.map((s) => s.id)).toEqual(["forms", "admin"]);
  });

  it("reads aX as async work when the code names twins so, and only written as code", async () => {
    const index = await buildIndex();
    const title = "Add aget_object_or_404() to the shortcuts";
    expect(classify(compiled, { kind: "issue", title, body: "" }).isAsync).toBe(false);
    const twin = classify(compiled, { kind: "issue", title, body: "" }, codeEvidence(index, true));
    expect(twin.isAsync).toBe(true);
    expect(twin.reasons[0]).toBe(
      "`aget_object_or_404` is the async twin of `get_object_or_404` (defined in `django/shortcuts.py`)",
    );
    // The config switch, and a repository without the habit, turn it off.
    expect(classify(compiled, { kind: "issue", title, body: "" }, codeEvidence(index, false)).isAsync).toBe(false);
    const habitless = { ...index, meta: { ...index.meta, twins: 1 } };
    expect(classify(compiled, { kind: "issue", title, body: "" }, codeEvidence(habitless, true)).isAsync).toBe(false);
  });
});

describe("the index file and the command line", () => {
  it("writes and reads the index, and classifies and backtests with it", async () => {
    const tarball = makeTarball(FILES);
    onTestFinished(() => removeTarball(tarball));
    const out = join(dirname(tarball), "index.jsonl");
    const err: string[] = [];
    const code = await main(
      ["index", "--tarball", tarball, "--out", out],
      input(),
      { write: () => 0 },
      {
        write: (s: string) => err.push(s),
      },
    );
    expect(code).toBe(0);
    expect(err.join("")).toMatch(/^index: \d+ names from \d+ files \(\d+ skipped\) at c179ad9/);
    const index = await readIndexFile(out);
    expect(index.names.get("sensitive_variables")?.s).toEqual({ "views-http": 1 });
    const line = JSON.stringify({ id: "1", kind: "issue", title: "Make @sensitive_variables async", body: "" });
    const classified = async (args: string[]) => {
      const lines: string[] = [];
      expect(await main(args, input(`${line}\n`), { write: (s: string) => lines.push(s) }, { write: () => 0 })).toBe(0);
      return JSON.parse(lines.join("")) as { subsystems: string[] };
    };
    expect((await classified(["classify", "--index", out])).subsystems[0]).toBe("views-http");
    expect((await classified(["classify", "--tarball", tarball])).subsystems[0]).toBe("views-http");
    const usage: string[] = [];
    expect(
      await main(["index", "--tarball", tarball], input(), { write: () => 0 }, { write: (s: string) => usage.push(s) }),
    ).toBe(2);
    expect(usage.join("")).toContain("index needs --tarball FILE and --out FILE");
    const again = join(dirname(tarball), "again.jsonl");
    expect(await writeIndexFile(again, index)).toBeGreaterThan(100);
    // An index of an older format is still read; one of an unknown format is refused by name.
    const [first = "", ...rest] = readFileSync(again, "utf8").split("\n");
    const withVersion = (version: number) => {
      const meta = JSON.parse(first) as { meta: Record<string, unknown> };
      writeFileSync(again, [JSON.stringify({ meta: { ...meta.meta, version } }), ...rest].join("\n"));
    };
    withVersion(2);
    expect((await readIndexFile(again)).names.get("sensitive_variables")?.s).toEqual({ "views-http": 1 });
    withVersion(9);
    await expect(readIndexFile(again)).rejects.toThrow("not a Shepherd code index (version 1, 2, 3, 4, 5)");
  });
});

describe("the index in Redis", () => {
  const redis = new Redis(process.env.SHEPHERD_TEST_REDIS_URL ?? "redis://127.0.0.1:6379", { maxRetriesPerRequest: 1 });
  afterAll(() => redis.quit());

  it("replaces the index whole, looks names up in one call, and keeps its meta", async () => {
    const keys = createKeys(`shepherd-test-${randomBytes(4).toString("hex")}`);
    const store = createCodeIndexStore(redis, keys);
    const index = await buildIndex();
    const meta = await store.save(7, index, 1000);
    expect(meta).toMatchObject({ sha: "c179ad9", names: index.names.size, builtAt: 1000 });
    expect(await store.meta(7)).toEqual(meta);
    const found = await store.lookup(7, ["RemoteUserMiddleware", "nothing_like_it"]);
    expect([...found.keys()]).toEqual(["RemoteUserMiddleware"]);
    // A smaller build replaces every field: nothing of the old one is left behind.
    const smaller = createIndexBuilder({ subsystemOf: () => "auth", globs: "g", maxFileBytes: 1000 });
    smaller.add("django/x.py", "def only_this():\n  pass\n");
    await store.save(7, smaller.finish("abc1234"), 2000);
    expect((await store.lookup(7, ["RemoteUserMiddleware", "only_this"])).size).toBe(1);
    expect((await store.meta(7))?.sha).toBe("abc1234");
    // Over the byte budget: refused, and the stored index stays as it was.
    expect(await store.save(7, index, 3000, 100)).toBeNull();
    expect((await store.meta(7))?.sha).toBe("abc1234");
    expect((await store.lookup(7, ["only_this", "RemoteUserMiddleware"])).size).toBe(1);
    expect(await redis.keys(`${keys.codeIndex(7)}:building:*`)).toEqual([]);
    await redis.del(keys.codeIndex(7), keys.codeIndexMeta(7));
  });
});
