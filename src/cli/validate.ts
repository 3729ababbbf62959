// `shepherd validate [FILE]` and `shepherd schema`: check a `.github/shepherd.yml` before pushing it,
// and the JSON Schema editors use to complete and check it (generated from the same zod schema).
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { CONFIG_PATH } from "../github/config.js";
import { ShepherdConfig } from "../config/schema.js";
import { formatProblems, validateConfigText } from "../config/validate.js";
import { parseCommandArgs } from "./args.js";
import type { Writable } from "./main.js";

export const VALIDATE_USAGE = `usage: shepherd validate [FILE]

Checks a Shepherd config file (default: ${CONFIG_PATH}) the way the app reads it: prints "ok" and
exits 0, or prints each error as FILE:LINE: KEY: MESSAGE and exits 1.
`;

export const SCHEMA_USAGE = `usage: shepherd schema

Prints the JSON Schema of .github/shepherd.yml, generated from the schema the app validates with.
`;

/** The JSON Schema of the file as written (input side: keys with defaults are optional). */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(ShepherdConfig, { io: "input", unrepresentable: "any" }),
    title: "Shepherd configuration (.github/shepherd.yml)",
  };
}

export async function validateCommand(argv: string[], out: Writable, err: Writable): Promise<number> {
  const parsed = parseCommandArgs("validate", VALIDATE_USAGE, argv, {}, err);
  if (parsed === null) return 2;
  if (parsed.values.help) {
    out.write(VALIDATE_USAGE);
    return 0;
  }
  if (parsed.positionals.length > 1) {
    err.write(`shepherd validate: give one file\n${VALIDATE_USAGE}`);
    return 2;
  }
  const path = parsed.positionals[0] ?? CONFIG_PATH;
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    err.write(`shepherd validate: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}\n`);
    return 1;
  }
  const result = validateConfigText(text);
  if (result.ok) {
    out.write("ok\n");
    return 0;
  }
  out.write(formatProblems(path, result.problems));
  return 1;
}

export function schemaCommand(argv: string[], out: Writable, err: Writable): number {
  const parsed = parseCommandArgs("schema", SCHEMA_USAGE, argv, {}, err);
  if (parsed === null) return 2;
  if (parsed.values.help) {
    out.write(SCHEMA_USAGE);
    return 0;
  }
  if (parsed.positionals.length > 0) {
    err.write(`shepherd schema: takes no arguments\n${SCHEMA_USAGE}`);
    return 2;
  }
  out.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  return 0;
}
