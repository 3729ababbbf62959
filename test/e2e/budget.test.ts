// The write budget: what a new issue costs with each `triage.explain` mode, `/why` on demand, and
// the shared pacer (budgets per window, shares per write class, commands ahead of a label backlog).
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { backlogDryRun } from "../../src/cli/backlog.js";
import { paced, ShepherdOctokit } from "../../src/github/client.js";
import { createPacer, GITHUB_WRITE_BUDGET, inWriteClass, PausedError } from "../../src/github/pacer.js";
import type { Logger } from "../../src/log.js";
import { createKeys } from "../../src/state/keys.js";
import type { IssueRecord } from "../fake-github/state.js";
import type { Harness, HarnessOptions } from "../support/harness.js";
import { harnessPerTest } from "../support/per-test.js";
import { startWorld, TEST_PRIVATE_KEY, writesOf } from "../support/world.js";

const startHarness = harnessPerTest();
const REDIS_URL = process.env.SHEPHERD_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

const ASYNC_ISSUE = {
  title: "Add async QuerySet.aget() and acreate() to the ORM",
  body: "Model managers should expose `aget()`, `acreate()` and `acount()` so async views can query without `sync_to_async` wrappers.",
  user: "reporter",
};

const MIDDLEWARE_ISSUE = {
  title: "Make the middleware stack async-capable",
  body: "Middleware should support async `__call__` and `process_request`, so the request stack can run under ASGI without a thread per request.",
  user: "reporter",
};

function botComments(h: Harness, issue: IssueRecord) {
  return h.fake.state.commentsOn(h.repo, issue.number).filter((comment) => comment.user.endsWith("[bot]"));
}

async function setup(config: string, options: HarnessOptions = {}): Promise<Harness> {
  return startHarness({ config, ...options });
}

describe("what a new async issue costs", () => {
  it("is one write, for its labels, with explain: none", async () => {
    const h = await setup("preset: django-async\ntriage:\n  explain: none\n");
    const issue = await h.openIssue(ASYNC_ISSUE);
    expect(writesOf(h.fake)).toEqual(["issues/add-labels"]);
    expect(h.fake.state.issue(h.repo, issue.number).labels).toContain("async");
  });

  it("is still one write when the milestone is set too: labels and milestone in one PATCH", async () => {
    const h = await setup("preset: django-async\ntriage:\n  explain: none\n");
    const milestone = h.fake.state.addMilestone(h.repo, { title: "Django 3.0" });
    const issue = await h.openIssue(MIDDLEWARE_ISSUE);
    expect(writesOf(h.fake)).toEqual(["issues/update"]);
    const after = h.fake.state.issue(h.repo, issue.number);
    expect(after.milestone).toBe(milestone.number);
    expect(after.labels).toEqual(expect.arrayContaining(["async", "roadmap:3.0"]));
  });

  it("keeps a label a person added before the labels and milestone were written", async () => {
    const h = await setup("preset: django-async\ntriage:\n  explain: none\n");
    h.fake.state.addMilestone(h.repo, { title: "3.0" });
    h.fake.state.addLabel(h.repo, { name: "priority" });
    const issue = h.fake.state.addIssue(h.repo, MIDDLEWARE_ISSUE);
    const payload = h.issuePayload("opened", issue);
    // The payload shows no labels; on GitHub a person has added one since.
    h.fake.state.issue(h.repo, issue.number).labels.push("priority");
    await h.send("issues", payload);
    await h.settle();
    expect(h.fake.state.issue(h.repo, issue.number).labels).toEqual(
      expect.arrayContaining(["priority", "async", "roadmap:3.0"]),
    );
  });

  it("with explain: low-confidence, writes no comment for a confident guess", async () => {
    const h = await setup("preset: django-async\ntriage:\n  explain: low-confidence\n  explainBelow: 0.5\n");
    const issue = await h.openIssue(ASYNC_ISSUE);
    expect(writesOf(h.fake)).toEqual(["issues/add-labels"]);
    expect(botComments(h, issue)).toEqual([]);
  });

  it("explains on /why, in the one triage comment, edited on the next /why", async () => {
    const h = await setup("preset: django-async\ntriage:\n  explain: none\ncommands: {}\n");
    const issue = await h.openIssue(ASYNC_ISSUE);
    await h.comment(issue, "someone", "/why");
    await h.settle();
    const [explanation] = botComments(h, issue);
    expect(botComments(h, issue)).toHaveLength(1);
    expect(explanation?.body).toMatch(/<details><summary>async · orm\b.* — decided by /);
    expect(explanation?.body).toContain("Async-conversion work in **");
    const before = writesOf(h.fake).length;
    await h.comment(issue, "someone-else", "/why");
    await h.settle();
    expect(botComments(h, issue)).toHaveLength(1);
    // The same text again: nothing to edit; the command is acknowledged with a reaction only.
    expect(writesOf(h.fake).slice(before)).toEqual(["reactions/create-for-issue-comment"]);
  });
});

describe("the pacer", () => {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  afterAll(() => redis.quit());

  function pacer(perMinute: number, minuteMs: number, intervalMs = 0, perHour = 0) {
    const keys = createKeys(`shepherd-test-${randomBytes(4).toString("hex")}`);
    const budget = { ...GITHUB_WRITE_BUDGET, intervalMs, perMinute, minuteMs, perHour };
    return { keys, budget, make: () => createPacer(redis, keys, { budget }) };
  }

  it("keeps labels to their share of the window, leaves the rest for commands, and parks what cannot fit", async () => {
    const setup = pacer(20, 60_000);
    const first = setup.make();
    const second = setup.make();
    let labels = 0;
    let parked: PausedError | null = null;
    // Two processes' pacers on one Redis: together they stop at the label share (19 of 20).
    for (let n = 0; n < 25 && !parked; n++) {
      try {
        await (n % 2 === 0 ? first : second).before("installation:1", true, "label");
        labels += 1;
      } catch (error) {
        parked = error as PausedError;
      }
    }
    expect(labels).toBe(19);
    expect(parked).toBeInstanceOf(PausedError);
    expect(parked?.reason).toBe("budget");
    expect(parked?.untilMs).toBeGreaterThan(Date.now() + 50_000);
    // A command still gets the last write of the window, and then nothing more.
    await first.before("installation:1", true, "command");
    await expect(second.before("installation:1", true, "command")).rejects.toBeInstanceOf(PausedError);
    expect(await first.spent("installation:1")).toEqual({ minute: 20, hour: 20 });
    // Reads are never held back by the budget.
    await first.before("installation:1", false, "label");
  });

  it("keeps part of the hour from labels for commands, and a fifth of it from backlog triage", async () => {
    const { make } = pacer(0, 60_000, 0, 20);
    const p = make();
    let backlog = 0;
    for (let n = 0; n < 25; n++) {
      try {
        await p.before("installation:4", true, "backlog");
        backlog += 1;
      } catch {
        break;
      }
    }
    expect(backlog).toBe(16);
    // Labels stop at 95% of the hour (19 of 20); the last write is a command's.
    for (let n = 0; n < 3; n++) await p.before("installation:4", true, "label");
    await expect(p.before("installation:4", true, "label")).rejects.toBeInstanceOf(PausedError);
    await p.before("installation:4", true, "command");
    await expect(p.before("installation:4", true, "command")).rejects.toBeInstanceOf(PausedError);
  });

  it("spaces writes across pacers and lets a class wait in place only up to its horizon", async () => {
    const setup = pacer(0, 60_000, 400);
    const a = setup.make();
    const b = setup.make();
    const times: number[] = [];
    await Promise.all(
      [a, b, a, b].map(async (p) => {
        await p.before("installation:2", true, "command");
        times.push(Date.now());
      }),
    );
    times.sort((x, y) => x - y);
    for (let n = 1; n < times.length; n++) expect((times[n] ?? 0) - (times[n - 1] ?? 0)).toBeGreaterThanOrEqual(380);
    // Seven label writes at once: the seventh slot is 2.4 s away, past the label horizon, so it parks.
    const outcomes = await Promise.allSettled(
      Array.from({ length: 7 }, () => a.before("installation:3", true, "label")),
    );
    expect(outcomes.filter((outcome) => outcome.status === "rejected").length).toBeGreaterThanOrEqual(1);
  });

  it("sends a lane's writes one at a time, so a wait GitHub asks for holds back the next write", async () => {
    const { make } = pacer(0, 60_000);
    const sent: Array<{ method: string; at: number }> = [];
    let open = 0;
    let most = 0;
    // GitHub as a fetch: the first comment is answered slowly with a secondary limit, the rest 201.
    const fetch = async (url: string, init: { method?: string }) => {
      const method = init.method ?? "GET";
      sent.push({ method, at: Date.now() });
      open += method === "POST" ? 1 : 0;
      most = Math.max(most, open);
      await new Promise((resolve) => setTimeout(resolve, 40));
      open -= method === "POST" ? 1 : 0;
      const headers = { "content-type": "application/json" };
      if (method === "POST" && sent.filter((call) => call.method === "POST").length === 1) {
        const limited = { message: "You have exceeded a secondary rate limit." };
        return new Response(JSON.stringify(limited), { status: 403, headers: { ...headers, "retry-after": "2" } });
      }
      return new Response(JSON.stringify({ id: 1, url }), { status: method === "POST" ? 201 : 200, headers });
    };
    const log = { warn: () => {} } as unknown as Logger;
    const p = make();
    const options = { pacer: p, requestTimeoutMs: 5_000, log };
    // Wrapped twice (Probot hands out one Octokit for the app): paced once all the same.
    const octokit = paced(
      paced(new ShepherdOctokit({ request: { fetch } }), "installation:9", options),
      "installation:9",
      options,
    );
    const comment = (n: number) =>
      octokit.rest.issues.createComment({ owner: "o", repo: "r", issue_number: n, body: `${n}` });
    const outcomes = await Promise.allSettled([
      comment(1),
      comment(2),
      comment(3),
      octokit.rest.repos.get({ owner: "o", repo: "r" }),
    ]);
    // One write on the wire at a time; the 403 paused the lane before the next write could leave.
    expect(most).toBe(1);
    expect(sent.filter((call) => call.method === "POST")).toHaveLength(1);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(["rejected", "rejected", "rejected", "fulfilled"]);
    const reasons = outcomes.slice(1, 3).map((outcome) => (outcome as PromiseRejectedResult).reason as unknown);
    for (const reason of reasons) expect(reason).toBeInstanceOf(PausedError);
    expect(await p.spent("installation:9")).toEqual({ minute: 1, hour: 1 });
  });

  it("counts the writes a piece of work sent, for the resumable steps", async () => {
    const seen = await inWriteClass("comment", async (scope) => {
      scope.sent += 1;
      return scope;
    });
    expect(seen).toEqual({ writeClass: "comment", sent: 1 });
  });
});

describe("commands ahead of a label backlog", () => {
  it("answers a /claim while a burst of new issues waits for the write budget", async () => {
    // A 2-second "minute" of 10 writes: 20 new issues take at least three windows.
    const h = await setup("preset: django-async\ntriage:\n  explain: none\ncommands: {}\nclaims: {}\n", {
      settings: { writesPerMinute: 10, writesPerHour: 0, rateWindowScale: 2000 / 60_000 },
    });
    const issues = Array.from({ length: 20 }, (_, n) =>
      h.fake.state.addIssue(h.repo, { ...ASYNC_ISSUE, title: `${ASYNC_ISSUE.title} (${n})` }),
    );
    await Promise.all(issues.map((issue) => h.send("issues", h.issuePayload("opened", issue))));
    const target = issues[19] as IssueRecord;
    await new Promise((resolve) => setTimeout(resolve, 300));
    await h.comment(target, "alice", "/claim");
    await h.settle(60_000);
    const writes = h.fake.writes().filter((call) => call.status < 300 && !call.injected);
    const labelTimes = writes.filter((call) => call.operationId === "issues/add-labels").map((call) => call.at);
    const assigned = writes.find((call) => call.operationId === "issues/add-assignees")?.at ?? Infinity;
    expect(labelTimes).toHaveLength(20);
    expect(assigned).toBeLessThan(Math.max(...labelTimes));
    expect(h.fake.state.issue(h.repo, target.number).assignees).toEqual(["alice"]);
    // No window of 2 s held more than 10 writes, and GitHub never had to say so.
    const times = writes
      .filter((call) => call.operationId !== "apps/create-installation-access-token")
      .map((c) => c.at);
    for (const start of times)
      expect(times.filter((t) => t >= start && t < start + 2000).length).toBeLessThanOrEqual(10);
    expect(h.fake.rateViolations).toEqual([]);
  });
});

describe("backlog triage on installation", () => {
  function installed(h: Harness) {
    return {
      action: "created",
      installation: { id: 4242, account: { login: "django", id: 1, type: "Organization" } },
      repositories: [{ id: h.repo.id, name: "django", full_name: "django/django", private: false, node_id: "R_1" }],
      sender: { login: "maintainer", id: 99, type: "User" },
    };
  }

  it("labels the open items already there, one write each, and shows it on the tracking issue", async () => {
    const h = await setup("preset: django-async\ntriage:\n  explain: comment\nprogress:\n  coalesceSeconds: 1\n");
    const old = Array.from({ length: 4 }, (_, n) =>
      h.fake.state.addIssue(h.repo, { ...ASYNC_ISSUE, title: `${ASYNC_ISSUE.title} (${n})` }),
    );
    const unrelated = h.fake.state.addIssue(h.repo, {
      title: "Typo in the docs",
      body: "A word is misspelt.",
      user: "x",
    });
    const human = h.fake.state.addIssue(h.repo, { ...MIDDLEWARE_ISSUE, labels: ["subsystem:handlers"] });
    const closed = h.fake.state.addIssue(h.repo, { ...ASYNC_ISSUE, title: "Closed async work", state: "closed" });
    await h.send("installation", installed(h));
    await h.settle(30_000);

    for (const issue of old) expect(h.fake.state.issue(h.repo, issue.number).labels).toContain("async");
    expect(h.fake.state.issue(h.repo, unrelated.number).labels).toEqual([]);
    expect(h.fake.state.issue(h.repo, human.number).labels).toContain("subsystem:handlers");
    expect(h.fake.state.issue(h.repo, human.number).labels).not.toContain("subsystem:middleware");
    expect(h.fake.state.issue(h.repo, closed.number).labels).toEqual([]);
    // Labels only: no explanation comments on old items, whatever `explain` says for new ones.
    for (const issue of [...old, human]) expect(botComments(h, issue)).toEqual([]);
    const labelWrites = h.fake
      .writes()
      .filter((call) => call.status < 300 && /^\/repos\/django\/django\/issues\/\d+\/labels$/.test(call.path));
    expect(
      labelWrites.filter((call) => old.some((issue) => call.path.endsWith(`/${issue.number}/labels`))),
    ).toHaveLength(4);
    const tracking = [...h.repo.issues.values()].find((issue) => (issue.body ?? "").includes("shepherd:progress"));
    expect(tracking?.body).toContain("Backlog triage finished: the 6 items open at installation were read");

    // Installed again (or the delivery repeated): nothing is triaged twice.
    const before = writesOf(h.fake).filter((write) => write === "issues/add-labels").length;
    await h.send("installation", installed(h));
    await h.settle(30_000);
    expect(writesOf(h.fake).filter((write) => write === "issues/add-labels").length).toBe(before);
  }, 60_000);
});

describe("shepherd backtest --repo", () => {
  it("prints what backlog triage would label, reading 100 items a page and writing nothing", async () => {
    const world = await startWorld({ config: "preset: django-async\ntriage: {}\n" });
    try {
      const { fake } = world;
      for (let n = 0; n < 3; n++)
        fake.state.addIssue(world.repo, { ...ASYNC_ISSUE, title: `${ASYNC_ISSUE.title} ${n}` });
      fake.state.addIssue(world.repo, { title: "Typo in the docs", body: "A word is misspelt.", user: "x" });
      const out: string[] = [];
      const err: string[] = [];
      const code = await backlogDryRun(
        ["--repo", "django/django"],
        { write: (chunk: string) => out.push(chunk) },
        { write: (chunk: string) => err.push(chunk) },
        { APP_ID: "1", PRIVATE_KEY: TEST_PRIVATE_KEY, GHE_HOST: fake.host, GHE_PROTOCOL: "http" },
      );
      expect(err.join("")).toBe("");
      expect(code).toBe(0);
      const lines = out.join("").trim().split("\n");
      expect(lines.filter((line) => /^#\d+ issue \+async \+subsystem:orm/.test(line))).toHaveLength(3);
      expect(lines.at(-1)).toBe("would label 3 of 4 open items (3 writes); 0 marked needs-triage; nothing was written");
      expect(fake.writes().filter((call) => call.operationId !== "apps/create-installation-access-token")).toEqual([]);
      expect(fake.callsTo("issues/list-for-repo")[0]?.query).toMatchObject({ per_page: "100", state: "open" });
    } finally {
      await world.fake.close();
    }
  });

  it("names what is missing", async () => {
    const err: string[] = [];
    const write = (chunk: string) => err.push(chunk);
    expect(await backlogDryRun([], { write }, { write }, {})).toBe(2);
    expect(await backlogDryRun(["--repo", "django/django"], { write }, { write }, {})).toBe(1);
    expect(err.join("")).toContain("APP_ID and PRIVATE_KEY must be set");
  });
});
