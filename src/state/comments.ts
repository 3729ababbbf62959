// Shepherd's ledger of its own comments: for each (item, key), the comment's id and a hash of the
// body last written. `pending` is recorded before a comment is created, so a retry after a crash
// (or an answer lost to a timeout) looks on GitHub for the key instead of posting a second one.
import { z } from "zod";
import type { RedisClient } from "../redis.js";
import type { Keys } from "./keys.js";
import { parseStored } from "./stored.js";

const Entry = z.object({
  v: z.literal(1),
  state: z.enum(["pending", "posted", "deleted"]),
  id: z.number().int().nullable(),
  hash: z.string().nullable(),
});
export type CommentEntry = z.infer<typeof Entry>;

export interface CommentLedger {
  get(repoId: number, issue: number, key: string): Promise<CommentEntry | null>;
  set(repoId: number, issue: number, key: string, entry: Omit<CommentEntry, "v">): Promise<void>;
  all(repoId: number, issue: number): Promise<Map<string, CommentEntry>>;
}

/** Ledgers outlive any retry; a comment older than this is found again by its key if needed. */
const TTL_SECONDS = 400 * 24 * 3600;

export function createCommentLedger(redis: RedisClient, keys: Keys): CommentLedger {
  return {
    async get(repoId, issue, key) {
      return parseEntry(await redis.hget(keys.comments(repoId, issue), key));
    },
    async set(repoId, issue, key, entry) {
      const hashKey = keys.comments(repoId, issue);
      await redis
        .multi()
        .hset(hashKey, key, JSON.stringify({ v: 1, ...entry }))
        .expire(hashKey, TTL_SECONDS)
        .exec();
    },
    async all(repoId, issue) {
      const hash = await redis.hgetall(keys.comments(repoId, issue));
      const out = new Map<string, CommentEntry>();
      for (const [key, raw] of Object.entries(hash)) {
        const entry = parseEntry(raw);
        if (entry) out.set(key, entry);
      }
      return out;
    },
  };
}

function parseEntry(raw: string | null | undefined): CommentEntry | null {
  return parseStored(Entry, raw);
}
