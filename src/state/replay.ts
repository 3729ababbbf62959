// What the replay of missed deliveries remembers: its checkpoint, and every GUID it asked GitHub to
// redeliver (so each is asked for once, whichever run or retry gets there first).
import type { RedisClient as Redis } from "../redis.js";
import { isDeliveryDone } from "./deliveries.js";
import type { Keys } from "./keys.js";

/** As long as Shepherd's delivery markers: past that, GitHub no longer redelivers anyway. */
const ASKED_TTL_SECONDS = 7 * 24 * 3600;

export async function loadCheckpoint(redis: Redis, keys: Keys): Promise<number | null> {
  const raw = await redis.get(keys.replayCheckpoint());
  const value = raw === null ? NaN : Number(raw);
  return Number.isFinite(value) ? value : null;
}

export async function saveCheckpoint(redis: Redis, keys: Keys, at: number): Promise<void> {
  await redis.set(keys.replayCheckpoint(), String(at));
}

/** Of `guids`, those Shepherd processed and those already asked for. */
export async function replayState(
  redis: Redis,
  keys: Keys,
  guids: readonly string[],
): Promise<{ processed: Set<string>; asked: Set<string> }> {
  // Sent together (one round trip's worth), one key per command, so it works on a cluster too.
  const [done, claimed] = await Promise.all([
    Promise.all(guids.map((guid) => isDeliveryDone(redis, keys, guid))),
    Promise.all(guids.map(async (guid) => (await redis.exists(keys.replayAsked(guid))) === 1)),
  ]);
  return {
    processed: new Set(guids.filter((_, index) => done[index])),
    asked: new Set(guids.filter((_, index) => claimed[index])),
  };
}

/** Records that `guid` is being asked for; false when a run (or an earlier try of this one) already did. */
export async function claimRedelivery(redis: Redis, keys: Keys, guid: string, deliveryId: number): Promise<boolean> {
  return (await redis.set(keys.replayAsked(guid), String(deliveryId), "EX", ASKED_TTL_SECONDS, "NX")) === "OK";
}

/** Undoes a claim whose request certainly never reached GitHub (held back by the pacer, refused for a rate limit). */
export async function releaseRedelivery(redis: Redis, keys: Keys, guid: string): Promise<void> {
  await redis.del(keys.replayAsked(guid));
}
