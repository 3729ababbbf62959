// `shepherd digest --repo owner/name --dry-run`: prints the weekly digest Shepherd would post for
// a repository, rendered from the projection in Redis, without calling GitHub.
import { readFile } from "node:fs/promises";
import { parse } from "yaml";
import { buildDigest } from "../../jobs/digest.js";
import { type ResolvedConfig, resolveConfigInput } from "../config/resolve.js";
import { isoWeek } from "../domain/projection.js";
import { connectRedis, createRedis } from "../redis.js";
import { readSettings } from "../settings.js";
import { createClaimStore } from "../state/claims.js";
import { createKeys } from "../state/keys.js";
import { createMentorshipStore } from "../state/mentorships.js";
import { createProjectionStore } from "../state/projection.js";
import { parseCommandArgs, repoArgument } from "./args.js";
import type { Writable } from "./main.js";

export const DIGEST_USAGE = `usage: shepherd digest --repo OWNER/NAME --dry-run [--config FILE] [--week YYYY-Www]

Prints the weekly digest for a repository from Shepherd's projection in Redis
(SHEPHERD_REDIS_URL or SHEPHERD_REDIS_CLUSTER, SHEPHERD_PREFIX), without posting or calling GitHub.
--config  the repo's .github/shepherd.yml (default: the django-async preset)
--week    an ISO week such as 2026-W48 (default: this week)
`;

export async function digestCommand(
  argv: string[],
  out: Writable,
  err: Writable,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const parsed = parseCommandArgs(
    "digest",
    DIGEST_USAGE,
    argv,
    { repo: { type: "string" }, "dry-run": { type: "boolean" }, config: { type: "string" }, week: { type: "string" } },
    err,
  );
  if (parsed === null) return 2;
  const { values } = parsed;
  if (values.help) {
    out.write(DIGEST_USAGE);
    return 0;
  }
  if (parsed.positionals.length > 0) {
    err.write(`shepherd digest: unexpected argument "${parsed.positionals[0]}"\n${DIGEST_USAGE}`);
    return 2;
  }
  const target = repoArgument(values.repo);
  if (!target) {
    err.write(`shepherd digest: --repo OWNER/NAME is required\n${DIGEST_USAGE}`);
    return 2;
  }
  const { owner, repo: name } = target;
  if (!values["dry-run"]) {
    err.write(`shepherd digest: only --dry-run is supported; the scheduled job posts the digest\n${DIGEST_USAGE}`);
    return 2;
  }
  if (values.week !== undefined && !/^\d{4}-W\d{2}$/.test(values.week)) {
    err.write(`shepherd digest: --week must look like 2026-W48\n${DIGEST_USAGE}`);
    return 2;
  }
  const config = await loadConfig(values.config);
  if (!config.ok) {
    err.write(`shepherd digest: ${config.error}\n`);
    return 1;
  }
  // The running install's own settings: the same Redis (or cluster) and the same effective prefix.
  let settings;
  try {
    settings = readSettings(env);
  } catch (error) {
    err.write(`shepherd digest: ${(error as Error).message}\n`);
    return 1;
  }
  const redis = createRedis(settings, "state");
  try {
    await connectRedis(redis, settings);
  } catch (error) {
    err.write(`${(error as Error).message}\n`);
    return 1;
  }
  try {
    const keys = createKeys(settings.prefix);
    const projection = createProjectionStore(redis, keys);
    const repoId = await projection.repoIdOf(owner, name);
    if (repoId === null) {
      err.write(`shepherd digest: no projection of ${owner}/${name} in this Redis (has Shepherd reconciled it?)\n`);
      return 1;
    }
    const now = Date.now();
    const week = values.week ?? isoWeek(now, config.value.digest?.timeZone ?? "UTC");
    const deps = { projection, claims: createClaimStore(redis, keys), mentorships: createMentorshipStore(redis, keys) };
    const repo = { id: repoId, owner, repo: name };
    const digest = await buildDigest(deps, repo, config.value, week, now, { saveSnapshot: false });
    out.write(`# ${digest.title}\n\n${digest.body}\n`);
    return 0;
  } finally {
    redis.disconnect();
  }
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
