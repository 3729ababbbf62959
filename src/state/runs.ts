// How far each job got, so a retry resumes instead of starting over (BullMQ's "process step jobs"
// pattern, kept in Redis beside the job rather than in its data, so the payload is not rewritten
// at every step). Per run (a delivery or a task job): which handlers finished, and for each step
// the plan it decided, how many of its actions are done, and whether one was under way.
import { z } from "zod";
import type { Action } from "../domain/actions.js";
import type { RedisClient } from "../redis.js";
import type { Keys } from "./keys.js";

const StepRecord = z.object({
  v: z.literal(1),
  plan: z.array(z.custom<Action>((value) => typeof value === "object" && value !== null && "type" in value)),
  done: z.number().int().min(0),
  /** The action at `done` was started: it may have reached GitHub. */
  pending: z.boolean(),
  results: z.array(z.unknown()),
});
export type StepRecord = z.infer<typeof StepRecord>;

export interface RunLedger {
  handlerDone(run: string, handler: string): Promise<boolean>;
  markHandlerDone(run: string, handler: string): Promise<void>;
  step(run: string, handler: string, name: string): Promise<StepRecord | null>;
  saveStep(run: string, handler: string, name: string, record: StepRecord): Promise<void>;
  /** A value decided once per run (`undefined` when not yet). */
  decided(run: string, handler: string, name: string): Promise<unknown>;
  decide(run: string, handler: string, name: string, value: unknown): Promise<void>;
}

/** Longer than any retry or rate-limit wait, shorter than forever. */
const RUN_TTL_SECONDS = 8 * 24 * 3600;

export function createRunLedger(redis: RedisClient, keys: Keys): RunLedger {
  async function write(run: string, field: string, value: string): Promise<void> {
    await redis.multi().hset(keys.run(run), field, value).expire(keys.run(run), RUN_TTL_SECONDS).exec();
  }
  return {
    async handlerDone(run, handler) {
      return (await redis.hexists(keys.run(run), `h:${handler}`)) === 1;
    },
    async markHandlerDone(run, handler) {
      await write(run, `h:${handler}`, "1");
    },
    async step(run, handler, name) {
      const raw = await redis.hget(keys.run(run), `s:${handler}:${name}`);
      if (!raw) return null;
      const parsed = StepRecord.safeParse(JSON.parse(raw));
      return parsed.success ? parsed.data : null;
    },
    async saveStep(run, handler, name, record) {
      await write(run, `s:${handler}:${name}`, JSON.stringify(record));
    },
    async decided(run, handler, name) {
      const raw = await redis.hget(keys.run(run), `d:${handler}:${name}`);
      return raw === null ? undefined : (JSON.parse(raw) as { value: unknown }).value;
    },
    async decide(run, handler, name, value) {
      await write(run, `d:${handler}:${name}`, JSON.stringify({ value }));
    },
  };
}
