// The `shepherd` command, as a function over streams so tests can drive it in-process.
//
//   shepherd classify [--config FILE] [--index FILE | --tarball FILE]   JSON lines in, JSON lines out
//   shepherd backtest --gold FILE [--config FILE] [--index FILE | --tarball FILE] [--json]
//   shepherd index --tarball FILE [--config FILE] --out FILE
//   shepherd validate [FILE] | shepherd schema | shepherd --version
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
import { schemaCommand, validateCommand } from "./validate.js";

export interface Writable {
  write(chunk: string): unknown;
}

export type Input = AsyncIterable<string | Uint8Array>;

export const USAGE = `usage: shepherd classify [--config FILE] [--index FILE | --tarball FILE]
       shepherd backtest --gold FILE [--config FILE] [--index FILE | --tarball FILE] [--json]
       shepherd index --tarball FILE [--config FILE] --out FILE
       shepherd backtest --repo OWNER/NAME [--config FILE]   (what backlog triage would label)
       shepherd digest --repo OWNER/NAME --dry-run [--config FILE] [--week YYYY-Www] [--at YYYY-MM-DD]
       shepherd digest --dry-run --from FILE [--config FILE] [--week YYYY-Www] [--at YYYY-MM-DD]
       shepherd export --repo OWNER/NAME [--out FILE]   (the stored projection as JSON lines)
       shepherd run <digest|summary|sweep|reconcile> --repo OWNER/NAME [--wait]
       shepherd sweep --repo OWNER/NAME --dry-run [--at YYYY-MM-DD]
       shepherd validate [FILE]      (check a .github/shepherd.yml; errors name key and line)
       shepherd schema               (the config's JSON Schema)
       shepherd --version
       shepherd COMMAND --help

classify  reads JSON lines {id, kind: "issue"|"pr", title, body, files?} on stdin and writes
          one JSON line per item: {id, kind, is_async, subsystems, roadmap, confidence, reasons}
backtest  scores the classifier on a labelled JSON-lines file (per-label P/R/F1, top-1
          subsystem accuracy and async detection per kind)
index     builds the code index (which subsystems define each identifier) from a repository
          archive as GitHub's tarball endpoint serves it, and writes it to --out
--config  a .github/shepherd.yml-style file (preset, subsystems, roadmap, asyncCues);
          default: the built-in django-async preset
--index   a code index file (from \`shepherd index\`) to classify with; --tarball builds one first
`;

class UsageError extends Error {}

interface Options {
  command: "classify" | "backtest" | "index" | "help";
  config: string | null;
  gold: string | null;
  json: boolean;
  index: string | null;
  tarball: string | null;
  out: string | null;
}

function parseArgs(argv: string[]): Options {
  const [command, ...rest] = argv;
  if (command === "--help" || command === "-h" || command === "help") {
    return { command: "help", config: null, gold: null, json: false, index: null, tarball: null, out: null };
  }
  if (command !== "classify" && command !== "backtest" && command !== "index") {
    throw new UsageError(command === undefined ? "missing command" : `unknown command "${command}"`);
  }
  const options: Options = { command, config: null, gold: null, json: false, index: null, tarball: null, out: null };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] ?? "";
    const eq = arg.indexOf("=");
    const name = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith("--") && eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = rest[i + 1];
      if (next === undefined || next.startsWith("--")) throw new UsageError(`${name} needs a value`);
      i += 1;
      return next;
    };
    switch (name) {
      case "--config":
        options.config = value();
        break;
      case "--gold":
        if (command !== "backtest") throw new UsageError("--gold only applies to backtest");
        options.gold = value();
        break;
      case "--json":
        if (command !== "backtest") throw new UsageError("--json only applies to backtest");
        options.json = true;
        break;
      case "--index":
        if (command === "index") throw new UsageError("index builds an index: give --tarball and --out");
        options.index = value();
        break;
      case "--tarball":
        options.tarball = value();
        break;
      case "--out":
        if (command !== "index") throw new UsageError("--out only applies to index");
        options.out = value();
        break;
      case "--help":
      case "-h":
        return { ...options, command: "help" };
      default:
        throw new UsageError(`unknown option "${arg}"`);
    }
  }
  if (command === "backtest" && options.gold === null) throw new UsageError("backtest needs --gold FILE");
  if (command === "index" && (options.tarball === null || options.out === null)) {
    throw new UsageError("index needs --tarball FILE and --out FILE");
  }
  if (options.index !== null && options.tarball !== null) throw new UsageError("give --index or --tarball, not both");
  return options;
}

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

export async function main(argv: string[], stdin: Input, stdout: Writable, stderr: Writable): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "--version" || command === "-v") {
    stdout.write(`shepherd ${packageVersion()}\n`);
    return 0;
  }
  if (command === "validate") return validateCommand(rest, stdout, stderr);
  if (command === "schema") return schemaCommand(rest, stdout, stderr);
  let options: Options;
  try {
    options = parseArgs(argv);
  } catch (error) {
    stderr.write(`shepherd: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  if (options.command === "help") {
    stdout.write(USAGE);
    return 0;
  }
  let compiled: CompiledModel;
  try {
    compiled = compileModel(await loadModel(options.config));
  } catch (error) {
    stderr.write(`shepherd: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  try {
    if (options.command === "index") return await runIndex(compiled, options.tarball ?? "", options.out ?? "", stderr);
    let code: CodeEvidence | undefined;
    if (options.index !== null || options.tarball !== null) {
      const index: CodeIndex =
        options.index !== null
          ? await readIndexFile(options.index)
          : await indexFromTarball(options.tarball ?? "", compiled);
      if (index.meta.globs !== compiled.globs) {
        stderr.write("shepherd: the index was built with other subsystem paths; rebuild it with this config\n");
      }
      code = codeEvidence(index, compiled.asyncTwins);
    }
    if (options.command === "classify") return await runClassify(compiled, code, stdin, stdout, stderr);
    return await runBacktest(compiled, code, options.gold ?? "", options.json, stdout, stderr);
  } catch (error) {
    stderr.write(`shepherd: ${error instanceof Error ? error.message : String(error)}\n`);
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
      `${meta.twins} async twins, ${(bytes / 1024 / 1024).toFixed(1)} MiB, ${Math.round(performance.now() - started)} ms\n`,
  );
  return 0;
}
