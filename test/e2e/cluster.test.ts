// Shepherd on a real Redis Cluster (three masters started here, no replicas): triage and claims go
// through the real path, every key lands in the one slot of the prefix's hash tag, and nothing is
// written to the shared Redis that SHEPHERD_REDIS_URL points at.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { digestCommand } from "../../src/cli/digest.js";
import { type Harness, REDIS_URL, startHarness as startOwnHarness } from "../support/harness.js";
import { harnessPerTest } from "../support/per-test.js";
import { clusterUnsupported, type RedisServers, startRedisCluster } from "../support/redis-servers.js";

const unsupported = await clusterUnsupported();

// The projection (read by the digest command below) is kept only for repos that report.
const TRIAGE_CONFIG = "preset: django-async\ntriage: {}\ndigest:\n  discussionCategory: Announcements\n";
const CLAIMS_CONFIG = "preset: django-async\ntriage:\n  explain: none\ncommands: {}\nclaims: {}\n";

const ASYNC_ISSUE = {
  title: "Add async QuerySet.aget() and acreate() to the ORM",
  body: "Model managers should expose `aget()`, `acreate()` and `acount()` so async views can query without `sync_to_async` wrappers.",
  user: "newcomer",
};

async function onNode<T>(port: number, use: (node: Redis) => Promise<T>): Promise<T> {
  const node = new Redis({ port, host: "127.0.0.1" });
  try {
    return await use(node);
  } finally {
    node.disconnect();
  }
}

/** Each node's keys under the prefix, read from the node itself (not through the cluster client). */
async function keysPerNode(cluster: RedisServers, prefix: string): Promise<Map<number, string[]>> {
  const found = new Map<number, string[]>();
  for (const port of cluster.ports) {
    const keys = await onNode(port, async (node) => {
      const keys: string[] = [];
      let cursor = "0";
      do {
        const [next, batch] = await node.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
        cursor = next;
        keys.push(...batch);
      } while (cursor !== "0");
      return keys;
    });
    found.set(port, keys);
  }
  return found;
}

/** The slot of `key` and the port of the master that serves it, as the cluster itself says. */
async function owner(cluster: RedisServers, key: string): Promise<{ slot: number; port: number }> {
  return onNode(cluster.ports[0] ?? 0, async (node) => {
    const slot = Number(await node.call("CLUSTER", "KEYSLOT", key));
    const ranges = (await node.call("CLUSTER", "SLOTS")) as Array<[number, number, [string, number, ...unknown[]]]>;
    const range = ranges.find(([from, to]) => slot >= from && slot <= to);
    if (!range) throw new Error(`no master serves slot ${slot}`);
    return { slot, port: range[2][1] };
  });
}

/** Connections Shepherd has open on the cluster's nodes (its own names and BullMQ's). */
async function shepherdClients(cluster: RedisServers, prefix: string): Promise<string[]> {
  const names: string[] = [];
  for (const port of cluster.ports) {
    const list = String(await onNode(port, (node) => node.call("CLIENT", "LIST")));
    for (const name of list.matchAll(/ name=(\S*)/g)) {
      if (name[1]?.startsWith("shepherd-") || name[1]?.startsWith(`${prefix}:`)) names.push(`${port} ${name[1]}`);
    }
  }
  return names;
}

function botComments(h: Harness, number: number) {
  return h.fake.state.commentsOn(h.repo, number).filter((comment) => comment.user.endsWith("[bot]"));
}

describe.skipIf(unsupported !== null)(
  `Shepherd on a Redis Cluster${unsupported ? ` (skipped: ${unsupported})` : ""}`,
  () => {
    let cluster: RedisServers;
    beforeAll(async () => {
      cluster = await startRedisCluster(3);
    }, 20_000);
    afterAll(() => cluster?.stop());
    const startHarness = harnessPerTest();

    it("triages a new issue, with every key in the slot of the prefix's tag on one master", async () => {
      const h = await startHarness({ cluster: cluster.seeds, config: TRIAGE_CONFIG });
      // The harness gave a plain prefix; on a cluster the settings tag it.
      expect(h.prefix).toMatch(/^\{shepherd-test-[0-9a-f]+\}$/);
      expect(h.logs).toContainEqual(
        expect.objectContaining({ msg: "using the Redis Cluster, SHEPHERD_REDIS_URL ignored" }),
      );

      const issue = await h.openIssue(ASYNC_ISSUE);
      const labels = h.fake.state.issue(h.repo, issue.number).labels;
      expect(labels).toEqual(expect.arrayContaining(["async", "subsystem:orm"]));
      const comments = botComments(h, issue.number);
      expect(comments).toHaveLength(1);
      expect(comments[0]?.body).toMatch(/<details><summary>async · orm\b.* — decided by /);

      const itemKey = h.shepherd.keys.item(h.repo.id, issue.number);
      const { slot, port } = await owner(cluster, itemKey);
      expect((await owner(cluster, `${h.prefix}:events:wait`)).slot).toBe(slot);
      const perNode = await keysPerNode(cluster, h.prefix);
      const held = perNode.get(port) ?? [];
      // Shepherd's state and BullMQ's queue both, on the master that owns the slot and nowhere else.
      expect(held).toContain(itemKey);
      expect(held).toEqual(expect.arrayContaining([`${h.prefix}:events:meta`, `${h.prefix}:events:completed`]));
      for (const [other, keys] of perNode) if (other !== port) expect(keys).toEqual([]);
      expect(Number(await onNode(port, (node) => node.call("CLUSTER", "COUNTKEYSINSLOT", slot)))).toBe(held.length);
      expect(JSON.parse((await onNode(port, (node) => node.hget(itemKey, "owned"))) ?? "[]")).toEqual(
        expect.arrayContaining(["async", "subsystem:orm"]),
      );
      // SHEPHERD_REDIS_URL (the shared Redis) was ignored.
      const shared = new Redis(REDIS_URL);
      try {
        expect(await shared.keys(`*${h.prefix.slice(1, -1)}*`)).toEqual([]);
      } finally {
        shared.disconnect();
      }

      // The digest command reads the same cluster, tagging the plain prefix as the app does.
      let out = "";
      let err = "";
      const env = { SHEPHERD_REDIS_CLUSTER: cluster.seeds, SHEPHERD_PREFIX: h.prefix.slice(1, -1) };
      const code = await digestCommand(
        ["--repo", "django/django", "--dry-run"],
        { write: (text: string) => (out += text) },
        { write: (text: string) => (err += text) },
        env,
      );
      expect(err).toBe("");
      expect(code).toBe(0);
      expect(out).toContain(`#${issue.number}`);

      const ready = await fetch(`${h.baseUrl}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ redis: true, redisWarnings: [] });
    });

    it("takes a claim and refuses a second claimant, the claim held on the slot's master", async () => {
      // One master that may evict keys is named in the start's warnings (the cluster is this file's own).
      const lax = cluster.ports[1] ?? 0;
      await onNode(lax, (node) => node.config("SET", "maxmemory-policy", "volatile-lru"));
      let h: Harness;
      try {
        h = await startHarness({ cluster: cluster.seeds, config: CLAIMS_CONFIG });
      } finally {
        await onNode(lax, (node) => node.config("SET", "maxmemory-policy", "noeviction"));
      }
      expect(await (await fetch(`${h.baseUrl}/readyz`)).json()).toMatchObject({
        redisWarnings: [`maxmemory-policy is volatile-lru on 127.0.0.1:${lax}; Shepherd needs noeviction`],
      });
      const issue = h.fake.state.addIssue(h.repo, {
        title: "Make the cache backends async-capable",
        body: "BaseCache should get aget() and aset().",
        user: "reporter",
      });
      for (const user of ["alice", "bob"]) {
        expect((await h.comment(issue, user, "/claim")).status).toBe(202);
        await h.settle();
      }
      expect(h.fake.state.issue(h.repo, issue.number).assignees).toEqual(["alice"]);
      const thumbs = h.fake.state
        .commentsOn(h.repo, issue.number)
        .filter((comment) => comment.user === "alice")
        .flatMap((comment) => comment.reactions)
        .filter((reaction) => reaction.content === "+1");
      expect(thumbs).toHaveLength(1);
      const replies = botComments(h, issue.number).map((comment) => comment.body);
      expect(replies).toEqual([expect.stringContaining("already claimed by **alice**")]);

      const claimKey = h.shepherd.keys.claim(h.repo.id, issue.number);
      const { port } = await owner(cluster, claimKey);
      expect(await onNode(port, (node) => node.hget(claimKey, "claimant"))).toBe("alice");
      const claimsOf = h.shepherd.keys.claimsOf(h.repo.id, "alice");
      expect(await onNode(port, (node) => node.smembers(claimsOf))).toEqual([String(issue.number)]);

      // Taken away from the installation: the purge scans the masters and leaves none of its keys.
      const root = h.shepherd.keys.root();
      const ofRepo = (key: string) => key.slice(root.length).split(":")[1] === String(h.repo.id);
      const before = [...(await keysPerNode(cluster, h.prefix)).values()].flat().filter(ofRepo);
      expect(before).toContain(claimKey);
      const repositories = [{ id: h.repo.id, name: h.repo.name, full_name: `${h.repo.owner}/${h.repo.name}` }];
      const removal = { action: "removed", installation: { id: 4242 }, repositories_removed: repositories };
      expect((await h.send("installation_repositories", removal)).status).toBe(202);
      await h.settle();
      expect([...(await keysPerNode(cluster, h.prefix)).values()].flat().filter(ofRepo)).toEqual([]);
    });

    it("closes every connection it opened, its workers' too, when it stops", async () => {
      // Closed here rather than after the test, to look at the nodes afterwards.
      const h = await startOwnHarness({ cluster: cluster.seeds });
      expect(await shepherdClients(cluster, h.prefix)).toEqual(
        expect.arrayContaining([expect.stringContaining("shepherd-state"), expect.stringContaining("shepherd-worker")]),
      );
      await h.close();
      h.fake.assertNoErrors();
      await expect.poll(() => shepherdClients(cluster, h.prefix), { timeout: 3000 }).toEqual([]);
    });
  },
);
