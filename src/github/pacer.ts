// One pacer per installation, shared by every process through Redis. It spends the write budget
// GitHub documents (about 80 content-creating requests a minute and 500 an hour per installation,
// a second between mutating requests) and counts every mutating request against it, since GitHub
// does not publish which writes its secondary limits count. Writes come in classes, most urgent
// first: replies to commands, labels, explanation comments, summaries and digests, backlog triage.
// A class may use only its share of each window (the rest is kept for the classes above it) and
// may reserve a slot only a short way ahead, so a label never queues behind far-off comments and a
// command is answered within seconds while a backlog drains. When GitHub asks Shepherd to wait
// (retry-after, an exhausted rate limit), no process calls GitHub for that installation until then.
// Lanes are `installation:<id>` and `app` (calls made as the app).
import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import type { WriteClass } from "../domain/lanes.js";
import type { RedisClient } from "../redis.js";
import type { Keys } from "../state/keys.js";

/** Thrown instead of calling GitHub while a lane is paused or out of budget: the job is parked until then. */
export class PausedError extends Error {
  override name = "PausedError";
  constructor(
    readonly lane: string,
    readonly untilMs: number,
    readonly reason: "github" | "budget" = "github",
  ) {
    super(
      `${reason === "github" ? "GitHub asked" : "The write budget asks"} ${lane} to wait until ${new Date(untilMs).toISOString()}`,
    );
  }
}

export type { WriteClass } from "../domain/lanes.js";

/**
 * Share of the minute and of the hour window a class may fill, and how far ahead (ms) it may hold a
 * slot. Labels of new items may fill 95% of each: a burst of them is labelled about as fast as
 * GitHub allows, and commands still have room once a burst has spent the rest of the hour.
 * Backlog triage, explanations and reports leave more, so commands and new items are answered
 * while a backlog drains.
 */
export const WRITE_CLASSES: Record<WriteClass, { minute: number; hour: number; horizonMs: number }> = {
  command: { minute: 1, hour: 1, horizonMs: 15_000 },
  label: { minute: 0.95, hour: 0.95, horizonMs: 2_000 },
  comment: { minute: 0.9, hour: 0.9, horizonMs: 1_500 },
  report: { minute: 0.85, hour: 0.85, horizonMs: 1_500 },
  backlog: { minute: 0.9, hour: 0.8, horizonMs: 1_500 },
};

/** The class of the writes made inside `run`, and the writes it has sent (for resumable steps). */
export interface WriteScope {
  writeClass: WriteClass;
  sent: number;
}

const scope = new AsyncLocalStorage<WriteScope>();

/** Runs `work` with its GitHub writes in `writeClass`; reports how many writes went out. */
export async function inWriteClass<T>(writeClass: WriteClass, work: (scope: WriteScope) => Promise<T>): Promise<T> {
  const current: WriteScope = { writeClass, sent: 0 };
  return scope.run(current, () => work(current));
}

export function currentWriteScope(): WriteScope | undefined {
  return scope.getStore();
}

export interface WriteBudget {
  /** Milliseconds between two writes of one lane (start to start), across processes; 0: none. */
  intervalMs: number;
  /** Writes per minute and per hour window; 0 turns that window off. */
  perMinute: number;
  perHour: number;
  /** Length of GitHub's minute and hour windows as the pacer counts them (a benchmark shrinks them). */
  minuteMs: number;
  hourMs: number;
  /**
   * How much longer than GitHub's the pacer counts each window. A write reaches GitHub a little
   * after its slot (timers, the event loop, the network), and by a varying amount: windows counted
   * this much longer keep two writes a window apart out of one of GitHub's windows. A fixed time,
   * not a share: the spread of that delay does not grow with the window.
   */
  marginMs: number;
}

export const GITHUB_WRITE_BUDGET: WriteBudget = {
  intervalMs: 1000,
  perMinute: 80,
  perHour: 500,
  minuteMs: 60_000,
  hourMs: 3_600_000,
  marginMs: 1000,
};

export interface Pacer {
  /** Throws PausedError while the lane is paused or the class is out of budget; waits for a near slot. */
  before(lane: string, write: boolean, writeClass?: WriteClass): Promise<void>;
  /** Records that GitHub asked this lane to wait until `untilMs` (epoch ms). */
  pause(lane: string, untilMs: number): Promise<void>;
  /** When the lane may call again (epoch ms; 0 when not paused). */
  pausedUntil(lane: string): Promise<number>;
  /** Writes the lane spent in the last minute and hour windows. */
  spent(lane: string): Promise<{ minute: number; hour: number }>;
}

export interface PacerOptions {
  budget: WriteBudget;
  now?: () => number;
}

// Reserves the lane's next write slot on Redis's clock: at least `interval` after the last one, and
// where the class's share of each window still has room. A slot further than the class's horizon
// is not taken: the answer is then minus the wait, and the caller parks its job until about then.
// Slots only ever go at the end, so the set is in time order and counting is by score.
const RESERVE = `
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local windows = {
  { tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[6]) },
  { tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[7]) },
}
local horizon = tonumber(ARGV[8])
redis.call("ZREMRANGEBYSCORE", KEYS[1], "-inf", now - windows[2][2])
local slot = now
local last = redis.call("ZRANGE", KEYS[1], -1, -1, "WITHSCORES")
if last[2] then slot = math.max(slot, tonumber(last[2]) + interval) end
for _ = 1, 4 do
  local moved = false
  for _, w in ipairs(windows) do
    local cap = math.max(1, math.floor(w[1] * w[3]))
    local count = 0
    if w[1] > 0 then count = redis.call("ZCOUNT", KEYS[1], "(" .. (slot - w[2]), "+inf") end
    if w[1] > 0 and count >= cap then
      local leaving = redis.call("ZRANGEBYSCORE", KEYS[1], "(" .. (slot - w[2]), "+inf", "WITHSCORES", "LIMIT", count - cap, 1)
      slot = tonumber(leaving[2]) + w[2]
      moved = true
    end
  end
  if not moved then break end
end
if slot - now > horizon then return -(slot - now) end
redis.call("ZADD", KEYS[1], slot, slot .. ":" .. ARGV[9])
redis.call("PEXPIRE", KEYS[1], windows[2][2] + 60000)
return slot - now`;

// Raises the lane's pause to `until`, never lowers it.
const PAUSE = `
local current = tonumber(redis.call("GET", KEYS[1]) or "0")
if tonumber(ARGV[1]) > current then
  redis.call("SET", KEYS[1], ARGV[1], "PX", math.max(tonumber(ARGV[2]), 1000))
end
return 1`;

export function createPacer(redis: RedisClient, keys: Keys, options: PacerOptions): Pacer {
  const now = options.now ?? Date.now;
  const { budget } = options;
  // Seen here first: a request in this process must not go out in the moment before Redis has it.
  const local = new Map<string, number>();

  async function pausedUntil(lane: string): Promise<number> {
    const remote = Number((await redis.get(keys.pause(lane))) ?? 0);
    return Math.max(remote, local.get(lane) ?? 0);
  }

  async function reserve(lane: string, writeClass: WriteClass): Promise<number> {
    const { minute, hour, horizonMs } = WRITE_CLASSES[writeClass];
    const minuteMs = budget.minuteMs + budget.marginMs;
    const hourMs = budget.hourMs + budget.marginMs;
    const args = [budget.intervalMs, budget.perMinute, minuteMs, budget.perHour, hourMs, minute, hour, horizonMs];
    return Number(await redis.eval(RESERVE, 1, keys.writeSlot(lane), ...args.map(String), randomUUID()));
  }

  return {
    pausedUntil,
    async before(lane, write, writeClass = "label") {
      const until = await pausedUntil(lane);
      if (until > now()) throw new PausedError(lane, until);
      if (!write) return;
      const wait = await reserve(lane, writeClass);
      if (wait < 0) throw new PausedError(lane, now() - wait, "budget");
      if (wait === 0) return;
      await new Promise((resolve) => setTimeout(resolve, wait));
      // GitHub may have asked to wait while this write waited for its slot.
      const paused = await pausedUntil(lane);
      if (paused > now()) throw new PausedError(lane, paused);
    },
    async pause(lane, untilMs) {
      if (untilMs > (local.get(lane) ?? 0)) local.set(lane, untilMs);
      await redis.eval(PAUSE, 1, keys.pause(lane), String(untilMs), String(untilMs - now() + 60_000));
    },
    async spent(lane) {
      const at = now();
      const key = keys.writeSlot(lane);
      const [minute, hour] = await Promise.all([
        redis.zcount(key, `(${at - budget.minuteMs}`, at),
        redis.zcount(key, `(${at - budget.hourMs}`, at),
      ]);
      return { minute, hour };
    },
  };
}
