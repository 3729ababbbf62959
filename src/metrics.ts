// What an operator scrapes at /metrics (Prometheus text format, prom-client). One registry per
// Shepherd process; the web role fills in webhook answers, the worker role jobs and GitHub calls,
// and both report the queues' depths and the pacer's state, read from Redis at scrape time.
//
// Labels stay bounded: webhook status codes, queue names, event names and task kinds, GitHub's
// route templates (`/repos/{owner}/{repo}/issues`, never a filled-in URL), and pacer lanes (one
// per installation this process has called for).
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Queue } from "bullmq";
import type { Pacer, WriteBudget } from "./github/pacer.js";

export type JobOutcome = "completed" | "retried" | "failed" | "parked";

export interface Metrics {
  registry: Registry;
  /** A webhook's answer: status code and the time from first byte to answer. */
  webhook(status: number, seconds: number): void;
  job(queue: string, kind: string, outcome: JobOutcome, seconds: number): void;
  /** One request to GitHub; `status` is 0 when no answer came (timeout, network). */
  github(request: { method: string; route: string; status: number; seconds: number }): void;
  /** GitHub's `x-ratelimit-*` answer for a lane. */
  rateLimit(lane: string, resource: string, remaining: number): void;
  /** A job waited for its write slot (`budget`) or because GitHub asked (`github`). */
  parked(reason: "budget" | "github" | "busy"): void;
  redisError(connection: string): void;
  /** Queues whose depths each scrape reads (the web role's and the workers' are the same queues). */
  watchQueues(queues: Queue[]): void;
  /** The pacer whose per-lane state each scrape reads, for every lane this process used. */
  watchPacer(pacer: Pacer, budget: WriteBudget): void;
  lane(lane: string): void;
  /** The text a scrape gets. */
  scrape(): Promise<{ contentType: string; body: string }>;
}

const QUEUE_STATES = ["waiting", "prioritized", "active", "delayed", "failed"] as const;

/** A scrape must answer even while Redis does not: the reading is skipped after this long. */
const SCRAPE_READ_TIMEOUT_MS = 1000;

export function createMetrics(info: { role: string }): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: "shepherd_info",
    help: "Always 1; the labels say which Shepherd this is.",
    labelNames: ["role"],
    registers: [registry],
  }).set(info, 1);

  const webhook = new Histogram({
    name: "shepherd_webhook_response_seconds",
    help: "Time to answer a webhook delivery, by HTTP status (202 queued, 200 ignored or duplicate, 4xx refused, 503 Redis unavailable).",
    labelNames: ["status"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  const jobs = new Histogram({
    name: "shepherd_job_duration_seconds",
    help: "Job runs by queue, kind (event name or task) and outcome (completed, retried, failed for good, parked to wait).",
    labelNames: ["queue", "kind", "outcome"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const github = new Histogram({
    name: "shepherd_github_request_duration_seconds",
    help: "Requests to GitHub by method, route template and status (0: no answer).",
    labelNames: ["method", "route", "status"],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20],
    registers: [registry],
  });
  const rateLimit = new Gauge({
    name: "shepherd_github_rate_limit_remaining",
    help: "Requests left in GitHub's primary rate limit, as its last answer for the lane said.",
    labelNames: ["lane", "resource"],
    registers: [registry],
  });
  const parked = new Counter({
    name: "shepherd_jobs_parked_total",
    help: "Jobs put back to wait: for the write budget, because GitHub asked, or for a busy item.",
    labelNames: ["reason"],
    registers: [registry],
  });
  const redisErrors = new Counter({
    name: "shepherd_redis_errors_total",
    help: "Errors on Shepherd's Redis connections (each retry of a lost connection counts).",
    labelNames: ["connection"],
    registers: [registry],
  });

  let queues: Queue[] = [];
  new Gauge({
    name: "shepherd_queue_jobs",
    help: "Jobs in each queue by state, read from Redis at scrape time.",
    labelNames: ["queue", "state"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const queue of queues) {
        const counts = await within(queue.getJobCounts(...QUEUE_STATES), SCRAPE_READ_TIMEOUT_MS);
        if (!counts) continue;
        for (const state of QUEUE_STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
      }
    },
  });

  let pacer: { pacer: Pacer; budget: WriteBudget } | null = null;
  const lanes = new Set<string>();
  new Gauge({
    name: "shepherd_pacer_writes",
    help: "Writes the shared pacer counted for a lane in GitHub's minute and hour windows (all processes together).",
    labelNames: ["lane", "window"],
    registers: [registry],
    async collect() {
      this.reset();
      if (!pacer) return;
      for (const lane of lanes) {
        const spent = await within(pacer.pacer.spent(lane), SCRAPE_READ_TIMEOUT_MS);
        if (!spent) continue;
        this.set({ lane, window: "minute" }, spent.minute);
        this.set({ lane, window: "hour" }, spent.hour);
      }
    },
  });
  new Gauge({
    name: "shepherd_pacer_budget",
    help: "Writes the pacer allows a lane per window (0: that window is off).",
    labelNames: ["window"],
    registers: [registry],
    collect() {
      if (!pacer) return;
      this.set({ window: "minute" }, pacer.budget.perMinute);
      this.set({ window: "hour" }, pacer.budget.perHour);
    },
  });
  new Gauge({
    name: "shepherd_pacer_paused_seconds",
    help: "Seconds until a lane may call GitHub again, because GitHub asked it to wait (0: not paused).",
    labelNames: ["lane"],
    registers: [registry],
    async collect() {
      this.reset();
      if (!pacer) return;
      for (const lane of lanes) {
        const until = await within(pacer.pacer.pausedUntil(lane), SCRAPE_READ_TIMEOUT_MS);
        if (until === null) continue;
        this.set({ lane }, Math.max(until - Date.now(), 0) / 1000);
      }
    },
  });

  return {
    registry,
    webhook(status, seconds) {
      webhook.observe({ status: String(status) }, seconds);
    },
    job(queue, kind, outcome, seconds) {
      jobs.observe({ queue, kind, outcome }, seconds);
    },
    github({ method, route, status, seconds }) {
      github.observe({ method, route, status: String(status) }, seconds);
    },
    rateLimit(lane, resource, remaining) {
      rateLimit.set({ lane, resource }, remaining);
    },
    parked(reason) {
      parked.inc({ reason });
    },
    redisError(connection) {
      redisErrors.inc({ connection });
    },
    watchQueues(list) {
      queues = list;
    },
    watchPacer(watched, budget) {
      pacer = { pacer: watched, budget };
    },
    lane(lane) {
      lanes.add(lane);
    },
    async scrape() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

/** The value, or null when it failed or took longer than `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
  });
  try {
    return await Promise.race([promise.catch(() => null), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
