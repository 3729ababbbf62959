// Auto-triage through the real path: signed webhook → web role → BullMQ on Redis → worker → fake
// GitHub that checks every call against GitHub's OpenAPI description.
import { describe, expect, it } from "vitest";
import { parseMarker } from "../../src/domain/markers.js";
import type { Harness } from "../support/harness.js";
import { harnessPerTest } from "../support/per-test.js";

const startHarness = harnessPerTest();

function botComments(h: Harness, number: number) {
  return h.fake.state.commentsOn(h.repo, number).filter((comment) => comment.user.endsWith("[bot]"));
}

const ASYNC_ISSUE = {
  title: "Add async QuerySet.aget() and acreate() to the ORM",
  body: "Model managers should expose `aget()`, `acreate()` and `acount()` so async views can query without `sync_to_async` wrappers.",
  user: "newcomer",
};

describe("auto-triage", () => {
  it("labels a new async issue and explains why in one comment", async () => {
    const harness = await startHarness();
    const issue = harness.fake.state.addIssue(harness.repo, ASYNC_ISSUE);
    const result = await harness.send("issues", harness.issuePayload("opened", issue));
    expect(result.status).toBe(202);
    await harness.settle();

    const labels = harness.fake.state.issue(harness.repo, issue.number).labels;
    expect(labels).toEqual(expect.arrayContaining(["async", "subsystem:orm"]));
    expect(labels.some((label) => label.startsWith("roadmap:"))).toBe(true);
    const comments = botComments(harness, issue.number);
    expect(comments).toHaveLength(1);
    // Collapsed, and the one line shown says which word decided.
    expect(comments[0]?.body).toMatch(
      /<details><summary>async · orm · [\d.]+ — decided by the word `QuerySet`<\/summary>/,
    );
    expect(parseMarker(comments[0]?.body)?.kind).toBe("triage");
  });

  it("costs one label write and one comment, and no reads once the config is cached", async () => {
    const harness = await startHarness();
    const first = harness.fake.state.addIssue(harness.repo, ASYNC_ISSUE);
    await harness.send("issues", harness.issuePayload("opened", first));
    await harness.settle();

    const mark = harness.fake.calls.length;
    const second = await harness.openIssue({
      ...ASYNC_ISSUE,
      title: "Async QuerySet.aiterator() support",
    });
    expect(harness.apiCalls(mark).map((call) => call.operationId)).toEqual([
      "issues/add-labels",
      "issues/create-comment",
    ]);
  });

  it("sets the milestone named like the roadmap version, but never replaces one", async () => {
    const harness = await startHarness();
    const milestone = harness.fake.state.addMilestone(harness.repo, { title: "Django 2.2" });
    const other = harness.fake.state.addMilestone(harness.repo, { title: "someday" });
    const issue = harness.fake.state.addIssue(harness.repo, ASYNC_ISSUE);
    const planned = harness.fake.state.addIssue(harness.repo, { ...ASYNC_ISSUE, milestone: other.number });
    await harness.send("issues", harness.issuePayload("opened", issue));
    await harness.send("issues", harness.issuePayload("opened", planned));
    await harness.settle();
    expect(harness.fake.state.issue(harness.repo, issue.number)).toMatchObject({ milestone: milestone.number });
    expect(harness.fake.state.issue(harness.repo, issue.number).labels).toContain("roadmap:2.2");
    expect(harness.fake.state.issue(harness.repo, planned.number)).toMatchObject({ milestone: other.number });
    // The milestone list is read once and cached.
    expect(harness.fake.callsTo("issues/list-milestones")).toHaveLength(1);
  });

  it("leaves an issue that is not async work alone", async () => {
    const harness = await startHarness();
    const issue = await harness.openIssue({
      title: "Typo in the tutorial part 3",
      body: "The word 'teh' should be 'the' in the polls tutorial.",
      user: "reader",
    });
    expect(harness.fake.state.issue(harness.repo, issue.number).labels).toEqual([]);
    expect(botComments(harness, issue.number)).toHaveLength(0);
  });

  it("labels a PR from the paths it changes", async () => {
    const harness = await startHarness();
    const pull = await harness.openPull(
      {
        title: "Make the cache backends async-capable",
        body: "Adds async variants of the cache API.",
        user: "contributor",
      },
      [
        {
          filename: "django/core/cache/backends/base.py",
          additions: 120,
          deletions: 10,
          patch: "@@ -1 +1 @@\n+    async def aget(self, key):",
        },
        { filename: "django/core/cache/backends/locmem.py", additions: 40, deletions: 2 },
        { filename: "docs/topics/cache.txt", additions: 30, deletions: 0 },
        { filename: "tests/cache/tests.py", additions: 200, deletions: 0 },
      ],
    );
    expect(harness.fake.state.issue(harness.repo, pull.number).labels).toEqual(
      expect.arrayContaining(["async", "subsystem:cache"]),
    );
  });

  it("gives a PR with weak evidence the labels of the issue it fixes", async () => {
    const harness = await startHarness();
    const issue = harness.fake.state.addIssue(harness.repo, {
      title: "Async support for the session backends",
      body: "SessionBase should offer `aget()`, `aset()` and `asave()` for async views; SessionMiddleware must not block the event loop.",
      user: "reporter",
    });
    await harness.send("issues", harness.issuePayload("opened", issue));
    await harness.settle();
    const issueLabels = harness.fake.state.issue(harness.repo, issue.number).labels;
    expect(issueLabels).toContain("subsystem:sessions");

    const pull = await harness.openPull(
      { title: "Follow-up work", body: `Fixes #${issue.number}`, user: "contributor" },
      [{ filename: "AUTHORS", additions: 1, deletions: 0 }],
    );
    const pullLabels = harness.fake.state.issue(harness.repo, pull.number).labels;
    expect(pullLabels).toEqual(expect.arrayContaining(["async", "subsystem:sessions"]));
    expect(botComments(harness, pull.number)[0]?.body).toContain(`references #${issue.number}`);
  });

  it("processes a redelivered webhook once", async () => {
    const harness = await startHarness();
    const issue = harness.fake.state.addIssue(harness.repo, ASYNC_ISSUE);
    const payload = harness.issuePayload("opened", issue);
    const first = await harness.send("issues", payload, { id: "11111111-2222-3333-4444-555555555555" });
    const second = await harness.send("issues", payload, { id: "11111111-2222-3333-4444-555555555555" });
    await harness.settle();
    const third = await harness.send("issues", payload, { id: "11111111-2222-3333-4444-555555555555" });
    await harness.settle();
    expect([first.status, second.status, third.status]).toEqual([202, 202, 200]);
    const writes = harness.apiCalls().filter((call) => call.method !== "GET");
    expect(writes.map((call) => call.operationId)).toEqual(["issues/add-labels", "issues/create-comment"]);
    expect(botComments(harness, issue.number)).toHaveLength(1);
  });

  it("never puts back a label a person removed, and edits its explanation in place", async () => {
    const harness = await startHarness();
    const issue = harness.fake.state.addIssue(harness.repo, ASYNC_ISSUE);
    await harness.send("issues", harness.issuePayload("opened", issue));
    await harness.settle();
    expect(harness.fake.state.issue(harness.repo, issue.number).labels).toContain("subsystem:orm");

    // A maintainer removes the subsystem label: GitHub sends `unlabeled` with them as sender.
    const record = harness.fake.state.issue(harness.repo, issue.number);
    record.labels = record.labels.filter((label) => label !== "subsystem:orm");
    const unlabeled = harness.issuePayload("unlabeled", record, {
      label: { name: "subsystem:orm", color: "1d76db" },
      sender: { login: "maintainer", id: 99, type: "User" },
    });
    await harness.send("issues", unlabeled);
    await harness.settle();

    record.body = `${record.body}\n\nAlso QuerySet.aupdate() and adelete().`;
    await harness.send(
      "issues",
      harness.issuePayload("edited", record, { changes: { body: { from: ASYNC_ISSUE.body } } }),
    );
    await harness.settle();
    expect(harness.fake.state.issue(harness.repo, issue.number).labels).not.toContain("subsystem:orm");
    expect(botComments(harness, issue.number)).toHaveLength(1);
  });

  it("finds its comment instead of posting a second one after a crash between posting and recording", async () => {
    const harness = await startHarness();
    const issue = harness.fake.state.addIssue(harness.repo, ASYNC_ISSUE);
    // The state a worker leaves when it dies right after GitHub accepted the comment: the ledger
    // says a comment was under way, GitHub has it, Redis has no id for it.
    harness.fake.state.addComment(harness.repo, issue.number, {
      body: "<!-- shepherd:triage {} -->\nold\n<!-- shepherd-key: triage -->",
      user: "shepherd[bot]",
    });
    await harness.redis.hset(
      harness.shepherd.keys.comments(harness.repo.id, issue.number),
      "triage",
      JSON.stringify({ v: 1, state: "pending", id: null, hash: null }),
    );
    await harness.send("issues", harness.issuePayload("opened", issue));
    await harness.settle();
    const comments = botComments(harness, issue.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toMatch(/<details><summary>async · orm\b.* — decided by /);
  });

  it("does not override a subsystem a person chose", async () => {
    const harness = await startHarness();
    const issue = await harness.openIssue({ ...ASYNC_ISSUE, labels: ["subsystem:cache"] });
    const labels = harness.fake.state.issue(harness.repo, issue.number).labels;
    expect(labels).toContain("subsystem:cache");
    expect(labels).not.toContain("subsystem:orm");
    expect(labels).toContain("async");
  });

  it("rejects a wrong signature with 401, a missing one with 400, and enqueues nothing", async () => {
    const harness = await startHarness();
    const issue = harness.fake.state.addIssue(harness.repo, ASYNC_ISSUE);
    const mark = harness.fake.calls.length;
    const bad = await harness.send("issues", harness.issuePayload("opened", issue), { signature: "sha256=deadbeef" });
    const missing = await harness.send("issues", harness.issuePayload("opened", issue), { signature: null });
    expect(bad.status).toBe(401);
    expect(missing.status).toBe(400);
    const counts = await harness.shepherd.queues.events.getJobCounts();
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(0);
    expect(harness.fake.calls.slice(mark)).toHaveLength(0);
  });

  it("logs a malformed config clearly and does nothing", async () => {
    const harness = await startHarness({ config: "preset: django-async\ntriage:\n  explain: always\n  colour: red\n" });
    const issue = harness.fake.state.addIssue(harness.repo, ASYNC_ISSUE);
    await harness.send("issues", harness.issuePayload("opened", issue));
    await harness.settle();
    expect(harness.fake.state.issue(harness.repo, issue.number).labels).toEqual([]);
    const entry = harness.logs.find((line) => line.msg === "config invalid, nothing done");
    expect(entry?.errors).toEqual(
      expect.arrayContaining([expect.stringContaining("triage.explain"), expect.stringContaining("triage.colour")]),
    );
    expect(harness.apiCalls().filter((call) => call.method !== "GET")).toEqual([]);
  });

  it("leaves a repo without a config file alone", async () => {
    const harness = await startHarness({ config: null });
    const issue = harness.fake.state.addIssue(harness.repo, ASYNC_ISSUE);
    await harness.send("issues", harness.issuePayload("opened", issue));
    await harness.settle();
    expect(harness.fake.state.issue(harness.repo, issue.number).labels).toEqual([]);
    expect(harness.apiCalls().filter((call) => call.method !== "GET")).toEqual([]);
  });

  it("creates the config's labels on installation and refreshes config on a push", async () => {
    const harness = await startHarness();
    const payload = {
      action: "created",
      installation: { id: 4242, account: { login: "django", id: 1, type: "Organization" } },
      repositories: [
        { id: harness.repo.id, name: "django", full_name: "django/django", private: false, node_id: "R_1" },
      ],
      sender: { login: "maintainer", id: 99, type: "User" },
    };
    await harness.send("installation", payload);
    await harness.settle();
    const names = [...harness.repo.labels.values()].map((label) => label.name);
    expect(names).toEqual(
      expect.arrayContaining(["async", "needs-triage", "subsystem:orm", "subsystem:contrib-other", "roadmap:3.2"]),
    );

    // The config changes: a new label prefix. A push to the default branch refreshes the cache.
    const issue = harness.fake.state.addIssue(harness.repo, ASYNC_ISSUE);
    harness.fake.state.addFile(
      "django/django",
      ".github/shepherd.yml",
      "preset: django-async\ntriage:\n  labels:\n    subsystemPrefix: 'area/'\n",
    );
    await harness.send("push", {
      ref: "refs/heads/main",
      repository: {
        id: harness.repo.id,
        name: "django",
        full_name: "django/django",
        default_branch: "main",
        owner: { login: "django" },
      },
      commits: [{ added: [], modified: [".github/shepherd.yml"], removed: [] }],
      head_commit: null,
      installation: { id: 4242 },
      sender: { login: "maintainer", id: 99, type: "User" },
    });
    await harness.settle();
    expect([...harness.repo.labels.values()].map((label) => label.name)).toContain("area/orm");
    await harness.send("issues", harness.issuePayload("opened", issue));
    await harness.settle();
    expect(harness.fake.state.issue(harness.repo, issue.number).labels).toContain("area/orm");
  });

  it("retries when GitHub answers 5xx, and the result is the same", async () => {
    const harness = await startHarness();
    const issue = harness.fake.state.addIssue(harness.repo, ASYNC_ISSUE);
    harness.fake.failNext("issues/create-comment", 502, { times: 2 });
    await harness.send("issues", harness.issuePayload("opened", issue));
    await harness.settle();
    expect(harness.fake.state.issue(harness.repo, issue.number).labels).toContain("subsystem:orm");
    expect(botComments(harness, issue.number)).toHaveLength(1);
  });

  it("parks a job on a rate limit instead of failing it", async () => {
    const harness = await startHarness();
    const issue = harness.fake.state.addIssue(harness.repo, ASYNC_ISSUE);
    const reset = Math.floor(Date.now() / 1000) + 1;
    harness.fake.failNext("issues/add-labels", 403, {
      headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) },
      body: { message: "API rate limit exceeded for installation ID 4242." },
    });
    await harness.send("issues", harness.issuePayload("opened", issue));
    await harness.settle(15_000);
    expect(harness.fake.state.issue(harness.repo, issue.number).labels).toContain("subsystem:orm");
    expect(harness.logs.some((line) => line.msg === "rate limited, job parked")).toBe(true);
  });

  it("does not retry a call GitHub refuses for good", async () => {
    const harness = await startHarness();
    const issue = harness.fake.state.addIssue(harness.repo, ASYNC_ISSUE);
    harness.fake.failNext("issues/add-labels", 403, {
      times: 5,
      headers: { "x-ratelimit-remaining": "4990" },
      body: { message: "Resource not accessible by integration" },
    });
    await harness.send("issues", harness.issuePayload("opened", issue));
    await harness.settle();
    const attempts = harness.fake.calls.filter((call) => call.operationId === "issues/add-labels");
    expect(attempts).toHaveLength(1);
    const failed = await harness.shepherd.queues.events.getFailed();
    expect(failed[0]?.failedReason).toContain("Resource not accessible by integration");
  });
});
