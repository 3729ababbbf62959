// 60 newcomers across 8 mentors with capacities between 1 and 5 never put anyone above capacity and keep
// each mentor's load within one mentee of their capacity-proportional share while enough capacity exists.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Mentor, type MentorLoad, matchMentor } from "../../src/domain/mentors.js";

const NEWCOMERS = 60;
const START = Date.parse("2026-01-01T00:00:00Z");
const STEP = 60_000;

interface Simulation {
  capacities: number[];
  /** Seeds the newcomers' logins, so runs differ in their tie-breaks. */
  salt?: string;
  /** Before newcomer k (0-based), the mentor at this index (mod 8) finishes a mentee, if they have one. */
  finishes?: Array<number | null>;
}

interface Step {
  k: number;
  mentor: string | null;
  reason: string | null;
  loads: number[];
  /** Newcomers assigned so far, counting those whose mentorship has since finished. */
  assigned: number;
}

function simulate({ capacities, salt = "", finishes = [] }: Simulation): Step[] {
  const mentors: Mentor[] = capacities.map((capacity, i) => ({
    login: `mentor${i}`,
    capacity,
    timezone: null,
    subsystems: ["orm"],
    fallback: false,
  }));
  const loads: MentorLoad[] = mentors.map((m) => ({
    login: m.login,
    active: 0,
    lastAssignedAt: null,
    awayUntil: null,
  }));
  const steps: Step[] = [];
  let assigned = 0;
  for (let k = 0; k < NEWCOMERS; k++) {
    const finishing = finishes[k];
    const finisher = finishing === null || finishing === undefined ? undefined : loads[finishing % loads.length];
    if (finisher && finisher.active > 0) finisher.active -= 1;
    const now = START + k * STEP;
    const result = matchMentor({
      newcomer: `${salt}newbie${k}`,
      subsystem: "orm",
      mentors,
      loads,
      now,
      seed: `${salt}newbie${k}`,
    });
    const chosen = loads.find((load) => load.login === result.mentor);
    if (chosen) {
      chosen.active += 1;
      chosen.lastAssignedAt = now;
      assigned += 1;
    }
    steps.push({
      k: k + 1,
      mentor: result.mentor,
      reason: result.mentor === null ? result.reason : null,
      loads: loads.map((load) => load.active),
      assigned,
    });
  }
  return steps;
}

/** The first broken promise in a run without finishes, or null when every step keeps them. */
function unfairness(capacities: number[], salt?: string): string | null {
  const total = capacities.reduce((a, b) => a + b, 0);
  for (const step of simulate({ capacities, salt })) {
    const over = step.loads.findIndex((load, i) => load > (capacities[i] ?? 0));
    if (over >= 0) return `after ${step.k}: mentor${over} has ${step.loads[over]} of ${capacities[over]}`;
    if (step.k <= total) {
      if (step.mentor === null) return `after ${step.k}: nobody assigned with ${total - step.k + 1} places free`;
      // |load − k·cap/C| ≤ 1, multiplied out by C so it is exact.
      const off = step.loads.findIndex((load, i) => Math.abs(load * total - step.k * (capacities[i] ?? 0)) > total);
      if (off >= 0) {
        const share = ((step.k * (capacities[off] ?? 0)) / total).toFixed(2);
        return `after ${step.k}: mentor${off} has ${step.loads[off]}, share ${share} (capacities ${capacities.join(",")})`;
      }
    } else if (step.reason !== "all-unavailable") {
      return `after ${step.k}: expected all-unavailable once capacity ${total} is used, got ${step.mentor ?? step.reason}`;
    }
  }
  return null;
}

const capacityVector = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 8, maxLength: 8 });

describe("mentor fairness", () => {
  it("capacities 1,2,3,4,5,1,2,3: nobody above capacity, everyone within one of their share, then the waitlist", () => {
    const capacities = [1, 2, 3, 4, 5, 1, 2, 3];
    expect(unfairness(capacities)).toBeNull();
    const steps = simulate({ capacities });
    expect(steps.at(20)?.loads).toEqual(capacities);
    expect(steps.slice(21).every((step) => step.reason === "all-unavailable")).toBe(true);
  });

  it("one large mentor among small ones is not starved by the small ones' tie-breaks", () => {
    expect(unfairness([5, 1, 1, 1, 1, 1, 1, 1])).toBeNull();
    expect(unfairness([3, 1, 1, 1, 1, 1, 1, 1])).toBeNull();
  });

  it("holds for any 8 capacities between 1 and 5", () => {
    fc.assert(
      fc.property(capacityVector, fc.stringMatching(/^[a-z]{0,4}$/), (capacities, salt) => {
        expect(unfairness(capacities, salt)).toBeNull();
      }),
      { numRuns: 300 },
    );
  });

  it("with mentees finishing between newcomers, nobody is ever above capacity and nobody waits while there is room", () => {
    const finishes = fc.array(fc.option(fc.nat({ max: 7 }), { nil: null, freq: 2 }), {
      minLength: NEWCOMERS,
      maxLength: NEWCOMERS,
    });
    fc.assert(
      fc.property(capacityVector, finishes, (capacities, finishing) => {
        const steps = simulate({ capacities, finishes: finishing });
        for (const step of steps) {
          step.loads.forEach((load, i) => expect(load).toBeLessThanOrEqual(capacities[i] ?? 0));
        }
        // A newcomer waits only when every mentor was full at that moment.
        let before = capacities.map(() => 0);
        steps.forEach((step, k) => {
          const finisher = finishing[k];
          const afterFinish = [...before];
          if (finisher !== null && finisher !== undefined && (afterFinish[finisher] ?? 0) > 0) {
            afterFinish[finisher] = (afterFinish[finisher] ?? 0) - 1;
          }
          if (step.mentor === null) expect(afterFinish).toEqual(capacities);
          before = step.loads;
        });
        expect(steps.at(-1)?.assigned).toBeGreaterThanOrEqual(capacities.reduce((a, b) => a + b, 0));
      }),
      { numRuns: 300 },
    );
  });
});
