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

/** Writes a usage error (the message, then the usage) and gives its exit code, 2. */
export function usageError(command: string, usage: string, message: string, err: Writable): number {
  err.write(`shepherd ${command}: ${message}\n${usage}`);
  return 2;
}

/**
 * parseCommandArgs, then what every option-only command does next: `--help` prints the usage
 * (exit 0), and a positional argument is a usage error (exit 2). The parse, or that exit code.
 */
export function parseOptions<O extends OptionSpecs>(
  command: string,
  usage: string,
  argv: string[],
  options: O,
  out: Writable,
  err: Writable,
) {
  const parsed = parseCommandArgs(command, usage, argv, options, err);
  if (parsed === null) return 2;
  if ((parsed.values as { help?: boolean }).help) {
    out.write(usage);
    return 0;
  }
  const [extra] = parsed.positionals;
  return extra === undefined ? parsed : usageError(command, usage, `unexpected argument "${extra}"`, err);
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
