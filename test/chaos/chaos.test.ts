// A short chaos run in CI (`npm run chaos` is the full one): the built app as processes on a Redis of
// its own, against the fake GitHub with faults, a worker killed mid-run and Redis restarted, each
// phase compared with a fault-free run of the same deliveries.
import { describe, expect, it } from "vitest";
import { formatFigures, runChaos } from "../../scripts/chaos.js";

describe("chaos", () => {
  it("loses nothing, repeats no write and ends where a fault-free run ends", async () => {
    const results = await runChaos({
      deliveries: 60,
      killEveryMs: 1500,
      phases: ["faults", "kills", "redis"],
      seed: 1,
      sendEveryMs: 80,
      settleTimeoutMs: 90_000,
    });
    const table = formatFigures(results);
    for (const result of results) {
      expect({ phase: result.phase, lost: result.lost, table }).toMatchObject({ lost: 0 });
      expect(result.duplicateComments, table).toBe(0);
      expect(result.repeatedLabelWrites, table).toBe(0);
      expect(result.rateViolations, table).toBe(0);
      expect(result.itemsDiffering, table).toBe(0);
      expect(result.activeAtEnd, table).toBe(0);
    }
    const [, faults, kills, redis] = results;
    expect(faults?.injected5xx, table).toBeGreaterThan(0);
    expect(faults?.injected403, table).toBeGreaterThan(0);
    expect(faults?.itemsWithOtherWrites, table).toBe(0);
    expect(kills?.kills, table).toBeGreaterThan(0);
    expect(kills?.startFaultSurvived, table).toBe(true);
    expect(redis?.refused, table).toBeGreaterThan(0);
  }, 240_000);
});
