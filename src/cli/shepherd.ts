#!/usr/bin/env node
// Entry point of the `shepherd` command; the logic lives in ./main.ts (classify, backtest) and
// ./digest.ts (digest, which needs Redis).

import { digestCommand } from "./digest.js";
import { main } from "./main.js";

const [command, ...rest] = process.argv.slice(2);
process.exitCode =
  command === "digest"
    ? await digestCommand(rest, process.stdout, process.stderr)
    : await main(process.argv.slice(2), process.stdin, process.stdout, process.stderr);
