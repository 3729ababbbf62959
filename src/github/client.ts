// Authenticated Octokits for jobs: one layer of retry (the job's own, which resumes after the last
// finished step), so Octokit's retry and throttling plugins are off; instead every request goes
// through the shared pacer (a pause GitHub asked for holds every process back, writes are spaced)
// and is bounded in time, so a hung call cannot hold a job forever.
import { type Probot, ProbotOctokit } from "probot";
import { planFailure } from "../domain/failures.js";
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics.js";
import { currentWriteScope, type Pacer } from "./pacer.js";

/** Probot's Octokit with its own retries and throttling off (see above). */
export const ShepherdOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  retry: { enabled: false },
  throttle: { enabled: false },
})) as typeof ProbotOctokit;

export interface GitHubClients {
  installation(installationId: number): Promise<ProbotOctokit>;
  /** Authenticated as the app itself (JWT): installations, the app's slug. */
  app(): Promise<ProbotOctokit>;
}

export interface ClientOptions {
  pacer: Pacer;
  requestTimeoutMs: number;
  log: Logger;
  now?: () => number;
  metrics?: Metrics;
}

interface RequestOptions {
  method?: string;
  url?: string;
  query?: string;
  request?: Record<string, unknown>;
  [key: string]: unknown;
}

export function createClients(probot: Probot, options: ClientOptions): GitHubClients {
  return {
    async installation(installationId) {
      return paced(await probot.auth(installationId), `installation:${installationId}`, options);
    },
    async app() {
      return paced(await probot.auth(), "app", options);
    },
  };
}

function isWrite(request: RequestOptions): boolean {
  const method = (request.method ?? "GET").toUpperCase();
  if (method === "GET" || method === "HEAD") return false;
  // Exchanging the app's JWT for an installation token creates no content: it spends no write slot.
  if (/^\/app\/installations\/[^/]+\/access_tokens$/.test(request.url ?? "")) return false;
  // GraphQL queries are reads, only mutations write.
  if (request.url === "/graphql") return /^\s*mutation\b/.test(String(request.query ?? ""));
  return true;
}

// The write of each lane now on the wire in this process, per pacer (one per process in the app).
const writing = new WeakMap<Pacer, Map<string, Promise<void>>>();

/**
 * Runs `send` after the lane's previous write in this process has been answered: GitHub asks for
 * writes one at a time, and an answer asking to wait must reach the pacer before the next write
 * leaves (with writes only spaced, one already on the wire would come back early).
 */
async function oneWriteAtATime<T>(pacer: Pacer, lane: string, send: () => Promise<T>): Promise<T> {
  let lanes = writing.get(pacer);
  if (lanes === undefined) {
    lanes = new Map();
    writing.set(pacer, lanes);
  }
  const previous = lanes.get(lane);
  let done = (): void => {};
  const mine = new Promise<void>((resolve) => {
    done = resolve;
  });
  // The next write waits for this one only: this one has waited for the one before.
  lanes.set(lane, mine);
  try {
    await previous;
    return await send();
  } finally {
    done();
    if (lanes.get(lane) === mine) lanes.delete(lane);
  }
}

// Probot hands out one Octokit for the app (`auth()` without an installation): wrapped once, or
// each request would pass the pacer once per `app()` call (and wait on its own write).
const wrapped = new WeakSet<ProbotOctokit>();

export function paced(octokit: ProbotOctokit, lane: string, options: ClientOptions): ProbotOctokit {
  if (wrapped.has(octokit)) return octokit;
  wrapped.add(octokit);
  const now = options.now ?? Date.now;
  const { metrics } = options;
  metrics?.lane(lane);
  octokit.hook.wrap("request", async (request, requestOptions) => {
    const current = requestOptions as unknown as RequestOptions;
    const write = isWrite(current);
    const send = async () => {
      const scope = currentWriteScope();
      await options.pacer.before(lane, write, scope?.writeClass);
      if (write && scope) scope.sent += 1;
      const signal = AbortSignal.timeout(options.requestTimeoutMs);
      const started = performance.now();
      // The route template (`/repos/{owner}/{repo}/issues`), so the metric's labels stay few.
      const call = { method: (current.method ?? "GET").toUpperCase(), route: current.url ?? "unknown" };
      try {
        const response = await request({ ...requestOptions, request: { ...requestOptions.request, signal } });
        observe(metrics, lane, call, response, started);
        return response;
      } catch (error) {
        const failure = error as { status?: number; message?: string; response?: { headers?: Record<string, string> } };
        observe(metrics, lane, call, { status: failure.status ?? 0, headers: failure.response?.headers }, started);
        const plan = planFailure(
          { status: failure.status, headers: failure.response?.headers, message: failure.message ?? "" },
          now(),
        );
        if (plan.kind === "wait") {
          await options.pacer.pause(lane, plan.untilMs);
          options.log.warn(
            { lane, status: failure.status, until: new Date(plan.untilMs).toISOString(), reason: plan.reason },
            "GitHub asked to wait, lane paused",
          );
        }
        throw error;
      }
    };
    return write ? oneWriteAtATime(options.pacer, lane, send) : send();
  });
  return octokit;
}

function observe(
  metrics: Metrics | undefined,
  lane: string,
  call: { method: string; route: string },
  response: { status: number; headers?: Record<string, string | number | undefined> },
  started: number,
): void {
  if (!metrics) return;
  metrics.github({ ...call, status: response.status, seconds: (performance.now() - started) / 1000 });
  const remaining = Number(response.headers?.["x-ratelimit-remaining"]);
  if (!Number.isFinite(remaining) || response.headers?.["x-ratelimit-remaining"] === undefined) return;
  metrics.rateLimit(lane, String(response.headers?.["x-ratelimit-resource"] ?? "core"), remaining);
}
