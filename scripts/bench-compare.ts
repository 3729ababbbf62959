// `npm run bench:compare`: Shepherd (a web process and one or two worker processes, as the
// Dockerfile runs them) side by side with a plain inline Probot labeler (./inline-labeler.ts), on
// the same fake GitHub with the same deliveries. The fake answers in 100 ms and enforces GitHub's
// secondary limits on every write (403 + retry-after past 80 a "minute" and 500 an "hour"), with
// time shrunk tenfold (a 6 s minute, a 6 min hour) so a run takes minutes; Shepherd's pacer is set to
// the same scale, with its default second (here 100 ms) between writes. Prints, per system: acks at
// 50, 100 and 300 deliveries/s; for a burst of new async issues, the time until all are labelled
// against the physical minimum, budget utilisation, provoked 403s, calls per issue, `/claim`
// answer times during the burst, and peak RSS per process.
//
// BENCH_BURST (1000; 0 skips the burst), BENCH_CLAIMS (20), BENCH_CAP_S (900, per burst),
// BENCH_RATES ("50,100,300"), BENCH_ACK_SECONDS (5), BENCH_SYSTEMS ("inline,shepherd-1,shepherd-2";
// shepherd-0 is the web role alone) change the run; BENCH_WORKER_NICE, BENCH_WEB_PROFILE,
// BENCH_WORKER_ARGS and BENCH_ACK_TRACE (the rates' and the burst's ack times) help look into it;
// BENCH_METRICS=FILE writes each process's /metrics after the burst. Needs Redis on 127.0.0.1:6379
// (or SHEPHERD_TEST_REDIS_URL) and a build (`npm run bench:compare` builds first).
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { EVENTS_QUEUE } from "../src/queues.js";
import type { SendAnswer, SendBatch, SendRequest } from "./bench-sender.js";
import type { IssueRecord } from "../test/fake-github/state.js";
import { appEnv, type AppProcess, freePort, startApp } from "../test/support/app-process.js";
import { warmValidation } from "../test/fake-github/server.js";
import { SECRET, startWorld, TEST_PRIVATE_KEY, type World } from "../test/support/world.js";

/** shepherd-0: the web role with no worker, to time the web role on its own. */
export type SystemName = "inline" | "shepherd-0" | "shepherd-1" | "shepherd-2";

const REDIS_URL = process.env.SHEPHERD_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const INLINE_SCRIPT = fileURLToPath(new URL("./inline-labeler.js", import.meta.url));
const WEBHOOK_PATH = "/api/github/webhooks";
const LATENCY_MS = 100;
/** GitHub's limits, time shrunk tenfold. */
export const SCALE = 0.1;
export const BUDGET = {
  intervalMs: 1000 * SCALE,
  perMinute: 80,
  perHour: 500,
  minuteMs: 60_000 * SCALE,
  hourMs: 3_600_000 * SCALE,
};
/** Seconds of deliveries timed at each rate (a p99 needs a few thousand at 300/s). */
const ACK_SECONDS = Number(process.env.BENCH_ACK_SECONDS ?? 5);
/** GitHub drops a delivery not answered in 10 s (not scaled: it is the webhook's own clock). */
const ACK_TIMEOUT_MS = 10_000;

const CONFIG = [
  "preset: django-async",
  "triage:",
  "  explain: none",
  "  milestones: false",
  "commands: {}",
  "claims:",
  "  maxPerUser: 50",
  "",
].join("\n");

const TEXTS: Array<[string, string]> = [
  [
    "Add async QuerySet.aget() and acreate()",
    "Managers should offer `aget()` and `acreate()` without `sync_to_async`.",
  ],
  ["Async support for the session backends", "SessionBase should offer `aget()` and `asave()` for async views."],
  ["Make the cache backends async-capable", "BaseCache needs `aget()`, `aset()` and `adelete()`."],
  ["Async middleware for the request stack", "MiddlewareMixin should support `__acall__` and async get_response."],
];

interface System {
  name: SystemName;
  url: string;
  processes: AppProcess[];
  /** Where each Shepherd process answers /metrics (none for the inline app). */
  probes: string[];
  stop(): Promise<void>;
}

async function startSystem(name: SystemName, world: World): Promise<System> {
  const { fake } = world;
  if (name === "inline") {
    const port = await freePort();
    const app = await startApp({
      script: INLINE_SCRIPT,
      env: {
        NODE_ENV: "production",
        APP_ID: "1",
        PRIVATE_KEY: TEST_PRIVATE_KEY,
        WEBHOOK_SECRET: SECRET,
        GHE_HOST: fake.host,
        GHE_PROTOCOL: "http",
        PORT: String(port),
        LOG_LEVEL: "warn",
      },
      ready: (line) => line.msg === "web role listening",
    });
    const url = `http://127.0.0.1:${port}`;
    fake.setWebhookTarget(`${url}${WEBHOOK_PATH}`, SECRET);
    return { name, url, processes: [app], probes: [], stop: async () => void (await app.stop()) };
  }
  const prefix = `bench-compare-${randomBytes(4).toString("hex")}`;
  const env = (role: string, listen: number) =>
    appEnv({
      fakeHost: fake.host,
      privateKey: TEST_PRIVATE_KEY,
      secret: SECRET,
      redisUrl: REDIS_URL,
      prefix,
      extra: {
        SHEPHERD_ROLE: role,
        SHEPHERD_WRITE_INTERVAL_MS: String(BUDGET.intervalMs),
        SHEPHERD_WRITES_PER_MINUTE: String(BUDGET.perMinute),
        SHEPHERD_WRITES_PER_HOUR: String(BUDGET.perHour),
        SHEPHERD_RATE_WINDOW_SCALE: String(SCALE),
        // The default unless BENCH_WORKER_NICE says otherwise (0: what the workers cost the acks).
        ...(process.env.BENCH_WORKER_NICE ? { SHEPHERD_WORKER_NICE: process.env.BENCH_WORKER_NICE } : {}),
        // Warnings only: this process reads every line, and must not slow down what it measures.
        LOG_LEVEL: "warn",
        // Workers serve their probes and metrics on ports of their own.
        PORT: String(listen),
      },
    });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // BENCH_WEB_PROFILE=DIR writes a CPU profile of the web role there.
  const profile = process.env.BENCH_WEB_PROFILE;
  const nodeArgs = profile ? ["--cpu-prof", `--cpu-prof-dir=${profile}`] : [];
  const web = await startApp({ env: env("web", port), ready: null, nodeArgs });
  const workers: AppProcess[] = [];
  const count = Number(name.slice("shepherd-".length));
  const probes: string[] = [url];
  // BENCH_WORKER_ARGS: options for the workers' node (`--heapsnapshot-signal=SIGUSR2`, say).
  const workerArgs = process.env.BENCH_WORKER_ARGS?.split(" ").filter((arg) => arg !== "") ?? [];
  for (let n = 0; n < count; n++) {
    const listen = await freePort();
    probes.push(`http://127.0.0.1:${listen}`);
    workers.push(await startApp({ env: env("worker", listen), ready: null, nodeArgs: workerArgs }));
  }
  await untilReady(url, prefix, count);
  fake.setWebhookTarget(`${url}${WEBHOOK_PATH}`, SECRET);
  return {
    name,
    url,
    processes: [web, ...workers],
    probes,
    async stop() {
      await Promise.all([profile ? web.stop() : web.kill(), ...workers.map((app) => app.kill())]);
      await deleteKeys(prefix);
    },
  };
}

/**
 * BENCH_METRICS=FILE: each Shepherd process's /metrics after the burst, Shepherd's own lines
 * (not the default process metrics), one section per process, written to FILE.
 */
async function writeScrapes(system: System): Promise<void> {
  const file = process.env.BENCH_METRICS;
  if (!file || system.name === "inline") return;
  const sections: string[] = [];
  for (const [n, url] of system.probes.entries()) {
    const text = await (await fetch(`${url}/metrics`)).text();
    const own = text.split("\n").filter((line) => line.startsWith("shepherd_") && !/_bucket\{/.test(line));
    sections.push(`# ${system.name} ${n === 0 ? "web" : `worker ${n}`} (${url}/metrics)`, ...own, "");
  }
  writeFileSync(file, sections.join("\n"));
}

/** The web role answers /readyz and every worker has registered with the queue. */
async function untilReady(url: string, prefix: string, workers: number): Promise<void> {
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue(EVENTS_QUEUE, { connection, prefix });
  try {
    for (let tries = 0; tries < 300; tries++) {
      const web = await fetch(`${url}/readyz`).then(
        (response) => response.ok,
        () => false,
      );
      if (web && (await queue.getWorkersCount()) >= workers) return;
      await sleep(100);
    }
    throw new Error("Shepherd did not become ready within 30 s");
  } finally {
    await queue.close();
    await connection.quit();
  }
}

async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== "0");
  await redis.quit();
}

/** Peak resident set (MB) of a process so far, from /proc. */
function peakRssMb(app: AppProcess): number | null {
  try {
    const status = readFileSync(`/proc/${app.child.pid}/status`, "utf8");
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]);
    return Number.isFinite(kb) ? Math.round(kb / 1024) : null;
  } catch {
    return null;
  }
}

interface Ack {
  ms: number;
  status: number | "timeout" | "error";
}

const answers = new Map<number, (ack: Ack) => void>();
let nextSeq = 0;
let senderThread: Worker | null = null;

function sender(): Worker {
  if (senderThread) return senderThread;
  const thread = new Worker(new URL("./bench-sender.js", import.meta.url));
  thread.unref();
  thread.on("message", (answer: SendAnswer) => {
    answers.get(answer.seq)?.({ ms: answer.ms, status: answer.status });
    answers.delete(answer.seq);
  });
  senderThread = thread;
  return thread;
}

function request(url: string, name: string, payload: Record<string, unknown>): SendRequest {
  return {
    seq: nextSeq++,
    url: `${url}${WEBHOOK_PATH}`,
    name,
    id: randomBytes(16).toString("hex"),
    body: JSON.stringify(payload),
    secret: SECRET,
    timeoutMs: ACK_TIMEOUT_MS,
  };
}

function answer(seq: number): Promise<Ack> {
  return new Promise((resolve) => answers.set(seq, resolve));
}

/** Delivers one webhook from the sender thread; resolves with how long the app took to answer. */
function send(url: string, name: string, payload: Record<string, unknown>): Promise<Ack> {
  const one = request(url, name, payload);
  const acked = answer(one.seq);
  sender().postMessage(one);
  return acked;
}

/**
 * Delivers webhooks at `perSecond`, paced by the sender thread from payloads made beforehand: the
 * fake GitHub on this thread may be busy, and must not bunch deliveries up. Resolves with every ack.
 */
function paced(url: string, name: string, payloads: Array<Record<string, unknown>>, perSecond: number): Promise<Ack[]> {
  const batch = payloads.map((payload) => request(url, name, payload));
  const acked = Promise.all(batch.map((one) => answer(one.seq)));
  sender().postMessage({ batch, perSecond } satisfies SendBatch);
  return acked;
}

/**
 * The load generator's own warm-up: its thread started, its HTTP code compiled, against a throwaway
 * listener, so a burst at a fresh Shepherd times Shepherd's standing start, not the sender's.
 */
async function warmSender(): Promise<void> {
  const listener = createServer((req, res) => {
    req.resume();
    req.on("end", () => res.end("{}"));
  });
  await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
  const { port } = listener.address() as AddressInfo;
  try {
    await paced(
      `http://127.0.0.1:${port}`,
      "ping",
      Array.from({ length: 300 }, () => ({ zen: "warm" })),
      300,
    );
  } finally {
    listener.closeAllConnections();
    await new Promise((resolve) => listener.close(resolve));
  }
}

/**
 * Until the fake has had no call for a second (10 s at most): a burst meets an installed app at
 * rest, not a worker still making its start-up calls (token, replay, reconcile).
 */
async function untilQuiet(world: World): Promise<void> {
  const deadline = Date.now() + 10_000;
  let seen = world.fake.calls.length;
  let quietSince = Date.now();
  while (Date.now() < deadline && Date.now() - quietSince < 1000) {
    await sleep(100);
    if (world.fake.calls.length !== seen) {
      seen = world.fake.calls.length;
      quietSince = Date.now();
    }
  }
}

function newIssue(world: World, n: number): IssueRecord {
  const [title, body] = TEXTS[n % TEXTS.length] as [string, string];
  return world.fake.state.addIssue(world.repo, { title: `${title} (${n})`, body, user: `contributor-${n % 7}` });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

function statuses(acks: Ack[]): string {
  const counts = new Map<string, number>();
  for (const ack of acks) counts.set(String(ack.status), (counts.get(String(ack.status)) ?? 0) + 1);
  return [...counts].map(([status, count]) => `${status}×${count}`).join(" ");
}

/**
 * Start times of `count` writes sent as early as the budget allows: a spacing between writes and
 * sliding minute and hour windows. The last one plus a round trip is the physical minimum.
 */
export function earliestSchedule(count: number, budget: typeof BUDGET): number[] {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    let t = i === 0 ? 0 : (times[i - 1] ?? 0) + budget.intervalMs;
    if (i >= budget.perMinute) t = Math.max(t, (times[i - budget.perMinute] ?? 0) + budget.minuteMs);
    if (i >= budget.perHour) t = Math.max(t, (times[i - budget.perHour] ?? 0) + budget.hourMs);
    times.push(t);
  }
  return times;
}

export interface AckFigures {
  rate: number;
  p50: number;
  p99: number;
  statuses: string;
}

export interface BurstFigures {
  issues: number;
  labelled: number;
  /**
   * From the first delivery to the last issue labelled (s); null when the cap came first. The
   * physical minimum is for all the writes the run made (labels and the claims' writes).
   */
  labelSeconds: number | null;
  minimumSeconds: number;
  /** Writes accepted / writes the budget allows in the same time. */
  utilisation: number;
  /** Most writes accepted in any one minute window, against the 80 allowed. */
  busiestMinute: number;
  provoked403: number;
  writesPerIssue: number;
  readsPerIssue: number;
  claimP50: number | null;
  claimP99: number | null;
  claimsAnswered: string;
  rssMb: Array<number | null>;
  acks: AckFigures;
}

async function ackRun(name: SystemName, rate: number): Promise<AckFigures> {
  const world = await startWorld({ config: CONFIG, fake: fakeOptions() });
  const system = await startSystem(name, world);
  try {
    // A few deliveries first, so connections are open and code is compiled before the count.
    const opened = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) => world.issuePayload("opened", newIssue(world, from + i)));
    const warmUp = opened(10_000, 20);
    await paced(system.url, "issues", warmUp, 50);
    // ...and handled: the workers' first jobs compile code in every process, the fake's included.
    const handled = () =>
      warmUp.every(
        (payload) => world.fake.state.issue(world.repo, (payload.issue as { number: number }).number).labels.length > 0,
      );
    for (let tries = 0; tries < 300 && !handled() && name !== "shepherd-0"; tries++) await sleep(100);
    // A second at the rate itself, untimed: the step from 50/s is a transient, not the steady state.
    const [, acks] = await Promise.all([
      paced(system.url, "issues", opened(20_000, rate), rate),
      sleep(1000).then(() => paced(system.url, "issues", opened(0, rate * ACK_SECONDS), rate)),
    ]);
    const times = acks.map((ack) => ack.ms);
    // BENCH_ACK_TRACE=PREFIX keeps every ack time of the run, in order.
    if (process.env.BENCH_ACK_TRACE) {
      writeFileSync(`${process.env.BENCH_ACK_TRACE}-${name}-${rate}.json`, JSON.stringify(times));
    }
    return { rate, p50: percentile(times, 50), p99: percentile(times, 99), statuses: statuses(acks) };
  } finally {
    await system.stop();
    await world.fake.close();
  }
}

function fakeOptions() {
  return {
    latencyMs: LATENCY_MS,
    contentLimits: {
      counts: "writes" as const,
      perMinute: BUDGET.perMinute,
      perHour: BUDGET.perHour,
      minuteMs: BUDGET.minuteMs,
      hourMs: BUDGET.hourMs,
    },
  };
}

async function burstRun(name: SystemName, count: number, claims: number, capMs: number): Promise<BurstFigures> {
  // The harness warms itself, not Shepherd: a burst times Shepherd's standing start.
  warmValidation();
  await warmSender();
  const world = await startWorld({ config: CONFIG, fake: fakeOptions() });
  const { fake } = world;
  const system = await startSystem(name, world);
  try {
    await untilQuiet(world);
    const issues = Array.from({ length: count }, (_, n) => newIssue(world, n));
    const firstCall = fake.calls.length;
    const started = Date.now();
    // The burst arrives at 300 deliveries a second; claims come while its labels are being written.
    const payloads = issues.map((issue) => world.issuePayload("opened", issue));
    const burst = paced(system.url, "issues", payloads, 300);
    const claimTimes: number[] = [];
    const claimed = (async () => {
      await sleep(1000);
      for (let k = 0; k < claims; k++) {
        const issue = issues[Math.floor(((k + 0.5) * count) / claims)] as IssueRecord;
        const login = `claimer-${k}`;
        world.associations.set(login, "COLLABORATOR");
        const comment = fake.state.addComment(world.repo, issue.number, { body: "/claim", user: login });
        const sent = Date.now();
        await send(system.url, "issue_comment", world.commentPayload("created", issue, comment));
        void (async () => {
          while (Date.now() - sent < capMs) {
            if (fake.state.issue(world.repo, issue.number).assignees.includes(login)) {
              claimTimes.push((Date.now() - sent) / 1000);
              return;
            }
            await sleep(25);
          }
        })();
        await sleep(1500);
      }
    })();
    const acks = await burst;
    await claimed;
    let labelledAt: number | null = null;
    const isLabelled = (issue: IssueRecord) => fake.state.issue(world.repo, issue.number).labels.length > 0;
    while (Date.now() - started < capMs) {
      if (issues.every(isLabelled)) {
        labelledAt = Date.now();
        break;
      }
      await sleep(100);
    }
    // Claims still waiting get a moment more, then the processes are measured and stopped.
    await sleep(2000);
    await writeScrapes(system);
    const rssMb = system.processes.map(peakRssMb);
    const calls = fake.calls.slice(firstCall);
    const accepted = calls.filter(
      (call) =>
        call.method !== "GET" &&
        call.status < 300 &&
        !call.injected &&
        call.operationId !== "apps/create-installation-access-token",
    );
    const labelWrites = accepted.filter((call) => call.operationId === "issues/add-labels");
    const lastLabel = Math.max(...labelWrites.map((call) => call.at), started);
    const elapsed = (labelledAt ?? lastLabel) - started;
    const schedule = earliestSchedule(accepted.length + count, BUDGET);
    const allowed = schedule.filter((t) => t <= elapsed).length;
    // Every write the run made shares the budget: the claims' too, so they count in the minimum.
    const minimum = (earliestSchedule(Math.max(accepted.length, count), BUDGET).at(-1) ?? 0) + LATENCY_MS;
    let busiest = 0;
    for (const call of accepted) {
      const inWindow = accepted.filter((other) => other.at >= call.at && other.at < call.at + BUDGET.minuteMs).length;
      busiest = Math.max(busiest, inWindow);
    }
    const times = acks.map((ack) => ack.ms);
    if (process.env.BENCH_ACK_TRACE) {
      writeFileSync(`${process.env.BENCH_ACK_TRACE}-${system.name}-burst.json`, JSON.stringify(times));
    }
    return {
      issues: count,
      labelled: issues.filter(isLabelled).length,
      labelSeconds: labelledAt === null ? null : (labelledAt - started) / 1000,
      minimumSeconds: minimum / 1000,
      utilisation: accepted.filter((call) => call.at - started <= elapsed).length / Math.max(allowed, 1),
      busiestMinute: busiest,
      provoked403: calls.filter((call) => call.status === 403 && !call.injected).length,
      writesPerIssue: accepted.length / count,
      readsPerIssue: calls.filter((call) => call.method === "GET").length / count,
      claimP50: claimTimes.length > 0 ? percentile(claimTimes, 50) : null,
      claimP99: claimTimes.length > 0 ? percentile(claimTimes, 99) : null,
      claimsAnswered: `${claimTimes.length}/${claims}`,
      rssMb,
      acks: { rate: 300, p50: percentile(times, 50), p99: percentile(times, 99), statuses: statuses(acks) },
    };
  } finally {
    await system.stop();
    await fake.close();
  }
}

export interface SystemFigures {
  name: SystemName;
  acks: AckFigures[];
  burst: BurstFigures;
}

export async function runCompare(options: {
  systems: SystemName[];
  burst: number;
  claims: number;
  capMs: number;
  rates: number[];
  log?: (line: string) => void;
}): Promise<SystemFigures[]> {
  const log = options.log ?? (() => {});
  const results: SystemFigures[] = [];
  for (const name of options.systems) {
    const acks: AckFigures[] = [];
    for (const rate of options.rates) {
      log(`${name}: acks at ${rate}/s`);
      acks.push(await ackRun(name, rate));
    }
    if (options.burst === 0) {
      log(
        `${name}: ${acks.map((ack) => `${ack.rate}/s p50 ${ack.p50.toFixed(1)} p99 ${ack.p99.toFixed(1)} ms (${ack.statuses})`).join("; ")}`,
      );
      continue;
    }
    log(`${name}: burst of ${options.burst}`);
    results.push({ name, acks, burst: await burstRun(name, options.burst, options.claims, options.capMs) });
  }
  return results;
}

const fixed = (value: number | null, digits = 1) => (value === null ? "-" : value.toFixed(digits));

export function formatCompare(results: SystemFigures[]): string {
  const header = `| | ${results.map((result) => result.name).join(" | ")} |`;
  const rule = `|---|${results.map(() => "---").join("|")}|`;
  const row = (label: string, cell: (result: SystemFigures) => string) =>
    `| ${label} | ${results.map(cell).join(" | ")} |`;
  const rates = results[0]?.acks.map((ack) => ack.rate) ?? [];
  const lines = [header, rule];
  for (const [index, rate] of rates.entries()) {
    lines.push(
      row(
        `ack p50 / p99 ms at ${rate}/s`,
        (r) => `${fixed(r.acks[index]?.p50 ?? null)} / ${fixed(r.acks[index]?.p99 ?? null)}`,
      ),
    );
    lines.push(row(`statuses at ${rate}/s`, (r) => r.acks[index]?.statuses ?? "-"));
  }
  const b = (result: SystemFigures) => result.burst;
  lines.push(
    row("burst: ack p50 / p99 ms", (r) => `${fixed(b(r).acks.p50)} / ${fixed(b(r).acks.p99)}`),
    row("burst: statuses", (r) => b(r).acks.statuses),
    row("burst: issues labelled", (r) => `${b(r).labelled}/${b(r).issues}`),
    row("burst: all labelled after s", (r) =>
      b(r).labelSeconds === null ? "not within the cap" : fixed(b(r).labelSeconds),
    ),
    row("burst: physical minimum s", (r) => fixed(b(r).minimumSeconds)),
    row("burst: labelled / minimum", (r) =>
      b(r).labelSeconds === null ? "-" : fixed((b(r).labelSeconds ?? 0) / b(r).minimumSeconds, 2),
    ),
    row("budget utilisation", (r) => fixed(b(r).utilisation, 2)),
    row(`busiest minute (of ${BUDGET.perMinute})`, (r) => String(b(r).busiestMinute)),
    row("403s provoked", (r) => String(b(r).provoked403)),
    row("writes / reads per issue", (r) => `${fixed(b(r).writesPerIssue, 2)} / ${fixed(b(r).readsPerIssue, 2)}`),
    row("/claim answered p50 / p99 s", (r) => `${fixed(b(r).claimP50, 2)} / ${fixed(b(r).claimP99, 2)}`),
    row("/claims answered", (r) => b(r).claimsAnswered),
    row("peak RSS MB per process", (r) =>
      b(r)
        .rssMb.map((mb) => (mb === null ? "?" : String(mb)))
        .join(", "),
    ),
  );
  const inline = results.find((result) => result.name === "inline");
  if (inline) {
    for (const result of results.filter((other) => other !== inline)) {
      const labelRatio =
        inline.burst.labelSeconds !== null && result.burst.labelSeconds !== null
          ? `${fixed(inline.burst.labelSeconds / result.burst.labelSeconds, 2)}× faster`
          : `${result.burst.labelled} vs ${inline.burst.labelled} labelled`;
      lines.push(`| ratio ${result.name} / inline: labels | ${labelRatio} |`);
      const last = result.acks.length - 1;
      const ackRatio = (inline.acks[last]?.p99 ?? 0) / Math.max(result.acks[last]?.p99 ?? 1, 0.001);
      lines.push(`| ratio ${result.name} / inline: ack p99 at ${rates[last]}/s | ${fixed(ackRatio, 0)}× lower |`);
    }
  }
  return lines.join("\n");
}

async function main(): Promise<void> {
  const systems = (process.env.BENCH_SYSTEMS ?? "inline,shepherd-1,shepherd-2").split(",") as SystemName[];
  const results = await runCompare({
    systems,
    burst: Number(process.env.BENCH_BURST ?? 1000),
    claims: Number(process.env.BENCH_CLAIMS ?? 20),
    capMs: Number(process.env.BENCH_CAP_S ?? 900) * 1000,
    rates: (process.env.BENCH_RATES ?? "50,100,300").split(",").filter(Boolean).map(Number),
    log: (line) => console.log(line),
  });
  console.log(formatCompare(results));
  // Claim watchers of a capped run may still be polling: the figures are out, stop here.
  process.exit(0);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
