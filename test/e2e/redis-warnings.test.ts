// BullMQ needs a Redis that never evicts keys. Shepherd checks maxmemory-policy at start, here on a
// private redis-server (the shared one is never reconfigured): it warns, says so in /readyz, and
// starts either way, also when a managed Redis refuses CONFIG.
import { describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/harness.js";
import { startRedisServer } from "../support/redis-servers.js";

/** Shepherd on a redis-server of its own, started with `args`; closed before the server stops. */
async function onPrivateRedis(args: string[], credentials: string, use: (h: Harness) => Promise<void>) {
  const server = await startRedisServer(args);
  try {
    const h = await startHarness({ redisUrl: `redis://${credentials}${server.seeds}` });
    try {
      await use(h);
    } finally {
      await h.close();
    }
    h.fake.assertNoErrors();
  } finally {
    await server.stop();
  }
}

async function readiness(h: Harness): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${h.baseUrl}/readyz`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("the eviction policy check", () => {
  it("warns in the log and in /readyz when Redis may evict keys, and runs anyway", async () => {
    await onPrivateRedis(["--maxmemory-policy", "allkeys-lru"], "", async (h) => {
      expect(h.logs).toContainEqual(
        expect.objectContaining({ level: 40, msg: "redis maxmemory-policy is not noeviction", policy: "allkeys-lru" }),
      );
      expect(await readiness(h)).toMatchObject({
        status: 200,
        body: { status: "ready", redisWarnings: ["maxmemory-policy is allkeys-lru; Shepherd needs noeviction"] },
      });
      const issue = await h.openIssue({
        title: "Async QuerySet.aget()",
        body: "aget() and acreate()",
        user: "newcomer",
      });
      expect(h.fake.state.issue(h.repo, issue.number).labels).toContain("async");
    });
  });

  it("says the policy could not be checked when CONFIG is refused (a managed Redis), and runs anyway", async () => {
    // An ACL user without CONFIG, as managed services hand out; its credentials come in the URL.
    const user = ["--user", "shepherd", "on", ">s3cret", "~*", "&*", "+@all", "-config"];
    await onPrivateRedis(user, "shepherd:s3cret@", async (h) => {
      expect(h.logs).toContainEqual(
        expect.objectContaining({ level: 40, msg: "redis maxmemory-policy could not be checked" }),
      );
      const { status, body } = await readiness(h);
      expect(status).toBe(200);
      expect(body.redisWarnings).toEqual([
        expect.stringMatching(/^maxmemory-policy could not be checked \(NOPERM.*\); Shepherd needs noeviction$/),
      ]);
    });
  });

  it("has nothing to say about a Redis that does not evict", async () => {
    await onPrivateRedis(["--maxmemory-policy", "noeviction"], "", async (h) => {
      expect(h.logs.filter((line) => String(line.msg).startsWith("redis maxmemory-policy"))).toEqual([]);
      expect(await readiness(h)).toMatchObject({ status: 200, body: { redisWarnings: [] } });
    });
  });
});
