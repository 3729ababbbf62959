// `shepherd sweep --repo OWNER/NAME --dry-run [--at YYYY-MM-DD] [--config FILE]`: which claims the
// daily sweep would remind or release at that date, from Shepherd's Redis state and the repo's
// config (the cached copy Shepherd read, or --config), with the sweep's own pure decision. Writes
// nothing and calls nothing on GitHub.
import { readFile } from "node:fs/promises";
import { parse } from "yaml";
import { resolveConfigInput } from "../config/resolve.js";
import { staleClaimActions, staleClaimOf } from "../domain/stale.js";
import { connectRedis, createRedis, type RedisClient } from "../redis.js";
import { createClaimStore } from "../state/claims.js";
import { createCommentLedger } from "../state/comments.js";
import { createItemStore } from "../state/items.js";
import { createKeys, type Keys } from "../state/keys.js";
import { createProjectionStore } from "../state/projection.js";
import { dateArgument, parseCommandArgs, repoArgument, settingsFor } from "./args.js";
import type { Writable } from "./main.js";

export const SWEEP_USAGE = `usage: shepherd sweep --repo OWNER/NAME --dry-run [--at YYYY-MM-DD] [--config FILE]

Prints each claim the daily sweep would act on at that date (default: now), as
"#N @login reminder" or "#N @login release", from Shepherd's Redis state (SHEPHERD_REDIS_URL or
SHEPHERD_REDIS_CLUSTER, SHEPHERD_PREFIX). The config is the copy Shepherd cached for the repo,
or --config FILE. Writes nothing.
`;

async function configText(redis: RedisClient, keys: Keys, owner: string, repo: string, path: string | undefined) {
  if (path !== undefined) return parse(await readFile(path, "utf8")) as unknown;
  // The config store's cached copy: { status: "ok", raw } once Shepherd has read the file.
  const cached = await redis.get(keys.config(owner, repo));
  const parsed = cached === null ? null : (JSON.parse(cached) as { status?: string; raw?: unknown });
  if (parsed?.status !== "ok")
    throw new Error(`no cached config of ${owner}/${repo} in this Redis; give --config FILE`);
  return parsed.raw;
}

export async function sweepCommand(
  argv: string[],
  out: Writable,
  err: Writable,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const parsed = parseCommandArgs(
    "sweep",
    SWEEP_USAGE,
    argv,
    { repo: { type: "string" }, "dry-run": { type: "boolean" }, at: { type: "string" }, config: { type: "string" } },
    err,
  );
  if (parsed === null) return 2;
  const { values } = parsed;
  if (values.help) {
    out.write(SWEEP_USAGE);
    return 0;
  }
  if (parsed.positionals.length > 0) {
    err.write(`shepherd sweep: unexpected argument "${parsed.positionals[0]}"\n${SWEEP_USAGE}`);
    return 2;
  }
  const target = repoArgument(values.repo);
  if (!target) {
    err.write(`shepherd sweep: --repo OWNER/NAME is required\n${SWEEP_USAGE}`);
    return 2;
  }
  if (!values["dry-run"]) {
    err.write(`shepherd sweep: only --dry-run is supported; \`shepherd run sweep\` runs it\n${SWEEP_USAGE}`);
    return 2;
  }
  const now = dateArgument(values.at, Date.now());
  if (now === null) {
    err.write(`shepherd sweep: --at must be a date such as 2026-12-31\n${SWEEP_USAGE}`);
    return 2;
  }
  const settings = settingsFor("sweep", env, err);
  if (settings === null) return 1;
  const { owner, repo } = target;
  const redis = createRedis(settings, "state");
  try {
    await connectRedis(redis, settings);
    const keys = createKeys(settings.prefix);
    const resolved = resolveConfigInput((await configText(redis, keys, owner, repo, values.config)) ?? {});
    if (!resolved.ok) throw new Error(`the config is invalid: ${resolved.errors.join("; ")}`);
    const stale = resolved.config.staleClaims;
    if (!stale || !resolved.config.claims)
      throw new Error(`${owner}/${repo} has no staleClaims section: nothing sweeps`);
    const repoId = await createProjectionStore(redis, keys).repoIdOf(owner, repo);
    if (repoId === null) throw new Error(`${owner}/${repo} is unknown to this Redis (has Shepherd seen it?)`);
    const claims = createClaimStore(redis, keys);
    const items = createItemStore(redis, keys, createCommentLedger(redis, keys));
    const candidates = [];
    for (const number of await claims.claimedIssues(repoId)) {
      const claim = await claims.get(repoId, number);
      if (claim) candidates.push(staleClaimOf(number, claim, (await items.load(repoId, number)).labels ?? []));
    }
    const actions = staleClaimActions({ claims: candidates, now, ...stale });
    for (const action of actions.sort((a, b) => a.issue - b.issue)) {
      out.write(`#${action.issue} @${action.claimant} ${action.type === "remind" ? "reminder" : "release"}\n`);
    }
    err.write(`${actions.length} of ${candidates.length} claims would be acted on; nothing was written\n`);
    return 0;
  } catch (error) {
    err.write(`shepherd sweep: ${(error as Error).message}\n`);
    return 1;
  } finally {
    redis.disconnect();
  }
}
