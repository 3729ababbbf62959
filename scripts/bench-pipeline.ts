// Pipeline benchmark: a real Shepherd (web + worker) on the local Redis against the fake GitHub.
// Prints the GitHub calls made per kind of event and how fast webhooks are answered and processed.
// Run with `npm run bench` (needs Redis on 127.0.0.1:6379, or SHEPHERD_TEST_REDIS_URL).
import { performance } from "node:perf_hooks";
import { type Harness, startHarness } from "../test/support/harness.js";

interface CallCount {
  reads: number;
  writes: number;
  operations: string[];
}

const ASYNC_ISSUE = {
  title: "Add async QuerySet.aget() and acreate()",
  body: "Managers should offer `aget()` and `acreate()` so async views need no `sync_to_async` wrapper.",
  user: "newcomer",
};

function countSince(harness: Harness, mark: number): CallCount {
  const calls = harness.apiCalls(mark);
  return {
    reads: calls.filter((call) => call.method === "GET").length,
    writes: calls.filter((call) => call.method !== "GET").length,
    operations: calls.map((call) => String(call.operationId)),
  };
}

async function measure(harness: Harness, run: () => Promise<unknown>): Promise<CallCount> {
  const mark = harness.fake.calls.length;
  await run();
  await harness.settle(30_000);
  return countSince(harness, mark);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function callsPerEvent(explain: "comment" | "none"): Promise<Array<[string, CallCount]>> {
  const harness = await startHarness({ config: `preset: django-async\ntriage:\n  explain: ${explain}\n` });
  try {
    const { state } = harness.fake;
    const rows: Array<[string, CallCount]> = [];
    const first = state.addIssue(harness.repo, ASYNC_ISSUE);
    rows.push([
      "first issue in a repo (config read at start)",
      await measure(harness, () => harness.send("issues", harness.issuePayload("opened", first))),
    ]);
    const second = state.addIssue(harness.repo, { ...ASYNC_ISSUE, title: "Async QuerySet.aiterator()" });
    const payload = harness.issuePayload("opened", second);
    rows.push([
      "new async issue (config cached)",
      await measure(harness, () => harness.send("issues", payload, { id: "bench-delivery-1" })),
    ]);
    rows.push([
      "the same delivery again",
      await measure(harness, () => harness.send("issues", payload, { id: "bench-delivery-1" })),
    ]);
    const labelled = state.issue(harness.repo, second.number);
    rows.push([
      "issue edited, triage unchanged",
      await measure(harness, () => harness.send("issues", harness.issuePayload("edited", labelled))),
    ]);
    const plain = state.addIssue(harness.repo, { title: "Typo in tutorial", body: "teh → the", user: "reader" });
    rows.push([
      "new issue, not async",
      await measure(harness, () => harness.send("issues", harness.issuePayload("opened", plain))),
    ]);
    const pull = state.addIssue(harness.repo, {
      title: "Async cache backends",
      body: "",
      user: "dev",
      pull_request: true,
    });
    state.addPullFiles(harness.repo, pull.number, [
      { filename: "django/core/cache/backends/base.py", additions: 80, deletions: 4 },
      { filename: "tests/cache/tests.py", additions: 120, deletions: 0 },
    ]);
    rows.push([
      "new async PR (files listed)",
      await measure(harness, () => harness.send("pull_request", harness.pullPayload("opened", pull))),
    ]);
    return rows;
  } finally {
    await harness.close();
  }
}

async function throughput(count: number): Promise<string> {
  const harness = await startHarness({
    config: "preset: django-async\ntriage:\n  explain: none\n",
    settings: { concurrency: 8 },
  });
  try {
    const warm = harness.fake.state.addIssue(harness.repo, ASYNC_ISSUE);
    await harness.send("issues", harness.issuePayload("opened", warm));
    await harness.settle();
    const payloads = Array.from({ length: count }, (_, index) =>
      harness.issuePayload(
        "opened",
        harness.fake.state.addIssue(harness.repo, { ...ASYNC_ISSUE, title: `${ASYNC_ISSUE.title} #${index}` }),
      ),
    );
    const latencies: number[] = [];
    const started = performance.now();
    // Ten senders at once, as GitHub delivers concurrently.
    let next = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < payloads.length) {
          const payload = payloads[next++];
          if (!payload) break;
          const sent = performance.now();
          const result = await harness.send("issues", payload);
          latencies.push(performance.now() - sent);
          // 202: Redis holds the job; anything else is a lost delivery.
          if (result.status !== 202) throw new Error(`webhook answered ${result.status}`);
        }
      }),
    );
    const answered = performance.now();
    await harness.settle(120_000);
    const done = performance.now();
    latencies.sort((a, b) => a - b);
    const labelled = payloads.filter((payload) => {
      const number = (payload.issue as { number: number }).number;
      return harness.fake.state.issue(harness.repo, number).labels.includes("subsystem:orm");
    }).length;
    return [
      `webhooks: ${count} answered in ${(answered - started).toFixed(0)} ms; latency p50 ${percentile(latencies, 50).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms, max ${percentile(latencies, 100).toFixed(1)} ms`,
      `processing: ${labelled}/${count} issues labelled in ${(done - started).toFixed(0)} ms (${((count / (done - started)) * 1000).toFixed(0)} events/s, concurrency ${harness.shepherd.workers?.workers[0]?.concurrency ?? "?"})`,
    ].join("\n");
  } finally {
    await harness.close();
  }
}

const FULL_CONFIG = `preset: django-async
triage:
  explain: none
commands: {}
claims: {}
onboarding: {}
mentors:
  subsystems:
    orm: [{ login: carlton, capacity: 5 }]
`;

async function callsPerCommand(): Promise<Array<[string, CallCount]>> {
  const harness = await startHarness({ config: FULL_CONFIG });
  try {
    const { state } = harness.fake;
    harness.fake.state.setPermission(harness.repo, "carlton", "write");
    harness.associations.set("carlton", "MEMBER");
    harness.associations.set("newbie", "FIRST_TIME_CONTRIBUTOR");
    const rows: Array<[string, CallCount]> = [];
    const warm = state.addIssue(harness.repo, { ...ASYNC_ISSUE, user: "carlton" });
    await measure(harness, () => harness.send("issues", harness.issuePayload("opened", warm)));
    const issue = state.addIssue(harness.repo, { ...ASYNC_ISSUE, user: "carlton" });
    await measure(harness, () => harness.send("issues", harness.issuePayload("opened", issue)));
    rows.push([
      "comment without a command",
      await measure(harness, () => harness.comment(issue, "alice", "Nice idea!")),
    ]);
    rows.push([
      "/claim by a returning contributor",
      await measure(harness, () => harness.comment(issue, "carlton", "/claim")),
    ]);
    rows.push(["/status", await measure(harness, () => harness.comment(issue, "alice", "/status"))]);
    rows.push([
      "/assign by a triager (permission cached after)",
      await measure(harness, () => harness.comment(issue, "carlton", "/assign @carlton")),
    ]);
    const first = state.addIssue(harness.repo, { ...ASYNC_ISSUE, user: "newbie" });
    rows.push([
      "newcomer's first issue (welcome + mentor)",
      await measure(harness, () => harness.send("issues", harness.issuePayload("opened", first))),
    ]);
    return rows;
  } finally {
    await harness.close();
  }
}

export async function benchPipeline(): Promise<void> {
  for (const explain of ["none", "comment"] as const) {
    console.log(`GitHub calls per event (triage.explain: ${explain}; installation tokens not counted, one per hour):`);
    for (const [name, count] of await callsPerEvent(explain)) {
      console.log(
        `  ${name.padEnd(44)} ${count.reads} reads, ${count.writes} writes  [${count.operations.join(", ")}]`,
      );
    }
  }
  console.log("GitHub calls per command and onboarding event (config cached):");
  for (const [name, count] of await callsPerCommand()) {
    console.log(`  ${name.padEnd(44)} ${count.reads} reads, ${count.writes} writes  [${count.operations.join(", ")}]`);
  }
  console.log(await throughput(500));
}

await benchPipeline();
