// Resumable work. A step decides its plan once (gather → decide), stores it, then applies it action
// by action, recording progress after each; a retry of the job loads the plan and resumes after
// the last finished action instead of deciding (and writing) again. Before a GitHub write the
// step records that it is under way, so a retry after a crash checks GitHub before repeating it.
import { type Action, isGitHubAction } from "../domain/actions.js";
import { writeClassOf } from "../domain/lanes.js";
import { inWriteClass, PausedError } from "../github/pacer.js";
import type { RunLedger, StepRecord } from "../state/runs.js";
import type { ActionResult } from "./interpreter.js";

export type Apply = (action: Action, maybeDone: boolean) => Promise<ActionResult>;

export interface Steps {
  /** Decides once per run, then applies the plan; returns each action's result. */
  step(name: string, decide: () => Action[] | Promise<Action[]>): Promise<ActionResult[]>;
  /** A value computed once per run: a retry gets the stored one. */
  once<T>(name: string, compute: () => T | Promise<T>): Promise<T>;
}

export function createSteps(options: { ledger: RunLedger; run: string; handler: string; apply: Apply }): Steps {
  const { ledger, run, handler, apply } = options;
  return {
    async step(name, decide) {
      let record: StepRecord | null = await ledger.step(run, handler, name);
      if (!record) {
        record = { v: 1, plan: await decide(), done: 0, pending: false, results: [] };
        if (record.plan.length === 0) return [];
        await ledger.saveStep(run, handler, name, record);
      }
      while (record.done < record.plan.length) {
        const action = record.plan[record.done] as Action;
        const maybeDone = record.pending;
        if (isGitHubAction(action) && !record.pending) {
          record.pending = true;
          await ledger.saveStep(run, handler, name, record);
        }
        const result = await inWriteClass(writeClassOf(handler, action), async (scope) => {
          try {
            return await apply(action, maybeDone);
          } catch (error) {
            // Held back before any write went out: the retry need not look at GitHub first.
            if (error instanceof PausedError && scope.sent === 0 && !maybeDone && record.pending) {
              record.pending = false;
              await ledger.saveStep(run, handler, name, record);
            }
            throw error;
          }
        });
        record.results[record.done] = result;
        record.done += 1;
        record.pending = false;
        await ledger.saveStep(run, handler, name, record);
      }
      return record.results as ActionResult[];
    },
    async once(name, compute) {
      const stored = await ledger.decided(run, handler, name);
      if (stored !== undefined) return stored as Awaited<ReturnType<typeof compute>>;
      const value = await compute();
      await ledger.decide(run, handler, name, value);
      return value;
    },
  };
}
