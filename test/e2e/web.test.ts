// The web role on its own: health endpoints, Redis going away, start-up without Redis.
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { HANDLED_EVENTS } from "../../src/events.js";
import { RedisUnavailableError } from "../../src/redis.js";
import { Settings } from "../../src/settings.js";
import { startShepherd } from "../../src/shepherd.js";
import { type Harness, REDIS_URL, startHarness, TEST_PRIVATE_KEY } from "../support/harness.js";
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
    const issue = harness.fake.state.addIssue(harness.repo, { title: "Async QuerySet.aget()", body: "", user: "someone" });
    const payload = harness.issuePayload("opened", issue);
    proxy.cut();
    const refused = await harness.send("issues", payload);
    expect(refused.status).toBe(503);
    proxy.restore();
    // ioredis reconnects on its own; GitHub's redelivery of the same id then goes through.
    let accepted = 0;
    for (let i = 0; i < 50 && accepted !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      accepted = (await harness.send("issues", payload, { id: refused.id })).status;
    }
    expect(accepted).toBe(200);
    expect(await harness.shepherd.queues.events.getJobCounts("waiting")).toEqual({ waiting: 1 });
  });

  it("drops events it does not handle without queueing them", async () => {
    harness = await startHarness({ settings: { role: "web" } });
    const result = await harness.send("star", { action: "created", installation: { id: 1 }, sender: { login: "x", id: 1 } });
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
    const manifest = parse(readFileSync(new URL("../../app.yml", import.meta.url), "utf8")) as { default_events: string[] };
    // Installation events reach every app without subscribing.
    const subscribable = HANDLED_EVENTS.filter((name) => !name.startsWith("installation"));
    expect([...manifest.default_events].sort()).toEqual([...subscribable].sort());
  });
});
