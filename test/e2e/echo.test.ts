// GitHub sends the app the webhooks of the app's own changes (its labels, its comments). With the
// fake's echo on, Shepherd receives them like any other delivery and must not act on them again.
import { describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/harness.js";

const CONFIG = "preset: django-async\ntriage:\n  explain: comment\ncommands: {}\nclaims: {}\nonboarding: {}\n";

const ASYNC_ISSUE = {
  title: "Add async QuerySet.aget() and acreate() to the ORM",
  body: "Model managers should expose `aget()`, `acreate()` and `acount()` so async views can query without `sync_to_async` wrappers.",
  user: "newcomer",
};

/** The GitHub calls Shepherd makes for a new issue, with or without the echo of its own changes. */
async function triageCalls(echo: boolean): Promise<{ calls: string[]; harness: Harness }> {
  const harness = await startHarness({ echo, config: CONFIG });
  const mark = harness.fake.calls.length;
  await harness.openIssue(ASYNC_ISSUE);
  await harness.settle();
  return { calls: harness.apiCalls(mark).map((call) => `${call.method} ${call.operationId ?? ""}`), harness };
}

describe("webhook echo", () => {
  it("Shepherd gets its own label and comment events back, and they cost no GitHub call", async () => {
    const quiet = await triageCalls(false);
    await quiet.harness.close();
    quiet.harness.fake.assertNoErrors();
    const echoed = await triageCalls(true);
    try {
      const { fake } = echoed.harness;
      expect(fake.deliveries.map((delivery) => `${delivery.event}.${delivery.action ?? ""}`)).toEqual(
        expect.arrayContaining(["issues.labeled", "issue_comment.created"]),
      );
      expect(fake.deliveries.every((delivery) => delivery.status === 200 || delivery.status === 202)).toBe(true);
      expect(echoed.calls).toEqual(quiet.calls);
      expect(fake.rateViolations).toEqual([]);
    } finally {
      await echoed.harness.close();
    }
    echoed.harness.fake.assertNoErrors();
  });
});
