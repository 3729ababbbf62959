// `shepherd export` and `shepherd digest --dry-run --from FILE`: the projection the real app path
// stored in Redis, written to a file and rendered offline, gives the digest Redis gives.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { digestCommand } from "../../src/cli/digest.js";
import { exportCommand } from "../../src/cli/export.js";
import { createKeys } from "../../src/state/keys.js";
import { createProjectionStore } from "../../src/state/projection.js";
import { REDIS_URL } from "../support/harness.js";
import { harnessPerTest } from "../support/per-test.js";
import { Sink } from "../support/sink.js";

const CONFIG = `
preset: django-async
triage: {explain: none}
commands: {}
claims: {}
digest: {discussionCategory: Announcements}
`;
const AT = ["--at", "2030-01-09"];

const startHarness = harnessPerTest();

async function run(command: typeof digestCommand, argv: string[], env: NodeJS.ProcessEnv) {
  const out = new Sink();
  const err = new Sink();
  const code = await command(argv, out, err, env);
  return { code, out: out.text, err: err.text };
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "shepherd-export-"));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe("shepherd export and digest --from", () => {
  it("exports the stored projection and renders the same digest from the file, offline", async () => {
    const h = await startHarness({ config: CONFIG });
    h.fake.state.enableDiscussions(h.repo, true);
    const first = await h.openIssue({
      title: "Async QuerySet.aget()",
      body: "Managers need aget().",
      user: "reporter",
    });
    await h.openIssue({ title: "Async Model.asave()", body: "Models need asave() for async views.", user: "reporter" });
    await h.comment(first, "newcomer", "/claim");
    await h.settle();
    const store = createProjectionStore(h.redis, createKeys(h.prefix));
    const repoId = await store.repoIdOf("django", "django");
    expect(repoId).not.toBeNull();
    await store.recordWelcome(repoId ?? 0, {
      newcomer: "newcomer",
      mentor: null,
      at: Date.parse("2030-01-08T10:00:00Z"),
    });
    // A stored snapshot from an earlier week, for the trend.
    await h.shepherd.queues.tasks.add("digest-repo", {
      kind: "digest-repo",
      installationId: 4242,
      owner: "django",
      repo: "django",
      force: true,
    });
    await h.settle();
    expect(await store.snapshots(repoId ?? 0)).toHaveLength(1);

    const env = { SHEPHERD_REDIS_URL: REDIS_URL, SHEPHERD_PREFIX: h.prefix };
    const file = join(await tempDir(), "django.jsonl");
    const mark = h.fake.calls.length;
    const exported = await run(exportCommand, ["--repo", "django/django", "--out", file], env);
    expect(exported).toMatchObject({ code: 0, out: "" });
    expect(exported.err).toBe("2 items, 1 snapshots, 1 welcomes exported\n");
    const lines = (await readFile(file, "utf8")).trimEnd().split("\n");
    expect(JSON.parse(lines[0] ?? "")).toMatchObject({ v: 1, type: "header", repo: "django/django", repoId });
    expect(lines.slice(1).map((line) => (JSON.parse(line) as { type: string }).type)).toEqual([
      "item",
      "item",
      "snapshot",
      "welcome",
    ]);

    const fromRedis = await run(digestCommand, ["--repo", "django/django", "--dry-run", ...AT], env);
    // No Redis settings at all: the file is all it reads.
    const fromFile = await run(digestCommand, ["--dry-run", "--from", file, ...AT], {
      SHEPHERD_REDIS_URL: "redis://127.0.0.1:1",
    });
    expect(fromRedis).toMatchObject({ code: 0, err: "" });
    expect(fromFile).toEqual(fromRedis);
    expect(fromFile.out).toContain("2030-W02");
    expect(fromFile.out).toContain("newcomer");
    expect(fromFile.out).toContain(`#${first.number}`);
    // Exporting and rendering call nothing on GitHub.
    expect(h.fake.calls.slice(mark)).toEqual([]);
  });

  it("reports a bad line with its number, exits 1, and still uses the good lines", async () => {
    const dir = await tempDir();
    const file = join(dir, "bad.jsonl");
    const item = (number: number, title: string) => ({
      v: 1,
      type: "item",
      item: {
        number,
        kind: "issue",
        title,
        subsystem: "orm",
        roadmap: null,
        state: "open",
        claimant: null,
        mentor: null,
        goodFirst: false,
        openedAt: Date.parse("2030-01-08T10:00:00Z"),
        claimedAt: null,
        inProgressAt: null,
        doneAt: null,
        updatedAt: Date.parse("2030-01-08T10:00:00Z"),
        linked: null,
      },
    });
    const header = { v: 1, type: "header", repo: "django/django", repoId: 7, exportedAt: "2030-01-09T00:00:00.000Z" };
    const text = [
      JSON.stringify(header),
      JSON.stringify(item(11, "Async QuerySet.aget()")),
      JSON.stringify({ ...item(12, "Broken"), item: { ...item(12, "Broken").item, state: "sleeping" } }),
      "{not json",
      JSON.stringify({ v: 2, type: "welcome", welcome: { newcomer: "a", mentor: null, at: 1 } }),
      JSON.stringify(item(13, "Async Model.asave()")),
    ].join("\n");
    await writeFile(file, `${text}\n`);
    const result = await run(digestCommand, ["--dry-run", "--from", file, ...AT], {});
    expect(result.code).toBe(1);
    const errors = result.err.trimEnd().split("\n");
    expect(errors).toHaveLength(3);
    expect(errors[0]).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: line 3: item\\.state: `));
    expect(errors[1]).toContain(": line 4: not JSON");
    expect(errors[2]).toContain(": line 5: v: ");
    expect(result.out).toMatch(/^# /);
    expect(result.out).toContain("#11");
    expect(result.out).toContain("#13");
    expect(result.out).not.toContain("#12");

    // A file without its header does not say which repository it is: nothing is rendered.
    await writeFile(file, `${JSON.stringify(item(11, "x"))}\n`);
    const headless = await run(digestCommand, ["--dry-run", "--from", file], {});
    expect(headless).toMatchObject({ code: 1, out: "" });
    expect(headless.err).toContain("line 1: not a Shepherd projection header (version 1)");
  });

  it("answers --help for both, and wants --repo for export and one source for digest", async () => {
    expect(await run(exportCommand, ["--help"], {})).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^usage: shepherd export /),
    });
    expect((await run(digestCommand, ["--help"], {})).out).toContain("--from FILE");
    expect((await run(exportCommand, [], {})).err).toContain("--repo OWNER/NAME is required");
    const both = await run(digestCommand, ["--dry-run", "--repo", "a/b", "--from", "f"], {});
    expect(both).toMatchObject({ code: 2, err: expect.stringContaining("give --repo or --from, not both") });
  });
});
