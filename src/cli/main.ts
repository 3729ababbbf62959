// The `shepherd` command, as a function over streams so tests can drive it in-process. Every
// subcommand is declared once in COMMANDS (name, summary, usage, run); the top-level help is
// rendered from that list, and every subcommand parses its options with parseCommandArgs.
//
// Exit codes: 0 when the run completed, 1 when it could not run (unreadable config or gold file)
// or any input line was bad (bad lines are reported on stderr, the good ones still processed),
// 2 on usage errors.

import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { djangoAsyncPreset } from "../config/presets/django-async.js";
import { scoreBacktest, type BacktestPrediction, type BacktestReport } from "../domain/backtest.js";
import { classify, compileModel, type CompiledModel } from "../domain/classifier.js";
import { type CodeEvidence, type CodeIndex, codeEvidence } from "../domain/code-index.js";
import type { ClassifierModel } from "../domain/model.js";
import { indexFromTarball, readIndexFile, writeIndexFile } from "./index-file.js";
import { parseGoldLine, parseItemLine, type GoldItem } from "./items.js";
import { loadModelFromYamlText } from "./model-file.js";
import { parseOptions, usageError } from "./args.js";
import { backlogDryRun } from "./backlog.js";
import { DIGEST_USAGE, digestCommand } from "./digest.js";
import { EXPORT_USAGE, exportCommand } from "./export.js";
import { RUN_USAGE, runCommand } from "./run.js";
import { SWEEP_USAGE, sweepCommand } from "./sweep.js";
import { SCHEMA_USAGE, schemaCommand, VALIDATE_USAGE, validateCommand } from "./validate.js";

export interface Writable {
  write(chunk: string): unknown;
}

export type Input = AsyncIterable<string | Uint8Array>;

async function* lines(input: Input): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of input) {
    pending += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    let nl = pending.indexOf("\n");
    while (nl >= 0) {
      yield pending.slice(0, nl).replace(/\r$/, "");
      pending = pending.slice(nl + 1);
      nl = pending.indexOf("\n");
    }
  }
  pending += decoder.decode();
  if (pending !== "") yield pending.replace(/\r$/, "");
}

async function loadModel(config: string | null): Promise<ClassifierModel> {
  if (config === null) return djangoAsyncPreset;
  const text = await readFile(config, "utf8");
  try {
    return loadModelFromYamlText(text);
  } catch (error) {
    throw new Error(`${config}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Output is batched: one write per line is slow on a pipe. */
function batched(out: Writable): { line(text: string): void; flush(): void } {
  let buffer = "";
  return {
    line(text) {
      buffer += `${text}\n`;
      if (buffer.length > 65_536) {
        out.write(buffer);
        buffer = "";
      }
    },
    flush() {
      if (buffer !== "") out.write(buffer);
      buffer = "";
    },
  };
}

async function runClassify(
  model: CompiledModel,
  code: CodeEvidence | undefined,
  stdin: Input,
  stdout: Writable,
  stderr: Writable,
): Promise<number> {
  const out = batched(stdout);
  let lineNo = 0;
  let bad = 0;
  for await (const line of lines(stdin)) {
    lineNo += 1;
    if (line.trim() === "") continue;
    try {
      const item = parseItemLine(line);
      const c = classify(model, item.input, code);
      out.line(
        JSON.stringify({
          id: item.id,
          kind: item.input.kind,
          is_async: c.isAsync,
          subsystems: c.subsystems.map((s) => s.id),
          roadmap: c.roadmap,
          confidence: c.confidence,
          reasons: c.reasons,
        }),
      );
    } catch (error) {
      bad += 1;
      out.flush();
      stderr.write(`line ${lineNo}: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
  out.flush();
  return bad > 0 ? 1 : 0;
}

function fmt(x: number): string {
  return x.toFixed(3);
}

export function formatReport(report: BacktestReport, goldPath: string, bad: number): string {
  const out: string[] = [];
  const { issue, pr } = report.kinds;
  out.push(
    `backtest: ${goldPath}: ${issue.items + pr.items} items (${issue.items} issue, ${pr.items} pr)` +
      (bad > 0 ? `, ${bad} bad lines skipped` : ""),
  );
  out.push("");
  out.push("kind    top-1 subsystem        async P  async R  async F1");
  for (const [kind, m] of Object.entries(report.kinds)) {
    const top1 = `${fmt(m.top1.accuracy)} (${m.top1.correct}/${m.top1.total})`;
    out.push(
      `${kind.padEnd(8)}${top1.padEnd(23)}${fmt(m.async.precision).padEnd(9)}${fmt(m.async.recall).padEnd(9)}${fmt(m.async.f1)}` +
        `  (tp ${m.async.tp}, fp ${m.async.fp}, fn ${m.async.fn})`,
    );
  }
  for (const [kind, m] of Object.entries(report.kinds)) {
    out.push("");
    out.push(`per-label, primary subsystem (${kind}):`);
    out.push("label          support  P      R      F1");
    for (const [label, l] of Object.entries(m.labels)) {
      out.push(`${label.padEnd(15)}${String(l.support).padEnd(9)}${fmt(l.precision)}  ${fmt(l.recall)}  ${fmt(l.f1)}`);
    }
  }
  return `${out.join("\n")}\n`;
}

async function runBacktest(
  model: CompiledModel,
  code: CodeEvidence | undefined,
  goldPath: string,
  json: boolean,
  stdout: Writable,
  stderr: Writable,
): Promise<number> {
  const text = await readFile(goldPath, "utf8");
  const items: GoldItem[] = [];
  let bad = 0;
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "") return;
    try {
      items.push(parseGoldLine(line));
    } catch (error) {
      bad += 1;
      stderr.write(`${goldPath}: line ${i + 1}: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  });
  const predictions: BacktestPrediction[] = items.map((item) => {
    const c = classify(model, item.input, code);
    return { isAsync: c.isAsync, primary: c.subsystems[0]?.id ?? null };
  });
  const report = scoreBacktest(
    items.map((item) => ({ kind: item.input.kind, gold: item.gold })),
    predictions,
  );
  stdout.write(
    json
      ? `${JSON.stringify({ gold: goldPath, items: items.length, badLines: bad, ...report }, null, 2)}\n`
      : formatReport(report, goldPath, bad),
  );
  return bad > 0 ? 1 : 0;
}

/** The package's version, read next to the build (dist/src/cli -> package.json) or the source. */
export function packageVersion(): string {
  for (const relative of ["../../../package.json", "../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(relative, import.meta.url), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === "shepherd" && pkg.version) return pkg.version;
    } catch {
      // Not at this depth; try the next.
    }
  }
  return "unknown";
}

const MODEL_OPTIONS = `--config  a .github/shepherd.yml-style file (preset, subsystems, roadmap, asyncCues);
          default: the built-in django-async preset
--index   a code index file (from \`shepherd index\`) to classify with; --tarball builds one first
`;

export const CLASSIFY_USAGE = `usage: shepherd classify [--config FILE] [--index FILE | --tarball FILE]

Reads JSON lines {id, kind: "issue"|"pr", title, body, files?} on stdin and writes one JSON line
per item: {id, kind, is_async, subsystems, roadmap, confidence, reasons}. A bad line is reported
on stderr with its number and skipped; the exit code is then 1.
${MODEL_OPTIONS}`;

export const BACKTEST_USAGE = `usage: shepherd backtest --gold FILE [--config FILE] [--index FILE | --tarball FILE] [--json]
       shepherd backtest --repo OWNER/NAME [--config FILE]

With --gold, scores the classifier on a labelled JSON-lines file: per-label P/R/F1, top-1 subsystem
accuracy and async detection per kind (--json: the same as JSON); a bad line is reported and
skipped, and the exit code is then 1.
${MODEL_OPTIONS}
With --repo, lists the open issues and PRs of a live repository and prints the labels backlog
triage would give each (\`#N kind +label... (confidence)\`), writing nothing; it uses the app's
credentials (APP_ID, PRIVATE_KEY; GHE_HOST for GitHub Enterprise), and --config replaces the
repository's own .github/shepherd.yml.
`;

export const INDEX_USAGE = `usage: shepherd index --tarball FILE [--config FILE] --out FILE

Builds the code index (which subsystems define each identifier) from a repository archive as
GitHub's tarball endpoint serves it, and writes it to --out. --config: the subsystems' paths
(default: the django-async preset).
`;

const MODEL_SPECS = {
  config: { type: "string" },
  index: { type: "string" },
  tarball: { type: "string" },
} as const;

/** --index names a built index, --tarball builds one: the two exclude each other. */
function bothIndexAndTarball(values: { index?: string | undefined; tarball?: string | undefined }): boolean {
  return values.index !== undefined && values.tarball !== undefined;
}

/** The classifier model and, when asked for, the code index evidence; or exit code 1 after saying why. */
async function loadClassifier(
  values: { config?: string | undefined; index?: string | undefined; tarball?: string | undefined },
  stderr: Writable,
): Promise<{ compiled: CompiledModel; code: CodeEvidence | undefined } | number> {
  let compiled: CompiledModel;
  try {
    compiled = compileModel(await loadModel(values.config ?? null));
  } catch (error) {
    stderr.write(`shepherd: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  if (values.index === undefined && values.tarball === undefined) return { compiled, code: undefined };
  try {
    const index: CodeIndex =
      values.index !== undefined
        ? await readIndexFile(values.index)
        : await indexFromTarball(values.tarball ?? "", compiled);
    if (index.meta.globs !== compiled.globs) {
      stderr.write("shepherd: the index was built with other subsystem paths; rebuild it with this config\n");
    }
    return { compiled, code: codeEvidence(index, compiled.asyncTwins) };
  } catch (error) {
    stderr.write(`shepherd: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

export async function classifyCommand(argv: string[], io: Io): Promise<number> {
  const parsed = parseOptions("classify", CLASSIFY_USAGE, argv, MODEL_SPECS, io.stdout, io.stderr);
  if (typeof parsed === "number") return parsed;
  const { values } = parsed;
  if (bothIndexAndTarball(values))
    return usageError("classify", CLASSIFY_USAGE, "give --index or --tarball, not both", io.stderr);
  const loaded = await loadClassifier(values, io.stderr);
  if (typeof loaded === "number") return loaded;
  return runClassify(loaded.compiled, loaded.code, io.stdin, io.stdout, io.stderr);
}

export async function backtestCommand(argv: string[], io: Io): Promise<number> {
  const specs = {
    ...MODEL_SPECS,
    gold: { type: "string" },
    json: { type: "boolean" },
    repo: { type: "string" },
  } as const;
  const parsed = parseOptions("backtest", BACKTEST_USAGE, argv, specs, io.stdout, io.stderr);
  if (typeof parsed === "number") return parsed;
  const { values } = parsed;
  if (values.repo !== undefined) {
    // Backlog triage's dry run reads a live repository; it takes only --repo and --config.
    if (values.gold !== undefined || values.index !== undefined || values.tarball !== undefined || values.json) {
      return usageError("backtest", BACKTEST_USAGE, "--repo takes only --config", io.stderr);
    }
    return backlogDryRun(argv, io.stdout, io.stderr, io.env);
  }
  if (values.gold === undefined)
    return usageError("backtest", BACKTEST_USAGE, "backtest needs --gold FILE (or --repo OWNER/NAME)", io.stderr);
  if (bothIndexAndTarball(values))
    return usageError("backtest", BACKTEST_USAGE, "give --index or --tarball, not both", io.stderr);
  const loaded = await loadClassifier(values, io.stderr);
  if (typeof loaded === "number") return loaded;
  try {
    return await runBacktest(loaded.compiled, loaded.code, values.gold, values.json ?? false, io.stdout, io.stderr);
  } catch (error) {
    io.stderr.write(`shepherd: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

export async function indexCommand(argv: string[], io: Io): Promise<number> {
  const specs = { config: { type: "string" }, tarball: { type: "string" }, out: { type: "string" } } as const;
  const parsed = parseOptions("index", INDEX_USAGE, argv, specs, io.stdout, io.stderr);
  if (typeof parsed === "number") return parsed;
  const { values } = parsed;
  if (values.tarball === undefined || values.out === undefined) {
    return usageError("index", INDEX_USAGE, "index needs --tarball FILE and --out FILE", io.stderr);
  }
  const loaded = await loadClassifier({ config: values.config }, io.stderr);
  if (typeof loaded === "number") return loaded;
  try {
    return await runIndex(loaded.compiled, values.tarball, values.out, io.stderr);
  } catch (error) {
    io.stderr.write(`shepherd: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

async function runIndex(compiled: CompiledModel, tarball: string, out: string, stderr: Writable): Promise<number> {
  const started = performance.now();
  const index = await indexFromTarball(tarball, compiled);
  const bytes = await writeIndexFile(out, index);
  const { meta } = index;
  stderr.write(
    `index: ${meta.names} names from ${meta.files} files (${meta.skipped} skipped) at ${meta.sha}, ` +
      `${meta.twins} async twins, ${meta.pages ?? 0} docs pages, ${(bytes / 1024 / 1024).toFixed(1)} MiB, ${Math.round(performance.now() - started)} ms\n`,
  );
  return 0;
}

export interface Io {
  stdin: Input;
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
}

export interface CliCommand {
  name: string;
  /** One line for the top-level help. */
  summary: string;
  usage: string;
  run(argv: string[], io: Io): Promise<number> | number;
}

/** Every subcommand, declared once: the dispatcher runs from it and the help renders from it. */
export const COMMANDS: readonly CliCommand[] = [
  {
    name: "validate",
    summary: "check a .github/shepherd.yml; errors name key and line",
    usage: VALIDATE_USAGE,
    run: (argv, io) => validateCommand(argv, io.stdout, io.stderr),
  },
  {
    name: "schema",
    summary: "print the config's JSON Schema",
    usage: SCHEMA_USAGE,
    run: (argv, io) => schemaCommand(argv, io.stdout, io.stderr),
  },
  {
    name: "run",
    summary: "enqueue digest, summary, sweep or reconcile now on the running install",
    usage: RUN_USAGE,
    run: (argv, io) => runCommand(argv, io.stdout, io.stderr, io.env),
  },
  {
    name: "sweep",
    summary: "which claims would get a reminder or be released at a date (--dry-run)",
    usage: SWEEP_USAGE,
    run: (argv, io) => sweepCommand(argv, io.stdout, io.stderr, io.env),
  },
  {
    name: "digest",
    summary: "the weekly digest as it would be posted (--dry-run), from Redis or an export",
    usage: DIGEST_USAGE,
    run: (argv, io) => digestCommand(argv, io.stdout, io.stderr, io.env),
  },
  {
    name: "export",
    summary: "a repository's stored projection as JSON lines",
    usage: EXPORT_USAGE,
    run: (argv, io) => exportCommand(argv, io.stdout, io.stderr, io.env),
  },
  { name: "classify", summary: "classify JSON-lines items from stdin", usage: CLASSIFY_USAGE, run: classifyCommand },
  {
    name: "backtest",
    summary: "score the classifier on a labelled file, or preview backlog triage of a repo",
    usage: BACKTEST_USAGE,
    run: backtestCommand,
  },
  { name: "index", summary: "build a code index from a repository tarball", usage: INDEX_USAGE, run: indexCommand },
];

export function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  const rows = COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`);
  return `usage: shepherd COMMAND [OPTIONS]
       shepherd COMMAND --help     (that command's usage and options)
       shepherd --version

commands:
${rows.join("\n")}

Exit codes: 0 done; 1 could not run, or an input line was bad (reported, the rest still done);
2 usage error.
`;
}

export async function main(
  argv: string[],
  stdin: Input,
  stdout: Writable,
  stderr: Writable,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === "--version" || name === "-v") {
    stdout.write(`shepherd ${packageVersion()}\n`);
    return 0;
  }
  if (name === "--help" || name === "-h" || name === "help") {
    stdout.write(usage());
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    stderr.write(`shepherd: ${name === undefined ? "missing command" : `unknown command "${name}"`}\n${usage()}`);
    return 2;
  }
  return command.run(rest, { stdin, stdout, stderr, env });
}
