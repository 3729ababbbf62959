// What Shepherd remembers about each issue or PR, one Redis hash per item (one field per part, so
// handlers update parts without reading the rest). Every field is parsed with zod on the way in;
// a damaged field reads as unknown, never as a reason to fail a job. Version 2 moved the triage
// comment into the comment ledger (./comments.ts); version-1 items are migrated on first read.
import { z } from "zod";
import type { ItemPatch } from "../domain/actions.js";
import type { ChangedFile } from "../domain/model.js";
import type { RedisClient } from "../redis.js";
import type { CommentLedger } from "./comments.js";
import type { Keys } from "./keys.js";

export const ITEM_VERSION = 2;

const StoredTriageSchema = z.object({
  isAsync: z.boolean(),
  subsystems: z.array(z.string()),
  roadmap: z.string().nullable(),
  confidence: z.number(),
});
export type StoredTriage = z.infer<typeof StoredTriageSchema>;

const ChangedFileSchema = z.object({
  filename: z.string(),
  additions: z.number(),
  deletions: z.number(),
  patch: z.string().optional(),
});

const FIELDS = {
  kind: z.enum(["issue", "pr"]).nullable(),
  owned: z.array(z.string()),
  removed: z.array(z.string()),
  labels: z.array(z.string()).nullable(),
  triage: StoredTriageSchema.nullable(),
  files: z.array(ChangedFileSchema).nullable(),
} as const;

export interface ItemState {
  kind: "issue" | "pr" | null;
  /** Labels Shepherd applied that are still its own. */
  owned: string[];
  /** Labels a person removed; never re-added. */
  removed: string[];
  /** The labels on the item as Shepherd last saw or left them. */
  labels: string[] | null;
  triage: StoredTriage | null;
  /** A PR's changed files, kept so an edit of its text needs no second file listing. */
  files: ChangedFile[] | null;
}

const EMPTY: ItemState = { kind: null, owned: [], removed: [], labels: null, triage: null, files: null };

/** Files kept per PR: enough to classify; the rest adds nothing but memory. */
const MAX_STORED_FILES = 300;

export interface ItemStore {
  load(repoId: number, number: number): Promise<ItemState>;
  save(repoId: number, number: number, patch: ItemPatch): Promise<void>;
  /** The item left the repo (transferred or deleted): its state and comment ledger go. */
  forget(repoId: number, number: number): Promise<void>;
}

export function createItemStore(redis: RedisClient, keys: Keys, comments: CommentLedger): ItemStore {
  async function migrate(repoId: number, number: number, hash: Record<string, string>): Promise<void> {
    // Version 1 kept the triage comment in the item; it lives in the comment ledger now.
    const id = Number(hash.commentId);
    if (Number.isInteger(id) && id > 0 && !(await comments.get(repoId, number, "triage"))) {
      const deleted = hash.commentHash === '"deleted-by-person"';
      await comments.set(repoId, number, "triage", {
        state: deleted ? "deleted" : "posted",
        id: deleted ? null : id,
        hash: null,
      });
    }
    await redis
      .multi()
      .hdel(keys.item(repoId, number), "commentId", "commentHash", "commentPending")
      .hset(keys.item(repoId, number), "v", String(ITEM_VERSION))
      .exec();
  }
  return {
    async load(repoId, number) {
      const hash = await redis.hgetall(keys.item(repoId, number));
      if (Object.keys(hash).length > 0 && hash.v !== String(ITEM_VERSION)) await migrate(repoId, number, hash);
      const state: ItemState = { ...EMPTY };
      for (const [field, schema] of Object.entries(FIELDS) as Array<[keyof ItemState, z.ZodType]>) {
        const raw = hash[field];
        if (raw === undefined) continue;
        try {
          const parsed = schema.safeParse(JSON.parse(raw));
          if (parsed.success) (state as unknown as Record<string, unknown>)[field] = parsed.data;
        } catch {
          // A damaged field is treated as unknown.
        }
      }
      return state;
    },
    async save(repoId, number, patch) {
      const fields: Record<string, string> = {};
      for (const [field, value] of Object.entries(patch)) {
        if (value === undefined) continue;
        const stored = field === "files" && Array.isArray(value) ? value.slice(0, MAX_STORED_FILES) : value;
        fields[field] = JSON.stringify(stored);
      }
      if (Object.keys(fields).length === 0) return;
      await redis.hset(keys.item(repoId, number), { ...fields, v: String(ITEM_VERSION) });
    },
    async forget(repoId, number) {
      await redis.unlink(keys.item(repoId, number), keys.comments(repoId, number), keys.linkedPrs(repoId, number));
    },
  };
}
