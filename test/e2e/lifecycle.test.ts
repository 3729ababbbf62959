// What people and GitHub change without Shepherd: assignees edited by hand, issues transferred or
// deleted, the app uninstalled or repositories taken away. Shepherd's state follows, and an
// uninstall leaves no key of that repository in Redis but a marker, expiring, that it is gone.
import { describe, expect, it } from "vitest";
import type { IssueRecord } from "../fake-github/state.js";
import type { Harness } from "../support/harness.js";
import { harnessPerTest } from "../support/per-test.js";
import { writesOf } from "../support/world.js";

const CONFIG = `
preset: django-async
triage:
  explain: comment
commands: {}
claims:
  maxPerUser: 2
progress:
  coalesceSeconds: 1
`;

const startHarness = harnessPerTest();
const MAINTAINER = { login: "maintainer", id: 99, type: "User" };

async function setup(): Promise<Harness> {
  const h = await startHarness({ config: CONFIG });
  h.fake.state.setPermission(h.repo, "maintainer", "maintain");
  for (const login of ["alice", "bob", "carol", "dave"]) h.fake.state.setPermission(h.repo, login, "triage");
  return h;
}

function newIssue(h: Harness): IssueRecord {
  return h.fake.state.addIssue(h.repo, {
    title: "Make the cache backends async-capable",
    body: "BaseCache should get aget() and aset().",
    user: "reporter",
  });
}

async function say(h: Harness, issue: IssueRecord, user: string, body: string): Promise<void> {
  expect((await h.comment(issue, user, body)).status).toBe(202);
  await h.settle();
}

/** A maintainer edits the assignees on github.com: GitHub's state changes, then the webhook. */
async function assignByHand(h: Harness, issue: IssueRecord, action: "assigned" | "unassigned", login: string) {
  const record = h.fake.state.issue(h.repo, issue.number);
  record.assignees =
    action === "assigned" ? [...record.assignees, login] : record.assignees.filter((name) => name !== login);
  const payload = h.issuePayload(action, record, {
    assignee: { login, id: h.fake.state.user(login).id, type: "User" },
    sender: MAINTAINER,
  });
  expect((await h.send("issues", payload)).status).toBe(202);
  await h.settle();
}

function botReplies(h: Harness, issue: IssueRecord): string[] {
  return h.fake.state
    .commentsOn(h.repo, issue.number)
    .filter((comment) => comment.user.endsWith("[bot]"))
    .map((comment) => comment.body);
}

async function stateKeys(h: Harness): Promise<string[]> {
  const found: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await h.redis.scan(cursor, "MATCH", `${h.prefix}:s:*`, "COUNT", 500);
    cursor = next;
    found.push(...keys);
  } while (cursor !== "0");
  return found;
}

function mentionsRepo(h: Harness, key: string): boolean {
  const scope = key.slice(`${h.prefix}:s:`.length).split(":")[1] ?? "";
  return scope === String(h.repo.id) || scope.toLowerCase() === `${h.repo.owner}/${h.repo.name}`.toLowerCase();
}

describe("claims follow assignees edited by hand", () => {
  it("releases the claim of someone a maintainer unassigned, so another can claim, with no write", async () => {
    const h = await setup();
    const issue = newIssue(h);
    await say(h, issue, "alice", "/claim");
    expect(h.fake.state.issue(h.repo, issue.number).assignees).toEqual(["alice"]);
    const before = writesOf(h.fake).length;
    await assignByHand(h, issue, "unassigned", "alice");
    expect(writesOf(h.fake).slice(before)).toEqual([]);
    expect(await h.redis.exists(`${h.prefix}:s:claim:${h.repo.id}:${issue.number}`)).toBe(0);

    await say(h, issue, "bob", "/claim");
    expect(h.fake.state.issue(h.repo, issue.number).assignees).toEqual(["bob"]);
    expect(botReplies(h, issue).join("\n")).not.toContain("already claimed");
  });

  it("records a claim for someone assigned by hand, and moves it when the assignee changes", async () => {
    const h = await setup();
    const issue = newIssue(h);
    await assignByHand(h, issue, "assigned", "carol");
    await say(h, issue, "bob", "/claim");
    expect(botReplies(h, issue).at(-1)).toContain("already claimed by **carol**");

    // Reassigned: dave added, then carol removed.
    await assignByHand(h, issue, "assigned", "dave");
    await assignByHand(h, issue, "unassigned", "carol");
    expect(await h.redis.hget(`${h.prefix}:s:claim:${h.repo.id}:${issue.number}`, "claimant")).toBe("dave");
    await say(h, issue, "bob", "/claim");
    expect(botReplies(h, issue).at(-1)).toContain("already claimed by **dave**");
  });

  it("ignores its own assignments coming back: a /claim costs the same writes as before", async () => {
    const h = await setup();
    const issue = newIssue(h);
    const before = writesOf(h.fake).length;
    await say(h, issue, "alice", "/claim");
    // One assignment and one reaction; the `issues.assigned` echo adds nothing.
    expect(writesOf(h.fake).slice(before).sort()).toEqual([
      "issues/add-assignees",
      "reactions/create-for-issue-comment",
    ]);
    expect(await h.redis.hget(`${h.prefix}:s:claim:${h.repo.id}:${issue.number}`, "claimant")).toBe("alice");
  });
});

describe("items that leave the repository", () => {
  for (const action of ["transferred", "deleted"] as const) {
    it(`forgets an issue that was ${action}: triage state, claim, projection`, async () => {
      const h = await setup();
      const issue = await h.openIssue({
        title: "Async-capable cache backends",
        body: "BaseCache should get aget() and aset() so async views can use the cache.",
        user: "reporter",
      });
      await say(h, issue, "alice", "/claim");
      const itemKey = `${h.prefix}:s:item:${h.repo.id}:${issue.number}`;
      expect(await h.redis.exists(itemKey)).toBe(1);
      expect(await h.redis.hexists(`${h.prefix}:s:projection:${h.repo.id}`, String(issue.number))).toBe(1);

      const record = h.fake.state.issue(h.repo, issue.number);
      expect((await h.send("issues", h.issuePayload(action, record, { sender: MAINTAINER }))).status).toBe(202);
      await h.settle();
      expect(await h.redis.exists(itemKey)).toBe(0);
      expect(await h.redis.exists(`${h.prefix}:s:claim:${h.repo.id}:${issue.number}`)).toBe(0);
      expect(await h.redis.sismember(`${h.prefix}:s:claims-of:${h.repo.id}:alice`, String(issue.number))).toBe(0);
      expect(await h.redis.hexists(`${h.prefix}:s:projection:${h.repo.id}`, String(issue.number))).toBe(0);
    });
  }
});

describe("uninstalling", () => {
  it("drops a late webhook and a queued task of a repository taken away, until it is added back", async () => {
    const h = await setup();
    const repositories = [
      { id: h.repo.id, name: h.repo.name, full_name: `${h.repo.owner}/${h.repo.name}`, private: false },
    ];
    const change = (action: "added" | "removed") => ({
      action,
      installation: { id: 4242 },
      repository_selection: "selected",
      repositories_added: action === "added" ? repositories : [],
      repositories_removed: action === "removed" ? repositories : [],
      sender: MAINTAINER,
    });
    expect((await h.send("installation_repositories", change("removed"))).status).toBe(202);
    await h.settle();
    // GitHub would refuse every call now; Shepherd must not make one.
    const since = h.fake.calls.length;
    const issue = newIssue(h);
    expect((await h.send("issues", h.issuePayload("opened", issue, { sender: MAINTAINER }))).status).toBe(202);
    await h.shepherd.queues.tasks.add("sync-labels", {
      kind: "sync-labels",
      installationId: 4242,
      owner: h.repo.owner,
      repo: h.repo.name,
    });
    await h.settle();
    expect(h.fake.calls.slice(since)).toEqual([]);
    expect(await h.shepherd.queues.events.getJobCounts("failed")).toEqual({ failed: 0 });
    expect(await h.shepherd.queues.tasks.getJobCounts("failed")).toEqual({ failed: 0 });
    const dropped = h.logs.filter((line) => String(line.msg).startsWith("repository gone"));
    expect(dropped.map((line) => line.msg)).toEqual([
      "repository gone, delivery dropped",
      "repository gone, task dropped",
    ]);
    expect((await stateKeys(h)).filter((key) => mentionsRepo(h, key) && !key.includes(":gone:"))).toEqual([]);

    // Added back: the marker goes, and the repository's webhooks are handled again.
    expect((await h.send("installation_repositories", change("added"))).status).toBe(202);
    await h.settle();
    expect((await stateKeys(h)).filter((key) => key.includes(":gone:"))).toEqual([]);
    const again = newIssue(h);
    expect((await h.send("issues", h.issuePayload("opened", again, { sender: MAINTAINER }))).status).toBe(202);
    await h.settle();
    expect(h.fake.state.issue(h.repo, again.number).labels).toContain("async");
  });

  function removal(h: Harness, name: "installation" | "installation_repositories") {
    const repositories = [
      { id: h.repo.id, name: h.repo.name, full_name: `${h.repo.owner}/${h.repo.name}`, private: false },
    ];
    return name === "installation"
      ? { action: "deleted", installation: { id: 4242 }, repositories, sender: MAINTAINER }
      : {
          action: "removed",
          installation: { id: 4242 },
          repository_selection: "selected",
          repositories_added: [],
          repositories_removed: repositories,
          sender: MAINTAINER,
        };
  }

  it("drops a job whose repository is taken away while it runs, when GitHub then refuses it", async () => {
    const h = await setup();
    // The job reads first (held back a moment), then GitHub refuses the listing: by then the
    // repository is gone (its marker written meanwhile, as the uninstall would).
    h.fake.delayNext("repos/get-content", 1500, 10);
    h.fake.delayNext("repos/get", 1500, 10);
    h.fake.failNext("issues/list-labels-for-repo", 404);
    await h.redis.del(`${h.prefix}:s:repo-id:${h.repo.owner}/${h.repo.name}`.toLowerCase());
    const gone = `${h.prefix}:s:gone:${h.repo.owner}/${h.repo.name}`.toLowerCase();
    await h.shepherd.queues.tasks.add("sync-labels", {
      kind: "sync-labels",
      installationId: 4242,
      owner: h.repo.owner,
      repo: h.repo.name,
    });
    // Active, and a moment more: past the check at the start of the job, inside the held-back read.
    while (((await h.shepherd.queues.tasks.getJobCounts("active")).active ?? 0) === 0) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    await h.redis.set(gone, "1", "EX", 60);
    await h.settle();
    // The read was held back past the marker (so the job had started before the repository went).
    expect(h.fake.callsTo("repos/get-content").length + h.fake.callsTo("repos/get").length).toBeGreaterThan(0);
    expect(h.fake.callsTo("issues/list-labels-for-repo").length).toBe(1);
    expect(await h.shepherd.queues.tasks.getJobCounts("failed")).toEqual({ failed: 0 });
    expect(
      h.logs.filter((line) => line.msg === "repository gone mid-job, job dropped").map((line) => line.status),
    ).toEqual([404]);
  });

  for (const name of ["installation", "installation_repositories"] as const) {
    it(`leaves no key of the repository but its gone marker after ${name}.${name === "installation" ? "deleted" : "removed"}`, async () => {
      const h = await setup();
      const issue = await h.openIssue({
        title: "Async-capable cache backends",
        body: "BaseCache should get aget() and aset() so async views can use the cache.",
        user: "newcomer",
      });
      await say(h, issue, "alice", "/claim");
      // Another repository's state, and Shepherd's own, must survive.
      const other = `${h.prefix}:s:item:${h.repo.id + 1}:${h.repo.id}`;
      await h.redis.hset(other, "kind", '"issue"');
      const ours = (await stateKeys(h)).filter((key) => mentionsRepo(h, key));
      expect(ours.length).toBeGreaterThan(5);

      const before = writesOf(h.fake).length;
      expect((await h.send(name, removal(h, name))).status).toBe(202);
      await h.settle();
      const left = await stateKeys(h);
      // Only the marker that the repository is gone, and it expires.
      const gone = `${h.prefix}:s:gone:${h.repo.owner}/${h.repo.name}`.toLowerCase();
      expect(left.filter((key) => mentionsRepo(h, key))).toEqual([gone]);
      expect(await h.redis.ttl(gone)).toBeGreaterThan(7 * 24 * 3600);
      expect(left).toContain(other);
      expect(left).toContain(`${h.prefix}:s:epoch`);
      expect(writesOf(h.fake).slice(before)).toEqual([]);

      // Delivered again: nothing left to purge, nothing fails.
      expect((await h.send(name, removal(h, name))).status).toBe(202);
      await h.settle();
      expect((await stateKeys(h)).filter((key) => mentionsRepo(h, key))).toEqual([gone]);
    });
  }
});
