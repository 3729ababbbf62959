// Remembers finished deliveries so a webhook GitHub sends again is not processed again. The job id
// (from the delivery id) already dedupes while the job is queued or kept; this marker outlives it.
import type { RedisClient } from "../redis.js";
import type { Keys } from "./keys.js";

const DELIVERY_TTL_SECONDS = 7 * 24 * 3600;

export async function isDeliveryDone(redis: RedisClient, keys: Keys, id: string): Promise<boolean> {
  return (await redis.exists(keys.delivery(id))) === 1;
}

export async function markDeliveryDone(redis: RedisClient, keys: Keys, id: string): Promise<void> {
  await redis.set(keys.delivery(id), "1", "EX", DELIVERY_TTL_SECONDS);
}
