// `shepherd backtest --repo OWNER/NAME`: what backlog triage would label in a repository, read
// from GitHub with the app's credentials (APP_ID, PRIVATE_KEY, GHE_HOST for GitHub Enterprise),
// 100 items a page, writing nothing.
import { readFile } from "node:fs/promises";
import { createProbot } from "probot";
import { parse } from "yaml";
import { type ResolvedConfig, resolveConfigInput } from "../config/resolve.js";
import { classify, compileModel, type CompiledModel } from "../domain/classifier.js";
import { itemFromRest } from "../domain/events.js";
import { decideTriage } from "../domain/triage.js";
import { createLogger } from "../log.js";
import { parseCommandArgs, repoArgument } from "./args.js";
import type { Writable } from "./main.js";

export const BACKLOG_USAGE = `usage: shepherd backtest --repo OWNER/NAME [--config FILE]

Lists the open issues and PRs of a repository and prints the labels backlog triage would give
each (\`#N kind +label... (confidence)\`), writing nothing. Uses the app's credentials (APP_ID,
PRIVATE_KEY; GHE_HOST for GitHub Enterprise). --config: a .github/shepherd.yml to use instead of
the repository's own.
`;

const CONFIG_PATH = ".github/shepherd.yml";

export async function backlogDryRun(
  argv: string[],
  out: Writable,
  err: Writable,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const parsed = parseCommandArgs(
    "backtest",
    BACKLOG_USAGE,
    argv,
    { repo: { type: "string" }, config: { type: "string" } },
    err,
  );
  if (parsed === null) return 2;
  const { values } = parsed;
  const target = repoArgument(values.repo);
  if (!target) {
    err.write(`shepherd backtest: --repo OWNER/NAME is required\n${BACKLOG_USAGE}`);
    return 2;
  }
  const { owner, repo } = target;
  if (!env.APP_ID || !env.PRIVATE_KEY) {
    err.write("shepherd backtest: APP_ID and PRIVATE_KEY must be set to read the repository\n");
    return 1;
  }
  try {
    const probot = createProbot({ env, overrides: { log: createLogger({ level: "warn", format: "json" }) } });
    const app = await probot.auth();
    const { data: installation } = await app.rest.apps.getRepoInstallation({ owner, repo });
    const octokit = await probot.auth(installation.id);
    const text = values.config ? await readFile(values.config, "utf8") : await repoConfig(octokit, owner, repo);
    if (text === null) {
      err.write(`shepherd backtest: ${owner}/${repo} has no ${CONFIG_PATH}; give one with --config\n`);
      return 1;
    }
    const resolved = resolveConfigInput(parse(text) ?? {});
    if (!resolved.ok) {
      err.write(`shepherd backtest: the config is invalid:\n${resolved.errors.map((e) => `  ${e}`).join("\n")}\n`);
      return 1;
    }
    const listed = await octokit.paginate(octokit.rest.issues.listForRepo, {
      owner,
      repo,
      state: "open",
      per_page: 100,
    });
    const counts = printDecisions(listed, resolved.config, compileModel(resolved.config.model), out);
    out.write(
      `would label ${counts.labelled} of ${counts.items} open items (${counts.labelled} writes); ` +
        `${counts.needsTriage} marked needs-triage; nothing was written\n`,
    );
    return 0;
  } catch (error) {
    err.write(`shepherd backtest: ${(error as Error).message}\n`);
    return 1;
  }
}

async function repoConfig(
  octokit: Awaited<ReturnType<ReturnType<typeof createProbot>["auth"]>>,
  owner: string,
  repo: string,
): Promise<string | null> {
  try {
    const { data } = await octokit.rest.repos.getContent({ owner, repo, path: CONFIG_PATH });
    if (Array.isArray(data) || data.type !== "file" || !("content" in data)) return null;
    return Buffer.from(data.content, "base64").toString("utf8");
  } catch (error) {
    if ((error as { status?: number }).status === 404) return null;
    throw error;
  }
}

function printDecisions(
  listed: unknown[],
  config: ResolvedConfig,
  compiled: CompiledModel,
  out: Writable,
): { items: number; labelled: number; needsTriage: number } {
  const triage = config.triage;
  const counts = { items: 0, labelled: 0, needsTriage: 0 };
  if (!triage) return counts;
  for (const raw of listed) {
    const item = itemFromRest(raw);
    if (!item || item.author.isBot) continue;
    counts.items += 1;
    const decision = decideTriage({
      kind: item.kind,
      labels: item.labels,
      milestone: item.milestone,
      classification: classify(compiled, {
        kind: item.kind,
        title: item.title,
        body: item.body,
        milestone: item.milestone?.title ?? null,
      }),
      memory: { owned: [], removed: [] },
      settings: { ...triage, explain: "none" },
      model: config.model,
      milestones: null,
      inherited: null,
    });
    if (!decision.applies || decision.add.length === 0) continue;
    counts.labelled += 1;
    if (decision.needsTriage) counts.needsTriage += 1;
    const added = decision.add.map((label) => `+${label}`).join(" ");
    out.write(`#${item.number} ${item.kind} ${added} (${decision.confidence.toFixed(2)})\n`);
  }
  return counts;
}
