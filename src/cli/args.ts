// Argument pieces the subcommands share.
import { parseArgs } from "node:util";
import { readSettings, type Settings } from "../settings.js";
import type { Writable } from "./main.js";

/** `OWNER/NAME`, or null when the value is missing or not that shape. */
export function repoArgument(value: string | undefined): { owner: string; repo: string } | null {
  const [owner, repo, extra] = (value ?? "").split("/");
  return owner && repo && extra === undefined ? { owner, repo } : null;
}

type OptionSpecs = Record<string, { type: "string" | "boolean"; short?: string }>;

/**
 * The commands' one argument parser (node:util parseArgs, strict) with a `--help` option added:
 * null after a usage error, which it has written to `err` with the usage.
 */
export function parseCommandArgs<O extends OptionSpecs>(
  command: string,
  usage: string,
  argv: string[],
  options: O,
  err: Writable,
) {
  try {
    return parseArgs({
      args: argv,
      options: { ...options, help: { type: "boolean", short: "h" } } as O & { help: { type: "boolean"; short: "h" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    err.write(`shepherd ${command}: ${(error as Error).message}\n${usage}`);
    return null;
  }
}

/** The running install's settings from the environment, or null after saying why not. */
export function settingsFor(command: string, env: NodeJS.ProcessEnv, err: Writable): Settings | null {
  try {
    return readSettings(env);
  } catch (error) {
    err.write(`shepherd ${command}: ${(error as Error).message}\n`);
    return null;
  }
}

/** `--at YYYY-MM-DD` as midnight UTC of that day; `now` when absent; null when not such a date. */
export function dateArgument(value: string | undefined, now: number): number | null {
  if (value === undefined) return now;
  const at = Date.parse(`${value}T00:00:00Z`);
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(at) ? at : null;
}
