// The "Shepherd config" check run: what a commit's `.github/shepherd.yml` gets, decided from the
// validation problems alone (no I/O; the clock is an argument), so the job only gathers and applies.
import { createHash } from "node:crypto";
import type { ConfigProblem } from "../config/validate.js";
import type { Action } from "./actions.js";

export const CONFIG_CHECK_NAME = "Shepherd config";

/** GitHub takes at most 50 annotations per request; the rest are listed in the summary. */
const MAX_ANNOTATIONS = 50;

export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: "failure";
  title: string;
  message: string;
}

export interface CheckRunSpec {
  name: string;
  headSha: string;
  conclusion: "success" | "failure";
  completedAt: string;
  title: string;
  summary: string;
  annotations: CheckAnnotation[];
}

/** Whether a push should get a config check: it changed the file and left the branch in place. */
export function pushChangesConfig(event: { paths: string[]; after: string | null }, path: string): boolean {
  return event.paths.includes(path) && event.after !== null && !/^0+$/.test(event.after);
}

/** PR actions after which its head may carry a config GitHub has not seen checked. */
const HEAD_CHANGING_ACTIONS: ReadonlySet<string> = new Set(["opened", "synchronize", "reopened"]);

/** Whether a pull request event may need a config check: the head moved or appeared (files are asked next). */
export function pullRequestMayChangeConfig(event: {
  action: string;
  item: { kind: "issue" | "pr" };
  headSha: string | null;
}) {
  return event.item.kind === "pr" && event.headSha !== null && HEAD_CHANGING_ACTIONS.has(event.action);
}

/**
 * The check run for one commit. `problems` is null when the commit has no config file (removed):
 * that is not an error, Shepherd is simply off there.
 */
export function decideConfigCheck(input: {
  headSha: string;
  path: string;
  problems: ConfigProblem[] | null;
  now: number;
}): CheckRunSpec {
  const { headSha, path, problems } = input;
  const base = { name: CONFIG_CHECK_NAME, headSha, completedAt: new Date(input.now).toISOString() };
  if (problems === null) {
    return {
      ...base,
      conclusion: "success",
      title: `No ${path}`,
      summary: `Without ${path} Shepherd does nothing here.`,
      annotations: [],
    };
  }
  if (problems.length === 0) {
    return {
      ...base,
      conclusion: "success",
      title: `${path} is valid`,
      summary: "Shepherd reads this config as written.",
      annotations: [],
    };
  }
  const count = `${problems.length} error${problems.length > 1 ? "s" : ""}`;
  const list = problems.map((problem) => `- line ${problem.startLine}: \`${problem.key}\`: ${problem.message}`);
  return {
    ...base,
    conclusion: "failure",
    title: `${path}: ${count}`,
    summary:
      `Shepherd does nothing in this repository until these are fixed ` +
      `(check locally with \`shepherd validate\`):\n\n${list.join("\n")}`,
    annotations: problems.slice(0, MAX_ANNOTATIONS).map((problem) => ({
      path,
      start_line: problem.startLine,
      end_line: problem.endLine,
      annotation_level: "failure",
      title: problem.key,
      message: `${problem.key}: ${problem.message}`,
    })),
  };
}

/**
 * The one reply to commands while the config is broken: it points at the check run (linked when
 * known). Its key names the config (the commit of the latest check, else the errors), so an item
 * gets it once per broken config, however many commands are typed there.
 */
export function brokenConfigReply(input: {
  issue: number;
  path: string;
  errors: string[];
  check: { sha: string; url: string } | null;
}): Action {
  const { issue, path, check } = input;
  const id = check?.sha.slice(0, 12) ?? createHash("sha1").update(input.errors.join("\n")).digest("hex").slice(0, 12);
  const where =
    check && check.url !== ""
      ? `the [${CONFIG_CHECK_NAME}](${check.url}) check says what to fix`
      : `the "${CONFIG_CHECK_NAME}" check on the commit that changed it (or \`shepherd validate\`) says what to fix`;
  return {
    type: "comment",
    issue,
    key: `config-invalid-${id}`,
    body: `Commands do nothing here while \`${path}\` has errors: ${where}.`,
  };
}
