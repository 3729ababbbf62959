// Shepherd's own issues (the tracking issue, a digest) are never triaged, tracked or counted, even
// when their echoes arrive or a person labels one by hand; rebuild and reconcile skip them too.
import { describe, expect, it } from "vitest";
import type { Harness } from "../support/harness.js";
import { harnessPerTest } from "../support/per-test.js";
import type { IssueRecord } from "../fake-github/state.js";

const CONFIG = `
preset: django-async
triage:
  explain: comment
commands: {}
claims: {}
progress:
  coalesceSeconds: 1
digest:
  cron: '0 9 * * 1'
`;

const startHarness = harnessPerTest();

function writes(h: Harness, since: number) {
  return h.apiCalls(since).filter((call) => call.method !== "GET");
}

async function projected(h: Harness): Promise<number[]> {
  const { createProjectionStore } = await import("../../src/state/projection.js");
  const items = await createProjectionStore(h.redis, h.shepherd.keys).all(h.repo.id);
  return items.map((item) => item.number).sort((a, b) => a - b);
}

function byLabel(h: Harness, label: string): IssueRecord | undefined {
  return [...h.repo.issues.values()].find((issue) => issue.labels.includes(label));
}

async function task(h: Harness, kind: "digest-repo" | "reconcile-repo" | "rebuild-repo") {
  await h.shepherd.queues.tasks.add(kind, { kind, installationId: 4242, owner: "django", repo: "django", force: true });
  await h.settle(10_000);
}

/** A maintainer puts the async label on an issue by hand, as GitHub would report it. */
async function labelByHand(h: Harness, issue: IssueRecord, label: string) {
  h.fake.state.setIssueLabels(h.repo, issue, [...issue.labels, label]);
  const current = h.fake.state.issue(h.repo, issue.number);
  const maintainer = h.fake.state.user("maintainer");
  await h.send(
    "issues",
    h.issuePayload("labeled", current, {
      label: { name: label },
      sender: { login: maintainer.login, id: maintainer.id, type: "User" },
    }),
  );
  await h.settle(10_000);
}

describe("Shepherd's own issues", () => {
  it("are never labelled, counted or commented on, and their echoes cost no writes", async () => {
    const h = await startHarness({ config: CONFIG });
    const first = await h.openIssue({ title: "Async QuerySet.aget()", body: "Managers need aget().", user: "r" });
    const second = await h.openIssue({ title: "Async QuerySet.acount()", body: "acount() please", user: "r" });
    await h.settle(10_000);
    await task(h, "digest-repo");
    const summary = byLabel(h, "roadmap-progress");
    const digest = byLabel(h, "weekly-digest");
    expect(summary?.user).toMatch(/\[bot\]$/);
    expect(digest?.user).toMatch(/\[bot\]$/);
    // Both echoes (opened, labeled) have arrived: neither issue got a triage label or an explanation.
    expect(summary?.labels).toEqual(["roadmap-progress"]);
    expect(digest?.labels).toEqual(["weekly-digest"]);
    expect(h.fake.state.commentsOn(h.repo, summary?.number ?? 0)).toEqual([]);
    expect(h.fake.state.commentsOn(h.repo, digest?.number ?? 0)).toEqual([]);
    expect(await projected(h)).toEqual([first.number, second.number]);
    expect(h.fake.state.issue(h.repo, summary?.number ?? 0).body).toContain("(0 of 2)");

    // A redelivered echo of the summary's opening and a maintainer labelling the digest `async`.
    const mark = h.fake.calls.length;
    await h.send("issues", h.issuePayload("opened", h.fake.state.issue(h.repo, summary?.number ?? 0)));
    await labelByHand(h, h.fake.state.issue(h.repo, digest?.number ?? 0), "async");
    expect(writes(h, mark)).toEqual([]);
    expect(await projected(h)).toEqual([first.number, second.number]);
    expect(h.fake.state.issue(h.repo, summary?.number ?? 0).body).toContain("(0 of 2)");

    // Reconcile lists the async label, which now includes the digest: still not tracked.
    await h.redis.del(h.shepherd.keys.projection(h.repo.id));
    await task(h, "reconcile-repo");
    expect(await projected(h)).toEqual([first.number, second.number]);
  });

  it("never triages the maintainer's tracking issue the summary is posted on", async () => {
    const h = await startHarness({ config: CONFIG.replace("coalesceSeconds: 1", "coalesceSeconds: 1\n  issue: 1") });
    const tracking = await h.openIssue({
      title: "Tracking: async QuerySet.aget() and friends",
      body: "Roadmap for aget(), acount() and acreate().",
      user: "maintainer",
    });
    expect(tracking.number).toBe(1);
    const work = await h.openIssue({ title: "Async QuerySet.aget()", body: "Managers need aget().", user: "r" });
    await h.settle(10_000);
    expect(h.fake.state.issue(h.repo, tracking.number).labels).toEqual([]);
    expect(await projected(h)).toEqual([work.number]);
    const summary = h.fake.state
      .commentsOn(h.repo, tracking.number)
      .filter((c) => c.body.includes("shepherd:progress"));
    expect(summary).toHaveLength(1);
    expect(summary[0]?.body).toContain("(0 of 1)");
  });

  it("refuse /claim, /subsystem and /why in one short reply each, and still answer /status", async () => {
    const h = await startHarness({ config: CONFIG });
    h.fake.state.setPermission(h.repo, "maintainer", "maintain");
    await h.openIssue({ title: "Async QuerySet.aget()", body: "Managers need aget().", user: "r" });
    await h.settle(10_000);
    await task(h, "digest-repo");
    const summary = byLabel(h, "roadmap-progress");
    const digest = byLabel(h, "weekly-digest");
    for (const own of [summary, digest]) {
      const issue = h.fake.state.issue(h.repo, own?.number ?? 0);
      const mark = h.fake.calls.length;
      await h.comment(issue, "maintainer", "/claim\n/subsystem orm\n/why");
      await h.settle(10_000);
      // Three replies and nothing else: no label, no assignee, no claim, no explanation.
      expect(writes(h, mark).map((call) => call.operationId)).toEqual([
        "issues/create-comment",
        "issues/create-comment",
        "issues/create-comment",
      ]);
      const replies = h.fake.state.commentsOn(h.repo, issue.number).filter((c) => c.user.endsWith("[bot]"));
      expect(replies).toHaveLength(3);
      for (const reply of replies) expect(reply.body).toContain("does not work on Shepherd's own issues");
      const after = h.fake.state.issue(h.repo, issue.number);
      expect(after.labels).toEqual(issue.labels);
      expect(after.assignees).toEqual([]);
      expect(await h.redis.exists(h.shepherd.keys.claim(h.repo.id, issue.number))).toBe(0);
    }
    // Commands that do not track the item still work there.
    const mark = h.fake.calls.length;
    await h.comment(h.fake.state.issue(h.repo, summary?.number ?? 0), "maintainer", "/status");
    await h.settle(10_000);
    const replies = h.fake.state.commentsOn(h.repo, summary?.number ?? 0).filter((c) => c.user.endsWith("[bot]"));
    expect(replies.at(-1)?.body).not.toContain("own issues");
    expect(writes(h, mark)).toHaveLength(1);
  });
});
