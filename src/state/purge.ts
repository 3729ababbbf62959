// Forgetting repositories: when Shepherd is uninstalled, or repositories are taken away from an
// installation, every key of theirs goes (keys.ts: a repo-scoped key names its repo right after
// its family). One SCAN over Shepherd's state serves any number of repos, and deleting what is
// already gone is a no-op, so a retried purge is safe.
import type { Redis } from "ioredis";
import type { RedisClient } from "../redis.js";
import type { Keys } from "./keys.js";

export interface PurgeTarget {
  id: number;
  owner: string;
  repo: string;
}

/** SCAN batch; UNLINK frees memory off Redis's main thread. */
const BATCH = 1000;

/** Deletes every state key of the given repos; returns how many keys went. */
export async function purgeRepos(redis: RedisClient, keys: Keys, targets: PurgeTarget[]): Promise<number> {
  if (targets.length === 0) return 0;
  const root = keys.root();
  const belongs = repoMatcher(root, targets);
  let removed = 0;
  for (const node of scanNodes(redis)) {
    let cursor = "0";
    do {
      const [next, found] = await node.scan(cursor, "MATCH", `${escapeGlob(root)}*`, "COUNT", BATCH);
      cursor = next;
      const doomed = found.filter(belongs);
      if (doomed.length === 0) continue;
      // Single-key commands in one round trip: on a cluster node a multi-key UNLINK could cross slots.
      const pipeline = node.pipeline();
      for (const key of doomed) pipeline.unlink(key);
      for (const [error, count] of (await pipeline.exec()) ?? []) {
        if (error) throw error;
        removed += Number(count);
      }
    } while (cursor !== "0");
  }
  return removed;
}

/** `<root><family>:<repoId>(:...)` or `<root><family>:<owner>/<name>(:...)`, case-insensitive names. */
export function repoMatcher(root: string, targets: PurgeTarget[]): (key: string) => boolean {
  const ids = new Set(targets.map((target) => String(target.id)));
  const names = new Set(targets.map((target) => `${target.owner}/${target.repo}`.toLowerCase()));
  return (key) => {
    if (!key.startsWith(root)) return false;
    const parts = key.slice(root.length).split(":");
    const scope = parts[1];
    if (scope === undefined) return false;
    return ids.has(scope) || names.has(scope.toLowerCase());
  };
}

/** The nodes to SCAN: the one Redis, or each master of a cluster (SCAN is per node there). */
function scanNodes(redis: RedisClient): Redis[] {
  return "nodes" in redis && typeof redis.nodes === "function" ? redis.nodes("master") : [redis as Redis];
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (char) => `\\${char}`);
}
