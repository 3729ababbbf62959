import { describe, expect, it } from "vitest";
import {
  type MatchResult,
  type Mentor,
  type MentorLoad,
  matchMentor,
  nextFromWaitlist,
  type WaitingNewcomer,
} from "../../src/domain/mentors.js";

const NOW = Date.parse("2026-11-24T12:00:00Z");

function day(iso: string): number {
  return Date.parse(`${iso}T00:00:00Z`);
}

interface MentorSpec {
  cap?: number;
  active?: number;
  on?: string[];
  fallback?: boolean;
  tz?: string;
  /** A date, or "back" for "away until /back". */
  away?: string;
  /** Date of the last assignment. */
  last?: string;
  /** No load entry at all, as for a mentor Redis has never seen. */
  unseen?: boolean;
}

interface Seat {
  mentor: Mentor;
  load: MentorLoad | null;
}

function mentor(login: string, spec: MentorSpec = {}): Seat {
  return {
    mentor: {
      login,
      capacity: spec.cap ?? 2,
      timezone: spec.tz ?? null,
      subsystems: spec.on ?? [],
      fallback: spec.fallback ?? false,
    },
    load: spec.unseen
      ? null
      : {
          login,
          active: spec.active ?? 0,
          lastAssignedAt: spec.last ? day(spec.last) : null,
          awayUntil: spec.away === "back" ? Number.POSITIVE_INFINITY : spec.away ? day(spec.away) : null,
        },
  };
}

interface Team {
  match(newcomer: string, subsystem: string | null, options?: { now?: number; seed?: string }): MatchResult;
  mentorFor(newcomer: string, subsystem: string | null): string | null;
  nextFrom(waitlist: WaitingNewcomer[]): ReturnType<typeof nextFromWaitlist>;
  /** The same team listed in another order. */
  shuffled(order: number[]): Team;
}

/** A team of mentors, then `.match(newcomer, subsystem)` asks who mentors the newcomer. */
function given(...seats: Seat[]): Team {
  const mentors = seats.map((seat) => seat.mentor);
  const loads = seats.flatMap((seat) => (seat.load ? [seat.load] : []));
  return {
    match(newcomer, subsystem, options = {}) {
      return matchMentor({
        newcomer,
        subsystem,
        mentors,
        loads,
        now: options.now ?? NOW,
        seed: options.seed ?? newcomer,
      });
    },
    mentorFor(newcomer, subsystem) {
      return this.match(newcomer, subsystem).mentor;
    },
    nextFrom(waitlist) {
      return nextFromWaitlist(waitlist, mentors, loads, NOW);
    },
    shuffled(order) {
      return given(...order.map((index) => seats[index]).filter((seat): seat is Seat => seat !== undefined));
    },
  };
}

function waiting(login: string, subsystem: string | null, since: string, item = 1): WaitingNewcomer {
  return { login, subsystem, item, since: day(since) };
}

describe("matchMentor: who may mentor", () => {
  it("a mentor who covers the subsystem is chosen over the fallback pool", () => {
    const team = given(mentor("fallbacker", { fallback: true }), mentor("orm-person", { on: ["orm"], active: 1 }));
    expect(team.mentorFor("newbie", "orm")).toBe("orm-person");
  });

  it("the fallback pool takes an item nobody covers", () => {
    const team = given(mentor("cache-person", { on: ["cache"] }), mentor("fallbacker", { fallback: true }));
    expect(team.mentorFor("newbie", "orm")).toBe("fallbacker");
  });

  it("the fallback pool takes an item with no subsystem", () => {
    const team = given(mentor("orm-person", { on: ["orm"] }), mentor("fallbacker", { fallback: true }));
    expect(team.mentorFor("newbie", null)).toBe("fallbacker");
  });

  it("the fallback pool is not used while someone covers the subsystem, even if they are all full", () => {
    const team = given(
      mentor("orm-person", { on: ["orm"], cap: 1, active: 1 }),
      mentor("fallbacker", { fallback: true }),
    );
    expect(team.match("newbie", "orm")).toMatchObject({ mentor: null, reason: "all-unavailable" });
  });

  it("a newcomer is never their own mentor, whatever the case of their login", () => {
    const team = given(mentor("Alice", { on: ["orm"] }), mentor("bob", { on: ["orm"], active: 1 }));
    expect(team.mentorFor("alice", "orm")).toBe("bob");
  });

  it("a mentor away until a later date is skipped", () => {
    const team = given(mentor("alice", { on: ["orm"], away: "2026-12-01" }), mentor("bob", { on: ["orm"], active: 1 }));
    expect(team.mentorFor("newbie", "orm")).toBe("bob");
  });

  it("a mentor away until they say /back is skipped", () => {
    const team = given(mentor("alice", { on: ["orm"], away: "back" }), mentor("bob", { on: ["orm"], active: 1 }));
    expect(team.mentorFor("newbie", "orm")).toBe("bob");
  });

  it("a mentor whose time away has ended is available again", () => {
    const team = given(mentor("alice", { on: ["orm"], away: "2026-11-01" }), mentor("bob", { on: ["orm"], active: 1 }));
    expect(team.mentorFor("newbie", "orm")).toBe("alice");
  });

  it("a full mentor is skipped", () => {
    const team = given(
      mentor("A", { cap: 2, active: 2, on: ["orm"] }),
      mentor("B", { cap: 3, active: 1, on: ["orm"] }),
    );
    expect(team.mentorFor("newbie", "orm")).toBe("B");
  });

  it("a mentor with no load on record is free", () => {
    const team = given(
      mentor("busy", { on: ["orm"], cap: 3, active: 1 }),
      mentor("fresh", { on: ["orm"], unseen: true }),
    );
    expect(team.mentorFor("newbie", "orm")).toBe("fresh");
  });
});

describe("matchMentor: who goes first", () => {
  it("the least loaded relative to capacity wins: 1 of 4 before 1 of 2", () => {
    const team = given(
      mentor("small", { on: ["orm"], cap: 2, active: 1 }),
      mentor("large", { on: ["orm"], cap: 4, active: 1 }),
    );
    expect(team.mentorFor("newbie", "orm")).toBe("large");
  });

  it("an empty mentor wins over a busier one with more capacity left", () => {
    const team = given(mentor("one", { on: ["orm"], cap: 1 }), mentor("five", { on: ["orm"], cap: 5, active: 3 }));
    expect(team.mentorFor("newbie", "orm")).toBe("one");
  });

  it("between equal loads, the one assigned longest ago wins", () => {
    const team = given(
      mentor("recent", { on: ["orm"], active: 1, last: "2026-11-20" }),
      mentor("earlier", { on: ["orm"], active: 1, last: "2026-10-01" }),
    );
    expect(team.mentorFor("newbie", "orm")).toBe("earlier");
  });

  it("between equal loads, one never assigned goes before any assigned", () => {
    const team = given(mentor("earlier", { on: ["orm"], last: "2025-01-01" }), mentor("never", { on: ["orm"] }));
    expect(team.mentorFor("newbie", "orm")).toBe("never");
  });

  it("exact ties are broken by the seed: each seed always gets the same mentor, and seeds spread", () => {
    const team = given(
      mentor("alice", { on: ["orm"] }),
      mentor("bob", { on: ["orm"] }),
      mentor("carol", { on: ["orm"] }),
    );
    const picks = Array.from({ length: 30 }, (_, i) => team.mentorFor(`newbie${i}`, "orm"));
    const again = Array.from({ length: 30 }, (_, i) => team.mentorFor(`newbie${i}`, "orm"));
    expect(again).toEqual(picks);
    expect(new Set(picks)).toEqual(new Set(["alice", "bob", "carol"]));
  });
});

describe("matchMentor: determinism", () => {
  const team = given(
    mentor("alice", { on: ["orm"], cap: 2, active: 2 }),
    mentor("bob", { on: ["orm"], cap: 3, active: 1, tz: "Europe/Paris" }),
    mentor("carol", { on: ["orm"], away: "2026-12-01" }),
    mentor("dave", { on: ["orm"], cap: 3, active: 1 }),
    mentor("erin", { on: ["orm"], cap: 3, active: 1, last: "2026-01-01" }),
  );

  it("the same request twice gives the same answer", () => {
    expect(team.match("newbie", "orm")).toEqual(team.match("newbie", "orm"));
  });

  it("the order mentors are listed in changes nothing, explanation included", () => {
    const expected = team.match("newbie", "orm");
    for (const order of [
      [4, 3, 2, 1, 0],
      [2, 0, 4, 1, 3],
      [1, 3, 0, 4, 2],
    ]) {
      expect(team.shuffled(order).match("newbie", "orm")).toEqual(expected);
    }
  });
});

describe("matchMentor: nobody to give", () => {
  it("no-mentors when nobody covers the subsystem and the fallback pool is empty", () => {
    const result = given(mentor("cache-person", { on: ["cache"] })).match("newbie", "orm");
    expect(result).toMatchObject({ mentor: null, reason: "no-mentors" });
    expect(result.explanation.join("\n")).toContain("no fallback mentors");
  });

  it("no-mentors when there are no mentors at all", () => {
    expect(given().match("newbie", null)).toMatchObject({ mentor: null, reason: "no-mentors" });
  });

  it("all-unavailable when everyone is away, full or the newcomer", () => {
    const team = given(
      mentor("away", { on: ["orm"], away: "back" }),
      mentor("full", { on: ["orm"], cap: 1, active: 1 }),
      mentor("newbie", { on: ["orm"] }),
    );
    const result = team.match("newbie", "orm");
    expect(result).toMatchObject({ mentor: null, reason: "all-unavailable" });
    expect(result.explanation.join("\n")).toMatch(/waits in line/);
  });
});

describe("matchMentor: the explanation", () => {
  const team = given(
    mentor("alice", { on: ["orm"], cap: 2, active: 2 }),
    mentor("bob", { on: ["orm"], cap: 3, active: 1, tz: "Europe/Paris" }),
    mentor("carol", { on: ["orm"], away: "2026-12-01" }),
    mentor("dave", { on: ["orm"], away: "back" }),
  );
  const text = team.match("newbie", "orm").explanation.join("\n");

  it("lists who covers the subsystem and why each one could not take the newcomer", () => {
    expect(text).toContain(
      "4 mentors cover orm: **alice** (2 of 2 mentees, full), **bob** (1 of 3, Europe/Paris), " +
        "**carol** (away until 2026-12-01), **dave** (away for now).",
    );
  });

  it("says why the chosen mentor was chosen", () => {
    expect(text).toContain("**bob** (Europe/Paris) is the only one with room right now.");
  });

  it("uses the subsystem's name when the adapter gives it", () => {
    const result = matchMentor({
      newcomer: "newbie",
      subsystem: "orm",
      subsystemName: "ORM",
      mentors: [mentor("bob", { on: ["orm"] }).mentor],
      loads: [],
      now: NOW,
    });
    expect(result.explanation[0]).toBe("1 mentor covers ORM: **bob** (0 of 2).");
  });

  it("names the rule that decided between two mentors with room", () => {
    const rooms = given(
      mentor("small", { on: ["orm"], cap: 2, active: 1 }),
      mentor("large", { on: ["orm"], cap: 4, active: 1 }),
    );
    expect(rooms.match("newbie", "orm").explanation[1]).toBe("**large** has the most room relative to capacity.");
    const ages = given(
      mentor("x", { on: ["orm"], last: "2026-11-20" }),
      mentor("y", { on: ["orm"], last: "2026-10-01" }),
    );
    expect(ages.match("newbie", "orm").explanation[1]).toBe(
      "**y** and **x** have the same room; **y** last got a mentee longest ago (2026-10-01).",
    );
  });

  it("says when the fallback pool was used", () => {
    const fallback = given(mentor("fallbacker", { fallback: true })).match("newbie", null).explanation[0];
    expect(fallback).toBe(
      "No subsystem is known for this yet, so the fallback mentor is asked: **fallbacker** (0 of 2).",
    );
  });

  it("never @-mentions anyone, so it does not ping", () => {
    const all = [team.match("newbie", "orm"), team.match("alice", "orm"), given().match("newbie", "orm")];
    for (const result of all) expect(result.explanation.join("\n")).not.toContain("@");
  });
});

describe("nextFromWaitlist", () => {
  const team = given(
    mentor("orm-person", { on: ["orm"], cap: 1 }),
    mentor("cache-person", { on: ["cache"], cap: 1, active: 1 }),
  );
  const cases: Array<{ name: string; waitlist: WaitingNewcomer[]; next: { index: number; login: string } | null }> = [
    {
      name: "gives the freed place to the longest waiter, not the first in the list",
      waitlist: [waiting("later", "orm", "2026-11-20"), waiting("earlier", "orm", "2026-11-10")],
      next: { index: 1, login: "earlier" },
    },
    {
      name: "between waiters since the same moment, the one listed first goes first",
      waitlist: [waiting("first", "orm", "2026-11-10"), waiting("second", "orm", "2026-11-10")],
      next: { index: 0, login: "first" },
    },
    {
      name: "skips a waiter no available mentor can take",
      waitlist: [waiting("cache-fan", "cache", "2026-11-01"), waiting("orm-fan", "orm", "2026-11-15")],
      next: { index: 1, login: "orm-fan" },
    },
    {
      name: "skips a waiter who is the only free mentor themselves",
      waitlist: [waiting("orm-person", "orm", "2026-11-01"), waiting("orm-fan", "orm", "2026-11-15")],
      next: { index: 1, login: "orm-fan" },
    },
    {
      name: "is null when nobody waiting can be taken",
      waitlist: [waiting("cache-fan", "cache", "2026-11-01")],
      next: null,
    },
    { name: "is null when nobody waits", waitlist: [], next: null },
  ];

  it.each(cases)("$name", ({ waitlist, next }) => {
    const found = team.nextFrom(waitlist);
    if (next === null) return expect(found).toBeNull();
    expect(found).toMatchObject({
      index: next.index,
      newcomer: { login: next.login },
      match: { mentor: "orm-person" },
    });
    expect(found?.newcomer).toBe(waitlist[next.index]);
  });
});
