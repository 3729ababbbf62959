// The built app as users run it (`node dist/src/main.js`, NODE_ENV=production, env only), driven
// over HTTP against the fake GitHub, which sends the app's own changes back as webhooks. These are
// the checks that the in-process harness cannot make: the process's own logger, its answers on the
// wire, its start-up against a faulty GitHub, and a worker killed mid-job.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { connect } from "node:net";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { appEnv, type AppProcess, freePort, duplicatedKeys, startApp } from "../support/app-process.js";
import { deleteKeys, REDIS_URL } from "../support/harness.js";
import { FILES, makeTarball, removeTarball } from "../support/tarball.js";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.js";
import { deliver, sign } from "../support/webhooks.js";
import {
  INSTALLATION_ID,
  SECRET,
  startWorld,
  TEST_PRIVATE_KEY,
  type World,
  type WorldOptions,
  writesOf,
} from "../support/world.js";

const CONFIG = "preset: django-async\ntriage:\n  explain: comment\ncommands: {}\nclaims: {}\n";

const ASYNC_ISSUE = {
  title: "Add async QuerySet.aget() and acreate() to the ORM",
  body: "Model managers should expose `aget()`, `acreate()` and `acount()` so async views can query without `sync_to_async` wrappers.",
  user: "contributor",
};

interface Scene {
  world: World;
  prefix: string;
  redis: Redis;
  apps: AppProcess[];
  proxy: TcpProxy | null;
  env(extra?: Record<string, string>, redisUrl?: string): Record<string, string>;
  start(extra?: Record<string, string>, redisUrl?: string): Promise<AppProcess>;
  /** Sends a signed delivery to the app. */
  send(app: AppProcess, name: string, payload: unknown, id?: string): Promise<{ status: number; body: string }>;
  /** Waits until the app's queues are empty and the fake has no webhook on its way. */
  settle(timeoutMs?: number): Promise<void>;
}

let current: Scene | null = null;

afterEach(async () => {
  const scene = current;
  current = null;
  if (!scene) return;
  await Promise.all(scene.apps.map((app) => app.kill()));
  await scene.proxy?.close();
  await deleteKeys(scene.redis, `${scene.prefix}:*`);
  scene.redis.disconnect();
  await scene.world.fake.close();
  scene.world.fake.assertNoErrors();
});

async function scene(options: WorldOptions = {}): Promise<Scene> {
  const world = await startWorld({ config: CONFIG, ...options });
  const prefix = `shepherd-proc-${randomBytes(4).toString("hex")}`;
  const redis = new Redis(REDIS_URL);
  const made: Scene = {
    world,
    prefix,
    redis,
    apps: [],
    proxy: null,
    env(extra = {}, redisUrl = REDIS_URL) {
      return appEnv({
        fakeHost: world.fake.host,
        privateKey: TEST_PRIVATE_KEY,
        secret: SECRET,
        redisUrl,
        prefix,
        extra: { SHEPHERD_WRITE_INTERVAL_MS: "0", ...extra },
      });
    },
    async start(extra = {}, redisUrl = REDIS_URL) {
      const app = await startApp({ env: made.env(extra, redisUrl) });
      made.apps.push(app);
      if (app.url) world.fake.setWebhookTarget(`${app.url}/api/github/webhooks`, SECRET);
      return app;
    },
    async send(app, name, payload, id) {
      const result = await deliver({
        url: `${app.url}/api/github/webhooks`,
        secret: SECRET,
        name,
        payload,
        ...(id ? { id } : {}),
      });
      return { status: result.status, body: result.body };
    },
    async settle(timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      let quiet = 0;
      while (Date.now() < deadline) {
        let busy = world.fake.pendingWebhooks();
        for (const queue of ["events", "tasks"]) {
          for (const state of ["wait", "active", "delayed", "prioritized"]) {
            const key = `${prefix}:${queue}:${state}`;
            const type = await redis.type(key);
            if (type === "list") busy += await redis.llen(key);
            if (type === "zset") busy += await redis.zcard(key);
          }
        }
        quiet = busy === 0 ? quiet + 1 : 0;
        if (quiet >= 4) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const states: Record<string, number> = {};
      for (const queue of ["events", "tasks"]) {
        for (const state of ["wait", "active", "delayed", "prioritized", "completed", "failed"]) {
          const key = `${prefix}:${queue}:${state}`;
          const type = await redis.type(key);
          states[`${queue}:${state}`] =
            type === "list" ? await redis.llen(key) : type === "zset" ? await redis.zcard(key) : 0;
        }
      }
      throw new Error(
        `the app did not settle in time: ${JSON.stringify(states)}, webhooks ${world.fake.pendingWebhooks()}`,
      );
    },
  };
  current = made;
  return made;
}

function botComments(world: World, number: number) {
  return world.fake.state.commentsOn(world.repo, number).filter((comment) => comment.user.endsWith("[bot]"));
}

describe("the built app, started as the Dockerfile starts it", () => {
  it("answers a new issue 202 and labels it for exactly one label write and one comment, echoes included", async () => {
    const s = await scene();
    const app = await s.start();
    const issue = s.world.fake.state.addIssue(s.world.repo, ASYNC_ISSUE);
    const mark = s.world.fake.calls.length;
    const answer = await s.send(app, "issues", s.world.issuePayload("opened", issue));
    expect(answer.status).toBe(202);
    await s.settle();
    expect(s.world.fake.state.issue(s.world.repo, issue.number).labels).toEqual(
      expect.arrayContaining(["async", "subsystem:orm"]),
    );
    expect(writesOf(s.world.fake, mark)).toEqual(["issues/add-labels", "issues/create-comment"]);
    // GitHub told the app about its own labels and comment, and the app answered every one.
    const echoed = s.world.fake.deliveries.map((delivery) => `${delivery.event}.${delivery.action}`);
    expect(echoed).toContain("issues.labeled");
    expect(echoed).toContain("issue_comment.created");
    expect(s.world.fake.deliveries.every((delivery) => delivery.status === 200 || delivery.status === 202)).toBe(true);
    expect(botComments(s.world, issue.number)).toHaveLength(1);
  });

  it("answers bad input clearly, queues nothing for it, and stays up", async () => {
    const s = await scene();
    const app = await s.start({ SHEPHERD_MAX_BODY_BYTES: "100000" });
    const url = `${app.url}/api/github/webhooks`;
    const headers = { "content-type": "application/json", "x-github-event": "issues", "x-github-delivery": "d-1" };
    const body = JSON.stringify({ action: "opened" });
    const wrong = await fetch(url, {
      method: "POST",
      headers: { ...headers, "x-hub-signature-256": sign(body, "nope") },
      body,
    });
    expect(wrong.status).toBe(401);
    const missing = await fetch(url, { method: "POST", headers, body });
    expect(missing.status).toBe(400);
    const broken = "{not json";
    const malformed = await fetch(url, {
      method: "POST",
      headers: { ...headers, "x-hub-signature-256": sign(broken, SECRET) },
      body: broken,
    });
    expect(malformed.status).toBe(400);
    expect((await s.send(app, "star", { action: "created", installation: { id: 1 } })).status).toBe(200);
    expect((await s.send(app, "ping", { zen: "Keep it logically awesome." })).status).toBe(200);
    // Over the cap: 413 before the body is read, whether the length is declared or not.
    expect(await postStreaming(url, 2_000_000, true)).toMatchObject({ status: 413, answeredEarly: true });
    expect(await postStreaming(url, 2_000_000, false)).toMatchObject({ status: 413, answeredEarly: true });
    // Signed and well-formed JSON, but not an issue event GitHub would send: answered, and dropped by the worker.
    const hollow = await s.send(app, "issues", { action: "opened", installation: { id: 4242 } });
    expect(hollow.status).toBe(202);
    await app.waitForLog((line) => line.msg === "delivery not processed");
    await s.settle();
    expect(writesOf(s.world.fake)).toEqual([]);
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    const queued = await s.redis.zcard(`${s.prefix}:events:completed`);
    // Only the hollow delivery was queued; everything refused above never reached Redis.
    expect(queued).toBe(1);
  });

  it("takes a signed 30 MB body no further than its headers: 413 at GitHub's 25 MB cap", async () => {
    const s = await scene();
    const app = await s.start();
    const result = await postStreaming(`${app.url}/api/github/webhooks`, 30 * 1024 * 1024, true);
    expect(result).toMatchObject({ status: 413, answeredEarly: true });
    expect(result.sentBytes).toBeLessThan(5 * 1024 * 1024);
  });

  it("closes after a 413 without resetting: a sender still writing reads the answer", async () => {
    const s = await scene();
    const app = await s.start({ SHEPHERD_MAX_BODY_BYTES: "100000" });
    const port = Number(new URL(app.url ?? "").port);
    // Closing with these bytes unread would reset the connection: the sender sees EPIPE, no answer.
    expect(await postAllAtOnce(port, "chunked", 64)).toEqual({
      status: "HTTP/1.1 413 Payload Too Large",
      ended: "cleanly",
    });
    expect(await postAllAtOnce(port, "declared", 64)).toEqual({
      status: "HTTP/1.1 413 Payload Too Large",
      ended: "cleanly",
    });
  });

  it("writes JSON log lines with no duplicated keys, no payload, and short error lines", async () => {
    const s = await scene();
    // Every label write refused: each delivery fails and is logged, the way payload dumps used to bloat.
    s.world.fake.failNext("issues/add-labels", 422, { times: 1000 });
    const app = await s.start({ SHEPHERD_ATTEMPTS: "2", SHEPHERD_BACKOFF_MS: "50" });
    for (let n = 0; n < 20; n += 1) {
      const issue = s.world.fake.state.addIssue(s.world.repo, { ...ASYNC_ISSUE, title: `${ASYNC_ISSUE.title} ${n}` });
      expect((await s.send(app, "issues", s.world.issuePayload("opened", issue))).status).toBe(202);
    }
    await s.settle();
    expect(app.other).toEqual([]);
    const errors = app.lines.filter((line) => (line.level ?? 0) >= 40);
    expect(errors.length).toBeGreaterThan(0);
    for (const raw of app.raw) {
      expect(duplicatedKeys(raw)).toEqual([]);
      expect(raw.length).toBeLessThan(4000);
      // Nothing of the payload: no repository object, no issue body, no installation node id.
      expect(raw).not.toContain("sync_to_async");
      expect(raw).not.toContain("MDIzOkludGVncmF0aW9u");
    }
    const bytes = app.raw.reduce((sum, raw) => sum + raw.length + 1, 0);
    expect(bytes / 20).toBeLessThan(6000);
  });

  it("survives Redis going away: 503 with retry-after and /readyz saying so, then recovers by itself", async () => {
    const s = await scene();
    const proxy = await startTcpProxy(Number(new URL(REDIS_URL).port || 6379));
    s.proxy = proxy;
    const app = await s.start({}, proxy.url);
    const issue = s.world.fake.state.addIssue(s.world.repo, ASYNC_ISSUE);
    const payload = s.world.issuePayload("opened", issue);
    proxy.cut();
    const refused = await s.send(app, "issues", payload);
    expect(refused.status).toBe(503);
    const ready = await fetch(`${app.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ redis: false });
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(app.child.exitCode).toBeNull();
    proxy.restore();
    let status = 0;
    for (let attempt = 0; attempt < 60 && status !== 202; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      status = (await s.send(app, "issues", payload, "0b6f1e5e-0000-4000-8000-000000000001")).status;
    }
    expect(status).toBe(202);
    // Back within seconds of Redis (the worker fetches again a second after an error).
    const back = Date.now();
    await s.settle(20_000);
    expect(Date.now() - back).toBeLessThan(10_000);
    expect(s.world.fake.state.issue(s.world.repo, issue.number).labels).toContain("async");
    expect((await fetch(`${app.url}/readyz`)).status).toBe(200);
    expect(app.child.exitCode).toBeNull();
  }, 60_000);

  it("retries a faulted GET /app at start (a secondary rate limit) instead of exiting", async () => {
    const s = await scene();
    s.world.fake.failNext("apps/get-authenticated", 403, {
      headers: { "retry-after": "1" },
      body: { message: "You have exceeded a secondary rate limit." },
    });
    s.world.fake.failNext("apps/get-authenticated", 502);
    const app = await s.start();
    expect(app.lines.some((line) => line.msg === "could not ask GitHub for the app's slug, retrying")).toBe(true);
    const calls = s.world.fake.callsTo("apps/get-authenticated");
    expect(calls.map((call) => call.status)).toEqual([403, 502, 200]);
    // GitHub asked for a second: the next call came after it.
    expect((calls[1]?.at ?? 0) - (calls[0]?.at ?? 0)).toBeGreaterThanOrEqual(900);
    expect(s.world.fake.rateViolations).toEqual([]);
  });

  it("serves a worker's probes, metrics and dashboard on its own port, and takes no webhooks there", async () => {
    const s = await scene();
    const web = await s.start({ SHEPHERD_ROLE: "web" });
    const worker = await s.start({ SHEPHERD_ROLE: "worker", SHEPHERD_ADMIN_PASSWORD: "a long admin password" });
    expect(worker.url).toBeNull();
    const probes = worker.probes ?? "";
    expect(probes).not.toBe(web.url);
    expect((await fetch(`${probes}/healthz`)).status).toBe(200);
    expect((await fetch(`${probes}/readyz`)).status).toBe(200);
    const issue = s.world.fake.state.addIssue(s.world.repo, ASYNC_ISSUE);
    expect((await s.send(web, "issues", s.world.issuePayload("opened", issue))).status).toBe(202);
    await s.settle();
    const scrape = await (await fetch(`${probes}/metrics`)).text();
    expect(scrape).toContain('shepherd_info{role="worker"} 1');
    expect(scrape).toMatch(
      /shepherd_job_duration_seconds_count\{queue="events",kind="issues",outcome="completed"\} [1-9]/,
    );
    expect(scrape).toMatch(
      /shepherd_github_request_duration_seconds_count\{method="POST",route="\/repos\/\{owner\}\/\{repo\}\/issues\/\{issue_number\}\/labels",status="200"\} 1/,
    );
    const webScrape = await (await fetch(`${web.url}/metrics`)).text();
    expect(webScrape).toMatch(/shepherd_webhook_response_seconds_count\{status="202"\} [1-9]/);
    // The worker's port is not a webhook endpoint, and the web role has no dashboard (no password).
    const posted = await fetch(`${probes}/api/github/webhooks`, { method: "POST", body: "{}" });
    expect(posted.status).toBe(404);
    expect((await fetch(`${web.url}/admin/queues`)).status).toBe(404);
    expect((await fetch(`${probes}/admin/queues`)).status).toBe(401);
    const auth = { authorization: `Basic ${Buffer.from("admin:a long admin password").toString("base64")}` };
    expect((await fetch(`${probes}/admin/queues`, { headers: auth })).status).toBe(200);
  });

  it("hands the job of a worker killed mid-job to the next one within seconds, and writes nothing twice", async () => {
    const s = await scene();
    const timing = { SHEPHERD_JOB_LOCK_MS: "3000", SHEPHERD_STALLED_INTERVAL_MS: "1000" };
    const web = await s.start({ SHEPHERD_ROLE: "web" });
    const worker = await s.start({ SHEPHERD_ROLE: "worker", ...timing });
    // The comment reaches GitHub, and the worker dies before it hears back.
    s.world.fake.delayNext("issues/create-comment", 1500);
    const issue = s.world.fake.state.addIssue(s.world.repo, ASYNC_ISSUE);
    expect((await s.send(web, "issues", s.world.issuePayload("opened", issue))).status).toBe(202);
    await worker.waitForLog((line) => line.msg === "triage decided");
    await waitFor(() => s.world.fake.calls.some((call) => call.operationId === "issues/add-labels"));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const killedAt = Date.now();
    expect(await worker.kill()).toBe("SIGKILL");
    const next = await s.start({ SHEPHERD_ROLE: "worker", ...timing });
    await s.settle(30_000);
    const pickedUp = Date.now() - killedAt;
    expect(pickedUp).toBeLessThan(10_000);
    expect(writesOf(s.world.fake)).toEqual(["issues/add-labels", "issues/create-comment"]);
    expect(botComments(s.world, issue.number)).toHaveLength(1);
    expect(next.lines.some((line) => line.msg === "job failed")).toBe(false);
  });

  it("asks GitHub at start for what failed while it was down, once, and labels the missed issue", async () => {
    const s = await scene();
    const { fake } = s.world;
    // One address for both processes, as in production: the log redelivers where the hook points.
    const env = { SHEPHERD_REPLAY: "on", PORT: String(await freePort()) };
    const first = await s.start(env);
    await first.waitForLog((line) => line.msg === "missed deliveries replayed");
    expect(await first.stop()).toBe(0);
    // A person opens an issue while Shepherd is down: GitHub's delivery finds nobody (status_code 0).
    const issue = fake.state.addIssue(s.world.repo, ASYNC_ISSUE);
    const payload = s.world.issuePayload("opened", issue);
    fake.announce([{ event: "issues", action: "opened", payload, installationId: INSTALLATION_ID }]);
    await fake.webhooksIdle();
    const missed = fake.deliveries.at(-1);
    expect(missed?.status).toBeNull();
    const mark = fake.calls.length;
    const second = await s.start(env);
    const replayed = await second.waitForLog((line) => line.msg === "missed deliveries replayed");
    await s.settle();
    expect(replayed).toMatchObject({ requested: 1, redeliver: 1 });
    const redeliveries = fake.callsTo("apps/redeliver-webhook-delivery");
    expect(redeliveries.map((call) => call.path)).toEqual([`/app/hook/deliveries/${missed?.id}/attempts`]);
    expect(fake.state.issue(s.world.repo, issue.number).labels).toEqual(
      expect.arrayContaining(["async", "subsystem:orm"]),
    );
    expect(writesOf(fake, mark)).toEqual([
      "apps/redeliver-webhook-delivery",
      "issues/add-labels",
      "issues/create-comment",
    ]);
  });

  it("indexes the repository's tarball on a push and places issue text by where the code defines it", async () => {
    const s = await scene();
    const tarball = makeTarball(FILES);
    s.world.repo.tarball = readFileSync(tarball);
    removeTarball(tarball);
    const app = await s.start();
    expect(
      (await s.send(app, "push", s.world.pushPayload(`c179ad9${"0".repeat(33)}`, ["django/shortcuts.py"]))).status,
    ).toBe(202);
    await s.settle();
    const downloads = s.world.fake.calls.filter((call) => call.operationId === "repos/download-tarball-archive");
    expect(downloads.map((call) => call.status)).toEqual([302]);
    const issue = s.world.fake.state.addIssue(s.world.repo, {
      title: "Make @sensitive_variables work with coroutines",
      body: "The decorator should wrap async functions too.",
      user: "contributor",
    });
    await s.send(app, "issues", s.world.issuePayload("opened", issue));
    await s.settle();
    expect(s.world.fake.state.issue(s.world.repo, issue.number).labels).toContain("subsystem:views-http");
    expect(botComments(s.world, issue.number)[0]?.body).toContain(
      "`sensitive_variables` is defined in `django/views/decorators/debug.py`",
    );
  });

  it("receives webhooks on the URL Probot's setup page registers", async () => {
    const s = await scene();
    const port = await freePort();
    // Setup mode: no APP_ID outside production serves the page that registers the app.
    const setup = await startApp({
      env: {
        NODE_ENV: "development",
        PORT: String(port),
        HOST: "127.0.0.1",
        NO_SMEE_SETUP: "true",
        LOG_LEVEL: "info",
        LOG_FORMAT: "json",
      },
      ready: () => true,
      readyTimeoutMs: 20_000,
    });
    s.apps.push(setup);
    const html = await waitFor(async () => {
      const page = await fetch(`http://127.0.0.1:${port}/probot`).catch(() => null);
      return page?.ok ? page.text() : null;
    });
    // The page posts the manifest from its button's value, as JSON in single quotes.
    const value = /name="manifest"[^>]*value='([^']*)'/.exec(html)?.[1] ?? "{}";
    const manifest = JSON.parse(decodeHtml(value)) as { hook_attributes?: { url?: string } };
    const registered = new URL(manifest.hook_attributes?.url ?? "");
    await setup.stop();
    const app = await s.start();
    const issue = s.world.fake.state.addIssue(s.world.repo, ASYNC_ISSUE);
    const result = await deliver({
      url: `${app.url}${registered.pathname}`,
      secret: SECRET,
      name: "issues",
      payload: s.world.issuePayload("opened", issue),
    });
    expect(result.status).toBe(202);
    await s.settle();
    expect(s.world.fake.state.issue(s.world.repo, issue.number).labels).toContain("async");
  });

  it("keeps secrets out of every log line and every Redis value", async () => {
    const s = await scene({ config: `${CONFIG}onboarding: {}\n` });
    s.world.fake.failNext("issues/create-comment", 502);
    const app = await s.start();
    const issue = s.world.fake.state.addIssue(s.world.repo, ASYNC_ISSUE);
    await s.send(app, "issues", s.world.issuePayload("opened", issue));
    await s.settle();
    const comment = s.world.fake.state.addComment(s.world.repo, issue.number, { body: "/claim", user: "helper" });
    await s.send(
      app,
      "issue_comment",
      s.world.commentPayload("created", s.world.fake.state.issue(s.world.repo, issue.number), comment),
    );
    await s.settle();
    const tokens = [...s.world.fake.state.tokens.keys()];
    expect(tokens.length).toBeGreaterThan(0);
    const keyLines = TEST_PRIVATE_KEY.split("\n").filter((line) => line.length > 40);
    const secrets = [SECRET, ...tokens, ...keyLines];
    const logs = [...app.raw, ...app.stderr].join("\n");
    const stored = await redisValues(s.redis, `${s.prefix}:*`);
    expect(stored.length).toBeGreaterThan(10);
    for (const secret of secrets) {
      expect(logs.includes(secret)).toBe(false);
      expect(stored.some((value) => value.includes(secret))).toBe(false);
    }
  });
});

/** POSTs `size` bytes in 64 KiB chunks, slowly; reports the answer and whether it came before the end. */
function postStreaming(
  url: string,
  size: number,
  declareLength: boolean,
): Promise<{ status: number; answeredEarly: boolean; sentBytes: number }> {
  return new Promise((resolve, reject) => {
    const body = "x".repeat(64 * 1024);
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "x-github-event": "issues",
      "x-github-delivery": "big-1",
      "x-hub-signature-256": "sha256=00",
    };
    if (declareLength) headers["content-length"] = String(size);
    let sent = 0;
    let answered = false;
    const req = request(url, { method: "POST", headers }, (res) => {
      answered = true;
      res.resume();
      resolve({ status: res.statusCode ?? 0, answeredEarly: sent < size, sentBytes: sent });
    });
    req.on("error", (error) => {
      if (!answered) reject(error);
    });
    function pump() {
      if (answered || sent >= size) return req.end();
      const chunk = body.slice(0, Math.min(body.length, size - sent));
      sent += chunk.length;
      req.write(chunk, () => setTimeout(pump, 5));
    }
    pump();
  });
}

/**
 * Writes a request and `chunks` × 64 KiB of body in one go over a raw socket, before reading
 * anything, and reports the status line and whether the connection ever failed (EPIPE, ECONNRESET).
 */
function postAllAtOnce(
  port: number,
  framing: "chunked" | "declared",
  chunks: number,
): Promise<{ status: string; ended: "cleanly" | string }> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let received = "";
    const status = () => received.split("\r\n")[0] ?? "";
    socket.setEncoding("utf8");
    socket.on("connect", () => {
      const length = framing === "chunked" ? "transfer-encoding: chunked" : `content-length: ${chunks * 65536 * 4}`;
      socket.write(`POST /api/github/webhooks HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n`);
      socket.write(
        `x-github-event: issues\r\nx-github-delivery: big-2\r\nx-hub-signature-256: sha256=00\r\n${length}\r\n\r\n`,
      );
      const chunk = "x".repeat(65536);
      for (let n = 0; n < chunks; n += 1) socket.write(framing === "chunked" ? `10000\r\n${chunk}\r\n` : chunk);
    });
    socket.on("data", (text: string) => {
      received += text;
    });
    let failure: string | null = null;
    socket.on("error", (error: NodeJS.ErrnoException) => {
      failure ??= error.code ?? error.message;
    });
    socket.on("close", () => resolve({ status: status(), ended: failure ?? "cleanly" }));
  });
}

async function waitFor<T>(probe: () => T | null | false | Promise<T | null | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("timed out waiting");
}

function decodeHtml(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#34;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/** Every value under the pattern, whatever its type (strings, hashes, lists, sets, sorted sets, streams). */
async function redisValues(redis: Redis, pattern: string): Promise<string[]> {
  const values: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 500);
    cursor = next;
    for (const key of keys) {
      const type = await redis.type(key);
      if (type === "string") values.push((await redis.get(key)) ?? "");
      if (type === "hash") values.push(...Object.entries(await redis.hgetall(key)).flat());
      if (type === "list") values.push(...(await redis.lrange(key, 0, -1)));
      if (type === "set") values.push(...(await redis.smembers(key)));
      if (type === "zset") values.push(...(await redis.zrange(key, "0", "-1")));
      if (type === "stream") values.push(JSON.stringify(await redis.xrange(key, "-", "+")));
    }
  } while (cursor !== "0");
  return values;
}
