// The code index of each repository in Redis: one hash (identifier → entry) and a meta record with
// the commit it was built from. A new build is written under a temporary key and renamed into
// place, so a reader sees the old index or the new one, never half of one, and a repeated build
// of the same commit replaces the index with an equal one.
import { randomBytes } from "node:crypto";
import { z } from "zod";
import {
  type CodeIndex,
  type CodeIndexMeta,
  decodeEntry,
  encodeEntry,
  INDEX_VERSIONS,
  type IndexEntry,
} from "../domain/code-index.js";
import type { RedisClient } from "../redis.js";
import type { Keys } from "./keys.js";
import { parseStored } from "./stored.js";

const StoredMeta = z.object({
  version: z.literal(INDEX_VERSIONS),
  sha: z.string(),
  globs: z.string(),
  files: z.number().int(),
  skipped: z.number().int(),
  names: z.number().int(),
  twins: z.number().int(),
  pages: z.number().int().optional(),
  builtAt: z.number(),
  bytes: z.number().int(),
});
export type StoredIndexMeta = z.infer<typeof StoredMeta>;

/** Entries are written this many at a time. */
const BATCH = 2000;

export interface CodeIndexStore {
  meta(repoId: number): Promise<StoredIndexMeta | null>;
  /**
   * Replaces the repo's index and resolves with its meta (the bytes its entries take included);
   * null, with the stored index left as it was, when the entries pass `maxBytes`.
   */
  save(repoId: number, index: CodeIndex, builtAt: number, maxBytes?: number): Promise<StoredIndexMeta | null>;
  /** Entries of the names asked for (one round trip); absent names are left out. */
  lookup(repoId: number, names: string[]): Promise<Map<string, IndexEntry>>;
}

export function createCodeIndexStore(redis: RedisClient, keys: Keys): CodeIndexStore {
  return {
    async meta(repoId) {
      return parseStored(StoredMeta, await redis.get(keys.codeIndexMeta(repoId)));
    },
    async save(repoId, index, builtAt, maxBytes = Number.POSITIVE_INFINITY) {
      const temporary = `${keys.codeIndex(repoId)}:building:${randomBytes(4).toString("hex")}`;
      let bytes = 0;
      let batch: string[] = [];
      try {
        for (const [name, entry] of index.names) {
          const value = encodeEntry(entry);
          bytes += name.length + value.length;
          if (bytes > maxBytes) return null;
          batch.push(name, value);
          if (batch.length >= BATCH * 2) {
            await redis.hset(temporary, ...batch);
            batch = [];
          }
        }
        if (batch.length > 0) await redis.hset(temporary, ...batch);
        const meta: StoredIndexMeta = { ...(index.meta satisfies CodeIndexMeta), builtAt, bytes };
        const multi = redis.multi();
        if (index.names.size > 0) multi.rename(temporary, keys.codeIndex(repoId));
        else multi.del(keys.codeIndex(repoId));
        multi.set(keys.codeIndexMeta(repoId), JSON.stringify(meta));
        await multi.exec();
        return meta;
      } finally {
        await redis.del(temporary);
      }
    },
    async lookup(repoId, names) {
      const found = new Map<string, IndexEntry>();
      if (names.length === 0) return found;
      const values = await redis.hmget(keys.codeIndex(repoId), ...names);
      names.forEach((name, i) => {
        const raw = values[i];
        const entry = raw ? decodeEntry(raw) : undefined;
        if (entry) found.set(name, entry);
      });
      return found;
    },
  };
}
