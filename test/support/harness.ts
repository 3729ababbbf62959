// End-to-end harness: the real Shepherd (web + worker roles) on a real Redis, talking to the fake
// GitHub on 127.0.0.1 through the same GHE_HOST setting a GitHub Enterprise user would use.
import { randomBytes } from "node:crypto";
import { appKeyPair } from "./keys.js";
import { existsSync, readFileSync } from "node:fs";
import { Redis } from "ioredis";
import { pino } from "pino";
import { parse } from "yaml";
import { startFakeGitHub, type FakeGitHub, type FakeGitHubOptions } from "../fake-github/server.js";
import type { CommentRecord, DiffEntryInput, IssueRecord, RepoRecord } from "../fake-github/state.js";
import { Settings } from "../../src/settings.js";
import { startShepherd, type Shepherd } from "../../src/shepherd.js";
import { deliver, type DeliveryResult, examplePayload } from "./webhooks.js";

export const REDIS_URL = process.env.SHEPHERD_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
export const SECRET = "test-webhook-secret";
export const INSTALLATION_ID = 4242;

const keys = appKeyPair();

/** The test app's private key (PKCS#1, as GitHub issues them). */
export const TEST_PRIVATE_KEY = keys.privateKey;

export interface HarnessOptions {
  /** Contents of `.github/shepherd.yml` in the default repo; null for none. */
  config?: string | null;
  settings?: Partial<Settings>;
  /** Shepherd's clock (tests that move time). */
  now?: () => number;
  /** Redis URL Shepherd uses (tests that cut Redis point it at a proxy). */
  redisUrl?: string;
  /** More options for the fake GitHub (e.g. relaxed contentLimits for a benchmark). */
  fake?: Omit<FakeGitHubOptions, "appPublicKey" | "appSlug" | "webhooks">;
  /** The fake sends Shepherd the webhooks of Shepherd's own changes, as GitHub does. Default true. */
  echo?: boolean;
}

export interface Harness {
  fake: FakeGitHub;
  shepherd: Shepherd;
  repo: RepoRecord;
  webhookUrl: string;
  baseUrl: string;
  prefix: string;
  redis: Redis;
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
  issuePayload(action: string, issue: IssueRecord, extra?: Record<string, unknown>): Record<string, unknown>;
  pullPayload(action: string, pull: IssueRecord, extra?: Record<string, unknown>): Record<string, unknown>;
  /** Adds an issue to the fake, delivers `issues.opened`, waits for the jobs. */
  openIssue(seed: { title: string; body: string; user: string; labels?: string[] }): Promise<IssueRecord>;
  /** Adds a pull request with its changed files to the fake, delivers `pull_request.opened`, waits for the jobs. */
  openPull(seed: { title: string; body: string; user: string }, files: DiffEntryInput[]): Promise<IssueRecord>;
  /** An `issue_comment` payload for a comment already in the fake's state. */
  commentPayload(
    action: string,
    issue: IssueRecord,
    comment: CommentRecord,
    extra?: Record<string, unknown>,
  ): Record<string, unknown>;
  /** Adds a comment to the fake (as GitHub would hold it) and delivers its `issue_comment.created`. */
  comment(issue: IssueRecord, user: string, body: string, association?: string): Promise<DeliveryResult>;
  /** Calls to the fake since `since` (an index into fake.calls), without installation-token calls. */
  apiCalls(since?: number): Array<{ method: string; operationId: string | null | undefined }>;
  close(): Promise<void>;
}

// From test/support or, compiled for the benchmarks, from dist/test/support.
const MANIFEST_URL = [new URL("../../app.yml", import.meta.url), new URL("../../../app.yml", import.meta.url)].find(
  (url) => existsSync(url),
);
const MANIFEST_PERMISSIONS = (
  parse(readFileSync(MANIFEST_URL ?? "app.yml", "utf8")) as { default_permissions: Record<string, string> }
).default_permissions;

export const DJANGO_CONFIG = ["preset: django-async", "triage: {}", ""].join("\n");

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const echo = options.echo ?? true;
  const fake = await startFakeGitHub({
    ...options.fake,
    appPublicKey: keys.publicKey,
    appSlug: "shepherd",
    ...(echo && { webhooks: { secret: SECRET } }),
  });
  // The installation has exactly the permissions app.yml asks for: a call they do not cover fails.
  fake.state.addInstallation(INSTALLATION_ID, "django", { permissions: MANIFEST_PERMISSIONS });
  const repo = fake.state.addRepo({ owner: "django", name: "django", defaultBranch: "main" });
  const config = options.config === undefined ? DJANGO_CONFIG : options.config;
  if (config !== null) fake.state.addFile("django/django", ".github/shepherd.yml", config);

  const prefix = `shepherd-test-${randomBytes(4).toString("hex")}`;
  const settings = Settings.parse({
    role: "all",
    redisUrl: options.redisUrl ?? REDIS_URL,
    prefix,
    host: "127.0.0.1",
    port: 0,
    concurrency: 4,
    attempts: 4,
    backoffMs: 50,
    shutdownTimeoutMs: 2000,
    // Scheduled jobs firing in the middle of a test would make its call counts flaky; the
    // schedulers have a test of their own.
    schedulers: false,
    // Write spacing is measured by its own test; here it would only slow every test down.
    writeIntervalMs: 0,
    ...options.settings,
  });
  const env = {
    APP_ID: "1",
    PRIVATE_KEY: keys.privateKey,
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
  const redis = new Redis(REDIS_URL, { lazyConnect: false });

  function repository(): Record<string, unknown> {
    const base = examplePayload("issues", "opened").repository as Record<string, unknown>;
    return {
      ...base,
      id: repo.id,
      name: repo.name,
      full_name: `${repo.owner}/${repo.name}`,
      default_branch: repo.defaultBranch,
      owner: { ...(base.owner as Record<string, unknown>), login: repo.owner, type: "Organization" },
    };
  }

  const associations = new Map<string, string>();

  function itemFields(record: IssueRecord): Record<string, unknown> {
    const milestone = record.milestone === null ? null : repo.milestones.get(record.milestone);
    return {
      author_association: associations.get(record.user) ?? "CONTRIBUTOR",
      number: record.number,
      title: record.title,
      body: record.body,
      state: record.state,
      user: {
        ...(examplePayload("issues", "opened").sender as Record<string, unknown>),
        login: record.user,
        type: "User",
      },
      assignees: record.assignees.map((login) => ({ login, id: fake.state.user(login).id, type: "User" })),
      labels: record.labels.map((key) => {
        const label = repo.labels.get(key);
        return { name: label?.name ?? key, color: label?.color ?? "ededed", default: false };
      }),
      milestone: milestone ? { number: milestone.number, title: milestone.title } : null,
    };
  }

  const harness: Harness = {
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
    issuePayload(action, issue, extra = {}) {
      const payload = examplePayload("issues", action);
      const base = payload.issue as Record<string, unknown>;
      return {
        ...payload,
        issue: { ...base, ...itemFields(issue) },
        repository: repository(),
        installation: { id: INSTALLATION_ID, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDI0Mg==" },
        ...extra,
      };
    },
    pullPayload(action, pull, extra = {}) {
      const payload = examplePayload("pull_request", action);
      const base = payload.pull_request as Record<string, unknown>;
      return {
        ...payload,
        number: pull.number,
        pull_request: { ...base, ...itemFields(pull), draft: false },
        repository: repository(),
        installation: { id: INSTALLATION_ID, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDI0Mg==" },
        ...extra,
      };
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
    commentPayload(action, issue, comment, extra = {}) {
      const payload = examplePayload("issue_comment", "created");
      const base = payload.comment as Record<string, unknown>;
      const user = fake.state.user(comment.user);
      return {
        ...payload,
        action,
        issue: {
          ...(payload.issue as Record<string, unknown>),
          ...itemFields(issue),
          pull_request: issue.pull ? { url: "https://example.invalid/pull" } : undefined,
        },
        comment: {
          ...base,
          id: comment.id,
          body: comment.body,
          user: { ...(base.user as Record<string, unknown>), login: user.login, id: user.id, type: user.type },
          author_association: associations.get(user.login) ?? "CONTRIBUTOR",
        },
        repository: repository(),
        installation: { id: INSTALLATION_ID, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDI0Mg==" },
        sender: { login: user.login, id: user.id, type: user.type },
        ...extra,
      };
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

export async function deleteKeys(redis: Redis, pattern: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, found] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 500);
    cursor = next;
    if (found.length > 0) await redis.del(...found);
  } while (cursor !== "0");
}
