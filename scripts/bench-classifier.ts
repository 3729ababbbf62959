// Classifier throughput on the development set:
//   node dist/scripts/bench-classifier.js [path/to/items.jsonl] [rounds]
// The default set is ../shared/eval/django-async-dev.jsonl relative to the repository root,
// found from this file's location (works from scripts/ and from dist/scripts/).

import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseItemLine } from "../src/cli/items.js";
import { djangoAsyncPreset } from "../src/config/presets/django-async.js";
import { classify, compileModel } from "../src/domain/classifier.js";
import { type CodeEvidence, codeEvidence } from "../src/domain/code-index.js";
import type { ClassifierModel, ClassifyInput } from "../src/domain/model.js";
import { indexFromTarball } from "../src/cli/index-file.js";

export interface ClassifierBenchResult {
  items: number;
  rounds: number;
  seconds: number;
  itemsPerSecond: number;
  /** The one-line summary, e.g. `classifier: 123,456 items/s (604 items x 200 rounds, 1.2 s)`. */
  line: string;
}

export interface ClassifierBenchOptions {
  /** JSON-lines items; default: the dev set next to the repository. */
  path?: string;
  rounds?: number;
  model?: ClassifierModel;
  /** Classify with this code index (what triage passes from the repo's index). */
  code?: CodeEvidence;
}

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "package.json"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error("bench-classifier: cannot find the repository root (package.json)");
    dir = parent;
  }
}

export function defaultDevSetPath(): string {
  return resolve(repoRoot(), "../shared/eval/django-async-dev.jsonl");
}

export function loadItems(path: string): ClassifyInput[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => parseItemLine(line).input);
}

export function benchClassifier(options: ClassifierBenchOptions = {}): ClassifierBenchResult {
  const items = loadItems(options.path ?? defaultDevSetPath());
  const rounds = options.rounds ?? 200;
  const compiled = compileModel(options.model ?? djangoAsyncPreset);
  let sink = 0;
  // Warm-up so the JIT has compiled the hot paths before timing.
  for (let r = 0; r < 20; r++) for (const item of items) sink += classify(compiled, item, options.code).confidence;
  const start = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) for (const item of items) sink += classify(compiled, item, options.code).confidence;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const total = items.length * rounds;
  const itemsPerSecond = seconds > 0 ? total / seconds : Number.POSITIVE_INFINITY;
  if (Number.isNaN(sink)) throw new Error("bench-classifier: classifier returned NaN confidence");
  const line =
    `classifier${options.code ? " with the code index" : ""}: ${Math.round(itemsPerSecond).toLocaleString("en-US")} items/s ` +
    `(${items.length} items x ${rounds} rounds, ${seconds.toFixed(1)} s)`;
  return { items: items.length, rounds, seconds, itemsPerSecond, line };
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (invokedDirectly) {
  const [path, rounds] = process.argv.slice(2);
  const options: ClassifierBenchOptions = {};
  if (path !== undefined) options.path = resolve(path);
  if (rounds !== undefined) options.rounds = Number(rounds);
  console.log(benchClassifier(options).line);
  // With the code index built from Django's tarball, when it is there (../shared/eval).
  const tarball = resolve(repoRoot(), "../shared/eval/django-c179ad9.tar.gz");
  if (existsSync(tarball)) {
    const started = performance.now();
    const index = await indexFromTarball(tarball, compileModel(djangoAsyncPreset));
    const ms = Math.round(performance.now() - started);
    console.log(`code index: ${index.meta.names} names from ${index.meta.files} files in ${ms} ms`);
    console.log(benchClassifier({ ...options, code: codeEvidence(index, true) }).line);
  }
}
