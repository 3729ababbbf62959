// Claims in Redis: one hash per claimed issue, plus a set per claimant (for the per-person cap)
// and a set per repo (for sweeps and rebuilds). Claiming is one atomic script, so two workers
// racing on the same issue end with one claimant and one refusal.
import { z } from "zod";
import type { Claim } from "../domain/commands/types.js";
import type { RedisClient } from "../redis.js";
import type { Keys } from "./keys.js";

const CLAIM = `
if redis.call("exists", KEYS[1]) == 1 then return redis.call("hget", KEYS[1], "claimant") end
redis.call("hset", KEYS[1], "claimant", ARGV[1], "since", ARGV[2], "assigned", ARGV[4])
redis.call("sadd", KEYS[2], ARGV[3])
redis.call("sadd", KEYS[3], ARGV[3])
return false`;

export interface StoredClaim extends Claim {
  /** False when GitHub would not assign the claimant and Shepherd keeps the claim in a comment. */
  assigned: boolean;
  /** Shepherd's claim comment, when it had to post one. */
  commentId: number | null;
  /** The claimant's last comment on the issue (epoch ms); null: none since the claim. */
  lastActivity: number | null;
  /** When Shepherd reminded the claimant that the claim looks stale. */
  remindedAt: number | null;
}

export type ClaimResult = { ok: true } | { ok: false; holder: string };

export interface ClaimStore {
  get(repoId: number, number: number): Promise<StoredClaim | null>;
  claim(repoId: number, number: number, login: string, since: number): Promise<ClaimResult>;
  update(
    repoId: number,
    number: number,
    patch: Partial<Pick<StoredClaim, "assigned" | "commentId" | "pr" | "lastActivity" | "remindedAt">>,
  ): Promise<void>;
  release(repoId: number, number: number): Promise<StoredClaim | null>;
  countFor(repoId: number, login: string): Promise<number>;
  claimedIssues(repoId: number): Promise<number[]>;
  linkPr(repoId: number, issue: number, pr: number): Promise<void>;
  unlinkPr(repoId: number, issue: number, pr: number): Promise<void>;
  linkedPrs(repoId: number, issue: number): Promise<number[]>;
}

// A claim is a Redis hash of strings (the claim script writes it atomically); "" means none.
const optionalNumber = z
  .string()
  .optional()
  .transform((value) => (value ? Number(value) : null))
  .pipe(z.number().finite().nullable());
const ClaimHash = z.object({
  claimant: z.string().min(1),
  since: z.coerce.number().finite(),
  pr: optionalNumber,
  assigned: z
    .string()
    .optional()
    .transform((value) => value !== "false"),
  commentId: optionalNumber,
  lastActivity: optionalNumber,
  remindedAt: optionalNumber,
});

export function createClaimStore(redis: RedisClient, keys: Keys): ClaimStore {
  async function get(repoId: number, number: number): Promise<StoredClaim | null> {
    const parsed = ClaimHash.safeParse(await redis.hgetall(keys.claim(repoId, number)));
    return parsed.success ? parsed.data : null;
  }
  return {
    get,
    async claim(repoId, number, login, since) {
      const holder = (await redis.eval(
        CLAIM,
        3,
        keys.claim(repoId, number),
        keys.claimsOf(repoId, login),
        keys.claimedIssues(repoId),
        login,
        String(since),
        String(number),
        "true",
      )) as string | null;
      return holder ? { ok: false, holder } : { ok: true };
    },
    async update(repoId, number, patch) {
      const fields: Record<string, string> = {};
      if (patch.assigned !== undefined) fields.assigned = String(patch.assigned);
      if (patch.commentId !== undefined) fields.commentId = patch.commentId === null ? "" : String(patch.commentId);
      if (patch.pr !== undefined) fields.pr = patch.pr === null ? "" : String(patch.pr);
      for (const key of ["lastActivity", "remindedAt"] as const) {
        const value = patch[key];
        if (value !== undefined) fields[key] = value === null ? "" : String(value);
      }
      if (Object.keys(fields).length > 0) await redis.hset(keys.claim(repoId, number), fields);
    },
    async release(repoId, number) {
      const current = await get(repoId, number);
      if (!current) return null;
      await redis
        .multi()
        .del(keys.claim(repoId, number))
        .srem(keys.claimsOf(repoId, current.claimant), String(number))
        .srem(keys.claimedIssues(repoId), String(number))
        .exec();
      return current;
    },
    async countFor(repoId, login) {
      return redis.scard(keys.claimsOf(repoId, login));
    },
    async claimedIssues(repoId) {
      return (await redis.smembers(keys.claimedIssues(repoId))).map(Number).sort((a, b) => a - b);
    },
    async linkPr(repoId, issue, pr) {
      await redis.sadd(keys.linkedPrs(repoId, issue), String(pr));
    },
    async unlinkPr(repoId, issue, pr) {
      await redis.srem(keys.linkedPrs(repoId, issue), String(pr));
    },
    async linkedPrs(repoId, issue) {
      return (await redis.smembers(keys.linkedPrs(repoId, issue))).map(Number).sort((a, b) => a - b);
    },
  };
}
