// The code index through the real path: installed, Shepherd downloads the default branch's tarball
// from the fake (one API call, the redirect, the archive), indexes it, and triage then sorts issue
// text by where the code defines the names it mentions.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { INDEX_VERSION } from "../../src/domain/code-index.js";
import { createKeys } from "../../src/state/keys.js";
import type { Harness } from "../support/harness.js";
import { harnessPerTest } from "../support/per-test.js";
import { FILES, makeTarball, removeTarball } from "../support/tarball.js";

const startHarness = harnessPerTest();

function installed(repoId: number) {
  return {
    action: "created",
    installation: { id: 4242, account: { login: "django", id: 1, type: "Organization" } },
    repositories: [{ id: repoId, name: "django", full_name: "django/django", private: false, node_id: "R_1" }],
    sender: { login: "maintainer", id: 99, type: "User" },
  };
}

/** A push to the default branch whose head is `after`. */
function pushed(repoId: number, after: string) {
  return {
    ref: "refs/heads/main",
    after,
    repository: {
      id: repoId,
      name: "django",
      full_name: "django/django",
      default_branch: "main",
      owner: { login: "django" },
    },
    commits: [{ added: [], modified: ["django/shortcuts.py"], removed: [] }],
    head_commit: null,
    installation: { id: 4242 },
    sender: { login: "maintainer", id: 99, type: "User" },
  };
}

/** The fake serves these files as the repository's tarball; installed, Shepherd indexes them. */
async function installWith(h: Harness, files: Record<string, string>): Promise<void> {
  const tarball = makeTarball(files);
  h.repo.tarball = readFileSync(tarball);
  removeTarball(tarball);
  await h.send("installation", installed(h.repo.id));
  await h.settle(30_000);
}

/** Opens an issue; its labels and the bot's explanation comment. */
async function triaged(h: Harness, title: string, body = "") {
  const issue = await h.openIssue({ title, body, user: "reporter" });
  const labels = h.fake.state.issue(h.repo, issue.number).labels;
  const explanation = h.fake.state.commentsOn(h.repo, issue.number).find((c) => c.user.endsWith("[bot]"));
  return { labels, explanation: explanation?.body ?? "" };
}

describe("the code index", () => {
  it("is built from one tarball on installation and sorts issue text by where names are defined", async () => {
    const h = await startHarness({ config: "preset: django-async\ntriage:\n  explain: comment\n  backlog: false\n" });
    await installWith(h, FILES);
    const downloads = h.fake.calls.filter((call) => call.operationId === "repos/download-tarball-archive");
    expect(downloads.map((call) => call.status)).toEqual([302]);
    expect(h.logs.some((line) => line.msg === "code index built" && line.sha === "c179ad9")).toBe(true);

    // A push of the same commit to the default branch: the stored index is current, nothing is downloaded.
    const push = (after: string) => h.send("push", pushed(h.repo.id, after));
    await push(`c179ad9${"0".repeat(33)}`);
    await h.settle(30_000);
    expect(h.logs.some((line) => line.msg === "code index current, not rebuilt")).toBe(true);
    // Another commit the same day: coalesced into the day's one rebuild (already spent here).
    await push(`d2a0b1c${"0".repeat(33)}`);
    await h.settle(30_000);
    expect(h.fake.calls.filter((call) => call.operationId === "repos/download-tarball-archive")).toHaveLength(1);

    const { labels, explanation } = await triaged(
      h,
      "Make @sensitive_variables work with coroutines",
      "The decorator should wrap async functions too.",
    );
    expect(labels).toContain("async");
    expect(labels).toContain("subsystem:views-http");
    expect(explanation).toContain("`sensitive_variables` is defined in `django/views/decorators/debug.py`");
  }, 60_000);

  it("rebuilds an index of an older format on the next push, though the commit is the same", async () => {
    const h = await startHarness({ config: "preset: django-async\ntriage:\n  backlog: false\n" });
    await installWith(h, FILES);
    // As a Shepherd of the previous format left it: the same commit, format 1.
    const key = createKeys(h.prefix).codeIndexMeta(h.repo.id);
    const meta = JSON.parse((await h.redis.get(key)) ?? "{}") as { version: number };
    expect(meta.version).toBe(INDEX_VERSION);
    await h.redis.set(key, JSON.stringify({ ...meta, version: 1 }));
    await h.send("push", pushed(h.repo.id, `c179ad9${"0".repeat(33)}`));
    await h.settle(30_000);
    expect(h.fake.calls.filter((call) => call.operationId === "repos/download-tarball-archive")).toHaveLength(2);
    expect(JSON.parse((await h.redis.get(key)) ?? "{}")).toMatchObject({ version: INDEX_VERSION, sha: "c179ad9" });
  }, 60_000);

  it("places a docs change by the docs pages that write its names as code, through Redis", async () => {
    const h = await startHarness({ config: "preset: django-async\ntriage:\n  explain: comment\n  backlog: false\n" });
    const docs =
      "Check it with ``asgiref.sync.iscoroutinefunction``.\n\nAn example::\n\n" +
      "    iscoroutinefunction(get_response)\n    iscoroutinefunction(view)\n\nDone.\n";
    await installWith(h, { ...FILES, "docs/topics/http/middleware.txt": docs });
    // The preset's cue puts `iscoroutinefunction` in utils; the docs that write it put it in middleware.
    const { labels, explanation } = await triaged(h, "Removed obsolete doc reference to asyncio.iscoroutinefunction.");
    expect(labels).toContain("async");
    expect(labels).toContain("subsystem:middleware");
    expect(labels).not.toContain("subsystem:utils");
    expect(explanation).toContain(
      "`iscoroutinefunction` is code in the middleware docs (`docs/topics/http/middleware.txt`), not in the code",
    );
  }, 60_000);

  it("leaves triage as it was when the repository has no archive to give", async () => {
    const h = await startHarness({ config: "preset: django-async\ntriage:\n  backlog: false\n" });
    await h.send("installation", installed(h.repo.id));
    await h.settle(30_000);
    expect(h.logs.some((line) => line.msg === "no archive to index")).toBe(true);
    const issue = await h.openIssue({ title: "Add async QuerySet.aget()", body: "", user: "reporter" });
    expect(h.fake.state.issue(h.repo, issue.number).labels).toContain("subsystem:orm");
  }, 60_000);
});
