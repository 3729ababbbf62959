// `shepherd digest --repo owner/name --dry-run`: prints the weekly digest Shepherd would post for
// a repository, rendered from the projection in Redis, without calling GitHub. With `--from FILE`
// it renders from a file `shepherd export` wrote instead, offline: no Redis, no GitHub.
import { readFile } from "node:fs/promises";
import { parse } from "yaml";
import { buildDigest } from "../../jobs/digest.js";
import { type ResolvedConfig, resolveConfigInput } from "../config/resolve.js";
import { composeDigest, type DigestPreview } from "../domain/digest.js";
import { isoWeek } from "../domain/projection.js";
import { connectRedis, createRedis } from "../redis.js";
import { createKeys } from "../state/keys.js";
import { createProjectionStore } from "../state/projection.js";
import { dateArgument, parseOptions, repoArgument, settingsFor, usageError } from "./args.js";
import type { Writable } from "./main.js";
import { readProjectionFile } from "./projection-file.js";

export const DIGEST_USAGE = `usage: shepherd digest --repo OWNER/NAME --dry-run [--config FILE] [--week YYYY-Www] [--at YYYY-MM-DD]
       shepherd digest --dry-run --from FILE [--config FILE] [--week YYYY-Www] [--at YYYY-MM-DD]

Prints the weekly digest for a repository from Shepherd's projection in Redis
(SHEPHERD_REDIS_URL or SHEPHERD_REDIS_CLUSTER, SHEPHERD_PREFIX), without posting or calling GitHub.
--from    a file written by \`shepherd export\`: the digest is computed from it, offline (no
          Redis, no GitHub); a bad line is reported with its number and skipped (exit 1)
--config  the repo's .github/shepherd.yml (default: the django-async preset)
--week    an ISO week such as 2026-W48 (default: the week of --at)
--at      the date the digest is computed at, midnight UTC (default: now)
`;

export async function digestCommand(
  argv: string[],
  out: Writable,
  err: Writable,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const parsed = parseOptions(
    "digest",
    DIGEST_USAGE,
    argv,
    {
      repo: { type: "string" },
      "dry-run": { type: "boolean" },
      config: { type: "string" },
      week: { type: "string" },
      at: { type: "string" },
      from: { type: "string" },
    },
    out,
    err,
  );
  if (typeof parsed === "number") return parsed;
  const { values } = parsed;
  const usage = (message: string) => usageError("digest", DIGEST_USAGE, message, err);
  const target = repoArgument(values.repo);
  if (values.from === undefined && !target) return usage("--repo OWNER/NAME is required");
  if (values.from !== undefined && values.repo !== undefined) return usage("give --repo or --from, not both");
  if (!values["dry-run"]) return usage("only --dry-run is supported; the scheduled job posts the digest");
  if (values.week !== undefined && !/^\d{4}-W\d{2}$/.test(values.week)) return usage("--week must look like 2026-W48");
  const now = dateArgument(values.at, Date.now());
  if (now === null) return usage("--at must be a date such as 2026-12-31");
  const config = await loadConfig(values.config);
  if (!config.ok) {
    err.write(`shepherd digest: ${config.error}\n`);
    return 1;
  }
  const week = values.week ?? isoWeek(now, config.value.digest?.timeZone ?? "UTC");
  if (values.from !== undefined) return digestFromFile(values.from, config.value, week, now, out, err);
  if (!target) return 2;
  const settings = settingsFor("digest", env, err);
  if (settings === null) return 1;
  const redis = createRedis(settings, "state");
  try {
    await connectRedis(redis, settings);
  } catch (error) {
    err.write(`${(error as Error).message}\n`);
    return 1;
  }
  try {
    const { owner, repo: name } = target;
    const projection = createProjectionStore(redis, createKeys(settings.prefix));
    const repoId = await projection.repoIdOf(owner, name);
    if (repoId === null) {
      err.write(`shepherd digest: no projection of ${owner}/${name} in this Redis (has Shepherd reconciled it?)\n`);
      return 1;
    }
    const repo = { id: repoId, owner, repo: name };
    printDigest(out, await buildDigest({ projection }, repo, config.value, week, now, { saveSnapshot: false }));
    return 0;
  } finally {
    redis.disconnect();
  }
}

async function digestFromFile(
  path: string,
  config: ResolvedConfig,
  week: string,
  now: number,
  out: Writable,
  err: Writable,
): Promise<number> {
  let file;
  try {
    file = await readProjectionFile(path);
  } catch (error) {
    err.write(`shepherd digest: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}\n`);
    return 1;
  }
  for (const problem of file.problems) err.write(`${path}: line ${problem.line}: ${problem.message}\n`);
  // Without its header the file does not say which repository it is.
  if (file.header === null) return 1;
  const digest = composeDigest(file.state, {
    repo: file.header.repo,
    week,
    timeZone: config.digest?.timeZone ?? "UTC",
    remindAfterDays: config.staleClaims?.remindAfterDays ?? 14,
    model: config.model,
    now,
  });
  printDigest(out, digest);
  return file.problems.length > 0 ? 1 : 0;
}

function printDigest(out: Writable, digest: DigestPreview): void {
  out.write(`# ${digest.title}\n\n${digest.body}\n`);
}

async function loadConfig(
  path: string | undefined,
): Promise<{ ok: true; value: ResolvedConfig } | { ok: false; error: string }> {
  let raw: unknown = { preset: "django-async", triage: {}, digest: {} };
  if (path !== undefined) {
    try {
      raw = parse(await readFile(path, "utf8")) ?? {};
    } catch (error) {
      return { ok: false, error: `${path}: ${(error as Error).message}` };
    }
  }
  const resolved = resolveConfigInput(raw);
  if (!resolved.ok) return { ok: false, error: `${path ?? "config"}: ${resolved.errors.join("; ")}` };
  return { ok: true, value: resolved.config };
}
