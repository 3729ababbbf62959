import { describe, expect, it } from "vitest";
import { djangoAsyncPreset } from "../../src/config/presets/django-async.js";
import { classify, compileModel, subsystemOfPath } from "../../src/domain/classifier.js";
import type { ChangedFile, ClassifierModel, ClassifyInput } from "../../src/domain/model.js";

const compiled = compileModel(djangoAsyncPreset);

function issue(title: string, body = ""): ClassifyInput {
  return { kind: "issue", title, body };
}

function pr(title: string, files: Array<string | ChangedFile>, body = ""): ClassifyInput {
  return {
    kind: "pr",
    title,
    body,
    files: files.map((f) => (typeof f === "string" ? { filename: f, additions: 0, deletions: 0 } : f)),
  };
}

describe("django-async preset", () => {
  it("has the DEP 0009 subsystems in order", () => {
    expect(djangoAsyncPreset.subsystems.map((s) => s.id)).toEqual([
      "orm",
      "handlers",
      "middleware",
      "sessions",
      "auth",
      "forms",
      "cache",
      "templates",
      "views-http",
      "signals",
      "test-client",
      "mail",
      "staticfiles",
      "management",
      "admin",
      "urls",
      "paginator",
      "utils",
      "core-other",
      "contrib-other",
    ]);
  });

  it("covers every subsystem by exactly one roadmap version", () => {
    for (const s of djangoAsyncPreset.subsystems) {
      const versions = djangoAsyncPreset.roadmap.filter((v) => v.subsystems.includes(s.id));
      expect(
        versions.map((v) => v.version),
        s.id,
      ).toHaveLength(1);
    }
    expect(djangoAsyncPreset.roadmap.map((v) => v.version)).toEqual(["2.2", "3.0", "3.1", "3.2"]);
  });

  it("gives every subsystem paths, cues and a description", () => {
    for (const s of djangoAsyncPreset.subsystems) {
      expect(s.paths.length, s.id).toBeGreaterThan(0);
      expect(s.cues.length, s.id).toBeGreaterThan(0);
      expect(s.description.length, s.id).toBeGreaterThan(10);
    }
  });
});

describe("classify: issue text", () => {
  // Phrased the way Django tickets are, including areas the dev set barely covers.
  const cases: Array<{ title: string; body?: string; primary: string; isAsync: boolean }> = [
    { title: "Add asend_mail() so email can be sent from async views", primary: "mail", isAsync: true },
    {
      title: "send_mail() blocks the event loop when used with the SMTP backend under ASGI",
      body: "EmailMessage.send() should have an async counterpart.",
      primary: "mail",
      isAsync: true,
    },
    { title: "Add AsyncPaginator and AsyncPage for paginating async QuerySets", primary: "paginator", isAsync: true },
    {
      title: "Paginator.page() raises SynchronousOnlyOperation when called from an async view",
      body: "Paginator.count calls QuerySet.count() synchronously.",
      primary: "paginator",
      isAsync: true,
    },
    {
      title: "StaticFilesHandler doesn't serve files under ASGI when STATIC_URL is absolute",
      primary: "staticfiles",
      isAsync: true,
    },
    {
      title: "Allow BaseCommand.handle() to be a coroutine",
      body: "call_command() would run it with async_to_sync.",
      primary: "management",
      isAsync: true,
    },
    {
      title: "ModelAdmin changelist can't be rendered from an async admin view",
      body: "The admin site calls get_queryset() synchronously.",
      primary: "admin",
      isAsync: true,
    },
    { title: "Support async rendering in Template.render() and RequestContext", primary: "templates", isAsync: true },
    { title: "Signal.asend() should run sync receivers through sync_to_async", primary: "signals", isAsync: true },
    { title: "Added async interface to SessionBase and session backends", primary: "sessions", isAsync: true },
    {
      title: "Added async methods to BaseCache",
      body: "cache.aget() and cache.aset() fall back to sync_to_async.",
      primary: "cache",
      isAsync: true,
    },
    { title: "Added aauthenticate() and alogin() to django.contrib.auth", primary: "auth", isAsync: true },
    { title: "QuerySet.aiterator() ignores prefetch_related()", primary: "orm", isAsync: true },
    { title: "ASGIHandler doesn't close the request body on http.disconnect", primary: "handlers", isAsync: true },
    { title: "AsyncClient.get() ignores the headers argument", primary: "test-client", isAsync: true },
    {
      title: "CsrfViewMiddleware should be async-capable",
      body: "Set sync_capable and async_capable like MiddlewareMixin does.",
      primary: "middleware",
      isAsync: true,
    },
    {
      title: "URLResolver.resolve() is called synchronously for async views",
      body: "reverse() and re_path patterns should work with coroutine views.",
      primary: "urls",
      isAsync: true,
    },
    { title: "Form.is_valid() cannot be awaited in async code", primary: "forms", isAsync: true },
    { title: "Added async support to sitemaps and the syndication framework", primary: "contrib-other", isAsync: true },
    { title: "async_unsafe raises SynchronousOnlyOperation inside Jupyter notebooks", primary: "utils", isAsync: true },
    // A name with an async word among its parts is async work.
    { title: "Set async_capable on LocaleMiddleware", primary: "middleware", isAsync: true },
    // Python's own async protocol names the async work.
    { title: "StreamingHttpResponse does not call aclose() on its iterator", primary: "views-http", isAsync: true },
    {
      title: "Fixed crash of QuerySet.bulk_create() with mixed empty ForeignKeys on Oracle",
      primary: "orm",
      isAsync: false,
    },
    { title: "Fixed width of DateTimeField inputs in admin tabular inline", primary: "admin", isAsync: false },
    { title: "Doc'd backslash escaping in date/time template filters", primary: "templates", isAsync: false },
    { title: "Made {% regroup %} return a namedtuple", primary: "templates", isAsync: false },
  ];

  it.each(cases)("$title → $primary (async: $isAsync)", ({ title, body, primary, isAsync }) => {
    const c = classify(compiled, issue(title, body ?? ""));
    expect(c.subsystems[0]?.id).toBe(primary);
    expect(c.isAsync).toBe(isAsync);
  });

  it("prefers identifiers over plain words", () => {
    // "views" is a plain word for views-http; `AsyncRequestFactory` names the test client.
    const c = classify(compiled, issue("AsyncRequestFactory builds wrong scopes for views"));
    expect(c.subsystems[0]?.id).toBe("test-client");
  });

  it("takes what the title names first as its subject, by a little", () => {
    // A phrase for the check framework, then a utils identifier: the check is the subject.
    const check = classify(compiled, issue("Added deployment system check for DJANGO_ALLOW_ASYNC_UNSAFE"));
    expect(check.subsystems.map((s) => s.id).slice(0, 2)).toEqual(["core-other", "utils"]);
    // The same two, the other way round.
    const setting = classify(compiled, issue("DJANGO_ALLOW_ASYNC_UNSAFE is missing from the deployment system check"));
    expect(setting.subsystems[0]?.id).toBe("utils");
    // A little: two identifiers later in the title still outweigh one word named first.
    const many = classify(compiled, issue("Views: make AsyncClient and AsyncRequestFactory agree"));
    expect(many.subsystems[0]?.id).toBe("test-client");
  });

  it("knows the ORM by its database vocabulary", () => {
    for (const title of [
      "Fixed crash of Subquery annotation on SQLite",
      "Made the exact lookup respect collations on PostgreSQL",
      "Squashed migration loses a CheckConstraint",
    ]) {
      expect(classify(compiled, issue(title)).subsystems[0]?.id, title).toBe("orm");
    }
  });

  it("reads nothing into a sentence of thanks", () => {
    const thanks = "Thanks Jane Doe for the report and the QuerySet patch\nand John for the review.";
    expect(classify(compiled, issue("Fixed a crash", thanks)).subsystems).toEqual([]);
    const more = classify(compiled, issue("Fixed a crash", `In SessionBase. ${thanks} Also in SessionBase.`));
    expect(more.subsystems.map((s) => s.id)).toEqual(["sessions"]);
  });

  it("prefers the title over the body", () => {
    const c = classify(
      compiled,
      issue("QuerySet.acount() hits the database twice", "Found while testing StreamingHttpResponse."),
    );
    expect(c.subsystems[0]?.id).toBe("orm");
  });

  it("credits the class rather than the method in Class.method references", () => {
    const c = classify(compiled, issue("Added ASGIStaticFilesHandler.get_response_async()."));
    expect(c.subsystems[0]?.id).toBe("staticfiles");
  });

  it("detects async work from a-prefixed ORM methods alone", () => {
    const c = classify(compiled, issue("Fixed acreate() and aget_or_create() for related managers"));
    expect(c.isAsync).toBe(true);
    expect(c.subsystems[0]?.id).toBe("orm");
  });

  it("does not take ordinary English for async cues", () => {
    const c = classify(
      compiled,
      issue("Tickets awaiting review should be sorted by date", "The synchronization docs are out of date."),
    );
    expect(c.isAsync).toBe(false);
  });

  it("falls back to the model's fallback subsystem with low confidence for bare async work", () => {
    const c = classify(compiled, issue("Fixed unawaited coroutine warning on Python 3.8"));
    expect(c.isAsync).toBe(true);
    expect(c.subsystems.map((s) => s.id)).toEqual(["handlers"]);
    expect(c.confidence).toBeLessThan(0.5);
  });

  it("gives no subsystem to non-async items without evidence", () => {
    const c = classify(compiled, issue("Added stub release notes for 4.0.5"));
    expect(c.isAsync).toBe(false);
    expect(c.subsystems).toEqual([]);
    expect(c.roadmap).toBeNull();
  });
});

describe("classify: pull request paths", () => {
  it.each([
    { files: ["django/db/models/query.py", "tests/async/test_async_queryset.py"], primary: "orm" },
    { files: ["django/core/handlers/asgi.py"], primary: "handlers" },
    { files: ["django/contrib/auth/__init__.py", "django/contrib/auth/base_user.py"], primary: "auth" },
    { files: ["django/middleware/cache.py"], primary: "middleware" }, // not cache: the middleware owns it
    { files: ["django/views/decorators/cache.py"], primary: "views-http" },
    { files: ["django/contrib/staticfiles/handlers.py"], primary: "staticfiles" }, // not contrib-other
    { files: ["django/contrib/sitemaps/views.py"], primary: "contrib-other" },
    { files: ["django/core/mail/message.py", "docs/topics/email.txt"], primary: "mail" },
    { files: ["django/core/paginator.py", "tests/pagination/tests.py"], primary: "paginator" },
    { files: ["django/core/management/base.py"], primary: "management" },
    { files: ["django/contrib/admin/options.py"], primary: "admin" },
    { files: ["django/dispatch/dispatcher.py"], primary: "signals" },
    {
      files: ["django/test/client.py", "django/core/handlers/asgi.py", "django/test/testcases.py"],
      primary: "test-client",
    },
    { files: ["tests/staticfiles_tests/test_handlers.py"], primary: "staticfiles" }, // tests only
    { files: ["docs/topics/http/middleware.txt"], primary: "middleware" }, // docs only
  ])("$files → $primary", ({ files, primary }) => {
    const c = classify(compiled, pr("Refs #123 -- Made it work.", files));
    expect(c.subsystems[0]?.id).toBe(primary);
  });

  it("weighs source files above tests and tests above docs", () => {
    const files = [
      "django/core/cache/backends/base.py",
      "tests/test_client/tests.py",
      "tests/test_client/views.py",
      "docs/topics/testing/tools.txt",
    ];
    expect(classify(compiled, pr("Fix", files)).subsystems[0]?.id).toBe("cache");
    const testsAndDocs = ["tests/cache/tests.py", "docs/topics/testing/tools.txt", "docs/topics/testing/advanced.txt"];
    expect(classify(compiled, pr("Fix", testsAndDocs)).subsystems[0]?.id).toBe("cache");
  });

  it("weights files by lines changed when counts are known", () => {
    const big = { filename: "django/db/models/query.py", additions: 250, deletions: 40 };
    const small = { filename: "django/core/cache/backends/base.py", additions: 1, deletions: 1 };
    expect(classify(compiled, pr("Fix", [small, big])).subsystems[0]?.id).toBe("orm");
    const bigCache = { ...small, additions: 250 };
    const smallOrm = { ...big, additions: 1, deletions: 0 };
    expect(classify(compiled, pr("Fix", [smallOrm, bigCache])).subsystems[0]?.id).toBe("cache");
  });

  it("lets paths outvote the title", () => {
    const c = classify(
      compiled,
      pr("Added async support to AsyncClient", ["django/http/response.py", "django/views/generic/base.py"]),
    );
    expect(c.subsystems[0]?.id).toBe("views-http");
  });

  it("uses the title to break a tie between paths", () => {
    const files = ["django/core/handlers/base.py", "django/test/client.py"];
    expect(classify(compiled, pr("Fixed AsyncRequestFactory headers", files)).subsystems[0]?.id).toBe("test-client");
    expect(classify(compiled, pr("Fixed ASGIHandler body handling", files)).subsystems[0]?.id).toBe("handlers");
  });

  it("detects async work from changed paths and patches", () => {
    expect(classify(compiled, pr("Fixed ResourceWarning", ["tests/asgi/tests.py"])).isAsync).toBe(true);
    expect(classify(compiled, pr("Fixed test isolation", ["tests/async_queryset/tests.py"])).isAsync).toBe(true);
    const patched = {
      filename: "django/core/paginator.py",
      additions: 5,
      deletions: 0,
      patch: "@@ -1,3 +1,8 @@\n+    async def aget_page(self, number):",
    };
    expect(classify(compiled, pr("Added Paginator.aget_page()", [patched])).isAsync).toBe(true);
    const plain = { ...patched, patch: "@@ -1,3 +1,4 @@\n+    def get_page(self, number):" };
    expect(classify(compiled, pr("Optimized Paginator.get_page()", [plain])).isAsync).toBe(false);
  });

  it("does not call a sweep async for one async file among many", () => {
    const sweep = Array.from({ length: 9 }, (_, i) => `docs/ref/page${i}.txt`);
    const annotations = "Removed versionadded annotations for 3.1";
    expect(classify(compiled, pr(annotations, [...sweep, "docs/topics/async.txt"])).isAsync).toBe(false);
    const part = [...sweep.slice(0, 6), "docs/topics/async.txt", "django/core/handlers/asgi.py"];
    expect(classify(compiled, pr(annotations, part)).isAsync).toBe(true);
    const reformat = (patch: string) => ({ filename: "django/core/paginator.py", additions: 1, deletions: 1, patch });
    const plain = Array.from({ length: 9 }, (_, i) => ({ ...reformat("+    x = 1"), filename: `django/db/m${i}.py` }));
    const oneAsync = [...plain, reformat("+    async def aget_page(self, number):")];
    expect(classify(compiled, pr("Reformatted code", oneAsync)).isAsync).toBe(false);
    expect(classify(compiled, pr("Reformatted code", [...plain.slice(0, 2), ...oneAsync.slice(-1)])).isAsync).toBe(
      true,
    );
  });

  it("explains path evidence with counts", () => {
    const c = classify(
      compiled,
      pr("Fix", [
        { filename: "django/db/models/query.py", additions: 100, deletions: 20 },
        { filename: "django/db/models/base.py", additions: 0, deletions: 0 },
      ]),
    );
    expect(c.reasons).toContain("2 changed files under django/db/** (orm, 120 lines)");
  });

  it("names what decided the primary subsystem: the heaviest file, or the first word", () => {
    const files = pr("Fix", [
      { filename: "django/db/models/base.py", additions: 2, deletions: 0 },
      { filename: "django/db/models/query.py", additions: 100, deletions: 20 },
    ]);
    expect(classify(compiled, files).decidedBy).toEqual({ kind: "path", text: "django/db/models/query.py" });
    const text = classify(compiled, { kind: "issue", title: "Async QuerySet.aget()", body: "" });
    expect(text.decidedBy).toEqual({ kind: "word", text: "QuerySet" });
    expect(classify(compiled, { kind: "issue", title: "Typo in docs", body: "" }).decidedBy).toBeUndefined();
  });

  it("normalises and orders scores", () => {
    const c = classify(
      compiled,
      pr("Fix", ["django/db/models/query.py", "django/db/models/base.py", "django/core/cache/__init__.py"]),
    );
    expect(c.subsystems.map((s) => s.id)).toEqual(["orm", "cache"]);
    const sum = c.subsystems.reduce((a, s) => a + s.score, 0);
    expect(sum).toBeCloseTo(1, 2);
    expect(c.subsystems[0]?.score ?? 0).toBeGreaterThan(c.subsystems[1]?.score ?? 1);
  });
});

describe("classify: roadmap", () => {
  it("uses an explicit milestone first", () => {
    const c = classify(compiled, { ...issue("QuerySet.aget() is slow in Django 3.0"), milestone: "3.1" });
    expect(c.roadmap).toBe("3.1");
    expect(classify(compiled, { ...issue("QuerySet.aget() is slow"), milestone: "Django 3.2" }).roadmap).toBe("3.2");
  });

  it("uses a version mentioned in the text over the subsystem's version", () => {
    expect(classify(compiled, issue("Make QuerySet async-compatible in Django 3.1")).roadmap).toBe("3.1");
    expect(classify(compiled, issue("Target AsyncClient for 3.2")).roadmap).toBe("3.2");
  });

  it("ignores versions that are not on the roadmap and version-like numbers", () => {
    expect(classify(compiled, issue("Make QuerySet async-compatible in Django 4.0")).roadmap).toBe("2.2");
    expect(classify(compiled, issue("Pinned asgiref in 3.2.5 for ASGIHandler")).roadmap).toBe("3.0");
    expect(classify(compiled, { ...issue("ASGIHandler leak"), milestone: "3.10" }).roadmap).toBe("3.0");
  });

  it("falls back to the version covering the primary subsystem", () => {
    expect(classify(compiled, issue("Add async rendering to Template")).roadmap).toBe("3.1");
    expect(classify(compiled, issue("Add async support to StreamingHttpResponse")).roadmap).toBe("2.2");
  });
});

describe("classify: confidence", () => {
  it("is well above 0.5 for clear cases", () => {
    expect(classify(compiled, issue("Added async-compatible interface to QuerySet.")).confidence).toBeGreaterThan(0.6);
    const c = classify(
      compiled,
      pr("Added async methods to BaseCache.", ["django/core/cache/backends/base.py", "tests/cache/tests_async.py"]),
    );
    expect(c.confidence).toBeGreaterThan(0.7);
  });

  it("is below 0.5 when the evidence is thin or split", () => {
    expect(classify(compiled, issue("Skipped async-related tests on Windows")).confidence).toBeLessThan(0.5);
    const split = classify(
      compiled,
      pr("Refactor", ["django/db/models/query.py", "django/core/cache/__init__.py", "django/test/client.py"]),
    );
    expect(split.confidence).toBeLessThan(0.5);
    expect(classify(compiled, issue("Fixed typo", "Seen with an async view.")).confidence).toBeLessThan(0.5);
  });

  it("stays within 0..1", () => {
    const c = classify(compiled, issue("QuerySet ".repeat(5000), "ASGIHandler ".repeat(5000)));
    expect(c.confidence).toBeGreaterThanOrEqual(0);
    expect(c.confidence).toBeLessThanOrEqual(1);
  });
});

describe("classify: robustness", () => {
  const weird: ClassifyInput[] = [
    issue(""),
    issue("", ""),
    issue("\u0000\uffff\ud800", "\udc00 lone surrogates \ud83d"),
    issue("😀 ünïcödé QuerySet 🚀 ASGI", "日本語のテキスト async"),
    issue("(.*+?^${}()|[]\\ regex metacharacters", "**/ ** ? [ ]"),
    issue("a".repeat(1_000_000), "async ".repeat(200_000)),
    issue("QuerySet.".repeat(50_000), "..........".repeat(10_000)),
    pr("", []),
    pr("x", ["", "/", "//", "django/", "../../etc/passwd", "tests/**", "[", "日本/ファイル.py"]),
    pr("x", [{ filename: "django/db/x.py", additions: Number.NaN, deletions: -5, patch: "" }]),
    { kind: "pr", title: "x", body: "y", files: null as unknown as ChangedFile[] },
    {
      kind: "pr",
      title: 42 as unknown as string,
      body: undefined as unknown as string,
      files: [42, null, {}] as unknown as ChangedFile[],
    },
    { kind: "issue", title: "x", body: "y", milestone: "" },
    { kind: "issue", title: "x", body: "y", milestone: "(((" },
    null as unknown as ClassifyInput,
  ];

  it.each(weird.map((input, i) => ({ i, input })))("does not throw on weird input #$i", ({ input }) => {
    const c = classify(compiled, input);
    expect(typeof c.isAsync).toBe("boolean");
    expect(Number.isFinite(c.confidence)).toBe(true);
    expect(c.reasons.every((r) => typeof r === "string")).toBe(true);
    expect(c.reasons.some((r) => r.startsWith("classifier error"))).toBe(false);
  });
});

describe("classify: cost on hostile input", () => {
  it.each([
    { name: "one repeated async anchor", body: "async ".repeat(200_000) },
    { name: "repeated identifiers", body: "QuerySet.aget() cache.aget ASGIHandler Middleware ".repeat(30_000) },
    { name: "one giant token", body: "a".repeat(2_000_000) },
  ])("stays linear: $name", ({ body }) => {
    const start = performance.now();
    classify(compiled, issue("x", body));
    expect(performance.now() - start).toBeLessThan(1_000);
  });
});

describe("compileModel: which glob a path falls under", () => {
  const model: ClassifierModel = {
    subsystems: [
      { id: "asyncs", name: "A", description: "", paths: ["tests/**/async_*.py"], cues: [] },
      { id: "cache", name: "B", description: "", paths: ["tests/cache/**/*.txt", "tests/cache/views/**"], cues: [] },
      { id: "legacy", name: "C", description: "", paths: ["**/legacy/**"], cues: [] },
      { id: "root", name: "D", description: "", paths: ["tests/conftest.py"], cues: [] },
    ],
    roadmap: [],
    asyncCues: ["async"],
  };
  const m = compileModel(model);

  it("tries a path against the globs of its folders and the ones above them, most specific first", () => {
    expect(subsystemOfPath(m, "tests/cache/a/notes.txt")).toBe("cache");
    expect(subsystemOfPath(m, "tests/cache/views/async_x.py")).toBe("cache"); // the longer base wins
    // A glob of the top folder, or of any folder, still reaches a path under a deeper glob's folder.
    expect(subsystemOfPath(m, "tests/cache/async_views.py")).toBe("asyncs");
    expect(subsystemOfPath(m, "tests/cache/legacy/x.py")).toBe("legacy");
    expect(subsystemOfPath(m, "tests/other/async_views.py")).toBe("asyncs");
    expect(subsystemOfPath(m, "docs/legacy/index.txt")).toBe("legacy");
    expect(subsystemOfPath(m, "tests/conftest.py")).toBe("root");
    expect(subsystemOfPath(m, "tests/cache/views.py")).toBeNull();
    expect(subsystemOfPath(m, "README.md")).toBeNull();
  });
});

describe("compileModel: the folders of the config's paths", () => {
  const model: ClassifierModel = {
    subsystems: [
      { id: "widgets", name: "W", description: "", paths: ["lib/ui/widgets/**", "tests/gadgets/**"], cues: [] },
      { id: "net", name: "N", description: "", paths: ["lib/http/**", "docs/routers/**"], cues: [] },
      { id: "core", name: "C", description: "", paths: ["lib/**"], cues: ["core"] },
    ],
    roadmap: [{ version: "1.0", title: "One", delivers: "", subsystems: ["widgets", "net", "core"] }],
    asyncCues: ["async"],
  };
  const m = compileModel(model);
  const primary = (title: string): string | undefined => classify(m, issue(title)).subsystems[0]?.id;

  it("reads a source folder a glob names as a word of its subsystem, singular or plural", () => {
    expect(primary("Make the widgets async")).toBe("widgets");
    expect(primary("Make the widget async")).toBe("widgets");
    // The subject named first wins over a configured cue named later.
    expect(primary("Widgets no longer mutate core state when async")).toBe("widgets");
  });

  it("leaves test and docs folders and short words alone", () => {
    expect(primary("Make gadgets async")).toBeUndefined(); // tests/gadgets/**: a test folder
    expect(primary("Make routers async")).toBeUndefined(); // docs/routers/**
    expect(primary("Make http async, see https://example.com")).toBeUndefined(); // four letters
    expect(primary("Make lib async")).toBeUndefined(); // lib/**: three
  });
});

describe("compileModel: cue semantics", () => {
  const model: ClassifierModel = {
    subsystems: [
      {
        id: "a",
        name: "A",
        description: "",
        paths: ["src/a/**"],
        cues: ["widget", "Gadget", "*Handler", "foo.bar", "big thing"],
      },
      { id: "b", name: "B", description: "", paths: ["src/a/special.ts", "src/**"], cues: ["gizmo"] },
    ],
    roadmap: [{ version: "1.0", title: "One", delivers: "", subsystems: ["a", "b"] }],
    asyncCues: ["nonblocking"],
  };
  const m = compileModel(model);
  const primary = (title: string): string | undefined => classify(m, issue(title)).subsystems[0]?.id;

  it.each([
    { title: "The Widgets are broken", expected: "a" }, // lower-case word: any case, plural
    { title: "the widgetry is broken", expected: undefined }, // whole words only
    { title: "Gadget fails", expected: "a" },
    { title: "gadget fails", expected: undefined }, // identifiers are case-sensitive
    { title: "RequestHandler fails", expected: "a" }, // wildcard
    { title: "call foo.bar now", expected: "a" },
    { title: "call foo.baz now", expected: undefined },
    { title: "Some Big  Things broke", expected: "a" }, // phrase: whitespace and plural tolerant
    { title: "gizmos", expected: "b" },
  ])("$title → $expected", ({ title, expected }) => {
    expect(primary(title)).toBe(expected);
  });

  it("assigns a path to the most specific glob", () => {
    expect(classify(m, pr("x", ["src/a/special.ts"])).subsystems[0]?.id).toBe("b");
    expect(classify(m, pr("x", ["src/a/other.ts"])).subsystems[0]?.id).toBe("a");
    expect(classify(m, pr("x", ["src/c/other.ts"])).subsystems[0]?.id).toBe("b");
  });

  it("uses the model's async cues and no fallback when none is set", () => {
    const c = classify(m, issue("Make it nonblocking"));
    expect(c.isAsync).toBe(true);
    expect(c.subsystems).toEqual([]);
  });
});
