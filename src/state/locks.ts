// A short per-item lock, so two jobs about the same issue (a label echo and an edit, two commands)
// never interleave their read-modify-write of its state or of GitHub. The lock carries the owner's
// run id: a retry of the same run (its worker died holding it) takes it over at once instead of
// waiting for it to lapse. While held it is renewed, so it can be short-lived.
import type { RedisClient } from "../redis.js";

const ACQUIRE = `
local current = redis.call("GET", KEYS[1])
if current == false or current == ARGV[1] then
  redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[2])
  return 1
end
return 0`;

const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;

const RENEW = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`;

export async function acquireLock(redis: RedisClient, key: string, owner: string, ttlMs: number): Promise<boolean> {
  return Number(await redis.eval(ACQUIRE, 1, key, owner, String(ttlMs))) === 1;
}

export async function releaseLock(redis: RedisClient, key: string, owner: string): Promise<void> {
  await redis.eval(RELEASE, 1, key, owner);
}

export async function renewLock(redis: RedisClient, key: string, owner: string, ttlMs: number): Promise<boolean> {
  return Number(await redis.eval(RENEW, 1, key, owner, String(ttlMs))) === 1;
}
