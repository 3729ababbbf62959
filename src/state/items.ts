// What Shepherd remembers about each issue or PR, one Redis hash per item. Updated from webhooks,
// so a decision needs no read from GitHub; rebuildable from the markers in Shepherd's comments.
import type { Redis } from "ioredis";
import type { ChangedFile } from "../domain/model.js";
import type { Keys } from "./keys.js";

export interface StoredTriage {
  isAsync: boolean;
  subsystems: string[];
  roadmap: string | null;
  confidence: number;
}

export interface ItemState {
  kind: "issue" | "pr" | null;
  /** Labels Shepherd applied that are still its own. */
  owned: string[];
  /** Labels a person removed; never re-added. */
  removed: string[];
  /** The labels on the item as of the last webhook about it. */
  labels: string[] | null;
  triage: StoredTriage | null;
  /** A PR's changed files, kept so an edit of its text needs no second file listing. */
  files: ChangedFile[] | null;
  /** Shepherd's explanation comment, once posted. */
  commentId: number | null;
  commentHash: string | null;
  /** Set just before a comment is created: if the job dies before it records the id, the retry looks first. */
  commentPending: boolean;
}

const EMPTY: ItemState = {
  kind: null,
  owned: [],
  removed: [],
  labels: null,
  triage: null,
  files: null,
  commentId: null,
  commentHash: null,
  commentPending: false,
};

/** Files kept per PR: enough to classify; the rest adds nothing but memory. */
const MAX_STORED_FILES = 300;

export interface ItemStore {
  load(repoId: number, number: number): Promise<ItemState>;
  save(repoId: number, number: number, patch: Partial<ItemState>): Promise<void>;
}

export function createItemStore(redis: Redis, keys: Keys): ItemStore {
  return {
    async load(repoId, number) {
      const hash = await redis.hgetall(keys.item(repoId, number));
      const state: ItemState = { ...EMPTY };
      for (const field of Object.keys(EMPTY) as Array<keyof ItemState>) {
        const raw = hash[field];
        if (raw === undefined) continue;
        try {
          (state as unknown as Record<string, unknown>)[field] = JSON.parse(raw);
        } catch {
          // A damaged field is treated as unknown, never as a reason to fail the job.
        }
      }
      return state;
    },
    async save(repoId, number, patch) {
      const fields: Record<string, string> = {};
      for (const [field, value] of Object.entries(patch)) {
        const stored = field === "files" && Array.isArray(value) ? value.slice(0, MAX_STORED_FILES) : value;
        fields[field] = JSON.stringify(stored);
      }
      if (Object.keys(fields).length > 0) await redis.hset(keys.item(repoId, number), fields);
    },
  };
}
