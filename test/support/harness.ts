// End-to-end harness: the real Shepherd (web + worker roles) on a real Redis, talking to the fake
// GitHub on 127.0.0.1 through the same GHE_HOST setting a GitHub Enterprise user would use.
import { randomBytes } from "node:crypto";
import { Cluster, Redis } from "ioredis";
import { pino } from "pino";
import type { FakeGitHub } from "../fake-github/server.js";
import type { CommentRecord, DiffEntryInput, IssueRecord, RepoRecord } from "../fake-github/state.js";
import { clusterSeeds, type RedisClient } from "../../src/redis.js";
import { Settings } from "../../src/settings.js";
import { startShepherd, type Shepherd } from "../../src/shepherd.js";
import { deliver, type DeliveryResult } from "./webhooks.js";
import { type Payloads, SECRET, startWorld, TEST_PRIVATE_KEY, type WorldOptions } from "./world.js";

export const REDIS_URL = process.env.SHEPHERD_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
export { DJANGO_CONFIG, INSTALLATION_ID, SECRET, TEST_PRIVATE_KEY } from "./world.js";

export interface HarnessOptions extends WorldOptions {
  settings?: Partial<Settings>;
  /** Shepherd's clock (tests that move time). */
  now?: () => number;
  /** Redis URL Shepherd uses (tests that cut Redis point it at a proxy). */
  redisUrl?: string;
  /** Seed nodes of a Redis Cluster (./redis-servers.ts) Shepherd and the harness use instead. */
  cluster?: string;
}

export interface Harness extends Payloads {
  fake: FakeGitHub;
  shepherd: Shepherd;
  repo: RepoRecord;
  webhookUrl: string;
  baseUrl: string;
  /** The prefix Shepherd writes under (on a cluster, hash-tagged by the settings). */
  prefix: string;
  redis: RedisClient;
  /** GitHub's author_association per login in payloads (default CONTRIBUTOR). */
  associations: Map<string, string>;
  /** Everything Shepherd logged, as parsed JSON lines. */
  logs: Array<Record<string, unknown>>;
  send(
    name: string,
    payload: Record<string, unknown>,
    options?: { id?: string; signature?: string | null },
  ): Promise<DeliveryResult>;
  /** Stops Shepherd and starts a new one on the same settings; `flush` first deletes its Redis keys. */
  restart(options?: { flush?: boolean }): Promise<void>;
  /** Waits until no webhook is pending and no job is waiting, active or delayed in any queue. */
  settle(timeoutMs?: number): Promise<void>;
  /** Adds an issue to the fake, delivers `issues.opened`, waits for the jobs. */
  openIssue(seed: { title: string; body: string; user: string; labels?: string[] }): Promise<IssueRecord>;
  /** Adds a pull request with its changed files to the fake, delivers `pull_request.opened`, waits for the jobs. */
  openPull(seed: { title: string; body: string; user: string }, files: DiffEntryInput[]): Promise<IssueRecord>;
  /** Adds a comment to the fake (as GitHub would hold it) and delivers its `issue_comment.created`. */
  comment(issue: IssueRecord, user: string, body: string, association?: string): Promise<DeliveryResult>;
  /** Calls to the fake since `since` (an index into fake.calls), without installation-token calls. */
  apiCalls(since?: number): Array<{ method: string; operationId: string | null | undefined }>;
  close(): Promise<void>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const world = await startWorld(options);
  const { fake, repo, echo, associations } = world;

  const settings = Settings.parse({
    role: "all",
    redisUrl: options.redisUrl ?? REDIS_URL,
    ...(options.cluster ? { redisCluster: options.cluster } : {}),
    prefix: `shepherd-test-${randomBytes(4).toString("hex")}`,
    host: "127.0.0.1",
    port: 0,
    concurrency: 4,
    attempts: 4,
    backoffMs: 50,
    shutdownTimeoutMs: 2000,
    // Scheduled jobs firing in the middle of a test would make its call counts flaky; the
    // schedulers have a test of their own.
    schedulers: false,
    // Replay at start would redeliver what a test's stops and restarts left failed; its own tests turn it on.
    replay: false,
    // Write spacing and budgets are measured by their own tests; here they would only slow every
    // test down.
    writeIntervalMs: 0,
    writesPerMinute: 0,
    writesPerHour: 0,
    // Every harness start would pay for it; the built app's process tests and its own test keep it.
    selfCheckPings: 0,
    ...options.settings,
  });
  const { prefix } = settings;
  const env = {
    APP_ID: "1",
    PRIVATE_KEY: TEST_PRIVATE_KEY,
    WEBHOOK_SECRET: SECRET,
    GHE_HOST: fake.host,
    GHE_PROTOCOL: "http",
    LOG_LEVEL: process.env.SHEPHERD_TEST_LOG_LEVEL ?? "fatal",
    NODE_ENV: "test",
  } as NodeJS.ProcessEnv;
  const logs: Array<Record<string, unknown>> = [];
  const printLogs = process.env.SHEPHERD_TEST_LOG === "1";
  const log = pino(
    { level: "debug" },
    {
      write(line: string) {
        logs.push(JSON.parse(line) as Record<string, unknown>);
        if (printLogs) process.stderr.write(line);
      },
    },
  );
  let shepherd = await startShepherd({
    settings,
    env,
    log,
    ...(options.now ? { now: options.now } : {}),
  });
  let baseUrl = `http://127.0.0.1:${shepherd.address?.port}`;
  let webhookUrl = `${baseUrl}${settings.webhookPath}`;
  if (echo) fake.setWebhookTarget(webhookUrl);
  const redis = options.cluster
    ? new Cluster(clusterSeeds(options.cluster))
    : new Redis(REDIS_URL, { lazyConnect: false });
  // A cluster client learns the topology before its first command answers; deleteKeys needs it.
  await redis.ping();

  const harness: Harness = {
    ...world,
    fake,
    shepherd,
    repo,
    webhookUrl,
    baseUrl,
    prefix,
    redis,
    logs,
    associations,
    async restart(restartOptions = {}) {
      await harness.shepherd.stop();
      if (restartOptions.flush) await deleteKeys(redis, `${prefix}:*`);
      shepherd = await startShepherd({
        settings,
        env,
        log,
        ...(options.now ? { now: options.now } : {}),
      });
      baseUrl = `http://127.0.0.1:${shepherd.address?.port}`;
      webhookUrl = `${baseUrl}${settings.webhookPath}`;
      Object.assign(harness, { shepherd, baseUrl, webhookUrl });
      if (echo) fake.setWebhookTarget(webhookUrl);
      if (settings.role !== "web") await harness.settle();
    },
    send(name, payload, sendOptions = {}) {
      return deliver({ url: harness.webhookUrl, secret: SECRET, name, payload, ...sendOptions });
    },
    async settle(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      let quiet = 0;
      while (Date.now() < deadline) {
        const counts = await Promise.all(
          [harness.shepherd.queues.events, harness.shepherd.queues.tasks].map(async (queue) => {
            const counts = await queue.getJobCounts("waiting", "active", "prioritized", "waiting-children");
            // The daily sweep's next run sits in "delayed" for hours: only other delayed jobs count.
            const delayed = (await queue.getDelayed()).filter((job) => !job.repeatJobKey).length;
            return { ...counts, delayed };
          }),
        );
        // A webhook still on its way will queue jobs: it counts as work.
        const busy =
          fake.pendingWebhooks() +
          counts.reduce((sum, count) => sum + Object.values(count).reduce((a, b) => a + b, 0), 0);
        quiet = busy === 0 ? quiet + 1 : 0;
        if (quiet >= 3) return;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error("queues did not settle in time");
    },
    async openIssue(seed) {
      const issue = fake.state.addIssue(repo, seed);
      await harness.send("issues", harness.issuePayload("opened", issue));
      await harness.settle();
      return fake.state.issue(repo, issue.number);
    },
    async openPull(seed, files) {
      const pull = fake.state.addIssue(repo, { ...seed, pull_request: true });
      fake.state.addPullFiles(repo, pull.number, files);
      await harness.send("pull_request", harness.pullPayload("opened", pull));
      await harness.settle();
      return fake.state.issue(repo, pull.number);
    },
    async comment(issue, user, body, association) {
      const record = fake.state.addComment(harness.repo, issue.number, { body, user });
      const current = fake.state.issue(harness.repo, issue.number);
      const payload = harness.commentPayload("created", current, record);
      if (association) (payload.comment as Record<string, unknown>).author_association = association;
      return harness.send("issue_comment", payload);
    },
    apiCalls(since = 0) {
      return fake.calls
        .slice(since)
        .filter((call) => call.operationId !== "apps/create-installation-access-token")
        .map((call) => ({ method: call.method, operationId: call.operationId }));
    },
    async close() {
      await harness.shepherd.stop();
      await deleteKeys(redis, `${prefix}:*`);
      redis.disconnect();
      await fake.close();
    },
  };
  // Start-up work (the first start on an empty Redis rebuilds from GitHub) ends before a test runs.
  if (settings.role !== "web") await harness.settle();
  return harness;
}

export async function deleteKeys(redis: RedisClient, pattern: string): Promise<void> {
  // SCAN on a cluster sees one node's keys: ask every master (a tagged prefix's keys share a slot,
  // so one DEL takes a batch).
  if (redis instanceof Cluster) {
    for (const node of redis.nodes("master")) await deleteKeys(node, pattern);
    return;
  }
  let cursor = "0";
  do {
    const [next, found] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 500);
    cursor = next;
    if (found.length > 0) await redis.del(...found);
  } while (cursor !== "0");
}
