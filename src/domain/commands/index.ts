// The explicit list of comment commands. Adding a command is one new file and one line here;
// `/help`, the README table and the parser's vocabulary all come from this list.
import { assign, unassign } from "./assign.js";
import { away, back } from "./away.js";
import { claim } from "./claim.js";
import { help } from "./help.js";
import { label, unlabel } from "./label.js";
import { mentor } from "./mentor.js";
import { progress } from "./progress.js";
import { release } from "./release.js";
import { status } from "./status.js";
import { roadmap, subsystem } from "./triage.js";
import type { CommandSpec } from "./types.js";
import { why } from "./why.js";

export const COMMANDS: readonly CommandSpec[] = [
  claim,
  release,
  assign,
  unassign,
  label,
  unlabel,
  subsystem,
  roadmap,
  mentor,
  away,
  back,
  progress,
  status,
  why,
  help,
];

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((spec) => spec.name === name);
}
