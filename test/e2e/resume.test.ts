// Safe to run twice: a job that fails part-way, meets a busy item, loses an answer to a timeout or
// is told by GitHub to wait resumes where it was, and GitHub ends up with each write exactly once.
// Every scenario here is one the old job layer got wrong (it replayed every handler).
import { describe, expect, it } from "vitest";
import { IN_FLIGHT_MS } from "../fake-github/limits.js";
import type { IssueRecord } from "../fake-github/state.js";
import type { Harness, HarnessOptions } from "../support/harness.js";
import { harnessPerTest } from "../support/per-test.js";
import { writesOf } from "../support/world.js";

const startHarness = harnessPerTest();
const DAY_MS = 86_400_000;

const ASYNC_ISSUE = {
  title: "Add async QuerySet.aget() and acreate() to the ORM",
  body: "Model managers should expose `aget()`, `acreate()` and `acount()` so async views can query without `sync_to_async` wrappers.",
  user: "newbie",
};

function bot(h: Harness, issue: IssueRecord) {
  return h.fake.state.commentsOn(h.repo, issue.number).filter((comment) => comment.user.endsWith("[bot]"));
}

function count(writes: string[], operation: string): number {
  return writes.filter((write) => write === operation).length;
}

async function setup(config: string, options: HarnessOptions = {}): Promise<Harness> {
  const h = await startHarness({ config, ...options });
  h.associations.set("newbie", "FIRST_TIME_CONTRIBUTOR");
  h.fake.state.setPermission(h.repo, "maintainer", "maintain");
  return h;
}

describe("a retried job resumes instead of starting over", () => {
  it("does not triage again when a later handler (the welcome) failed once", async () => {
    const h = await setup("preset: django-async\ntriage:\n  explain: comment\nonboarding: {}\n");
    h.fake.failNext("search/issues-and-pull-requests", 502);
    const issue = await h.openIssue(ASYNC_ISSUE);
    const writes = writesOf(h.fake);
    expect(count(writes, "issues/add-labels")).toBe(1);
    expect(count(writes, "issues/create-comment")).toBe(2);
    expect(bot(h, issue).map((comment) => comment.body.split("\n")[0])).toEqual([
      expect.stringContaining("shepherd:triage"),
      expect.stringContaining("shepherd:welcome"),
    ]);
  });

  it("assigns on the retry of a /claim whose claim was stored, and never answers 'you already hold it'", async () => {
    const h = await setup("preset: django-async\ntriage:\n  explain: none\ncommands: {}\nclaims: {}\n");
    const issue = await h.openIssue({ ...ASYNC_ISSUE, user: "reporter" });
    h.fake.failNext("issues/add-assignees", 502);
    await h.comment(issue, "alice", "/claim");
    await h.settle();
    expect(h.fake.state.issue(h.repo, issue.number).assignees).toEqual(["alice"]);
    expect(bot(h, issue)).toEqual([]);
    expect(count(writesOf(h.fake), "issues/add-assignees")).toBe(1);
    expect(count(writesOf(h.fake), "reactions/create-for-issue-comment")).toBe(1);
  });

  it("posts a welcome whose comment failed on the retry, once", async () => {
    const h = await setup("preset: django-async\ntriage:\n  explain: none\nonboarding: {}\n");
    h.fake.failNext("issues/create-comment", 502);
    const issue = await h.openIssue(ASYNC_ISSUE);
    const welcomes = bot(h, issue).filter((comment) => comment.body.includes("shepherd:welcome"));
    expect(welcomes).toHaveLength(1);
    expect(welcomes[0]?.body).toContain("@newbie");
    expect(count(writesOf(h.fake), "issues/create-comment")).toBe(1);
  });

  it("finds a reminder whose answer was lost to a timeout instead of posting it twice, and remembers it", async () => {
    let offset = 0;
    const h = await setup(
      "preset: django-async\ntriage:\n  explain: none\ncommands: {}\nclaims: {}\nstaleClaims:\n  remindAfterDays: 3\n  releaseAfterDays: 5\n",
      { now: () => Date.now() + offset, settings: { requestTimeoutMs: 400 } },
    );
    const issue = await h.openIssue({ ...ASYNC_ISSUE, user: "reporter" });
    await h.comment(issue, "alice", "/claim");
    await h.settle();
    offset = 4 * DAY_MS;
    // GitHub takes the reminder, but its answer comes after Shepherd stopped waiting.
    h.fake.delayNext("issues/create-comment", 1200);
    const sweep = async () => {
      await h.shepherd.queues.tasks.add("sweep-repo", {
        kind: "sweep-repo",
        installationId: 4242,
        owner: "django",
        repo: "django",
      });
      await h.settle();
    };
    await sweep();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await h.settle();
    const reminders = () => bot(h, issue).filter((comment) => comment.body.includes("how is this going"));
    expect(reminders()).toHaveLength(1);
    // The retry recorded the reminder: the next day's sweep does not remind again.
    offset = 5 * DAY_MS;
    await sweep();
    expect(reminders()).toHaveLength(1);
    expect(h.fake.state.issue(h.repo, issue.number).assignees).toEqual(["alice"]);
  });
});

describe("a busy item", () => {
  it.each([
    ["waits for the lock", 5000],
    ["is put back and resumed", 100],
  ])("%s, and writes once", async (_name, lockWaitMs) => {
    const h = await setup("preset: django-async\ntriage:\n  explain: comment\n", { settings: { lockWaitMs } });
    const issue = h.fake.state.addIssue(h.repo, ASYNC_ISSUE);
    // Another job holds the item for a second and a half.
    await h.redis.set(h.shepherd.keys.itemLock(h.repo.id, issue.number), "another-job", "PX", 1500);
    await h.send("issues", h.issuePayload("opened", issue));
    await h.settle(15_000);
    expect(writesOf(h.fake)).toEqual(["issues/add-labels", "issues/create-comment"]);
  });
});

describe("failures of one part", () => {
  it("do not stop the other handlers of the delivery", async () => {
    const h = await setup(
      "preset: django-async\ntriage:\n  explain: none\nonboarding: {}\ncommands:\n  anyoneLabels: [bug]\n",
    );
    h.fake.state.addLabel(h.repo, { name: "bug", color: "d73a4a" });
    // The welcome cannot work at all (GitHub refuses the search); the command in the body still runs.
    h.fake.failNext("search/issues-and-pull-requests", 403, {
      times: 10,
      body: { message: "Resource not accessible by integration" },
      headers: { "x-ratelimit-remaining": "4999" },
    });
    const issue = await h.openIssue({ ...ASYNC_ISSUE, body: `${ASYNC_ISSUE.body}\n\n/label bug` });
    const labels = h.fake.state.issue(h.repo, issue.number).labels;
    expect(labels).toEqual(expect.arrayContaining(["async", "subsystem:orm", "bug"]));
    expect(bot(h, issue)).toEqual([]);
  });

  it("answer an internal error on a command with one short reply, however often it is retried", async () => {
    const h = await setup("preset: django-async\ntriage:\n  explain: none\ncommands: {}\n");
    const issue = await h.openIssue({ ...ASYNC_ISSUE, user: "reporter" });
    // A damaged cache entry makes Shepherd's own code throw, every time.
    await h.redis.set(h.shepherd.keys.milestones(h.repo.id), "{not json");
    await h.comment(issue, "maintainer", "/roadmap 3.0");
    await h.settle(15_000);
    const replies = bot(h, issue);
    expect(replies).toHaveLength(1);
    expect(replies[0]?.body).toContain("Something went wrong while handling `/roadmap`; it will be retried.");
    const failed = await h.shepherd.queues.events.getJobCounts("failed");
    expect(failed.failed).toBe(1);
  });
});

describe("GitHub's limits", () => {
  it("holds every job of the installation back until a retry-after has passed", async () => {
    const h = await setup("preset: django-async\ntriage:\n  explain: none\n");
    h.fake.failNext("issues/add-labels", 403, {
      headers: { "retry-after": "2" },
      body: { message: "You have exceeded a secondary rate limit." },
    });
    const issues = Array.from({ length: 5 }, (_, n) =>
      h.fake.state.addIssue(h.repo, { ...ASYNC_ISSUE, title: `${ASYNC_ISSUE.title} ${n}`, user: "reporter" }),
    );
    await Promise.all(issues.map((issue) => h.send("issues", h.issuePayload("opened", issue))));
    await h.settle(20_000);
    for (const issue of issues) expect(h.fake.state.issue(h.repo, issue.number).labels).toContain("async");
    expect(h.fake.rateViolations).toEqual([]);
    const limited = h.fake.calls.find((call) => call.status === 403);
    expect(limited).toBeDefined();
    const within = h.fake.calls.filter(
      // Past the moment a request already on the wire would arrive, nothing until the time is up.
      (call) =>
        call.installationId === 4242 &&
        call.at > (limited?.at ?? 0) + IN_FLIGHT_MS &&
        call.at < (limited?.at ?? 0) + 1900,
    );
    expect(within.map((call) => `${call.operationId} ${call.at - (limited?.at ?? 0)}`)).toEqual([]);
    expect(count(writesOf(h.fake), "issues/add-labels")).toBe(5);
  });

  it("spaces writes across concurrent jobs", async () => {
    const h = await setup("preset: django-async\ntriage:\n  explain: none\n", { settings: { writeIntervalMs: 300 } });
    const issues = Array.from({ length: 4 }, (_, n) =>
      h.fake.state.addIssue(h.repo, { ...ASYNC_ISSUE, title: `${ASYNC_ISSUE.title} ${n}`, user: "reporter" }),
    );
    await Promise.all(issues.map((issue) => h.send("issues", h.issuePayload("opened", issue))));
    await h.settle(20_000);
    const times = h.fake
      .writes()
      .filter((call) => call.operationId === "issues/add-labels")
      .map((call) => call.at);
    expect(times).toHaveLength(4);
    for (let n = 1; n < times.length; n += 1) {
      expect((times[n] ?? 0) - (times[n - 1] ?? 0)).toBeGreaterThanOrEqual(280);
    }
  });
});
