// A push that changes `.github/shepherd.yml` gets one "Shepherd config" check run on its commit:
// failing with an annotation per error (key and line), or passing; a redelivery writes nothing.
import { describe, expect, it } from "vitest";
import type { Harness } from "../support/harness.js";
import { harnessPerTest } from "../support/per-test.js";

const startHarness = harnessPerTest();

const BAD = `preset: django-async
triage:
  minConfidence: 3
roadmap:
  3.0:
    title: Three
`;

const GOOD = `preset: django-async
triage:
  minConfidence: 0.5
roadmap:
  "3.0":
    title: Three
`;

function pushPayload(h: Harness, sha: string, ref?: string): Record<string, unknown> {
  return h.pushPayload(sha, [".github/shepherd.yml"], ref);
}

async function push(h: Harness, sha: string, text: string, id: string): Promise<void> {
  h.fake.state.addFile(h.repo, ".github/shepherd.yml", text, { ref: sha });
  await h.send("push", pushPayload(h, sha), { id });
  await h.settle();
}

function creates(h: Harness, since: number): number {
  return h.apiCalls(since).filter((call) => call.operationId === "checks/create").length;
}

describe("the config check run", () => {
  it("fails with annotations naming key and line, then passes; one create per push, none on a redelivery", async () => {
    const h = await startHarness();
    const badSha = "a".repeat(40);
    let since = h.fake.calls.length;
    await push(h, badSha, BAD, "push-bad");
    expect(creates(h, since)).toBe(1);
    const [failing] = [...h.fake.state.checkRuns.values()].filter((run) => run.headSha === badSha);
    expect(failing).toMatchObject({ name: "Shepherd config", status: "completed", conclusion: "failure" });
    expect(failing?.annotations).toEqual([
      {
        path: ".github/shepherd.yml",
        start_line: 3,
        end_line: 3,
        annotation_level: "failure",
        title: "triage.minConfidence",
        message: "triage.minConfidence: Too big: expected number to be <=1",
      },
      {
        path: ".github/shepherd.yml",
        start_line: 5,
        end_line: 5,
        annotation_level: "failure",
        title: "roadmap.3.0",
        message: 'roadmap.3.0: YAML reads the key 3.0 as the number 3; quote it: "3.0":',
      },
    ]);

    // The same delivery again (GitHub redelivers, or a replay): no second check run, no write at all.
    since = h.fake.calls.length;
    await h.send("push", pushPayload(h, badSha), { id: "push-bad" });
    await h.send("push", pushPayload(h, badSha), { id: "push-bad-again" });
    await h.settle();
    expect(creates(h, since)).toBe(0);
    expect([...h.fake.state.checkRuns.values()].filter((run) => run.headSha === badSha)).toHaveLength(1);

    const goodSha = "b".repeat(40);
    since = h.fake.calls.length;
    await push(h, goodSha, GOOD, "push-good");
    expect(creates(h, since)).toBe(1);
    const [passing] = [...h.fake.state.checkRuns.values()].filter((run) => run.headSha === goodSha);
    expect(passing).toMatchObject({ conclusion: "success", title: ".github/shepherd.yml is valid", annotations: [] });
    // GitHub announces check_run.created; Shepherd does not subscribe to it and needs not.
    expect(h.fake.deliveries.some((delivery) => delivery.event === "check_run")).toBe(false);
  });

  it("looks before writing when an earlier try may have created the check run", async () => {
    const h = await startHarness();
    const sha = "c".repeat(40);
    await push(h, sha, BAD, "push-crash");
    // As if the worker died between the create and recording it: only the intent is left.
    const key = h.shepherd.keys.configCheck(h.repo.id, sha);
    await h.redis.set(key, JSON.stringify({ state: "intent" }));
    const since = h.fake.calls.length;
    await h.send("push", pushPayload(h, sha), { id: "push-crash-retry" });
    await h.settle();
    expect(h.apiCalls(since).map((call) => call.operationId)).toContain("checks/list-for-ref");
    expect(creates(h, since)).toBe(0);
    expect([...h.fake.state.checkRuns.values()].filter((run) => run.headSha === sha)).toHaveLength(1);
  });

  it("checks a push to another branch too (a pull request's head)", async () => {
    const h = await startHarness();
    const sha = "d".repeat(40);
    h.fake.state.addFile(h.repo, ".github/shepherd.yml", GOOD, { ref: sha });
    await h.send("push", pushPayload(h, sha, "refs/heads/feature"));
    await h.settle();
    expect([...h.fake.state.checkRuns.values()].map((run) => [run.headSha, run.conclusion])).toEqual([
      [sha, "success"],
    ]);
  });

  it("answers commands under a broken config once per item, linking the check run", async () => {
    const h = await startHarness();
    const sha = "e".repeat(40);
    h.fake.state.addFile(h.repo, ".github/shepherd.yml", `${BAD}commands: {}\nclaims: {bogus: 1}\n`);
    await push(h, sha, `${BAD}commands: {}\nclaims: {bogus: 1}\n`, "push-broken");
    const [run] = [...h.fake.state.checkRuns.values()];
    const issue = h.fake.state.addIssue(h.repo, { title: "Something", body: "", user: "newcomer" });
    await h.comment(issue, "newcomer", "/claim");
    await h.comment(issue, "newcomer", "/claim\n/help");
    await h.settle();
    const replies = h.fake.state.commentsOn(h.repo, issue.number).filter((comment) => comment.user !== "newcomer");
    expect(replies).toHaveLength(1);
    expect(replies[0]?.body).toMatch(new RegExp(`\\[Shepherd config\\]\\(http[^)]*/django/django/runs/${run?.id}\\)`));
  });

  it("the app's loader refuses a bare 3.0: roadmap key, saying how to quote it", async () => {
    const bare = "preset: django-async\ncommands: {}\nclaims: {}\nroadmap:\n  3.0:\n    title: Three\n";
    const h = await startHarness({ config: bare });
    const issue = h.fake.state.addIssue(h.repo, { title: "Something", body: "", user: "newcomer" });
    await h.comment(issue, "newcomer", "/claim");
    await h.settle();
    // Read as the number 3 the file would resolve; the loader sees the text and refuses it instead.
    const cached = JSON.parse((await h.redis.get(h.shepherd.keys.config("django", "django"))) ?? "{}") as {
      status?: string;
      errors?: string[];
    };
    expect(cached).toMatchObject({ status: "invalid" });
    expect(cached.errors).toEqual(['roadmap.3.0: YAML reads the key 3.0 as the number 3; quote it: "3.0":']);
    const replies = h.fake.state.commentsOn(h.repo, issue.number).filter((comment) => comment.user !== "newcomer");
    expect(replies.map((reply) => reply.body)).toEqual([expect.stringContaining("Commands do nothing here")]);
    expect(h.fake.state.issue(h.repo, issue.number).assignees).toEqual([]);
  });

  it("checks a pull request that changes the config on its head: failure, then fixed, success", async () => {
    const h = await startHarness();
    const pull = h.fake.state.addIssue(h.repo, {
      title: "Tune Shepherd",
      body: "",
      user: "contributor",
      pull_request: true,
    });
    h.fake.state.addPullFiles(h.repo, pull.number, [{ filename: ".github/shepherd.yml", status: "modified" }]);
    const head = pull.pull?.head ?? { sha: "" };
    const badSha = head.sha;
    h.fake.state.addFile(h.repo, ".github/shepherd.yml", BAD, { ref: badSha });
    let since = h.fake.calls.length;
    await h.send("pull_request", h.pullPayload("opened", h.fake.state.issue(h.repo, pull.number)));
    await h.settle();
    const count = (operationId: string) => h.apiCalls(since).filter((call) => call.operationId === operationId).length;
    // One file listing (triage's and the check's), one read of the file at the head, one create.
    expect(count("pulls/list-files")).toBe(1);
    expect(count("repos/get-content")).toBe(1);
    expect(creates(h, since)).toBe(1);
    const [failing] = [...h.fake.state.checkRuns.values()].filter((run) => run.headSha === badSha);
    expect(failing).toMatchObject({ name: "Shepherd config", conclusion: "failure" });
    expect(failing?.annotations.map((a) => [a.title, a.start_line])).toEqual([
      ["triage.minConfidence", 3],
      ["roadmap.3.0", 5],
    ]);

    // The contributor pushes a fix to the branch: GitHub sends synchronize with the new head.
    const goodSha = "f".repeat(40);
    head.sha = goodSha;
    h.fake.state.addFile(h.repo, ".github/shepherd.yml", GOOD, { ref: goodSha });
    since = h.fake.calls.length;
    await h.send("pull_request", h.pullPayload("synchronize", h.fake.state.issue(h.repo, pull.number)));
    await h.settle();
    expect(count("pulls/list-files")).toBe(1);
    expect(creates(h, since)).toBe(1);
    const [passing] = [...h.fake.state.checkRuns.values()].filter((run) => run.headSha === goodSha);
    expect(passing).toMatchObject({ conclusion: "success", title: ".github/shepherd.yml is valid" });

    // The same head again (a redelivery, or reopened): the check exists, nothing is listed or written.
    since = h.fake.calls.length;
    await h.send("pull_request", h.pullPayload("reopened", h.fake.state.issue(h.repo, pull.number)));
    await h.settle();
    expect(creates(h, since)).toBe(0);
    expect(h.apiCalls(since).filter((call) => call.method !== "GET")).toEqual([]);
  });

  it("leaves a pull request that does not touch the config without a check, at one file listing", async () => {
    const h = await startHarness();
    const since = h.fake.calls.length;
    await h.openPull({ title: "Async QuerySet.aget()", body: "", user: "contributor" }, [
      { filename: "django/db/models/query.py", additions: 10, deletions: 0 },
    ]);
    expect(h.apiCalls(since).filter((call) => call.operationId === "pulls/list-files")).toHaveLength(1);
    expect(creates(h, since)).toBe(0);
    expect(h.fake.state.checkRuns.size).toBe(0);
  });
});
