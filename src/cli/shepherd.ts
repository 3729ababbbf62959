#!/usr/bin/env node
// Entry point of the `shepherd` command; the logic lives in ./main.ts (classify, backtest) and
// ./digest.ts (digest, which needs Redis).

import { backlogDryRun } from "./backlog.js";
import { digestCommand } from "./digest.js";
import { exportCommand } from "./export.js";
import { main } from "./main.js";
import { runCommand } from "./run.js";
import { sweepCommand } from "./sweep.js";

const [command, ...rest] = process.argv.slice(2);
// `backtest --repo` reads a live repository (backlog triage's dry run); with --gold it scores a file.
const live = command === "backtest" && rest.some((arg) => arg === "--repo" || arg.startsWith("--repo="));
process.exitCode =
  command === "run"
    ? await runCommand(rest, process.stdout, process.stderr)
    : command === "sweep"
      ? await sweepCommand(rest, process.stdout, process.stderr)
      : command === "digest"
        ? await digestCommand(rest, process.stdout, process.stderr)
        : command === "export"
          ? await exportCommand(rest, process.stdout, process.stderr)
          : live
            ? await backlogDryRun(rest, process.stdout, process.stderr)
            : await main(process.argv.slice(2), process.stdin, process.stdout, process.stderr);
