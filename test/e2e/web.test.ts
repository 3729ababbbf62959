// The web role on its own: health endpoints, Redis going away, start-up without Redis.
import { readFileSync } from "node:fs";
import { constants, PerformanceObserver } from "node:perf_hooks";
import { Queue } from "bullmq";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { HANDLED_EVENTS } from "../../src/domain/events.js";
import { EVENTS_QUEUE } from "../../src/queues.js";
import { RedisUnavailableError } from "../../src/redis.js";
import { Settings } from "../../src/settings.js";
import { startShepherd, upsertSchedulers } from "../../src/shepherd.js";
import { type Harness, REDIS_URL, SECRET, startHarness, TEST_PRIVATE_KEY } from "../support/harness.js";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.js";

let harness: Harness | null = null;
let proxy: TcpProxy | null = null;

afterEach(async () => {
  proxy?.restore();
  await harness?.close();
  await proxy?.close();
  harness = null;
  proxy = null;
});

describe("web role", () => {
  it("answers /healthz always and /readyz only while Redis answers", async () => {
    proxy = await startTcpProxy(Number(new URL(REDIS_URL).port || 6379));
    harness = await startHarness({ redisUrl: proxy.url });
    expect((await fetch(`${harness.baseUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${harness.baseUrl}/readyz`)).status).toBe(200);
    proxy.cut();
    expect((await fetch(`${harness.baseUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${harness.baseUrl}/readyz`)).status).toBe(503);
  });

  it("answers 503 when Redis cannot take the job, and 200 once it can again", async () => {
    proxy = await startTcpProxy(Number(new URL(REDIS_URL).port || 6379));
    harness = await startHarness({ redisUrl: proxy.url, settings: { role: "web" } });
    const issue = harness.fake.state.addIssue(harness.repo, {
      title: "Async QuerySet.aget()",
      body: "",
      user: "someone",
    });
    const payload = harness.issuePayload("opened", issue);
    proxy.cut();
    const refused = await harness.send("issues", payload);
    expect(refused.status).toBe(503);
    proxy.restore();
    // ioredis reconnects on its own; GitHub's redelivery of the same id then goes through.
    let accepted = 0;
    for (let i = 0; i < 50 && accepted !== 202; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      accepted = (await harness.send("issues", payload, { id: refused.id })).status;
    }
    expect(accepted).toBe(202);
    // Issue events queue behind comments (which may hold commands): BullMQ holds them as prioritized.
    expect(await harness.shepherd.queues.events.getJobCounts("waiting", "prioritized")).toEqual({
      waiting: 0,
      prioritized: 1,
    });
  });

  it("pings itself at start before it says it is ready, and counts none of it as a delivery", async () => {
    harness = await startHarness({ settings: { role: "web", selfCheckPings: 60 } });
    const passed = harness.logs.find((line) => line.msg === "webhook self-check passed");
    expect(passed).toMatchObject({ pings: 60 });
    expect((await fetch(`${harness.baseUrl}/readyz`)).status).toBe(200);
    const scrape = await (await fetch(`${harness.baseUrl}/metrics`)).text();
    expect(scrape).not.toMatch(/shepherd_webhook\w*_count\{[^}]*status="200"/);
    // A listener that does not answer its pings fails the check (a wrong address here).
    const closed = { address: "127.0.0.1", family: "IPv4", port: 1 };
    expect(await harness.shepherd.web.selfCheck(closed, 3)).toBe(false);
    // A real ping is still a delivery.
    expect((await harness.send("ping", { zen: "hello" })).status).toBe(200);
    const after = await (await fetch(`${harness.baseUrl}/metrics`)).text();
    expect(after).toMatch(/shepherd_webhook\w*_count\{[^}]*status="200"[^}]*\} 1/);
  });

  it("says it is not ready while the self-check runs, and collects its garbage before it ends", async () => {
    harness = await startHarness({ settings: { role: "web" } });
    // Off (0), nothing is sent and nothing is logged.
    expect(harness.logs.some((line) => String(line.msg).startsWith("webhook self-check"))).toBe(false);
    const forced: number[] = [];
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const flags = (entry as unknown as { detail?: { flags?: number } }).detail?.flags ?? 0;
        if (flags & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) forced.push(entry.startTime);
      }
    });
    observer.observe({ entryTypes: ["gc"] });
    try {
      const check = harness.shepherd.web.selfCheck(harness.shepherd.address, 400);
      const during = await fetch(`${harness.baseUrl}/readyz`);
      expect(during.status).toBe(503);
      expect(await during.json()).toMatchObject({ status: "unavailable", selfCheck: "running" });
      expect(await check).toBe(true);
      expect((await fetch(`${harness.baseUrl}/readyz`)).status).toBe(200);
      // gc entries are delivered on a later tick.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(forced.length).toBeGreaterThan(0);
    } finally {
      observer.disconnect();
    }
  });

  it("answers malformed requests with a clear 4xx and queues nothing", async () => {
    harness = await startHarness({ settings: { role: "web" } });
    const { sign } = await import("../support/webhooks.js");
    const headers = { "x-github-event": "issues", "x-github-delivery": "d-1" };
    const body = "{not json";
    const wrongType = await fetch(harness.webhookUrl, {
      method: "POST",
      headers: { ...headers, "content-type": "text/plain", "x-hub-signature-256": sign(body, SECRET) },
      body,
    });
    expect(wrongType.status).toBe(415);
    const badJson = await fetch(harness.webhookUrl, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json", "x-hub-signature-256": sign(body, SECRET) },
      body,
    });
    expect(badJson.status).toBe(400);
    const missingHeaders = await fetch(harness.webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(missingHeaders.status).toBe(400);
    expect(await missingHeaders.text()).toContain("x-github-event");
    expect((await fetch(`${harness.baseUrl}/nowhere`)).status).toBe(404);
    const counts = await harness.shepherd.queues.events.getJobCounts();
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(0);
  });

  it("drops events it does not handle without queueing them", async () => {
    harness = await startHarness({ settings: { role: "web" } });
    const result = await harness.send("star", {
      action: "created",
      installation: { id: 1 },
      sender: { login: "x", id: 1 },
    });
    expect(result.status).toBe(200);
    const counts = await harness.shepherd.queues.events.getJobCounts();
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(0);
  });

  it("refuses to start without Redis, saying how to get one", async () => {
    const settings = Settings.parse({ redisUrl: "redis://127.0.0.1:1", port: 0 });
    const env = { APP_ID: "1", PRIVATE_KEY: TEST_PRIVATE_KEY, WEBHOOK_SECRET: "x" } as NodeJS.ProcessEnv;
    const error = await startShepherd({ settings, env }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RedisUnavailableError);
    expect((error as Error).message).toMatch(/needs Redis.*127\.0\.0\.1:1/s);
    expect((error as Error).message).toContain("docker compose up -d redis");
  });

  it("subscribes app.yml to exactly the events Shepherd handles", () => {
    const manifest = parse(readFileSync(new URL("../../app.yml", import.meta.url), "utf8")) as {
      default_events: string[];
    };
    // Installation events reach every app without subscribing.
    const subscribable = HANDLED_EVENTS.filter((name) => !name.startsWith("installation"));
    expect([...manifest.default_events].sort()).toEqual([...subscribable].sort());
  });
});

describe("shutdown", () => {
  const issueText = {
    title: "Async QuerySet.aget() and acreate()",
    body: "Managers should offer aget() and acreate().",
    user: "someone",
  };

  async function activeJob(h: Harness): Promise<void> {
    for (let i = 0; i < 100; i++) {
      if (((await h.shepherd.queues.events.getJobCounts("active")).active ?? 0) > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error("the job never became active");
  }

  it("finishes the job in hand before it stops, and takes no webhook after", async () => {
    harness = await startHarness();
    const issue = harness.fake.state.addIssue(harness.repo, issueText);
    harness.fake.delayNext("issues/add-labels", 400);
    expect((await harness.send("issues", harness.issuePayload("opened", issue))).status).toBe(202);
    await activeJob(harness);
    await harness.shepherd.stop();
    expect(harness.fake.state.issue(harness.repo, issue.number).labels).toContain("async");
    await expect(harness.send("issues", harness.issuePayload("edited", issue))).rejects.toThrow();
  });

  it("hands a job that outlives the bound back to the queue", async () => {
    harness = await startHarness({ settings: { shutdownTimeoutMs: 200 } });
    const issue = harness.fake.state.addIssue(harness.repo, issueText);
    harness.fake.delayNext("issues/add-labels", 1500);
    await harness.send("issues", harness.issuePayload("opened", issue));
    await activeJob(harness);
    const started = Date.now();
    await harness.shepherd.stop();
    expect(Date.now() - started).toBeLessThan(1200);
    // Still owned by the stopped worker until its lock lapses; then any worker picks it up again.
    const queue = new Queue(EVENTS_QUEUE, { connection: harness.redis, prefix: harness.prefix });
    const counts = await queue.getJobCounts("active", "waiting", "prioritized", "completed");
    await queue.close();
    expect(counts.completed).toBe(0);
    expect((counts.active ?? 0) + (counts.waiting ?? 0) + (counts.prioritized ?? 0)).toBe(1);
  });
});

describe("job schedulers", () => {
  it("upserts the daily sweep, the digest tick and the weekly reconcile, once however often workers start", async () => {
    harness = await startHarness({ settings: { schedulers: true } });
    await harness.restart();
    const schedulers = await harness.shepherd.queues.tasks.getJobSchedulers();
    expect(schedulers.map((entry) => [entry.key, entry.pattern, entry.tz]).sort()).toEqual([
      ["daily-sweep", "0 6 * * *", "UTC"],
      ["digest-tick", "5 * * * *", "UTC"],
      ["weekly-reconcile", "0 3 * * 0", "UTC"],
    ]);
  });

  it("adds the replay of missed deliveries every SHEPHERD_REPLAY_EVERY_MS, and removes it when replay is off", async () => {
    harness = await startHarness({ settings: { schedulers: true, replay: true, replayEveryMs: 120_000 } });
    const { tasks } = harness.shepherd.queues;
    const replay = (await tasks.getJobSchedulers()).find((entry) => entry.key === "replay-deliveries");
    expect(replay).toMatchObject({ every: 120_000, template: { data: { kind: "replay-deliveries", max: 20 } } });
    await upsertSchedulers(harness.shepherd.queues, { replay: false, replayEveryMs: 120_000, replayMax: 20 });
    expect((await tasks.getJobSchedulers()).map((entry) => entry.key).sort()).toEqual([
      "daily-sweep",
      "digest-tick",
      "weekly-reconcile",
    ]);
  });
});
