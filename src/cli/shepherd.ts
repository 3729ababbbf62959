#!/usr/bin/env node
// Entry point of the `shepherd` command; the commands are declared in ./main.ts.
import { main } from "./main.js";

process.exitCode = await main(process.argv.slice(2), process.stdin, process.stdout, process.stderr);
