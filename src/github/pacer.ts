// One pacer per installation, shared by every process through Redis: when GitHub asks Shepherd to
// wait (retry-after, an exhausted rate limit), no process calls GitHub for that installation until
// the time has passed; and writes are spaced by a shared interval (GitHub recommends a second
// between mutating requests). Lanes are `installation:<id>` and `app` (calls made as the app).
import type { Redis } from "ioredis";
import type { Keys } from "../state/keys.js";

/** Thrown instead of calling GitHub while a lane is paused: the job waits (parked) until then. */
export class PausedError extends Error {
  override name = "PausedError";
  constructor(
    readonly lane: string,
    readonly untilMs: number,
  ) {
    super(`GitHub asked ${lane} to wait until ${new Date(untilMs).toISOString()}`);
  }
}

export interface Pacer {
  /** Throws PausedError while the lane is paused; waits for the next write slot (short waits only). */
  before(lane: string, write: boolean): Promise<void>;
  /** Records that GitHub asked this lane to wait until `untilMs` (epoch ms). */
  pause(lane: string, untilMs: number): Promise<void>;
  /** When the lane may call again (epoch ms; 0 when not paused). */
  pausedUntil(lane: string): Promise<number>;
}

export interface PacerOptions {
  /** Milliseconds between two writes of one lane, across processes; 0 turns spacing off. */
  writeIntervalMs: number;
  /** A write slot further away than this parks the job instead of holding a worker. */
  maxSlotWaitMs?: number;
  now?: () => number;
}

// Reserves the lane's next write slot, at least `interval` after the previous one, on Redis's clock.
const RESERVE = `
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local last = tonumber(redis.call("GET", KEYS[1]) or "0")
local slot = math.max(now, last + tonumber(ARGV[1]))
redis.call("SET", KEYS[1], slot, "PX", tonumber(ARGV[1]) * 4 + 60000)
return slot - now`;

// Raises the lane's pause to `until`, never lowers it.
const PAUSE = `
local current = tonumber(redis.call("GET", KEYS[1]) or "0")
if tonumber(ARGV[1]) > current then
  redis.call("SET", KEYS[1], ARGV[1], "PX", math.max(tonumber(ARGV[2]), 1000))
end
return 1`;

export function createPacer(redis: Redis, keys: Keys, options: PacerOptions): Pacer {
  const now = options.now ?? Date.now;
  const maxSlotWaitMs = options.maxSlotWaitMs ?? 10_000;
  // Seen here first: a request in this process must not go out in the moment before Redis has it.
  const local = new Map<string, number>();

  async function pausedUntil(lane: string): Promise<number> {
    const remote = Number((await redis.get(keys.pause(lane))) ?? 0);
    return Math.max(remote, local.get(lane) ?? 0);
  }

  return {
    pausedUntil,
    async before(lane, write) {
      const until = await pausedUntil(lane);
      if (until > now()) throw new PausedError(lane, until);
      if (!write || options.writeIntervalMs <= 0) return;
      const wait = Number(await redis.eval(RESERVE, 1, keys.writeSlot(lane), String(options.writeIntervalMs)));
      if (wait > maxSlotWaitMs) throw new PausedError(lane, now() + wait);
      if (wait <= 0) return;
      await new Promise((resolve) => setTimeout(resolve, wait));
      // GitHub may have asked to wait while this write waited for its slot.
      const paused = await pausedUntil(lane);
      if (paused > now()) throw new PausedError(lane, paused);
    },
    async pause(lane, untilMs) {
      if (untilMs > (local.get(lane) ?? 0)) local.set(lane, untilMs);
      await redis.eval(PAUSE, 1, keys.pause(lane), String(untilMs), String(untilMs - now() + 60_000));
    },
  };
}
