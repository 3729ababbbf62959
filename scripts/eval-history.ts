// How much the code index helps issue text, on Django's own history (../shared/eval): each commit
// of 2012–2022 is classified twice from its message alone (without and with the index built from
// the tarball), against the subsystem its changed paths alone give (PR classification with no
// text, kept only when clear). No labels are read and no row is looked up: it checks general rules
// and weights on data the dev set does not hold.
//   npm run build && node dist/scripts/eval-history.js
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { indexFromTarball } from "../src/cli/index-file.js";
import { djangoAsyncPreset } from "../src/config/presets/django-async.js";
import { classify, compileModel } from "../src/domain/classifier.js";
import { codeEvidence } from "../src/domain/code-index.js";

interface Commit {
  title: string;
  body: string;
  files: string[];
}

const EVAL = resolve(process.cwd(), "../shared/eval");
const history = resolve(EVAL, "django-history.jsonl");
const tarball = resolve(EVAL, "django-c179ad9.tar.gz");
if (!existsSync(history) || !existsSync(tarball)) {
  console.error(`eval-history: needs ${history} and ${tarball}`);
  process.exit(1);
}
const compiled = compileModel(djangoAsyncPreset);
const code = codeEvidence(await indexFromTarball(tarball, compiled), compiled.asyncTwins);
const commits = readFileSync(history, "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => JSON.parse(line) as Commit);
let scored = 0;
let without = 0;
let withIndex = 0;
let fixed = 0;
let broken = 0;
// PRs called async by their changed files alone: the text says nothing async.
let asyncByFilesOnly = 0;
for (const commit of commits) {
  const files = commit.files.map((filename) => ({ filename, additions: 0, deletions: 0 }));
  const asText = { kind: "issue" as const, title: commit.title, body: commit.body };
  if (classify(compiled, { ...asText, kind: "pr", files }, code).isAsync && !classify(compiled, asText, code).isAsync) {
    asyncByFilesOnly += 1;
  }
  // Paths alone (no text): the text being scored must not help choose its own answer.
  const byPaths = classify(compiled, {
    kind: "pr",
    title: "",
    body: "",
    files,
  });
  const gold = byPaths.subsystems[0];
  if (gold === undefined || gold.score < 0.6 || byPaths.confidence < 0.5) continue;
  scored += 1;
  const before = classify(compiled, asText).subsystems[0]?.id === gold.id;
  const after = classify(compiled, asText, code).subsystems[0]?.id === gold.id;
  without += before ? 1 : 0;
  withIndex += after ? 1 : 0;
  if (after && !before) fixed += 1;
  if (before && !after) broken += 1;
}
console.log(
  `history: ${commits.length} commits, ${scored} with a clear subsystem from their paths; ` +
    `text-only top-1 ${(without / scored).toFixed(3)} without the index, ${(withIndex / scored).toFixed(3)} with it ` +
    `(${fixed} put right, ${broken} put wrong); ${asyncByFilesOnly} PRs async by their files alone`,
);
