import { describe, expect, it } from "vitest";
import { readSettings } from "../../src/settings.js";

describe("readSettings", () => {
  it("has defaults that run everything against a local Redis", () => {
    expect(readSettings({})).toMatchObject({
      role: "all",
      redisUrl: "redis://127.0.0.1:6379",
      prefix: "shepherd",
      port: 3000,
      concurrency: 8,
      schedulers: true,
      replay: true,
      replayEveryMs: 300_000,
      replayMax: 20,
    });
  });

  it("turns the queue dashboard on only with a password long enough, and never echoes it", () => {
    expect(readSettings({}).adminPassword).toBeUndefined();
    expect(readSettings({ SHEPHERD_ADMIN_PASSWORD: "twelve chars", SHEPHERD_ADMIN_READ_ONLY: "on" })).toMatchObject({
      adminPassword: "twelve chars",
      adminUser: "admin",
      adminReadOnly: true,
    });
    expect(() => readSettings({ SHEPHERD_ADMIN_PASSWORD: "hunter2" })).toThrow(
      /SHEPHERD_ADMIN_PASSWORD: .*at least 12 characters/,
    );
    expect(() => readSettings({ SHEPHERD_ADMIN_PASSWORD: "hunter2" })).not.toThrow(/hunter2/);
    expect(() => readSettings({ SHEPHERD_ADMIN_USER: "a:b" })).toThrow(/SHEPHERD_ADMIN_USER/);
  });

  it("reads the environment", () => {
    const settings = readSettings({
      SHEPHERD_ROLE: "worker",
      SHEPHERD_REDIS_URL: "redis://redis.internal:6380/2",
      SHEPHERD_CONCURRENCY: "16",
      SHEPHERD_SCHEDULERS: "off",
      SHEPHERD_REPLAY: "off",
      SHEPHERD_REPLAY_EVERY_MS: "60000",
      SHEPHERD_REPLAY_MAX: "5",
      PORT: "8080",
    });
    expect(settings).toMatchObject({
      role: "worker",
      redisUrl: "redis://redis.internal:6380/2",
      concurrency: 16,
      port: 8080,
      schedulers: false,
      replay: false,
      replayEveryMs: 60_000,
      replayMax: 5,
    });
  });

  it("reads a cluster's seeds, TLS and credentials, and tags the prefix for it", () => {
    const settings = readSettings({
      SHEPHERD_REDIS_CLUSTER: "10.0.0.1:7000, redis-2.internal:7001,[::1]:7002",
      SHEPHERD_REDIS_TLS: "on",
      SHEPHERD_REDIS_USERNAME: "shepherd",
      SHEPHERD_REDIS_PASSWORD: "secret",
    });
    expect(settings).toMatchObject({
      redisCluster: "10.0.0.1:7000, redis-2.internal:7001,[::1]:7002",
      redisTls: true,
      redisUsername: "shepherd",
      redisPassword: "secret",
      prefix: "{shepherd}",
    });
  });

  it("takes a prefix wrapped in braces as it is, with or without a cluster", () => {
    expect(readSettings({ SHEPHERD_PREFIX: "{prod}" }).prefix).toBe("{prod}");
    expect(readSettings({ SHEPHERD_PREFIX: "{prod}", SHEPHERD_REDIS_CLUSTER: "h:1" }).prefix).toBe("{prod}");
    expect(readSettings({ SHEPHERD_PREFIX: "prod" }).prefix).toBe("prod");
    expect(readSettings({ SHEPHERD_PREFIX: "prod", SHEPHERD_REDIS_CLUSTER: "h:1" }).prefix).toBe("{prod}");
  });

  it.each([
    [{ SHEPHERD_ROLE: "both" }, "SHEPHERD_ROLE"],
    [{ SHEPHERD_CONCURRENCY: "0" }, "SHEPHERD_CONCURRENCY"],
    [{ SHEPHERD_REDIS_URL: "not a url" }, "SHEPHERD_REDIS_URL"],
    [{ SHEPHERD_PREFIX: "has:colon" }, "SHEPHERD_PREFIX"],
    [{ SHEPHERD_SCHEDULERS: "maybe" }, "SHEPHERD_SCHEDULERS"],
    [{ SHEPHERD_REDIS_CLUSTER: "redis.internal" }, "SHEPHERD_REDIS_CLUSTER"],
    [{ SHEPHERD_REDIS_CLUSTER: "redis://a:1" }, "SHEPHERD_REDIS_CLUSTER"],
    [{ SHEPHERD_PREFIX: "{open" }, "SHEPHERD_PREFIX"],
    [{ SHEPHERD_PREFIX: "a{b}" }, "SHEPHERD_PREFIX"],
    [{ SHEPHERD_REDIS_TLS: "on" }, "SHEPHERD_REDIS_TLS: applies to SHEPHERD_REDIS_CLUSTER only"],
    [{ SHEPHERD_REDIS_PASSWORD: "secret" }, "SHEPHERD_REDIS_PASSWORD: applies to SHEPHERD_REDIS_CLUSTER only"],
    [{ SHEPHERD_REPLAY_EVERY_MS: "1000" }, "SHEPHERD_REPLAY_EVERY_MS"],
    [{ SHEPHERD_REPLAY_MAX: "0" }, "SHEPHERD_REPLAY_MAX"],
  ])("names the variable that is wrong: %j", (env, name) => {
    expect(() => readSettings(env)).toThrow(name);
  });
});
