// The per-repository projection of tracked items (async-conversion issues and PRs), kept current
// from webhooks so summaries and digests cost no reads; plus weekly snapshots for trends and the
// welcomes of the week. One Redis hash per repo: field = item number, value = JSON.
import type { TrackedItem, WeeklySnapshot } from "../domain/projection.js";
import type { RedisClient } from "../redis.js";
import type { Keys } from "./keys.js";

/** Snapshots kept: two years of weeks. */
const MAX_SNAPSHOTS = 104;

export interface ProjectionStore {
  get(repoId: number, number: number): Promise<TrackedItem | null>;
  put(repoId: number, item: TrackedItem): Promise<void>;
  putMany(repoId: number, items: TrackedItem[]): Promise<void>;
  remove(repoId: number, number: number): Promise<void>;
  all(repoId: number): Promise<TrackedItem[]>;
  /** Stores the snapshot of its week, replacing an earlier one of the same week. */
  saveSnapshot(repoId: number, snapshot: WeeklySnapshot): Promise<void>;
  snapshots(repoId: number): Promise<WeeklySnapshot[]>;
  recordWelcome(repoId: number, welcome: { newcomer: string; mentor: string | null; at: number }): Promise<void>;
  welcomesBetween(
    repoId: number,
    start: number,
    end: number,
  ): Promise<Array<{ newcomer: string; mentor: string | null; at: number }>>;
  /** Every welcome recorded, oldest first (for `shepherd export`). */
  welcomes(repoId: number): Promise<Array<{ newcomer: string; mentor: string | null; at: number }>>;
  /** owner/name → id, so the command line can find a repo's projection by name. */
  rememberRepo(owner: string, repo: string, repoId: number): Promise<void>;
  repoIdOf(owner: string, repo: string): Promise<number | null>;
}

export function createProjectionStore(redis: RedisClient, keys: Keys): ProjectionStore {
  return {
    async get(repoId, number) {
      const raw = await redis.hget(keys.projection(repoId), String(number));
      return raw ? (JSON.parse(raw) as TrackedItem) : null;
    },
    async put(repoId, item) {
      await redis.hset(keys.projection(repoId), String(item.number), JSON.stringify(item));
    },
    async putMany(repoId, items) {
      for (let start = 0; start < items.length; start += 1000) {
        const fields: Record<string, string> = {};
        for (const item of items.slice(start, start + 1000)) fields[String(item.number)] = JSON.stringify(item);
        await redis.hset(keys.projection(repoId), fields);
      }
    },
    async remove(repoId, number) {
      await redis.hdel(keys.projection(repoId), String(number));
    },
    async all(repoId) {
      const hash = await redis.hgetall(keys.projection(repoId));
      return Object.values(hash)
        .map((raw) => JSON.parse(raw) as TrackedItem)
        .sort((a, b) => a.number - b.number);
    },
    async saveSnapshot(repoId, snapshot) {
      await redis.hset(keys.snapshots(repoId), snapshot.week, JSON.stringify(snapshot));
      const weeks = (await redis.hkeys(keys.snapshots(repoId))).sort();
      if (weeks.length > MAX_SNAPSHOTS)
        await redis.hdel(keys.snapshots(repoId), ...weeks.slice(0, weeks.length - MAX_SNAPSHOTS));
    },
    async snapshots(repoId) {
      const hash = await redis.hgetall(keys.snapshots(repoId));
      return Object.values(hash)
        .map((raw) => JSON.parse(raw) as WeeklySnapshot)
        .sort((a, b) => a.week.localeCompare(b.week));
    },
    async recordWelcome(repoId, welcome) {
      await redis.zadd(keys.welcomes(repoId), welcome.at, JSON.stringify(welcome));
    },
    async welcomesBetween(repoId, start, end) {
      const raw = await redis.zrangebyscore(keys.welcomes(repoId), start, `(${end}`);
      return raw.map((entry) => JSON.parse(entry) as { newcomer: string; mentor: string | null; at: number });
    },
    async welcomes(repoId) {
      const raw = await redis.zrangebyscore(keys.welcomes(repoId), "-inf", "+inf");
      return raw.map((entry) => JSON.parse(entry) as { newcomer: string; mentor: string | null; at: number });
    },
    async rememberRepo(owner, repo, repoId) {
      await redis.set(keys.repoId(owner, repo), String(repoId));
    },
    async repoIdOf(owner, repo) {
      const id = await redis.get(keys.repoId(owner, repo));
      return id === null ? null : Number(id);
    },
  };
}
