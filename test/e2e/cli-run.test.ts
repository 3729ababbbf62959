// `shepherd run` against the running Shepherd's Redis: the task runs on its workers, and running
// the digest twice still posts one digest for the week.
import { describe, expect, it } from "vitest";
import { runCommand } from "../../src/cli/run.js";
import { sweepCommand } from "../../src/cli/sweep.js";
import { REDIS_URL } from "../support/harness.js";
import { harnessPerTest } from "../support/per-test.js";
import { Sink } from "../support/sink.js";

// Flow style: the least a digest needs.
const CONFIG = "{preset: django-async, triage: {explain: none}, digest: {discussionCategory: Announcements}}\n";

const startHarness = harnessPerTest();

describe("shepherd run", () => {
  it("enqueues the digest on the running install, waits for it, and twice still posts one", async () => {
    const h = await startHarness({ config: CONFIG });
    h.fake.state.enableDiscussions(h.repo, true);
    await h.openIssue({ title: "Async QuerySet.aget()", body: "Managers need aget().", user: "reporter" });
    const env = { SHEPHERD_REDIS_URL: REDIS_URL, SHEPHERD_PREFIX: h.prefix };
    const argv = ["digest", "--repo", "django/django", "--installation", "4242", "--wait", "--timeout", "30"];
    for (let i = 0; i < 2; i++) {
      const out = new Sink();
      const err = new Sink();
      const code = await runCommand(argv, out, err, env);
      expect(err.text).toBe("");
      expect(code).toBe(0);
      expect(out.text).toMatch(
        /^enqueued digest for django\/django \(job cli-digest-[\w-]+\)\ndigest for django\/django: done\n$/,
      );
    }
    expect([...h.repo.discussions.values()].filter((d) => /\d{4}-W\d{2}/.test(d.title))).toHaveLength(1);
    // Two runs that each may wait up to their --timeout of 30 s: under full-suite load the default
    // 20 s was hit once, though nothing was wrong.
  }, 75_000);

  it("refuses an unknown task and a missing repo with usage (exit 2)", async () => {
    const err = new Sink();
    expect(await runCommand(["deploy", "--repo", "a/b"], new Sink(), err, {})).toBe(2);
    expect(err.text).toContain("give one task: digest, summary, sweep or reconcile");
    const err2 = new Sink();
    expect(await runCommand(["digest"], new Sink(), err2, {})).toBe(2);
    expect(err2.text).toContain("--repo OWNER/NAME is required");
    const help = new Sink();
    expect(await runCommand(["--help"], help, new Sink(), {})).toBe(0);
    expect(help.text).toMatch(/^usage: shepherd run /);
  });
});

describe("shepherd sweep --dry-run", () => {
  const STALE =
    "{preset: django-async, commands: {}, claims: {}, staleClaims: {remindAfterDays: 3, releaseAfterDays: 2}}\n";

  it("prints the claims the sweep would remind at a date, writing nothing", async () => {
    const h = await startHarness({ config: STALE });
    const issue = await h.openIssue({ title: "Async QuerySet.acount()", body: "acount()", user: "reporter" });
    await h.comment(issue, "alice", "/claim");
    await h.settle();
    const env = { SHEPHERD_REDIS_URL: REDIS_URL, SHEPHERD_PREFIX: h.prefix };
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const keysBefore = (await h.redis.keys(`${h.prefix}*`)).length;
    const callsBefore = h.fake.calls.length;

    const later = new Sink();
    const argv = ["--repo", "django/django", "--dry-run", "--at"];
    const help = new Sink();
    expect(await sweepCommand(["--help"], help, new Sink(), {})).toBe(0);
    expect(help.text).toMatch(/^usage: shepherd sweep /);
    expect(await sweepCommand([...argv, day(5)], later, new Sink(), env)).toBe(0);
    expect(later.text).toBe(`#${issue.number} @alice reminder\n`);
    const today = new Sink();
    expect(await sweepCommand([...argv, day(0)], today, new Sink(), env)).toBe(0);
    expect(today.text).toBe("");

    expect((await h.redis.keys(`${h.prefix}*`)).length).toBe(keysBefore);
    expect(h.fake.calls.length).toBe(callsBefore);
  });

  it("wants --dry-run and a real date", async () => {
    const err = new Sink();
    expect(await sweepCommand(["--repo", "a/b"], new Sink(), err, {})).toBe(2);
    expect(err.text).toContain("only --dry-run is supported");
    const bad = new Sink();
    expect(await sweepCommand(["--repo", "a/b", "--dry-run", "--at", "next week"], new Sink(), bad, {})).toBe(2);
    expect(bad.text).toContain("--at must be a date");
  });
});
