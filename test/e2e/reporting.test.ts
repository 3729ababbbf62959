// Reporting through the real path: projection from webhooks, coalesced summary edits, the weekly
// digest posted exactly once, stale claims, and reconcile from GitHub.
import { describe, expect, it } from "vitest";
import type { Harness } from "../support/harness.js";
import { harnessPerTest } from "../support/per-test.js";

const DAY_MS = 86_400_000;
const CONFIG = `
preset: django-async
triage:
  explain: none
commands: {}
claims: {}
staleClaims:
  remindAfterDays: 3
  releaseAfterDays: 2
progress:
  coalesceSeconds: 1
digest:
  discussionCategory: Announcements
`;

const startHarness = harnessPerTest();
let offset = 0;
const clock = () => Date.now() + offset;

async function setup(config = CONFIG): Promise<Harness> {
  offset = 0;
  const harness = await startHarness({ config, now: clock });
  harness.fake.state.enableDiscussions(harness.repo, true);
  harness.fake.state.setPermission(harness.repo, "maintainer", "maintain");
  return harness;
}

function asyncIssue(h: Harness, title: string, user = "reporter") {
  return h.openIssue({ title, body: "Managers need aget() and acreate().", user });
}

async function task(
  h: Harness,
  kind: "digest-repo" | "sweep-repo" | "reconcile-repo",
  extra: { force?: boolean } = {},
) {
  await h.shepherd.queues.tasks.add(kind, { kind, installationId: 4242, owner: "django", repo: "django", ...extra });
  await h.settle();
}

function discussions(h: Harness) {
  return [...h.repo.discussions.values()];
}

describe("the projection and the live summary", () => {
  it("keeps a pinned tracking issue current, with a burst of events coalesced into a few edits", async () => {
    const h = await setup();
    const issues = [];
    for (let i = 0; i < 20; i++) {
      const issue = h.fake.state.addIssue(h.repo, {
        title: `Async QuerySet.aget() part ${i}`,
        body: "aget()",
        user: "r",
      });
      issues.push(issue);
    }
    await Promise.all(issues.map((issue) => h.send("issues", h.issuePayload("opened", issue))));
    await h.settle(20_000);
    const tracking = [...h.repo.issues.values()].find((issue) => issue.labels.includes("roadmap-progress"));
    expect(tracking).toBeDefined();
    expect(h.repo.pinned).toContain(tracking?.number);
    expect(tracking?.body).toContain("20");
    // 20 issues, each changing the projection: one creation with the summary, then a few edits.
    const writes = h.fake.callsTo("issues/create").length + h.fake.callsTo("issues/update").length;
    expect(h.fake.callsTo("issues/create")).toHaveLength(1);
    expect(writes).toBeLessThanOrEqual(4);
  });

  it("does not lose a claim made while a refresh that cannot show it is writing the summary", async () => {
    const h = await setup();
    const claimed = await asyncIssue(h, "Async QuerySet.acount()");
    await h.settle();
    const tracking = () => [...h.repo.issues.values()].find((issue) => issue.labels.includes("roadmap-progress"));
    expect(tracking()?.body).not.toMatch(/1 claimed/);
    // The next summary edit is slow: the refresh has read the projection when the claim lands.
    h.fake.delayNext("issues/update", 2500);
    const second = h.fake.state.addIssue(h.repo, { title: "Async QuerySet.aexists()", body: "aexists()", user: "r" });
    await h.send("issues", h.issuePayload("opened", second));
    const deadline = Date.now() + 10_000;
    const refreshing = async () =>
      (await h.shepherd.queues.tasks.getJobs(["active"])).some((job) => job.name === "refresh-summary");
    while (!(await refreshing()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(await refreshing()).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await h.comment(claimed, "alice", "/claim");
    await h.settle(20_000);
    expect(tracking()?.body).toMatch(/1 claimed/);
    // The slow edit, then one for the claim: the event queued a refresh after the running one, and
    // events meanwhile join it rather than queueing their own.
    const edits = h.fake.callsTo("issues/update").length;
    expect(edits).toBeGreaterThanOrEqual(2);
    expect(edits).toBeLessThanOrEqual(3);
  });

  it("refreshes on /progress, and reports claims and work in progress", async () => {
    const h = await setup();
    const claimed = await asyncIssue(h, "Async QuerySet.acount()");
    await h.comment(claimed, "alice", "/claim");
    await h.settle();
    await h.comment(claimed, "maintainer", "/progress");
    await h.settle(10_000);
    const tracking = [...h.repo.issues.values()].find((issue) => issue.labels.includes("roadmap-progress"));
    expect(tracking?.body).toMatch(/claimed/i);
    const item = await (
      await import("../../src/state/projection.js")
    )
      .createProjectionStore(h.redis, h.shepherd.keys)
      .get(h.repo.id, claimed.number);
    expect(item).toMatchObject({ state: "claimed", claimant: "alice", subsystem: "orm" });
  });
});

describe("the weekly digest", () => {
  it("posts one digest for a week of events, with the right numbers", async () => {
    const h = await setup();
    const done = await asyncIssue(h, "Async QuerySet.aexists()");
    const claimed = await asyncIssue(h, "Async QuerySet.aiterator()");
    await asyncIssue(h, "Async QuerySet.alatest()");
    await h.comment(claimed, "alice", "/claim");
    const pull = await h.openPull({ title: "aexists", body: `Fixes #${done.number}`, user: "bob" }, [
      { filename: "django/db/models/query.py", additions: 9 },
    ]);
    const closed = h.fake.state.issue(h.repo, done.number);
    closed.state = "closed";
    await h.send("issues", { ...h.issuePayload("opened", closed), action: "closed" });
    await h.settle();

    await task(h, "digest-repo", { force: true });
    expect(discussions(h)).toHaveLength(1);
    const [digest] = discussions(h);
    expect(digest?.title).toMatch(/\d{4}-W\d{2}/);
    expect(digest?.body).toContain(`#${done.number}`);
    expect(digest?.body).toContain(`#${claimed.number}`);
    expect(digest?.body).toContain("```mermaid");
    // Three issues, one done; this week one was done and one claimed, all ORM work for 2.2.
    expect(digest?.body).toContain("33% done (1 of 3)");
    expect(digest?.body).toMatch(/\| 2\.2 \| ORM and database layer \| 1 \| 1 \|/);
    expect(digest?.body).not.toMatch(/(^|[^\w`])@alice/);
  });

  it("posts once even when the job runs twice, or crashes after posting", async () => {
    const h = await setup();
    await asyncIssue(h, "Async QuerySet.aget()");
    await task(h, "digest-repo", { force: true });
    await task(h, "digest-repo", { force: true });
    expect(discussions(h)).toHaveLength(1);
    // A crash after GitHub took the post but before Redis recorded it: the marker on GitHub wins.
    for (const key of await h.redis.keys(`${h.prefix}:s:digest:*`)) await h.redis.del(key);
    await task(h, "digest-repo", { force: true });
    expect(discussions(h)).toHaveLength(1);
  });

  it("posts as an issue when Discussions are off, and only when the cron is due", async () => {
    const h = await setup(CONFIG.replace("discussionCategory: Announcements", "cron: '0 9 * * 1'"));
    await asyncIssue(h, "Async QuerySet.aget()");
    await task(h, "digest-repo");
    const digests = () => [...h.repo.issues.values()].filter((issue) => issue.labels.includes("weekly-digest"));
    // The cron last fired within the past week (every Monday), so the tick posts, once.
    expect(digests()).toHaveLength(1);
    await task(h, "digest-repo");
    expect(digests()).toHaveLength(1);
    expect(discussions(h)).toHaveLength(0);
  });
});

describe("stale claims", () => {
  it("reminds the claimant, resets on their comment, and releases after the grace period", async () => {
    const h = await setup();
    const issue = await asyncIssue(h, "Async QuerySet.aupdate()");
    await h.comment(issue, "alice", "/claim");
    await h.settle();
    const sweep = () => task(h, "sweep-repo");
    const bot = () => h.fake.state.commentsOn(h.repo, issue.number).filter((c) => c.user.endsWith("[bot]"));

    offset = 2 * DAY_MS;
    // Someone else's comment is not the claimant's activity: it does not reset the clock.
    await h.comment(h.fake.state.issue(h.repo, issue.number), "bob", "Any news?");
    await h.settle();
    await sweep();
    expect(bot()).toHaveLength(0);
    offset = 4 * DAY_MS;
    await sweep();
    expect(bot().at(-1)?.body).toContain("@alice");
    offset = 5 * DAY_MS;
    await h.comment(h.fake.state.issue(h.repo, issue.number), "alice", "Still on it, sorry!");
    await h.settle();
    offset = 7 * DAY_MS;
    await sweep();
    expect(h.fake.state.issue(h.repo, issue.number).assignees).toEqual(["alice"]);
    const reminders = bot().length;
    offset = 9 * DAY_MS;
    await sweep();
    expect(bot().length).toBe(reminders + 1);
    offset = 12 * DAY_MS;
    await sweep();
    expect(h.fake.state.issue(h.repo, issue.number).assignees).toEqual([]);
    await h.comment(h.fake.state.issue(h.repo, issue.number), "bob", "/claim");
    await h.settle();
    expect(h.fake.state.issue(h.repo, issue.number).assignees).toEqual(["bob"]);
  });
});

describe("reconcile", () => {
  it("rebuilds a lost projection from GitHub, and costs one free 304 when nothing changed", async () => {
    const h = await setup();
    for (const title of ["Async QuerySet.aget()", "Async QuerySet.acount()", "Async QuerySet.aexists()"]) {
      await asyncIssue(h, title);
    }
    const store = (await import("../../src/state/projection.js")).createProjectionStore(h.redis, h.shepherd.keys);
    const before = await store.all(h.repo.id);
    expect(before).toHaveLength(3);
    await h.redis.del(h.shepherd.keys.projection(h.repo.id));
    await task(h, "reconcile-repo");
    expect((await store.all(h.repo.id)).map((item) => [item.number, item.subsystem, item.state])).toEqual(
      before.map((item) => [item.number, item.subsystem, item.state]),
    );
    const mark = h.fake.calls.length;
    await task(h, "reconcile-repo");
    const calls = h.fake.calls.slice(mark).filter((call) => call.operationId === "issues/list-for-repo");
    expect(calls.map((call) => call.status)).toEqual([304]);
  });
});

describe("shepherd digest --dry-run", () => {
  function sink() {
    let text = "";
    return {
      write: (chunk: string) => (text += chunk),
      get text() {
        return text;
      },
    };
  }

  it("prints the digest from the projection without calling GitHub", async () => {
    const h = await setup();
    const issue = await asyncIssue(h, "Async QuerySet.abulk_create()");
    const { digestCommand } = await import("../../src/cli/digest.js");
    const out = sink();
    const err = sink();
    const mark = h.fake.calls.length;
    const env = { SHEPHERD_REDIS_URL: "redis://127.0.0.1:6379", SHEPHERD_PREFIX: h.prefix };
    const code = await digestCommand(["--repo", "django/django", "--dry-run"], out, err, env);
    expect(err.text).toBe("");
    expect(code).toBe(0);
    expect(out.text).toMatch(/^# .*\d{4}-W\d{2}/);
    expect(out.text).toContain(`#${issue.number}`);
    expect(h.fake.calls.slice(mark)).toEqual([]);
    expect(discussions(h)).toHaveLength(0);
  });

  it.each([
    [["--dry-run"], 2, "--repo OWNER/NAME is required"],
    [["--repo", "django/django"], 2, "only --dry-run is supported"],
    [["--repo", "django/django", "--dry-run", "--week", "48"], 2, "--week must look like"],
    [["--repo", "nobody/nothing", "--dry-run"], 1, "no projection of nobody/nothing"],
  ])("answers %j with exit %i", async (argv, expected, message) => {
    const { digestCommand } = await import("../../src/cli/digest.js");
    const err = sink();
    const env = { SHEPHERD_REDIS_URL: "redis://127.0.0.1:6379", SHEPHERD_PREFIX: "shepherd-test-none" };
    expect(await digestCommand(argv, sink(), err, env)).toBe(expected);
    expect(err.text).toContain(message);
  });
});
