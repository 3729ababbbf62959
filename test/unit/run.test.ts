// Resumable steps and the ensure* verbs, on in-memory stand-ins: a retry resumes after the last
// finished action, an action that was under way is checked on GitHub before it is written again.
import { describe, expect, it } from "vitest";
import type { Action } from "../../src/domain/actions.js";
import { ensureComment, ensureLabels, ensureReaction, keyMarker } from "../../src/github/ensure.js";
import type { CommentSnapshot, GitHubPort } from "../../src/github/port.js";
import { createSteps } from "../../src/run/steps.js";
import type { CommentEntry, CommentLedger } from "../../src/state/comments.js";
import type { RunLedger, StepRecord } from "../../src/state/runs.js";

function memoryLedger(): RunLedger {
  const fields = new Map<string, string>();
  return {
    handlerDone: async (run, handler) => fields.has(`${run} h ${handler}`),
    markHandlerDone: async (run, handler) => void fields.set(`${run} h ${handler}`, "1"),
    step: async (run, handler, name) => {
      const raw = fields.get(`${run} s ${handler} ${name}`);
      return raw ? (JSON.parse(raw) as StepRecord) : null;
    },
    saveStep: async (run, handler, name, record) =>
      void fields.set(`${run} s ${handler} ${name}`, JSON.stringify(record)),
    decided: async (run, handler, name) => {
      const raw = fields.get(`${run} d ${handler} ${name}`);
      return raw === undefined ? undefined : (JSON.parse(raw) as { value: unknown }).value;
    },
    decide: async (run, handler, name, value) =>
      void fields.set(`${run} d ${handler} ${name}`, JSON.stringify({ value })),
  };
}

const PLAN: Action[] = [
  { type: "add-labels", issue: 1, labels: ["async"] },
  { type: "save-item", issue: 1, patch: { owned: ["async"] } },
  { type: "comment", issue: 1, key: "triage", body: "why" },
];

describe("steps", () => {
  it("decide once, and a retry resumes after the last finished action", async () => {
    const ledger = memoryLedger();
    const applied: Array<[string, boolean]> = [];
    let decisions = 0;
    let failOn: string | null = "comment";
    const steps = createSteps({
      ledger,
      run: "r",
      handler: "triage",
      apply: async (action, maybeDone) => {
        applied.push([action.type, maybeDone]);
        if (action.type === failOn) throw new Error("502");
        return null;
      },
    });
    const decide = () => {
      decisions += 1;
      return PLAN;
    };
    await expect(steps.step("triage", decide)).rejects.toThrow("502");
    failOn = null;
    await steps.step("triage", decide);
    await steps.step("triage", decide);
    expect(decisions).toBe(1);
    // The comment failed while under way: its retry is told it may have reached GitHub.
    expect(applied).toEqual([
      ["add-labels", false],
      ["save-item", false],
      ["comment", false],
      ["comment", true],
    ]);
  });

  it("keep what `once` computed for the run", async () => {
    const steps = createSteps({ ledger: memoryLedger(), run: "r", handler: "h", apply: async () => null });
    let calls = 0;
    const value = () => ({ calls: ++calls });
    expect(await steps.once("x", value)).toEqual({ calls: 1 });
    expect(await steps.once("x", value)).toEqual({ calls: 1 });
  });
});

function memoryComments(): CommentLedger {
  const entries = new Map<string, CommentEntry>();
  return {
    get: async (repo, issue, key) => entries.get(`${repo}/${issue}/${key}`) ?? null,
    set: async (repo, issue, key, entry) => void entries.set(`${repo}/${issue}/${key}`, { v: 1, ...entry }),
    all: async () => new Map(entries),
  };
}

/** A port over one issue's labels and comments that counts the calls made. */
function memoryPort(labels: string[] = [], comments: CommentSnapshot[] = [], reactions: string[] = []) {
  const calls: string[] = [];
  let next = 100;
  const port = {
    owner: "o",
    repo: "r",
    async issue() {
      calls.push("get-issue");
      return { labels: [...labels], assignees: [], milestone: null, body: "", nodeId: "n" };
    },
    async comments() {
      calls.push("list-comments");
      return comments;
    },
    async comment(id: number) {
      calls.push("get-comment");
      return comments.find((comment) => comment.id === id)?.body ?? null;
    },
    async addLabels(_number: number, added: string[]) {
      calls.push(`add-labels ${added.join(",")}`);
      labels.push(...added);
      return labels;
    },
    async createComment(_number: number, body: string) {
      calls.push("create-comment");
      const id = next++;
      comments.push({ id, body, isBot: true, login: "shepherd[bot]" });
      return id;
    },
    async react(_target: unknown, content: string) {
      calls.push(`react ${content}`);
      reactions.push("shepherd[bot]");
    },
    async reactedBy() {
      calls.push("list-reactions");
      return [...reactions];
    },
    async updateComment(id: number, body: string) {
      calls.push("update-comment");
      const found = comments.find((comment) => comment.id === id);
      if (!found) return "gone" as const;
      found.body = body;
      return "ok" as const;
    },
  };
  return { port: port as unknown as GitHubPort, calls };
}

describe("ensure verbs", () => {
  it("write labels in one call without reading, and read first only when the write may have happened", async () => {
    const fresh = memoryPort();
    await ensureLabels(fresh.port, 1, ["async", "subsystem:orm"], { maybeDone: false });
    expect(fresh.calls).toEqual(["add-labels async,subsystem:orm"]);
    const after = memoryPort(["async"]);
    await ensureLabels(after.port, 1, ["async", "subsystem:orm"], { maybeDone: true });
    expect(after.calls).toEqual(["get-issue", "add-labels subsystem:orm"]);
  });

  it("react without reading, and after a crash only when its own reaction is not there yet", async () => {
    const target = { kind: "issue-comment" as const, id: 7 };
    const fresh = memoryPort();
    await ensureReaction(fresh.port, target, "+1", "Shepherd[bot]", { maybeDone: false });
    expect(fresh.calls).toEqual(["react +1"]);
    await ensureReaction(fresh.port, target, "+1", "Shepherd[bot]", { maybeDone: true });
    expect(fresh.calls).toEqual(["react +1", "list-reactions"]);
    const other = memoryPort([], [], ["someone"]);
    await ensureReaction(other.port, target, "+1", "shepherd[bot]", { maybeDone: true });
    expect(other.calls).toEqual(["list-reactions", "react +1"]);
  });

  it("post a keyed comment once, edit it when it changes, and find it after a crash instead of posting again", async () => {
    const ledger = memoryComments();
    const { port, calls } = memoryPort();
    const target = { repoId: 1, issue: 1, key: "triage", body: "first" };
    await ensureComment(port, ledger, target, { maybeDone: false });
    await ensureComment(port, ledger, target, { maybeDone: false });
    await ensureComment(port, ledger, { ...target, body: "second" }, { maybeDone: false });
    expect(calls).toEqual(["create-comment", "update-comment"]);

    // Posted, then the worker died before the ledger heard of it.
    const crashed = memoryPort(
      [],
      [{ id: 7, body: `again\n${keyMarker("reply:d:1")}`, isBot: true, login: "shepherd[bot]" }],
    );
    const lost = memoryComments();
    await lost.set(1, 2, "reply:d:1", { state: "pending", id: null, hash: null });
    const outcome = await ensureComment(
      crashed.port,
      lost,
      { repoId: 1, issue: 2, key: "reply:d:1", body: "again" },
      { maybeDone: true },
    );
    expect(outcome).toEqual({ id: 7, outcome: "unchanged" });
    expect(crashed.calls).toEqual(["list-comments"]);
  });

  it("leave a comment a person deleted deleted, unless told to post it again", async () => {
    const ledger = memoryComments();
    await ledger.set(1, 1, "triage", { state: "posted", id: 55, hash: "old" });
    const { port, calls } = memoryPort();
    expect(
      await ensureComment(port, ledger, { repoId: 1, issue: 1, key: "triage", body: "new" }, { maybeDone: false }),
    ).toEqual({
      id: null,
      outcome: "deleted",
    });
    expect(
      await ensureComment(port, ledger, { repoId: 1, issue: 1, key: "triage", body: "newer" }, { maybeDone: false }),
    ).toEqual({
      id: null,
      outcome: "deleted",
    });
    expect(calls).toEqual(["update-comment"]);
  });
});
