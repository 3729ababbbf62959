// Regenerates the generated sections of README.md: `node dist/scripts/readme.js` (npm run readme).
// test/unit/readme.test.ts fails when README.md is stale.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { djangoAsyncPreset } from "../src/config/presets/django-async.js";
import { COMMANDS } from "../src/domain/commands/index.js";
import { COMMANDS as CLI_COMMANDS } from "../src/cli/main.js";
import {
  renderCliTable,
  renderCommandTable,
  renderConfigReference,
  renderPresetTable,
  replaceSection,
} from "../src/docs/readme.js";

export function renderReadme(current: string): string {
  let next = replaceSection(current, "config-reference", renderConfigReference());
  next = replaceSection(next, "preset", renderPresetTable(djangoAsyncPreset));
  next = replaceSection(next, "commands", renderCommandTable(COMMANDS));
  next = replaceSection(next, "cli", renderCliTable(CLI_COMMANDS));
  return next;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  // npm runs scripts from the package root, where README.md lives.
  const current = readFileSync("README.md", "utf8");
  writeFileSync("README.md", renderReadme(current));
  console.log("README.md regenerated");
}
