// `shepherd export --repo OWNER/NAME [--out FILE]`: writes a repository's stored projection (what
// the summary and the digest are computed from: tracked items, weekly snapshots, welcomes) as
// JSON lines (./projection-file.ts), read with the app's own Redis settings. Writes nothing to Redis.
import { writeFile } from "node:fs/promises";
import { connectRedis, createRedis } from "../redis.js";
import { createKeys } from "../state/keys.js";
import { createProjectionStore } from "../state/projection.js";
import { parseOptions, repoArgument, settingsFor, usageError } from "./args.js";
import type { Writable } from "./main.js";
import { projectionLines } from "./projection-file.js";

export const EXPORT_USAGE = `usage: shepherd export --repo OWNER/NAME [--out FILE]

Writes the repository's projection in Shepherd's Redis (SHEPHERD_REDIS_URL or
SHEPHERD_REDIS_CLUSTER, SHEPHERD_PREFIX) as JSON lines: a header {v, type: "header", repo,
repoId, exportedAt}, then one {v, type: "item" | "snapshot" | "welcome", ...} record a line.
--out  the file to write (default: stdout); \`shepherd digest --dry-run --from FILE\` reads it
`;

export async function exportCommand(
  argv: string[],
  out: Writable,
  err: Writable,
  env: NodeJS.ProcessEnv = process.env,
  now: () => number = Date.now,
): Promise<number> {
  const parsed = parseOptions(
    "export",
    EXPORT_USAGE,
    argv,
    { repo: { type: "string" }, out: { type: "string" } },
    out,
    err,
  );
  if (typeof parsed === "number") return parsed;
  const { values } = parsed;
  const target = repoArgument(values.repo);
  if (!target) return usageError("export", EXPORT_USAGE, "--repo OWNER/NAME is required", err);
  const settings = settingsFor("export", env, err);
  if (settings === null) return 1;
  const { owner, repo } = target;
  const redis = createRedis(settings, "state");
  try {
    await connectRedis(redis, settings);
    const projection = createProjectionStore(redis, createKeys(settings.prefix));
    const repoId = await projection.repoIdOf(owner, repo);
    if (repoId === null) throw new Error(`no projection of ${owner}/${repo} in this Redis (has Shepherd seen it?)`);
    const [items, snapshots, welcomes] = await Promise.all([
      projection.all(repoId),
      projection.snapshots(repoId),
      projection.welcomes(repoId),
    ]);
    const header = { repo: `${owner}/${repo}`, repoId, exportedAt: new Date(now()).toISOString() };
    const text = `${projectionLines(header, { items, snapshots, welcomes }).join("\n")}\n`;
    if (values.out === undefined) out.write(text);
    else await writeFile(values.out, text);
    err.write(`${items.length} items, ${snapshots.length} snapshots, ${welcomes.length} welcomes exported\n`);
    return 0;
  } catch (error) {
    err.write(`shepherd export: ${(error as Error).message}\n`);
    return 1;
  } finally {
    redis.disconnect();
  }
}
