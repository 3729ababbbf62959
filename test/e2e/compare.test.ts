// A short run of `npm run bench:compare` (Shepherd's side only): the built app as a web and a
// worker process, the fake GitHub at 100 ms enforcing the write budget on every write, time shrunk
// tenfold. The full comparison, with the inline Probot app, is the script; this keeps it honest.
import { describe, expect, it } from "vitest";

// The compiled script: it starts its sender thread from a sibling .js file.
const { runCompare } = (await import(
  new URL("../../dist/scripts/bench-compare.js", import.meta.url).href
)) as typeof import("../../scripts/bench-compare.js");

describe("bench:compare, short", () => {
  it("labels a burst at the budget's pace, answers claims meanwhile, and never provokes a 403", async () => {
    const [shepherd] = await runCompare({
      systems: ["shepherd-1"],
      burst: 120,
      claims: 3,
      capMs: 60_000,
      rates: [100],
    });
    const burst = shepherd?.burst;
    expect(shepherd?.acks[0]?.statuses).toBe("202×500");
    expect(burst?.acks.statuses).toBe("202×120");
    expect(burst?.labelled).toBe(120);
    expect(burst?.provoked403).toBe(0);
    expect(burst?.busiestMinute).toBeLessThanOrEqual(80);
    // One write per issue, plus the claims' own (assignment, reaction).
    expect(burst?.writesPerIssue).toBeLessThanOrEqual(1 + (3 * 3) / 120);
    expect(burst?.claimsAnswered).toBe("3/3");
    expect((burst?.labelSeconds ?? Infinity) / (burst?.minimumSeconds ?? 1)).toBeLessThan(1.5);
    for (const rss of burst?.rssMb ?? []) expect(rss ?? 0).toBeLessThan(250);
  }, 120_000);
});
