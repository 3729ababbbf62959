import { Cluster, Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { clusterSeeds, createRedis, describeRedis, type RedisTarget, workerConnections } from "../../src/redis.js";
import { readSettings } from "../../src/settings.js";

function target(env: NodeJS.ProcessEnv): RedisTarget {
  return readSettings(env);
}

const CLUSTER = {
  SHEPHERD_REDIS_CLUSTER: "10.0.0.1:7000,10.0.0.2:7001",
  SHEPHERD_REDIS_TLS: "on",
  SHEPHERD_REDIS_USERNAME: "shepherd",
  SHEPHERD_REDIS_PASSWORD: "secret",
};

describe("Redis connections", () => {
  it("reads seed nodes, IPv6 hosts in brackets", () => {
    expect(clusterSeeds("10.0.0.1:7000, redis-2.internal:7001,[::1]:7002")).toEqual([
      { host: "10.0.0.1", port: 7000 },
      { host: "redis-2.internal", port: 7001 },
      { host: "::1", port: 7002 },
    ]);
  });

  it("connects to one server by its URL, TLS from rediss://, failing fast", () => {
    const redis = createRedis(target({ SHEPHERD_REDIS_URL: "rediss://user:pw@redis.internal:6380/2" }), "web");
    expect(redis).toBeInstanceOf(Redis);
    expect((redis as Redis).options).toMatchObject({
      host: "redis.internal",
      port: 6380,
      db: 2,
      username: "user",
      password: "pw",
      tls: expect.anything(),
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectionName: "shepherd-web",
    });
    redis.disconnect();
  });

  it("connects to a cluster instead, with TLS and credentials on every node, failing fast", () => {
    const redis = createRedis(target({ ...CLUSTER, SHEPHERD_REDIS_URL: "redis://elsewhere:6379" }), "state");
    expect(redis).toBeInstanceOf(Cluster);
    const cluster = redis as Cluster;
    expect(cluster.options).toMatchObject({ enableOfflineQueue: false, lazyConnect: true });
    expect(cluster.options.redisOptions).toMatchObject({
      username: "shepherd",
      password: "secret",
      tls: {},
      maxRetriesPerRequest: 1,
      connectionName: "shepherd-state",
    });
    expect(cluster.options.dnsLookup).toBeTypeOf("function");
    redis.disconnect();
  });

  it("gives workers options for one server and a client of their own on a cluster, closed after them", () => {
    const single = workerConnections(target({ SHEPHERD_REDIS_URL: "rediss://:pw@redis.internal:6380" })).next();
    expect(single).toEqual({
      host: "redis.internal",
      port: 6380,
      password: "pw",
      tls: {},
      connectionName: "shepherd-worker",
      maxRetriesPerRequest: null,
    });
    const connections = workerConnections(target(CLUSTER));
    const [first, second] = [connections.next(), connections.next()];
    expect(first).toBeInstanceOf(Cluster);
    expect(second).not.toBe(first);
    expect((first as Cluster).options.redisOptions).toMatchObject({ maxRetriesPerRequest: null, tls: {} });
    connections.close();
    expect([(first as Cluster).status, (second as Cluster).status]).toEqual(["end", "end"]);
  });

  it("names where it looks without a password", () => {
    expect(describeRedis(target({ SHEPHERD_REDIS_URL: "redis://u:hunter2@redis.internal:6379" }))).toBe(
      "redis://u:***@redis.internal:6379",
    );
    expect(describeRedis(target(CLUSTER))).toBe("the cluster 10.0.0.1:7000,10.0.0.2:7001");
  });
});
