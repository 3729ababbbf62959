// The sandbox: Shepherd's built app (a web and a worker process, as production runs it) against the
// stateful fake GitHub, seeded with a Django-like repository, plus a small page on 127.0.0.1 where a
// person acts as one of the seeded users and watches what Shepherd does. Everything a person does
// goes through the fake (the issue or comment is stored there) and reaches Shepherd as a signed
// webhook, as on GitHub; Shepherd's own changes come back as webhooks from the fake.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";
import { runCommand } from "../../src/cli/run.js";
import { type AppProcess, appEnv, startApp } from "../../test/support/app-process.js";
import { deleteKeys } from "../../test/support/harness.js";
import { makeTarball, removeTarball } from "../../test/support/tarball.js";
import { deliver } from "../../test/support/webhooks.js";
import { INSTALLATION_ID, SECRET, startWorld, TEST_PRIVATE_KEY, type World } from "../../test/support/world.js";
import { FILES, seedWorld, USERS } from "./seed.js";
import { createTimeline, type Timeline } from "./timeline.js";

export interface SandboxOptions {
  /** Port of the page; 0 picks a free one. */
  port: number;
  redisUrl?: string;
  /** Where Shepherd's warnings and errors go (its info lines stay in memory). */
  log?: (line: string) => void;
}

export interface Sandbox {
  url: string;
  prefix: string;
  world: World;
  close(): Promise<void>;
}

const PAGE_FILES: Record<string, { file: string; type: string }> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/app.js": { file: "app.js", type: "text/javascript; charset=utf-8" },
};

// From scripts/sandbox or, compiled, from dist/scripts/sandbox: the page is not compiled.
const PAGE_DIRS = [new URL("./page/", import.meta.url), new URL("../../../scripts/sandbox/page/", import.meta.url)];

function readPage(file: string): Buffer {
  for (const dir of PAGE_DIRS) {
    try {
      return readFileSync(new URL(file, dir));
    } catch {
      // Try the next place.
    }
  }
  throw new Error(`sandbox page file not found: ${file}`);
}

/** The archive GitHub's tarball endpoint would serve, read into memory (its temporary folder removed). */
function tarballOf(files: Record<string, string>): Buffer {
  const file = makeTarball(files, "django-django-5a1b2c3");
  try {
    return readFileSync(file);
  } finally {
    removeTarball(file);
  }
}

const MAX_REQUEST_BYTES = 64 * 1024;

class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_REQUEST_BYTES) throw new RequestError(413, "request too large");
    chunks.push(chunk);
  }
  try {
    const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // Answered below.
  }
  throw new RequestError(400, "body must be a JSON object");
}

function requiredText(body: Record<string, unknown>, name: string, max = 20_000): string {
  const value = body[name];
  if (typeof value !== "string" || value.trim() === "") throw new RequestError(400, `${name} is required`);
  if (value.length > max) throw new RequestError(400, `${name} is too long`);
  return value;
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  response.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  response.end(JSON.stringify(value));
}

function issuesOf(world: World): unknown[] {
  return [...world.repo.issues.values()]
    .filter((issue) => issue.state === "open")
    .map((issue) => ({
      number: issue.number,
      title: issue.title,
      user: issue.user,
      pull: issue.pull !== null,
      labels: issue.labels,
      assignees: issue.assignees,
      milestone: issue.milestone === null ? null : (world.repo.milestones.get(issue.milestone)?.title ?? null),
      pinned: world.repo.pinned.includes(issue.number),
    }));
}

interface Actions {
  openItem(body: Record<string, unknown>): Promise<unknown>;
  comment(body: Record<string, unknown>): Promise<unknown>;
  digest(): Promise<unknown>;
}

function createActions(world: World, timeline: Timeline, webhookUrl: () => string, cliEnv: NodeJS.ProcessEnv): Actions {
  const { fake, repo } = world;

  function actingUser(body: Record<string, unknown>): string {
    const login = requiredText(body, "user", 100);
    if (!USERS.some((user) => user.login === login)) throw new RequestError(400, "unknown user");
    return login;
  }

  async function send(name: string, payload: Record<string, unknown>, issue: number): Promise<number> {
    const result = await deliver({ url: webhookUrl(), secret: SECRET, name, payload });
    if (result.status >= 300) {
      timeline.addUserEntry({
        actor: "sandbox",
        kind: "delivery-failed",
        issue,
        summary: `Shepherd answered the ${name} webhook ${result.status}`,
        body: null,
      });
    }
    return result.status;
  }

  return {
    async openItem(body) {
      const user = actingUser(body);
      const title = requiredText(body, "title", 256);
      const text = typeof body.body === "string" ? body.body.slice(0, 20_000) : "";
      const files = Array.isArray(body.files)
        ? body.files.filter((file): file is string => typeof file === "string" && file.trim() !== "").slice(0, 50)
        : [];
      const pull = files.length > 0;
      const item = fake.state.addIssue(repo, { title, body: text, user, pull_request: pull });
      if (pull)
        fake.state.addPullFiles(
          repo,
          item.number,
          files.map((filename) => ({ filename: filename.trim(), additions: 12, deletions: 3 })),
        );
      timeline.addUserEntry({
        actor: user,
        kind: pull ? "user-pull" : "user-issue",
        issue: item.number,
        summary: pull ? `opened pull request "${title}" (${files.join(", ")})` : `opened issue "${title}"`,
        body: text,
      });
      const status = pull
        ? await send("pull_request", world.pullPayload("opened", item), item.number)
        : await send("issues", world.issuePayload("opened", item), item.number);
      return { number: item.number, status };
    },
    async comment(body) {
      const user = actingUser(body);
      const number = Number(body.number);
      const item = repo.issues.get(number);
      if (!Number.isInteger(number) || !item) throw new RequestError(400, "no such issue");
      const text = requiredText(body, "body");
      const record = fake.state.addComment(repo, number, { body: text, user });
      timeline.addUserEntry({ actor: user, kind: "user-comment", issue: number, summary: "commented", body: text });
      const status = await send("issue_comment", world.commentPayload("created", item, record), number);
      return { id: record.id, status };
    },
    async digest() {
      // The operator's path: `shepherd run digest --wait` against the running install's Redis.
      const out: string[] = [];
      const sink = { write: (chunk: string) => out.push(chunk) > 0 };
      const argv = [
        "digest",
        "--repo",
        `${repo.owner}/${repo.name}`,
        "--installation",
        String(INSTALLATION_ID),
        "--wait",
        "--timeout",
        "60",
      ];
      const code = await runCommand(argv, sink, sink, cliEnv);
      return { code, output: out.join("") };
    },
  };
}

async function route(
  request: IncomingMessage,
  response: ServerResponse,
  world: World,
  timeline: Timeline,
  actions: Actions,
): Promise<void> {
  const url = new URL(request.url ?? "/", "http://127.0.0.1");
  const page = PAGE_FILES[url.pathname];
  if (request.method === "GET" && page) {
    response.writeHead(200, {
      "content-type": page.type,
      // The page builds every element from text: no inline script, no other origin.
      "content-security-policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:",
      "x-content-type-options": "nosniff",
    });
    response.end(readPage(page.file));
    return;
  }
  if (request.method === "GET" && url.pathname === "/api/state") {
    sendJson(response, 200, { repo: `${world.repo.owner}/${world.repo.name}`, users: USERS, issues: issuesOf(world) });
    return;
  }
  if (request.method === "GET" && url.pathname === "/api/timeline") {
    const since = Number(url.searchParams.get("since") ?? 0);
    sendJson(response, 200, { entries: timeline.since(Number.isFinite(since) ? since : 0) });
    return;
  }
  const post: Record<string, (body: Record<string, unknown>) => Promise<unknown>> = {
    "/api/items": actions.openItem,
    "/api/comments": actions.comment,
    "/api/digest": () => actions.digest(),
  };
  const handler = post[url.pathname];
  if (request.method !== "POST" || !handler) {
    sendJson(response, 404, { error: "not found" });
    return;
  }
  // A page on another origin cannot post JSON here without a preflight, which this server never answers.
  if (!String(request.headers["content-type"]).startsWith("application/json")) {
    sendJson(response, 415, { error: "send application/json" });
    return;
  }
  sendJson(response, 200, await handler(await readJson(request)));
}

const WARN = 40;

/** Passes on the warnings and errors a Shepherd process logs; its info lines stay in memory. */
function forwardProblems(app: AppProcess, log: ((line: string) => void) | undefined): void {
  if (!log) return;
  let seen = 0;
  const timer = setInterval(() => {
    for (; seen < app.raw.length; seen++) {
      if ((app.lines[seen]?.level ?? 0) >= WARN) log(`${app.raw[seen]}\n`);
    }
  }, 500);
  timer.unref();
  app.child.stderr?.on("data", (chunk: Buffer | string) => log(String(chunk)));
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const redisUrl = options.redisUrl ?? "redis://127.0.0.1:6379";
  const prefix = `shepherd-sandbox-${randomBytes(4).toString("hex")}`;
  const world = await startWorld({ config: null });
  seedWorld(world);
  const timeline = createTimeline(world.fake, world.repo);
  const apps: AppProcess[] = [];
  const env = (role: string) =>
    appEnv({
      fakeHost: world.fake.host,
      privateKey: TEST_PRIVATE_KEY,
      secret: SECRET,
      redisUrl,
      prefix,
      extra: {
        SHEPHERD_ROLE: role,
        // A demo wants answers in a moment; production spaces writes a second apart.
        SHEPHERD_WRITE_INTERVAL_MS: "100",
      },
    });
  const server = createServer();
  let closing: Promise<void> | null = null;

  async function close(): Promise<void> {
    closing ??= (async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all(apps.map((app) => app.stop()));
      const redis = new Redis(redisUrl);
      try {
        await deleteKeys(redis, `${prefix}:*`);
      } finally {
        redis.disconnect();
      }
      await world.fake.close();
    })();
    return closing;
  }

  try {
    const web = await startApp({ env: env("web") });
    apps.push(web);
    apps.push(await startApp({ env: env("worker") }));
    for (const app of apps) forwardProblems(app, options.log);
    const webhookUrl = `${web.url}/api/github/webhooks`;
    world.fake.setWebhookTarget(webhookUrl);
    const actions = createActions(world, timeline, () => webhookUrl, {
      SHEPHERD_REDIS_URL: redisUrl,
      SHEPHERD_PREFIX: prefix,
    });
    server.on("request", (request, response) => {
      route(request, response, world, timeline, actions).catch((error: unknown) => {
        const status = error instanceof RequestError ? error.status : 500;
        if (!response.headersSent) sendJson(response, status, { error: (error as Error).message });
      });
    });
    const port = await listen(server, options.port);
    // As GitHub does when the app is installed: Shepherd syncs labels, reads the code, triages the backlog.
    world.repo.tarball = tarballOf(FILES);
    await deliver({
      url: webhookUrl,
      secret: SECRET,
      name: "installation",
      payload: {
        action: "created",
        installation: { id: INSTALLATION_ID, account: { login: "django", id: 1, type: "Organization" } },
        repositories: [
          { id: world.repo.id, name: "django", full_name: "django/django", private: false, node_id: "R_1" },
        ],
        sender: { login: "felixxm", id: world.fake.state.user("felixxm").id, type: "User" },
      },
    });
    return { url: `http://127.0.0.1:${port}/`, prefix, world, close };
  } catch (error) {
    await close();
    throw error;
  }
}
