// Reporting benchmark: a repository with 50,000 tracked items on the fake GitHub, a real Shepherd
// on the local Redis. Prints the GitHub calls to reconcile the projection, to render the summary
// and to post the digest, the render times, and the Redis memory the projection takes.
// Run with `npm run bench` (needs Redis on 127.0.0.1:6379).
import { performance } from "node:perf_hooks";
import { djangoAsyncPreset } from "../src/config/presets/django-async.js";
import { renderDigest } from "../src/domain/digest.js";
import { isoWeek, snapshot } from "../src/domain/projection.js";
import { renderSummary } from "../src/domain/summary.js";
import { createProjectionStore } from "../src/state/projection.js";
import { type Harness, startHarness } from "../test/support/harness.js";

const ITEMS = Number(process.env.BENCH_ITEMS ?? 50_000);
const CONFIG = `preset: django-async
triage:
  explain: none
progress: {}
digest:
  discussionCategory: Announcements
`;

interface Counted {
  calls: number;
  ops: string[];
}

/** Runs `run`, waits for the queues, and splits the calls made into the reconcile's own and the rest. */
async function countCalls(
  harness: Harness,
  run: () => Promise<unknown>,
): Promise<{ reconcile: Counted; other: Counted }> {
  const mark = harness.fake.calls.length;
  await run();
  await harness.settle(600_000);
  const calls = harness.fake.calls
    .slice(mark)
    .filter((call) => call.operationId !== "apps/create-installation-access-token");
  const isReconcile = (call: (typeof calls)[number]) =>
    call.operationId === "repos/get" || (call.operationId === "issues/list-for-repo" && call.query.labels === "async");
  const summarise = (list: typeof calls): Counted => ({
    calls: list.length,
    ops: [...new Set(list.map((call) => String(call.operationId)))],
  });
  return {
    reconcile: summarise(calls.filter(isReconcile)),
    other: summarise(calls.filter((call) => !isReconcile(call))),
  };
}

function seed(harness: Harness): void {
  const { state } = harness.fake;
  const subsystems = djangoAsyncPreset.subsystems;
  for (let i = 0; i < ITEMS; i++) {
    const subsystem = subsystems[i % subsystems.length]?.id ?? "orm";
    const version = djangoAsyncPreset.roadmap.find((entry) => entry.subsystems.includes(subsystem))?.version ?? "3.0";
    const closed = i % 3 === 0;
    state.addIssue(harness.repo, {
      title: `Async work item ${i} in ${subsystem}`,
      body: "",
      user: `contributor${i % 500}`,
      labels: ["async", `subsystem:${subsystem}`, `roadmap:${version}`],
      assignees: i % 5 === 1 ? [`contributor${i % 500}`] : [],
      state: closed ? "closed" : "open",
    });
  }
}

async function main(): Promise<void> {
  const harness = await startHarness({ config: CONFIG });
  try {
    harness.fake.state.enableDiscussions(harness.repo, true);
    const seeded = performance.now();
    seed(harness);
    console.log(
      `seeded ${ITEMS.toLocaleString("en")} issues in the fake in ${(performance.now() - seeded).toFixed(0)} ms`,
    );
    const task = (kind: "reconcile-repo" | "refresh-summary" | "digest-repo", extra = {}) =>
      harness.shepherd.queues.tasks.add(kind, {
        kind,
        installationId: 4242,
        owner: "django",
        repo: "django",
        ...extra,
      });

    const started = performance.now();
    const first = await countCalls(harness, () => task("reconcile-repo"));
    const reconcileMs = performance.now() - started;
    console.log(
      `reconcile: ${first.reconcile.calls} GitHub calls for ${ITEMS.toLocaleString("en")} items ` +
        `(target <= ${Math.ceil(ITEMS / 100)} + a few) in ${(reconcileMs / 1000).toFixed(1)} s [${first.reconcile.ops.join(", ")}]`,
    );
    console.log(
      `summary, first render (opens and pins the tracking issue): ${first.other.calls} calls [${first.other.ops.join(", ")}]`,
    );
    const again = await countCalls(harness, () => task("reconcile-repo"));
    console.log(
      `reconcile again, nothing changed: ${again.reconcile.calls} call (a 304, free), ${again.other.calls} other`,
    );

    const projection = createProjectionStore(harness.redis, harness.shepherd.keys);
    const moved = await projection.get(harness.repo.id, 2);
    if (moved) await projection.put(harness.repo.id, { ...moved, state: "done", doneAt: Date.now() });
    const summary = await countCalls(harness, () => task("refresh-summary"));
    console.log(
      `summary after a change: ${summary.other.calls} call(s) (target <= 3) [${summary.other.ops.join(", ")}]`,
    );
    const unchanged = await countCalls(harness, () => task("refresh-summary"));
    console.log(`summary, nothing changed: ${unchanged.other.calls} calls`);
    const digest = await countCalls(harness, () => task("digest-repo", { force: true }));
    console.log(`digest: ${digest.other.calls} calls (target <= 3) [${digest.other.ops.join(", ")}]`);

    const loadStart = performance.now();
    const items = await projection.all(harness.repo.id);
    const loadMs = performance.now() - loadStart;
    const now = Date.now();
    const week = isoWeek(now, "UTC");
    const timings = { summary: [] as number[], digest: [] as number[] };
    for (let round = 0; round < 5; round++) {
      let at = performance.now();
      renderSummary({
        items,
        model: djangoAsyncPreset,
        mentorships: [],
        now,
        labels: { goodFirst: ["good first issue"] },
      });
      timings.summary.push(performance.now() - at);
      at = performance.now();
      renderDigest({
        repo: "django/django",
        week,
        timeZone: "UTC",
        items,
        snapshots: [snapshot(items, week, now)],
        welcomed: [],
        stale: [],
        model: djangoAsyncPreset,
        now,
      });
      timings.digest.push(performance.now() - at);
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    console.log(
      `render ${items.length.toLocaleString("en")} items: summary ${median(timings.summary).toFixed(1)} ms, ` +
        `digest ${median(timings.digest).toFixed(1)} ms (median of 5); loading the projection from Redis ${loadMs.toFixed(0)} ms`,
    );
    const bytes = Number(
      await harness.redis.call("MEMORY", "USAGE", harness.shepherd.keys.projection(harness.repo.id), "SAMPLES", "0"),
    );
    console.log(
      `redis: projection ${(bytes / 1024 / 1024).toFixed(1)} MiB (${Math.round(bytes / items.length)} bytes an item)`,
    );
  } finally {
    await harness.close();
  }
}

await main();
