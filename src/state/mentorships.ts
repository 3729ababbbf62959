// Mentorships, the waitlist, who was welcomed and who is away, per repository. Updated only under
// the repository's mentor lock (jobs/onboarding.ts), so capacity is never overrun by a race.
import { z } from "zod";
import type { Mentorship, MentorLoad, WaitingNewcomer } from "../domain/mentors.js";
import type { RedisClient } from "../redis.js";
import type { Keys } from "./keys.js";
import { parseStored } from "./stored.js";

// Stored JSON, parsed on the way in; `v` is absent in records written before versioning.
const MentorshipSchema = z.object({
  v: z.literal(1).optional(),
  newcomer: z.string(),
  mentor: z.string(),
  item: z.number().int(),
  kind: z.enum(["issue", "pr"]),
  pr: z.number().int().nullable(),
  since: z.number(),
  lastActivity: z.number(),
  commentId: z.number().int().nullable(),
  commentKey: z.string().nullable().optional(),
});
const WaitingSchema = z.object({
  login: z.string(),
  subsystem: z.string().nullable(),
  item: z.number().int(),
  since: z.number(),
});

function toMentorship(record: z.infer<typeof MentorshipSchema>): Mentorship {
  const { v: _version, ...mentorship } = record;
  return { ...mentorship, commentKey: mentorship.commentKey ?? null };
}

export type { Mentorship };

export interface MentorshipStore {
  get(repoId: number, newcomer: string): Promise<Mentorship | null>;
  all(repoId: number): Promise<Mentorship[]>;
  start(repoId: number, mentorship: Mentorship): Promise<void>;
  update(repoId: number, newcomer: string, patch: Partial<Mentorship>): Promise<void>;
  end(repoId: number, newcomer: string): Promise<Mentorship | null>;
  loads(repoId: number, mentors: string[]): Promise<MentorLoad[]>;
  /** True the first time only: a person is welcomed once per repository. */
  markWelcomed(repoId: number, login: string): Promise<boolean>;
  isWelcomed(repoId: number, login: string): Promise<boolean>;
  waitlist(repoId: number): Promise<WaitingNewcomer[]>;
  /** Adds at the end unless already waiting; returns the 1-based position. */
  enqueue(repoId: number, waiting: WaitingNewcomer): Promise<number>;
  dequeue(repoId: number, login: string): Promise<void>;
  /** `until` Infinity means until `/back`; `since` is when the mentor said so. */
  setAway(repoId: number, mentor: string, until: number, since: number): Promise<void>;
  setBack(repoId: number, mentor: string): Promise<void>;
  away(repoId: number, mentor: string): Promise<{ until: number; since: number } | null>;
}

export function createMentorshipStore(redis: RedisClient, keys: Keys): MentorshipStore {
  async function get(repoId: number, newcomer: string): Promise<Mentorship | null> {
    const record = parseStored(MentorshipSchema, await redis.get(keys.mentorship(repoId, newcomer)));
    return record ? toMentorship(record) : null;
  }
  async function waitlist(repoId: number): Promise<WaitingNewcomer[]> {
    return (await redis.lrange(keys.waitlist(repoId), 0, -1)).flatMap((raw) => {
      const entry = parseStored(WaitingSchema, raw);
      return entry ? [entry] : [];
    });
  }
  return {
    get,
    async all(repoId) {
      const newcomers = await redis.smembers(keys.mentorships(repoId));
      const found = await Promise.all(newcomers.map((login) => get(repoId, login)));
      return found.filter((entry): entry is Mentorship => entry !== null).sort((a, b) => a.since - b.since);
    },
    async start(repoId, mentorship) {
      await redis
        .multi()
        .set(keys.mentorship(repoId, mentorship.newcomer), JSON.stringify({ v: 1, ...mentorship }))
        .sadd(keys.mentorships(repoId), mentorship.newcomer.toLowerCase())
        .sadd(keys.mentees(repoId, mentorship.mentor), mentorship.newcomer.toLowerCase())
        .hset(keys.mentorLastAssigned(repoId), mentorship.mentor.toLowerCase(), String(mentorship.since))
        .exec();
    },
    async update(repoId, newcomer, patch) {
      const current = await get(repoId, newcomer);
      if (current) await redis.set(keys.mentorship(repoId, newcomer), JSON.stringify({ v: 1, ...current, ...patch }));
    },
    async end(repoId, newcomer) {
      const current = await get(repoId, newcomer);
      if (!current) return null;
      await redis
        .multi()
        .del(keys.mentorship(repoId, newcomer))
        .srem(keys.mentorships(repoId), newcomer.toLowerCase())
        .srem(keys.mentees(repoId, current.mentor), newcomer.toLowerCase())
        .exec();
      return current;
    },
    async loads(repoId, mentors) {
      const last = await redis.hgetall(keys.mentorLastAssigned(repoId));
      const away = await redis.hgetall(keys.mentorAway(repoId));
      return Promise.all(
        mentors.map(async (login) => ({
          login,
          active: await redis.scard(keys.mentees(repoId, login)),
          lastAssignedAt: last[login.toLowerCase()] ? Number(last[login.toLowerCase()]) : null,
          awayUntil: parseAway(away[login.toLowerCase()])?.until ?? null,
        })),
      );
    },
    async markWelcomed(repoId, login) {
      return (await redis.sadd(keys.welcomed(repoId), login.toLowerCase())) === 1;
    },
    async isWelcomed(repoId, login) {
      return (await redis.sismember(keys.welcomed(repoId), login.toLowerCase())) === 1;
    },
    waitlist,
    async enqueue(repoId, waiting) {
      const current = await waitlist(repoId);
      const at = current.findIndex((entry) => entry.login.toLowerCase() === waiting.login.toLowerCase());
      if (at >= 0) return at + 1;
      return redis.rpush(keys.waitlist(repoId), JSON.stringify(waiting));
    },
    async dequeue(repoId, login) {
      // LREM matches the stored text, so the raw entries are compared, not re-serialised ones.
      for (const raw of await redis.lrange(keys.waitlist(repoId), 0, -1)) {
        const entry = parseStored(WaitingSchema, raw);
        if (!entry || entry.login.toLowerCase() === login.toLowerCase())
          await redis.lrem(keys.waitlist(repoId), 0, raw);
      }
    },
    async setAway(repoId, mentor, until, since) {
      // JSON has no Infinity: null stands for "until /back".
      const value = JSON.stringify({ until: Number.isFinite(until) ? until : null, since });
      await redis.hset(keys.mentorAway(repoId), mentor.toLowerCase(), value);
    },
    async setBack(repoId, mentor) {
      await redis.hdel(keys.mentorAway(repoId), mentor.toLowerCase());
    },
    async away(repoId, mentor) {
      return parseAway((await redis.hget(keys.mentorAway(repoId), mentor.toLowerCase())) ?? undefined);
    },
  };
}

function parseAway(raw: string | undefined): { until: number; since: number } | null {
  if (raw === undefined) return null;
  try {
    const value = JSON.parse(raw) as { until: number | null; since: number };
    return { until: value.until ?? Number.POSITIVE_INFINITY, since: value.since };
  } catch {
    return null;
  }
}
