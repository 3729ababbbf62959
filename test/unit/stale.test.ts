import { describe, expect, it } from "vitest";
import {
  renderRelease,
  renderReminder,
  staleClaimActions,
  type StaleClaim,
  type StaleClaimAction,
} from "../../src/domain/stale.js";

const DAY = 86_400_000;
const REMIND = 14;
const RELEASE = 7;

function claim(overrides: Partial<StaleClaim> = {}): StaleClaim {
  return {
    issue: 7,
    claimant: "alice",
    since: 0,
    lastClaimantActivity: null,
    pr: null,
    labels: [],
    remindedAt: null,
    ...overrides,
  };
}

function sweep(claims: StaleClaim[], day: number, exemptLabels: string[] = []): StaleClaimAction[] {
  return staleClaimActions({
    claims,
    now: day * DAY,
    remindAfterDays: REMIND,
    releaseAfterDays: RELEASE,
    exemptLabels,
  });
}

/**
 * One claim's life, one event a line: on `day`, the claimant may speak (`activity`), the sweep runs
 * and must answer `expect` (null for nothing); a reminder it asks for is posted (remindedAt = day).
 */
function story(steps: Array<{ day: number; activity?: boolean; expect: string | null }>, base: StaleClaim): void {
  const state = { ...base };
  for (const step of steps) {
    if (step.activity) state.lastClaimantActivity = step.day * DAY;
    const actions = sweep([state], step.day);
    const got = actions.map((action) => `${action.type} after ${action.idleDays}d`).join(", ") || null;
    expect(got, `day ${step.day}`).toBe(step.expect);
    if (actions[0]?.type === "remind") state.remindedAt = step.day * DAY;
  }
}

describe("staleClaimActions", () => {
  it("reminds once, resets on the claimant's word, reminds again and releases", () => {
    story(
      [
        { day: 1, expect: null },
        { day: 13, expect: null },
        { day: 14, expect: "remind after 14d" },
        { day: 15, activity: true, expect: null },
        { day: 20, expect: null },
        { day: 28, expect: null },
        { day: 29, expect: "remind after 14d" },
        { day: 30, expect: null },
        { day: 35, expect: null },
        { day: 36, expect: "release after 21d" },
      ],
      claim(),
    );
  });

  it("counts the quiet time from a late claim, not from the issue's age", () => {
    story(
      [
        { day: 20, expect: null },
        { day: 24, expect: "remind after 14d" },
        { day: 31, expect: "release after 21d" },
      ],
      claim({ since: 10 * DAY }),
    );
  });

  it.each([
    { name: "a linked PR", claim: claim({ pr: 12 }), exempt: [] },
    { name: "an exempt label, in any case", claim: claim({ labels: ["Blocked "] }), exempt: ["blocked"] },
    { name: "a reminder still running", claim: claim({ remindedAt: 20 * DAY }), exempt: [] },
  ])("does nothing with $name", ({ claim: quiet, exempt }) => {
    expect(sweep([quiet], 26, exempt)).toEqual([]);
    expect(sweep([quiet], 100, exempt).map((action) => action.type)).toEqual(
      quiet.remindedAt === null ? [] : ["release"],
    );
  });

  it("does not let others' activity reset the clock (the caller passes only the claimant's)", () => {
    const reminded = claim({ remindedAt: 14 * DAY, lastClaimantActivity: 2 * DAY });
    expect(sweep([reminded], 21)).toEqual([{ type: "release", issue: 7, claimant: "alice", idleDays: 19 }]);
  });

  it("treats activity before the reminder as old news", () => {
    const reminded = claim({ remindedAt: 14 * DAY, lastClaimantActivity: 14 * DAY });
    expect(sweep([reminded], 21).map((action) => action.type)).toEqual(["release"]);
  });

  it("answers for several claims in their order", () => {
    const claims = [claim({ issue: 1 }), claim({ issue: 2, pr: 9 }), claim({ issue: 3, remindedAt: 14 * DAY })];
    expect(sweep(claims, 21).map((action) => `${action.type} #${action.issue}`)).toEqual(["remind #1", "release #3"]);
  });
});

describe("renderReminder and renderRelease", () => {
  it("pings the claimant in the reminder and says what happens when", () => {
    const text = renderReminder({ claimant: "alice", idleDays: 14, releaseAfterDays: 7 });
    expect(text).toContain("Hi @alice");
    expect(text).toContain("for 14 days");
    expect(text).toContain("in the next 7 days, the claim will be released");
    expect(text).toContain("`/release`");
    expect(text.match(/@\w/g)).toHaveLength(1);
  });

  it("thanks the claimant in bold on release, without a ping", () => {
    const text = renderRelease({ claimant: "alice", idleDays: 1 });
    expect(text).toContain("**alice** has not been active here for 1 day");
    expect(text).toContain("`/claim`");
    expect(text).not.toContain("@");
  });
});
