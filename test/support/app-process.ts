// The built app as users run it: `node dist/src/main.js` in a child process with only its
// environment, exactly as the Dockerfile starts it. Nothing is injected; the test reads its JSON
// log lines from stdout and talks to it over HTTP.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

/** The repository root, from test/support or from dist/test/support. */
const ROOT = [new URL("../../", import.meta.url), new URL("../../../", import.meta.url)]
  .map((url) => fileURLToPath(url))
  .find((dir) => existsSync(`${dir}dist/src/main.js`) && existsSync(`${dir}package.json`));

export const MAIN = ROOT ? `${ROOT}dist/src/main.js` : "dist/src/main.js";

export type LogLine = Record<string, unknown> & { msg?: string; level?: number };

export interface AppProcess {
  child: ChildProcess;
  /** Every JSON log line so far. */
  lines: LogLine[];
  /** The same lines as the process wrote them. */
  raw: string[];
  /** stdout lines that were not JSON (there should be none). */
  other: string[];
  stderr: string[];
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  exited: Promise<number | string>;
  /** http://127.0.0.1:PORT once the web role listens; null for a worker. */
  url: string | null;
  /** Where /healthz, /readyz and /metrics answer: the web role's URL, or a worker's probe listener. */
  probes: string | null;
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<number | string>;
  /** SIGKILL: a worker that dies mid-job. */
  kill(): Promise<number | string>;
}

export interface StartOptions {
  env: Record<string, string>;
  /** The script to run; default the built app (`dist/src/main.js`). */
  script?: string;
  /** Wait for this before resolving; default the web role's or the worker's ready line; null: do not wait. */
  ready?: ((line: LogLine) => boolean) | null;
  readyTimeoutMs?: number;
  /** Options for node itself (a benchmark's `--cpu-prof`, say). */
  nodeArgs?: string[];
}

export async function startApp(options: StartOptions): Promise<AppProcess> {
  // Only what the app is given: no inherited variables beyond what node itself needs.
  const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", ...options.env };
  // SHEPHERD_TEST_NODE runs the built app on another Node (CI runs the process tests on the image's LTS).
  const child = spawn(
    process.env.SHEPHERD_TEST_NODE || process.execPath,
    [...(options.nodeArgs ?? []), options.script ?? MAIN],
    {
      env,
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const lines: LogLine[] = [];
  const raw: string[] = [];
  const other: string[] = [];
  const stderr: string[] = [];
  const waiters = new Set<{ predicate: (line: LogLine) => boolean; resolve: (line: LogLine) => void }>();
  let buffer = "";
  child.stdout?.setEncoding("utf8");
  child.stdout?.on("data", (chunk: string) => {
    buffer += chunk;
    let newline = buffer.indexOf("\n");
    while (newline >= 0) {
      const text = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf("\n");
      if (text.trim() === "") continue;
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        other.push(text);
        continue;
      }
      lines.push(line);
      raw.push(text);
      for (const waiter of waiters) {
        if (!waiter.predicate(line)) continue;
        waiters.delete(waiter);
        waiter.resolve(line);
      }
    }
  });
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => stderr.push(chunk));
  const exited = new Promise<number | string>((resolve) => {
    child.on("exit", (code, signal) => resolve(code ?? signal ?? -1));
  });

  function waitForLog(predicate: (line: LogLine) => boolean, timeoutMs = 15_000): Promise<LogLine> {
    const seen = lines.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = { predicate, resolve };
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(
          new Error(
            `no such log line within ${timeoutMs} ms; last lines:\n${lines
              .slice(-8)
              .map((line) => JSON.stringify(line))
              .join("\n")}\nstderr: ${stderr.join("").slice(-2000)}`,
          ),
        );
      }, timeoutMs);
      waiter.resolve = (line) => {
        clearTimeout(timer);
        resolve(line);
      };
      waiters.add(waiter);
      void exited.then((code) => {
        if (!waiters.has(waiter)) return;
        waiters.delete(waiter);
        clearTimeout(timer);
        reject(new Error(`the app exited (${code}) before the log line came; stderr: ${stderr.join("").slice(-2000)}`));
      });
    });
  }

  const role = options.env.SHEPHERD_ROLE ?? "all";
  const ready =
    options.ready ?? ((line: LogLine) => line.msg === (role === "web" ? "web role listening" : "worker role running"));
  if (options.ready !== null) await waitForLog(ready, options.readyTimeoutMs ?? 20_000);
  const listening = lines.find((line) => line.msg === "web role listening");
  const url = listening ? `http://127.0.0.1:${String(listening.port)}` : null;

  return {
    child,
    lines,
    raw,
    other,
    stderr,
    exited,
    url,
    // Read when asked: a process started without waiting has logged its port by then.
    get probes() {
      const line = lines.find((seen) => seen.msg === "web role listening" || seen.msg === "worker probes listening");
      return line ? `http://127.0.0.1:${String(line.port)}` : null;
    },
    waitForLog,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      return exited;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      return exited;
    },
  };
}

export interface AppEnvOptions {
  fakeHost: string;
  privateKey: string;
  secret: string;
  redisUrl: string;
  prefix: string;
  /** More variables (SHEPHERD_ROLE, timings...). */
  extra?: Record<string, string>;
}

/** The environment an operator gives the app: credentials, GitHub (Enterprise) host, Redis. */
/** The image's NODE_OPTIONS (its heap ceiling), so processes here run as the Dockerfile runs them. */
export function imageNodeOptions(): string {
  const dockerfile = readFileSync(`${ROOT ?? ""}Dockerfile`, "utf8");
  return /^ENV NODE_OPTIONS=(.*)$/m.exec(dockerfile)?.[1]?.trim() ?? "";
}

export function appEnv(options: AppEnvOptions): Record<string, string> {
  return {
    NODE_ENV: "production",
    NODE_OPTIONS: imageNodeOptions(),
    APP_ID: "1",
    PRIVATE_KEY: options.privateKey,
    WEBHOOK_SECRET: options.secret,
    GHE_HOST: options.fakeHost,
    GHE_PROTOCOL: "http",
    SHEPHERD_REDIS_URL: options.redisUrl,
    SHEPHERD_PREFIX: options.prefix,
    HOST: "127.0.0.1",
    PORT: "0",
    LOG_LEVEL: "info",
    // Scheduled jobs firing in the middle of a test would make its call counts flaky.
    SHEPHERD_SCHEDULERS: "off",
    // Replay at start would redeliver what a test's kills left failed; the replay test turns it on.
    SHEPHERD_REPLAY: "off",
    ...options.extra,
  };
}

/** Top-level keys a JSON object line repeats (pino writes child bindings and call fields side by side). */
export function duplicatedKeys(line: string): string[] {
  const seen = new Set<string>();
  const repeated: string[] = [];
  let depth = 0;
  let i = 0;
  while (i < line.length) {
    const char = line[i];
    if (char === '"') {
      let end = i + 1;
      while (end < line.length && line[end] !== '"') end += line[end] === "\\" ? 2 : 1;
      const text = line.slice(i + 1, end);
      let next = end + 1;
      while (line[next] === " ") next += 1;
      if (depth === 1 && line[next] === ":") {
        if (seen.has(text)) repeated.push(text);
        seen.add(text);
      }
      i = end + 1;
      continue;
    }
    if (char === "{" || char === "[") depth += 1;
    if (char === "}" || char === "]") depth -= 1;
    i += 1;
  }
  return repeated;
}

/** A port nothing listens on right now (for a process that must be told its port). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
