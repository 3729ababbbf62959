// The chaos run: the built app as processes (a web role and a worker role, as the Dockerfile runs
// them) on a Redis of its own with AOF, against the fake GitHub, which echoes the app's changes as
// webhooks. The same deliveries go through a fault-free run first; then each phase adds one kind of
// trouble, and the GitHub state it ends with must equal the fault-free one:
//   faults: 20% of API answers 502/503 and 5% secondary-rate-limit 403 with retry-after;
//   kills:  the worker SIGKILLed every ~3 s while the deliveries arrive, restarted each time, and a
//           faulted call (403 secondary, then 502) at the start of the first worker;
//   redis:  Redis restarted once mid-run (webhooks get 503 meanwhile and are delivered again).
// `npm run chaos` prints the figures; CHAOS_DELIVERIES, CHAOS_KILL_EVERY_MS, CHAOS_PHASES and
// CHAOS_SEED change the run. Needs `redis-server` on the PATH.
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Job, Queue } from "bullmq";
import { Redis } from "ioredis";
import { deliveryJobId, EVENTS_QUEUE } from "../src/queues.js";
import type { FakeGitHub } from "../test/fake-github/server.js";
import type { IssueRecord } from "../test/fake-github/state.js";
import { appEnv, type AppProcess, freePort, startApp } from "../test/support/app-process.js";
import { deliver } from "../test/support/webhooks.js";
import { SECRET, startWorld, TEST_PRIVATE_KEY, type World } from "../test/support/world.js";

export type Phase = "faults" | "kills" | "redis";

export interface ChaosOptions {
  deliveries: number;
  killEveryMs: number;
  phases: Phase[];
  seed: number;
  /** Milliseconds between two deliveries sent. */
  sendEveryMs: number;
  /** Bound on one phase, after the last delivery was sent. */
  settleTimeoutMs: number;
  log?: (line: string) => void;
}

export interface PhaseFigures {
  phase: Phase | "reference";
  seconds: number;
  deliveries: number;
  /** Deliveries never processed (no done marker in Redis at the end). */
  lost: number;
  /** Answers 503 (Redis away) and connection errors; each was delivered again. */
  refused: number;
  redelivered: number;
  /** Bot comments with the same key on one item, beyond the first. */
  duplicateComments: number;
  /** Successful label writes beyond the fault-free run's, summed over items. */
  repeatedLabelWrites: number;
  /** Items whose count of successful writes differs from the fault-free run. */
  itemsWithOtherWrites: number;
  writes: number;
  /** Items whose labels, assignees, milestone or bot comments differ from the fault-free run. */
  itemsDiffering: number;
  differences: string[];
  /** Requests to a route before its retry-after had passed. */
  rateViolations: number;
  injected5xx: number;
  injected403: number;
  kills: number;
  /** Jobs that were active in the worker when it was killed. */
  jobsHeldByKilled: number;
  /** From a kill until every job the dead worker held had finished (max and median, s). */
  pickupMaxSeconds: number | null;
  pickupMedianSeconds: number | null;
  /** Jobs still active at the end. */
  activeAtEnd: number;
  /** The faulted call at the first worker's start was retried (not fatal). */
  startFaultSurvived: boolean | null;
}

const CONFIG = [
  "preset: django-async",
  "triage:",
  "  explain: comment",
  "commands: {}",
  "claims:",
  "  maxPerUser: 50",
  "onboarding:",
  "  suggestions: 0",
  "",
].join("\n");

const ASYNC_TEXTS = [
  [
    "Add async QuerySet.aget() and acreate()",
    "Managers should offer `aget()` and `acreate()` without `sync_to_async`.",
  ],
  ["Async support for the session backends", "SessionBase should offer `aget()` and `asave()` for async views."],
  ["Make the cache backends async-capable", "BaseCache needs `aget()`, `aset()` and `adelete()`."],
  ["Async template rendering", "Template.render should have an async twin for async views."],
  ["Async middleware for the request stack", "MiddlewareMixin should support `__acall__` and async get_response."],
];
const OTHER_TEXTS = [
  ["Typo in the tutorial part 3", "The word 'teh' should be 'the'."],
  ["Admin list filter is slow on big tables", "The changelist count query takes seconds."],
];

interface Step {
  id: string;
  /** Applies the step to the fake's state and returns the delivery. */
  make(world: World, issues: IssueRecord[]): { name: string; payload: Record<string, unknown> };
}

/** The same deliveries for every phase: new issues, claims and plain comments, in a fixed order. */
function plan(count: number, seed: number): Step[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const steps: Step[] = [];
  let opened = 0;
  const claimed = new Set<number>();
  for (let n = 0; n < count; n += 1) {
    const id = randomUUID();
    const open = opened < 3 || random() < 0.6;
    if (open) {
      const index = opened;
      opened += 1;
      const texts = random() < 0.8 ? ASYNC_TEXTS : OTHER_TEXTS;
      const [title, body] = texts[Math.floor(random() * texts.length)] ?? ["", ""];
      // Every tenth author is new here (one issue each, so their welcome lands on that issue; GitHub's
      // search, which tells newcomers apart, allows 30 calls a minute).
      const user = index % 10 === 0 ? `newcomer-${index}` : `contributor-${index % 7}`;
      steps.push({
        id,
        make(world, issues) {
          world.associations.set(user, user.startsWith("newcomer") ? "FIRST_TIME_CONTRIBUTOR" : "COLLABORATOR");
          const issue = world.fake.state.addIssue(world.repo, { title: `${title} (${index})`, body, user });
          issues.push(issue);
          return { name: "issues", payload: world.issuePayload("opened", issue) };
        },
      });
      continue;
    }
    const target = Math.floor(random() * opened);
    const claim = !claimed.has(target);
    if (claim) claimed.add(target);
    const user = claim ? `claimer-${target}` : `reader-${n % 5}`;
    const text = claim ? "/claim" : "Any news on this one?";
    steps.push({
      id,
      make(world, issues) {
        const issue = issues[target] as IssueRecord;
        // Regulars, not newcomers: a welcome's place would depend on which of their events came first.
        world.associations.set(user, "COLLABORATOR");
        const comment = world.fake.state.addComment(world.repo, issue.number, { body: text, user });
        const current = world.fake.state.issue(world.repo, issue.number);
        return { name: "issue_comment", payload: world.commentPayload("created", current, comment) };
      },
    });
  }
  return steps;
}

interface RedisServer {
  port: number;
  url: string;
  restart(downMs: number): Promise<void>;
  stop(): Promise<void>;
}

async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "shepherd-chaos-"));
  let child: ChildProcess | null = null;
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--dir",
    dir,
    "--appendonly",
    "yes",
    "--appendfsync",
    "everysec",
    "--save",
    "",
    "--maxmemory-policy",
    "noeviction",
  ];
  async function up(): Promise<void> {
    child = spawn("redis-server", args, { stdio: "ignore" });
    const probe = new Redis({
      port,
      host: "127.0.0.1",
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      retryStrategy: () => null,
    });
    probe.on("error", () => {});
    for (let n = 0; n < 100; n += 1) {
      try {
        await probe.connect();
        await probe.ping();
        probe.disconnect();
        return;
      } catch {
        await sleep(50);
      }
    }
    throw new Error("redis-server did not start (is it installed?)");
  }
  async function down(): Promise<void> {
    const running = child;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    // SIGTERM: Redis writes its AOF out and exits, as a restart by an operator would.
    running.kill("SIGTERM");
    await exited;
  }
  await up();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async restart(downMs) {
      await down();
      await sleep(downMs);
      await up();
    },
    async stop() {
      await down();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface ItemState {
  labels: string[];
  assignees: string[];
  milestone: number | null;
  comments: string[];
}

function snapshot(fake: FakeGitHub, world: World, issues: IssueRecord[]): Map<number, ItemState> {
  const out = new Map<number, ItemState>();
  for (const issue of issues) {
    const record = fake.state.issue(world.repo, issue.number);
    const comments = fake.state
      .commentsOn(world.repo, issue.number)
      .filter((comment) => comment.user.endsWith("[bot]"))
      .map(
        (comment) =>
          /<!-- shepherd-key: ([a-z-]+)/.exec(comment.body)?.[1] ??
          /<!-- shepherd:([a-z-]+)/.exec(comment.body)?.[1] ??
          "?",
      )
      .sort();
    out.set(issue.number, {
      labels: [...record.labels].sort(),
      assignees: [...record.assignees].sort(),
      milestone: record.milestone,
      comments,
    });
  }
  return out;
}

/** Successful writes per item, by operation. */
function writesPerItem(fake: FakeGitHub, world: World, issues: IssueRecord[]): Map<number, Map<string, number>> {
  const commentIssue = new Map<number, number>();
  for (const issue of issues) {
    for (const comment of fake.state.commentsOn(world.repo, issue.number)) commentIssue.set(comment.id, issue.number);
  }
  const out = new Map<number, Map<string, number>>();
  for (const call of fake.writes()) {
    if (call.status >= 300 || call.injected || call.operationId === "apps/create-installation-access-token") continue;
    const direct = /\/issues\/(\d+)(?:\/|$)/.exec(call.path);
    const viaComment = /\/issues\/comments\/(\d+)/.exec(call.path);
    const item = viaComment ? commentIssue.get(Number(viaComment[1])) : direct ? Number(direct[1]) : undefined;
    if (item === undefined) continue;
    const counts = out.get(item) ?? new Map<string, number>();
    const operation = call.operationId ?? call.path;
    counts.set(operation, (counts.get(operation) ?? 0) + 1);
    out.set(item, counts);
  }
  return out;
}

function duplicateComments(fake: FakeGitHub, world: World, issues: IssueRecord[]): number {
  let duplicates = 0;
  for (const issue of issues) {
    const keys = fake.state
      .commentsOn(world.repo, issue.number)
      .filter((comment) => comment.user.endsWith("[bot]"))
      .map((comment) => /<!-- shepherd-key: (\S+) -->/.exec(comment.body)?.[1] ?? `unkeyed-${comment.id}`);
    duplicates += keys.length - new Set(keys).size;
  }
  return duplicates;
}

interface RunResult {
  figures: PhaseFigures;
  states: Map<number, ItemState>;
  writes: Map<number, Map<string, number>>;
}

async function runPhase(
  phase: Phase | "reference",
  steps: Step[],
  options: ChaosOptions,
  reference: RunResult | null,
): Promise<RunResult> {
  const log = options.log ?? (() => {});
  const started = Date.now();
  const redisServer = await startRedis();
  // Content limits off: the chaos run is about correctness; pacing has its own benchmark.
  // A round trip of 25 ms, so a killed worker usually dies with requests on the wire.
  const world = await startWorld({ config: CONFIG, fake: { contentLimits: false, latencyMs: 25 } });
  const { fake } = world;
  const prefix = `chaos-${phase}`;
  const issues: IssueRecord[] = [];
  const apps: AppProcess[] = [];
  const figures: PhaseFigures = {
    phase,
    seconds: 0,
    deliveries: steps.length,
    lost: 0,
    refused: 0,
    redelivered: 0,
    duplicateComments: 0,
    repeatedLabelWrites: 0,
    itemsWithOtherWrites: 0,
    writes: 0,
    itemsDiffering: 0,
    differences: [],
    rateViolations: 0,
    injected5xx: 0,
    injected403: 0,
    kills: 0,
    jobsHeldByKilled: 0,
    pickupMaxSeconds: null,
    pickupMedianSeconds: null,
    activeAtEnd: 0,
    startFaultSurvived: null,
  };
  const env = (role: string) =>
    appEnv({
      fakeHost: fake.host,
      privateKey: TEST_PRIVATE_KEY,
      secret: SECRET,
      redisUrl: redisServer.url,
      prefix,
      extra: {
        SHEPHERD_ROLE: role,
        // Writes stay serial (as GitHub asks) but fast: the fake answers in 25 ms.
        SHEPHERD_WRITE_INTERVAL_MS: "20",
        // The fake's content limits are off here: the chaos run is about faults, not budgets.
        SHEPHERD_WRITES_PER_MINUTE: "0",
        SHEPHERD_WRITES_PER_HOUR: "0",
        SHEPHERD_CONCURRENCY: "8",
        // Retries come sooner than in production, so a run with a fault in every fifth answer ends in minutes.
        // With retries this much sooner, more of them cover about the time production's 10 tries
        // (2 s doubling to 5 min) do; with a fault in every fourth answer, 10 tries of 5 s can run out.
        SHEPHERD_BACKOFF_MS: "300",
        SHEPHERD_MAX_BACKOFF_MS: "5000",
        SHEPHERD_ATTEMPTS: "40",
        LOG_LEVEL: "info",
      },
    });
  const redis = new Redis(redisServer.url, { maxRetriesPerRequest: null });
  redis.on("error", () => {});
  let worker: AppProcess | null = null;
  const startWorker = async (): Promise<AppProcess> => {
    for (;;) {
      try {
        const started = await startApp({ env: env("worker"), readyTimeoutMs: 60_000 });
        apps.push(started);
        return started;
      } catch (error) {
        // A worker started while Redis is down refuses to start: try again, as a supervisor would.
        log(`  worker did not start (${(error as Error).message.split("\n")[0]}), again`);
        await sleep(500);
      }
    }
  };
  try {
    const web = await startApp({ env: env("web") });
    apps.push(web);
    fake.setWebhookTarget(`${web.url}/api/github/webhooks`, SECRET);
    if (phase === "kills") {
      fake.failNext("apps/get-authenticated", 403, {
        headers: { "retry-after": "1" },
        body: { message: "You have exceeded a secondary rate limit." },
      });
      fake.failNext("apps/get-authenticated", 502);
    }
    worker = await startWorker();
    if (phase === "kills") {
      figures.startFaultSurvived = worker.lines.some(
        (line) => line.msg === "could not ask GitHub for the app's slug, retrying",
      );
    }
    if (phase === "faults") fake.setChaos({ rate5xx: 0.2, rate403: 0.05, retryAfterSeconds: 1, seed: options.seed });

    // Deliveries arrive at a steady pace; those refused (Redis away) are delivered again later.
    const pending: Array<{ id: string; name: string; payload: Record<string, unknown> }> = [];
    const retry: typeof pending = [];
    for (const step of steps) pending.push({ id: step.id, ...step.make(world, issues) });
    let sending = true;
    const sender = (async () => {
      while (pending.length > 0 || retry.length > 0) {
        const redelivery = pending.length === 0;
        const next = redelivery ? retry.shift() : pending.shift();
        if (!next) break;
        if (redelivery) figures.redelivered += 1;
        try {
          const answer = await deliver({ url: `${web.url}/api/github/webhooks`, secret: SECRET, ...next });
          if (answer.status >= 500) throw new Error(String(answer.status));
        } catch {
          figures.refused += 1;
          retry.push(next);
          await sleep(200);
        }
        await sleep(options.sendEveryMs);
      }
      sending = false;
    })();

    const pickups: number[] = [];
    const chaos = (async () => {
      if (phase === "kills") {
        while (sending) {
          await sleep(options.killEveryMs * (0.7 + Math.random() * 0.6));
          if (!sending || !worker) break;
          const held = await redis.lrange(`${prefix}:events:active`, 0, -1);
          await worker.kill();
          figures.kills += 1;
          figures.jobsHeldByKilled += held.length;
          const killedAt = Date.now();
          worker = await startWorker();
          if (held.length > 0) {
            void waitCompleted(redis, prefix, held, options.settleTimeoutMs).then((done) => {
              if (done) pickups.push((Date.now() - killedAt) / 1000);
            });
          }
        }
      }
      if (phase === "redis") {
        await sleep((steps.length * options.sendEveryMs) / 2);
        log("  restarting Redis");
        await redisServer.restart(1500);
      }
    })();
    await Promise.all([sender, chaos]);
    await settle(fake, redis, prefix, steps, options.settleTimeoutMs);
    fake.setChaos(null);
    // Jobs of killed workers that finished late are counted once they have.
    await sleep(200);
    pickups.sort((a, b) => a - b);
    figures.pickupMaxSeconds = pickups.length > 0 ? round(pickups[pickups.length - 1] ?? 0) : null;
    figures.pickupMedianSeconds = pickups.length > 0 ? round(pickups[Math.floor(pickups.length / 2)] ?? 0) : null;

    const events = new Queue(EVENTS_QUEUE, { connection: redis, prefix });
    for (const step of steps) {
      if (await redis.exists(`${prefix}:s:delivery:${step.id}`)) continue;
      figures.lost += 1;
      const job = await Job.fromId(events, deliveryJobId(step.id));
      const state = job ? await job.getState() : "missing";
      figures.differences.push(
        `lost ${step.id}: job ${state}, ${job?.attemptsMade ?? 0} attempts, ${job?.failedReason ?? ""}`.slice(0, 300),
      );
      // What the processes said about it, so a loss can be explained.
      const said = apps.flatMap((app) =>
        app.lines.filter((line) => line.delivery === step.id && (line.level ?? 0) >= 40),
      );
      for (const line of said.slice(-3)) {
        figures.differences.push(
          `lost ${step.id}: ${String(line.msg)} ${JSON.stringify(line.err ?? line.reason ?? "")}`.slice(0, 400),
        );
      }
    }
    await events.close();
    figures.activeAtEnd = await redis.llen(`${prefix}:events:active`);
    const stats = fake.chaosStats();
    figures.injected5xx = stats.injected5xx;
    figures.injected403 = stats.injected403;
    figures.rateViolations = fake.rateViolations.length;
    for (const violation of fake.rateViolations.slice(0, 5)) {
      figures.differences.push(
        `early ${violation.method} ${violation.operationId}: ${violation.arrivedAt - violation.noticeAt} ms after a 403 asking for ${violation.notBefore - violation.noticeAt} ms`,
      );
    }
    figures.duplicateComments = duplicateComments(fake, world, issues);
    const states = snapshot(fake, world, issues);
    const writes = writesPerItem(fake, world, issues);
    figures.writes = [...writes.values()].reduce(
      (sum, counts) => sum + [...counts.values()].reduce((a, b) => a + b, 0),
      0,
    );
    if (reference) {
      for (const [number, state] of states) {
        const wanted = reference.states.get(number);
        if (JSON.stringify(state) !== JSON.stringify(wanted)) {
          figures.itemsDiffering += 1;
          if (figures.differences.length < 5) {
            figures.differences.push(`#${number}: ${JSON.stringify(state)} != ${JSON.stringify(wanted)}`);
          }
        }
        const mine = writes.get(number) ?? new Map<string, number>();
        const theirs = reference.writes.get(number) ?? new Map<string, number>();
        const total = (counts: Map<string, number>) => [...counts.values()].reduce((a, b) => a + b, 0);
        if (total(mine) !== total(theirs)) {
          figures.itemsWithOtherWrites += 1;
          const operations = new Set([...mine.keys(), ...theirs.keys()]);
          const changed = [...operations]
            .filter((operation) => (mine.get(operation) ?? 0) !== (theirs.get(operation) ?? 0))
            .map((operation) => `${operation} ${theirs.get(operation) ?? 0}→${mine.get(operation) ?? 0}`);
          if (figures.differences.length < 10) figures.differences.push(`#${number} writes: ${changed.join(", ")}`);
        }
        figures.repeatedLabelWrites += Math.max(
          0,
          (mine.get("issues/add-labels") ?? 0) - (theirs.get("issues/add-labels") ?? 0),
        );
      }
    }
    figures.seconds = round((Date.now() - started) / 1000);
    return { figures, states, writes };
  } finally {
    await Promise.all(apps.map((app) => app.kill()));
    redis.disconnect();
    await fake.close();
    await redisServer.stop();
  }
}

async function waitCompleted(redis: Redis, prefix: string, jobIds: string[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    let open = 0;
    for (const id of jobIds) {
      const done = await redis.exists(`${prefix}:s:delivery:${id.replace(/^delivery-/, "")}`);
      if (!done) open += 1;
    }
    if (open === 0) return true;
    await sleep(100);
  }
  return false;
}

/** Until the queues are empty, no webhook is on its way, and every delivery is done (or the bound passes). */
async function settle(fake: FakeGitHub, redis: Redis, prefix: string, steps: Step[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let quiet = 0;
  while (Date.now() < deadline) {
    let busy = fake.pendingWebhooks();
    for (const queue of ["events", "tasks"]) {
      busy += await redis.llen(`${prefix}:${queue}:wait`);
      busy += await redis.llen(`${prefix}:${queue}:active`);
      busy += await redis.zcard(`${prefix}:${queue}:delayed`);
      busy += await redis.zcard(`${prefix}:${queue}:prioritized`);
    }
    if (busy === 0) {
      let missing = 0;
      for (const step of steps) if (!(await redis.exists(`${prefix}:s:delivery:${step.id}`))) missing += 1;
      busy += missing;
    }
    quiet = busy === 0 ? quiet + 1 : 0;
    if (quiet >= 10) return;
    await sleep(100);
  }
}

export async function runChaos(options: ChaosOptions): Promise<PhaseFigures[]> {
  const steps = plan(options.deliveries, options.seed);
  const log = options.log ?? (() => {});
  log(`reference run: ${steps.length} deliveries, no faults`);
  const reference = await runPhase("reference", steps, options, null);
  const results = [reference.figures];
  for (const phase of options.phases) {
    log(`phase ${phase}`);
    results.push((await runPhase(phase, steps, options, reference)).figures);
  }
  return results;
}

export function formatFigures(results: PhaseFigures[]): string {
  const rows: Array<[string, (f: PhaseFigures) => string]> = [
    ["seconds", (f) => String(f.seconds)],
    ["deliveries", (f) => String(f.deliveries)],
    ["lost", (f) => String(f.lost)],
    ["refused (503) and sent again", (f) => String(f.refused)],
    ["injected 5xx / 403", (f) => `${f.injected5xx} / ${f.injected403}`],
    ["requests before retry-after", (f) => String(f.rateViolations)],
    ["worker kills (jobs they held)", (f) => `${f.kills} (${f.jobsHeldByKilled})`],
    [
      "kill → its jobs done, median / max s",
      (f) => (f.pickupMaxSeconds === null ? "-" : `${f.pickupMedianSeconds} / ${f.pickupMaxSeconds}`),
    ],
    ["jobs left active", (f) => String(f.activeAtEnd)],
    [
      "faulted start-up call retried",
      (f) => (f.startFaultSurvived === null ? "-" : f.startFaultSurvived ? "yes" : "no"),
    ],
    ["GitHub writes", (f) => String(f.writes)],
    ["items with other write counts", (f) => String(f.itemsWithOtherWrites)],
    ["repeated label writes", (f) => String(f.repeatedLabelWrites)],
    ["duplicate comments", (f) => String(f.duplicateComments)],
    ["items whose final state differs", (f) => String(f.itemsDiffering)],
  ];
  const header = `| | ${results.map((result) => result.phase).join(" | ")} |`;
  const rule = `|---|${results.map(() => "---").join("|")}|`;
  const lines = rows.map(([name, cell]) => `| ${name} | ${results.map(cell).join(" | ")} |`);
  const differences = results.flatMap((result) => result.differences.map((line) => `${result.phase}: ${line}`));
  return [header, rule, ...lines, ...(differences.length > 0 ? ["", ...differences] : [])].join("\n");
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function main(): Promise<void> {
  const phases = (process.env.CHAOS_PHASES ?? "faults,kills,redis").split(",").filter(Boolean) as Phase[];
  const options: ChaosOptions = {
    deliveries: Number(process.env.CHAOS_DELIVERIES ?? 300),
    killEveryMs: Number(process.env.CHAOS_KILL_EVERY_MS ?? 3000),
    phases,
    seed: Number(process.env.CHAOS_SEED ?? 8),
    sendEveryMs: Number(process.env.CHAOS_SEND_EVERY_MS ?? 100),
    settleTimeoutMs: Number(process.env.CHAOS_SETTLE_TIMEOUT_MS ?? 240_000),
    log: (line) => console.log(line),
  };
  const results = await runChaos(options);
  console.log(formatFigures(results));
  const bad = results.some(
    (result) =>
      result.lost > 0 ||
      result.duplicateComments > 0 ||
      result.repeatedLabelWrites > 0 ||
      result.rateViolations > 0 ||
      result.itemsDiffering > 0 ||
      result.activeAtEnd > 0 ||
      (result.phase === "faults" && result.itemsWithOtherWrites > 0),
  );
  process.exit(bad ? 1 : 0);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
