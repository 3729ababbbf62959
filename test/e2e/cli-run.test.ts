// `shepherd run` against the running Shepherd's Redis: the task runs on its workers, and running
// the digest twice still posts one digest for the week.
import { describe, expect, it } from "vitest";
import { runCommand } from "../../src/cli/run.js";
import { REDIS_URL } from "../support/harness.js";
import { harnessPerTest } from "../support/per-test.js";

// Flow style: the least a digest needs.
const CONFIG = "{preset: django-async, triage: {explain: none}, digest: {discussionCategory: Announcements}}\n";

const startHarness = harnessPerTest();

class Sink {
  text = "";
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

describe("shepherd run", () => {
  it("enqueues the digest on the running install, waits for it, and twice still posts one", async () => {
    const h = await startHarness({ config: CONFIG });
    h.fake.state.enableDiscussions(h.repo, true);
    await h.openIssue({ title: "Async QuerySet.aget()", body: "Managers need aget().", user: "reporter" });
    const env = { SHEPHERD_REDIS_URL: REDIS_URL, SHEPHERD_PREFIX: h.prefix };
    const argv = ["digest", "--repo", "django/django", "--installation", "4242", "--wait", "--timeout", "30"];
    for (let i = 0; i < 2; i++) {
      const out = new Sink();
      const err = new Sink();
      const code = await runCommand(argv, out, err, env);
      expect(err.text).toBe("");
      expect(code).toBe(0);
      expect(out.text).toMatch(
        /^enqueued digest for django\/django \(job cli-digest-[\w-]+\)\ndigest for django\/django: done\n$/,
      );
    }
    expect([...h.repo.discussions.values()].filter((d) => /\d{4}-W\d{2}/.test(d.title))).toHaveLength(1);
  });

  it("refuses an unknown task and a missing repo with usage (exit 2)", async () => {
    const err = new Sink();
    expect(await runCommand(["deploy", "--repo", "a/b"], new Sink(), err, {})).toBe(2);
    expect(err.text).toContain("give one task: digest, summary, sweep or reconcile");
    const err2 = new Sink();
    expect(await runCommand(["digest"], new Sink(), err2, {})).toBe(2);
    expect(err2.text).toContain("--repo OWNER/NAME is required");
    const help = new Sink();
    expect(await runCommand(["--help"], help, new Sink(), {})).toBe(0);
    expect(help.text).toMatch(/^usage: shepherd run /);
  });
});
