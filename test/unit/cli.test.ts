import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { rmSync } from "node:fs";
import { COMMANDS, main } from "../../src/cli/main.js";
import { loadModelFromYamlText, ModelFileError } from "../../src/cli/model-file.js";
import { djangoAsyncPreset } from "../../src/config/presets/django-async.js";

class Sink {
  text = "";
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

async function* chunks(...parts: string[]): AsyncGenerator<string> {
  for (const part of parts) yield part;
}

async function run(argv: string[], ...stdin: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = new Sink();
  const err = new Sink();
  const code = await main(argv, chunks(...stdin), out, err);
  return { code, out: out.text, err: err.text };
}

function outputLines(out: string): Array<Record<string, unknown>> {
  return out
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const dir = mkdtempSync(join(tmpdir(), "shepherd-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tempFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe("shepherd classify", () => {
  it("writes one JSON line per item with the documented fields", async () => {
    const input = [
      { id: "1", kind: "issue", title: "Added async-compatible interface to QuerySet.", body: "" },
      { id: "2", kind: "pr", title: "Fixed ASGI body", body: "", files: ["django/core/handlers/asgi.py"] },
      {
        id: "3",
        kind: "pr",
        title: "Fix",
        body: "",
        files: [{ filename: "django/core/cache/backends/base.py", additions: 10, deletions: 2 }],
      },
    ]
      .map((o) => JSON.stringify(o))
      .join("\n");
    const { code, out, err } = await run(["classify"], input);
    expect(code).toBe(0);
    expect(err).toBe("");
    const lines = outputLines(out);
    expect(lines.map((l) => l.id)).toEqual(["1", "2", "3"]);
    expect(lines[0]).toMatchObject({ kind: "issue", is_async: true, roadmap: "2.2" });
    expect((lines[0]?.subsystems as string[])[0]).toBe("orm");
    expect(lines[1]).toMatchObject({ kind: "pr", is_async: true, subsystems: ["handlers"], roadmap: "3.0" });
    expect((lines[2]?.subsystems as string[])[0]).toBe("cache");
    for (const l of lines) {
      expect(Object.keys(l).sort()).toEqual([
        "confidence",
        "id",
        "is_async",
        "kind",
        "reasons",
        "roadmap",
        "subsystems",
      ]);
    }
  });

  it("handles lines split across chunks and CRLF endings", async () => {
    const line = JSON.stringify({ id: "x", kind: "issue", title: "ASGIHandler leak", body: "" });
    const { out } = await run(["classify"], line.slice(0, 10), `${line.slice(10)}\r\n`, line);
    expect(outputLines(out).map((l) => l.id)).toEqual(["x", "x"]);
  });

  it("reports bad lines with their line number, carries on, and exits 1", async () => {
    const good = JSON.stringify({ id: "ok", kind: "issue", title: "t", body: "" });
    const stdin = [
      good,
      "{not json",
      "",
      JSON.stringify({ id: "k", kind: "commit", title: "t" }),
      JSON.stringify({ kind: "pr", title: "t", files: [{ additions: 1 }] }),
      good,
    ].join("\n");
    const { code, out, err } = await run(["classify"], stdin);
    expect(code).toBe(1);
    expect(outputLines(out)).toHaveLength(2);
    expect(err).toMatch(/^line 2: invalid JSON/m);
    expect(err).toMatch(/^line 4: "kind" must be "issue" or "pr"/m);
    expect(err).toMatch(/^line 5: "files\[0\]"/m);
    expect(err).not.toMatch(/line 3/);
  });

  it("uses a --config file instead of the preset", async () => {
    const config = tempFile(
      "custom.yml",
      `subsystems:
  engine:
    name: Engine
    paths: ["src/engine/**"]
    cues: [Scheduler]
  docs:
    paths: ["docs/**"]
    cues: [tutorial]
roadmap:
  "1.0":
    title: First
    subsystems: [engine, docs]
asyncCues: [nonblocking]
`,
    );
    const stdin = JSON.stringify({ id: "a", kind: "issue", title: "Make the Scheduler nonblocking", body: "" });
    const { code, out, err } = await run(["classify", "--config", config], stdin);
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(outputLines(out)[0]).toMatchObject({ is_async: true, subsystems: ["engine"], roadmap: "1.0" });
  });

  it("fails with exit code 1 and names the bad key of a broken config", async () => {
    const config = tempFile("bad.yml", "preset: django-async\nsubsystems:\n  orm:\n    paths: db/**\n");
    const { code, err } = await run(["classify", `--config=${config}`], "");
    expect(code).toBe(1);
    expect(err).toContain("subsystems.orm.paths:");
  });
});

describe("shepherd usage errors", () => {
  it.each([
    { argv: [], message: "missing command" },
    { argv: ["triage"], message: 'unknown command "triage"' },
    { argv: ["backtest"], message: "backtest needs --gold FILE" },
    { argv: ["classify", "--gold", "x"], message: "Unknown option '--gold'" },
    { argv: ["classify", "--verbose"], message: "Unknown option '--verbose'" },
    { argv: ["classify", "--config"], message: "Option '--config <value>' argument missing" },
    { argv: ["classify", "extra"], message: 'unexpected argument "extra"' },
    { argv: ["sweep", "extra"], message: 'unexpected argument "extra"' },
    {
      argv: ["backtest", "--gold", "g", "--index", "i", "--tarball", "t"],
      message: "give --index or --tarball, not both",
    },
    { argv: ["backtest", "--repo", "a/b", "--json"], message: "--repo takes only --config" },
    { argv: ["index", "--tarball", "t"], message: "index needs --tarball FILE and --out FILE" },
  ])("$argv → exit 2", async ({ argv, message }) => {
    const { code, err, out } = await run(argv, "");
    expect(code).toBe(2);
    expect(err).toContain(message);
    expect(err).toContain("usage: shepherd");
    expect(out).toBe("");
  });

  it("answers --help before complaining about the other arguments", async () => {
    const { code, out, err } = await run(["sweep", "extra", "--help"]);
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out).toContain("usage: shepherd sweep --repo OWNER/NAME --dry-run");
  });

  it("prints usage on --help with exit 0, one row per declared command", async () => {
    const { code, out } = await run(["--help"]);
    expect(code).toBe(0);
    expect(out).toContain("usage: shepherd COMMAND");
    const rows = out.split("\n").map((line) => line.trim().split(/\s{2,}/));
    for (const command of COMMANDS) expect(rows).toContainEqual([command.name, command.summary]);
  });
});

describe("shepherd backtest", () => {
  const gold = [
    {
      id: "a",
      kind: "issue",
      title: "Added async methods to BaseCache.",
      body: "",
      gold: { is_async: true, subsystem: "cache" },
    },
    {
      id: "a",
      kind: "pr",
      title: "Added async methods to BaseCache.",
      body: "",
      files: ["django/core/cache/backends/base.py"],
      gold: { is_async: true, subsystem: "cache" },
    },
    { id: "b", kind: "issue", title: "Fixed typo in the tutorial.", body: "", gold: { is_async: false } },
    {
      id: "b",
      kind: "pr",
      title: "Fixed typo in the tutorial.",
      body: "",
      files: ["docs/intro/tutorial01.txt"],
      gold: { is_async: false },
    },
    {
      id: "c",
      kind: "pr",
      title: "Pinned asgiref.",
      body: "",
      files: ["setup.cfg"],
      gold: { is_async: true, subsystem: "unknown" },
    },
  ];
  const goldText = `${gold.map((g) => JSON.stringify(g)).join("\n")}\n{"kind": "pr"}\n`;

  it("prints a readable report and reports bad lines", async () => {
    const path = tempFile("gold.jsonl", goldText);
    const { code, out, err } = await run(["backtest", "--gold", path]);
    expect(code).toBe(1);
    expect(err).toMatch(/line 6: "title" must be a string/);
    expect(out).toContain("5 items (2 issue, 3 pr), 1 bad lines skipped");
    expect(out).toMatch(/^issue\s+1\.000 \(1\/1\)/m);
    expect(out).toMatch(/^pr\s+1\.000 \(1\/1\)/m);
    expect(out).toContain("per-label, primary subsystem (pr):");
  });

  it("emits machine-readable JSON with --json", async () => {
    const path = tempFile("gold2.jsonl", goldText);
    const { code, out } = await run(["backtest", "--gold", path, "--json"]);
    expect(code).toBe(1);
    const report = JSON.parse(out) as {
      items: number;
      badLines: number;
      kinds: Record<string, { top1: { total: number }; async: { tp: number; fp: number; fn: number } }>;
    };
    expect(report.items).toBe(5);
    expect(report.badLines).toBe(1);
    expect(report.kinds.pr?.top1.total).toBe(1); // the "unknown" item is left out
    expect(report.kinds.pr?.async).toMatchObject({ tp: 2, fp: 0, fn: 0 });
    expect(report.kinds.issue?.async).toMatchObject({ tp: 1, fp: 0, fn: 0 });
  });

  it("exits 1 when the gold file cannot be read", async () => {
    const { code, err } = await run(["backtest", "--gold", join(dir, "missing.jsonl")]);
    expect(code).toBe(1);
    expect(err).toContain("missing.jsonl");
  });
});

describe("loadModelFromYamlText", () => {
  it("returns the preset for `preset: django-async`", () => {
    expect(loadModelFromYamlText("preset: django-async\n")).toEqual(djangoAsyncPreset);
  });

  it("adds to and overrides the preset the way the app does", () => {
    const m = loadModelFromYamlText(
      "preset: django-async\nasyncCues: [trio, anyio]\nsubsystems:\n  orm:\n    cues: [Model.asave]\n",
    );
    expect(m.asyncCues).toEqual([...djangoAsyncPreset.asyncCues, "trio", "anyio"]);
    expect(m.subsystems.find((s) => s.id === "orm")?.cues).toEqual(["Model.asave"]);
    expect(m.fallbackSubsystem).toBe("handlers");
  });

  it("accepts a whole shepherd.yml, feature sections included", () => {
    expect(loadModelFromYamlText("preset: django-async\ntriage:\n  minConfidence: 0.6\n").subsystems).toHaveLength(20);
  });

  it.each([
    { yaml: "- a\n- b\n", message: "(file):" },
    { yaml: "presets: django-async\n", message: "presets: unknown key" },
    { yaml: "preset: flask\n", message: "preset:" },
    { yaml: "roadmap: {}\n", message: 'set "preset" or define "subsystems"' },
    { yaml: "subsystems:\n  a:\n    cues: [{x: 1}]\n", message: "subsystems.a.cues.0:" },
    { yaml: "subsystems:\n  a:\n    paths: ['']\n", message: "subsystems.a.paths.0:" },
    {
      yaml: "preset: django-async\nroadmap:\n  '9':\n    subsystems: [nope]\n",
      message: 'roadmap.9.subsystems: unknown subsystem "nope"',
    },
    { yaml: "preset: django-async\nasyncCues: async\n", message: "asyncCues:" },
    { yaml: "preset: django-async\nfallbackSubsystem: nope\n", message: 'fallbackSubsystem: unknown subsystem "nope"' },
    { yaml: "preset: [\n", message: "invalid YAML" },
  ])("rejects $yaml", ({ yaml, message }) => {
    expect(() => loadModelFromYamlText(yaml)).toThrow(ModelFileError);
    expect(() => loadModelFromYamlText(yaml)).toThrow(message);
  });
});

describe("shepherd validate, schema, --version, --help", () => {
  it("prints ok for a good file and exits 0", async () => {
    const path = tempFile("good-config.yml", 'preset: django-async\nroadmap:\n  "3.0":\n    title: Three\n');
    expect(await run(["validate", path])).toEqual({ code: 0, out: "ok\n", err: "" });
  });

  it("names each bad key with its line and exits 1", async () => {
    const path = tempFile("bad-config.yml", "preset: django-async\nroadmap:\n  3.0:\n    titel: x\n");
    const { code, out } = await run(["validate", path]);
    expect(code).toBe(1);
    expect(out).toBe(
      `${path}:3: roadmap.3.0: YAML reads the key 3.0 as the number 3; quote it: "3.0":\n` +
        `${path}:4: roadmap.3.titel: unknown key\n`,
    );
  });

  it("says which file it cannot read", async () => {
    const { code, err } = await run(["validate", join(dir, "missing.yml")]);
    expect(code).toBe(1);
    expect(err).toContain("cannot read");
    expect(err).toContain("ENOENT");
  });

  it("prints the JSON Schema, the same as the committed file", async () => {
    const { code, out } = await run(["schema"]);
    expect(code).toBe(0);
    const schema = JSON.parse(out) as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toContain("triage");
    const committed = readFileSync(new URL("../../shepherd.schema.json", import.meta.url), "utf8");
    // Stale when the zod schema changed: regenerate with `node dist/src/cli/shepherd.js schema > shepherd.schema.json`.
    expect(JSON.parse(committed)).toEqual(schema);
  });

  it("prints the version", async () => {
    const { code, out } = await run(["--version"]);
    expect(code).toBe(0);
    expect(out).toMatch(/^shepherd \d+\.\d+\.\d+\n$/);
  });

  it.each(COMMANDS.map((command) => command.name))("answers %s --help with its own usage", async (name) => {
    const { code, out, err } = await run([name, "--help"]);
    expect(code).toBe(0);
    expect(err).toBe("");
    expect(
      out.startsWith(`usage: shepherd ${name} `) ||
        out === `usage: shepherd ${name}\n` ||
        out.startsWith(`usage: shepherd ${name}\n`),
    ).toBe(true);
  });
});
