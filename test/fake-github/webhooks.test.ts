// The fake's webhook echo: what GitHub tells the app after the app itself changed something,
// received by a small local HTTP server that checks signatures the way a receiver must.
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Octokit } from "@octokit/rest";
import { ProbotOctokit } from "probot";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { appKeyPair } from "../support/keys.js";
import { startFakeGitHub, type FakeGitHub } from "./server.js";
import { nodeId } from "./state.js";
import { appEvents } from "./webhooks.js";

const APP_ID = 4242;
const INSTALLATION_ID = 77;
const SECRET = "echo-secret";
const keys = appKeyPair();
const log = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const repo = { owner: "django", repo: "django" };

interface Received {
  event: string;
  guid: string;
  headers: IncomingHttpHeaders;
  /** The payload, parsed; untyped like any JSON a receiver gets. */
  payload: Payload;
  /** The HMAC in x-hub-signature-256 matches the body and the secret. */
  verified: boolean;
}

// Payloads are JSON read field by field in assertions, as a receiver would.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Payload = Record<string, any>;

interface Receiver {
  url: string;
  received: Received[];
  /** Status the receiver answers (200 unless a test changes it). */
  status: number;
  /** Milliseconds the receiver waits before answering. */
  delayMs: number;
  /** Most requests it ever had open at once. */
  maxConcurrent: number;
  close(): Promise<void>;
}

function verifies(body: string, header: string | undefined, secret: string): boolean {
  const expected = Buffer.from(`sha256=${createHmac("sha256", secret).update(body).digest("hex")}`);
  const given = Buffer.from(header ?? "");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function startReceiver(secret = SECRET): Promise<Receiver> {
  let open = 0;
  const receiver: Receiver = {
    url: "",
    received: [],
    status: 200,
    delayMs: 0,
    maxConcurrent: 0,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    open += 1;
    receiver.maxConcurrent = Math.max(receiver.maxConcurrent, open);
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      receiver.received.push({
        event: String(req.headers["x-github-event"]),
        guid: String(req.headers["x-github-delivery"]),
        headers: req.headers,
        payload: JSON.parse(body) as Payload,
        verified: verifies(body, req.headers["x-hub-signature-256"] as string | undefined, secret),
      });
      setTimeout(() => {
        open -= 1;
        res.writeHead(receiver.status, { "content-type": "text/plain" });
        res.end("ok");
      }, receiver.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
  return receiver;
}

let fake: FakeGitHub;
let receiver: Receiver;

function appClient(target: FakeGitHub = fake): InstanceType<typeof ProbotOctokit> {
  return new ProbotOctokit({
    baseUrl: target.apiUrl,
    auth: { appId: APP_ID, privateKey: keys.privateKey, installationId: INSTALLATION_ID },
    retry: { enabled: false },
    throttle: { enabled: false },
    log,
  });
}

/** A client with a plain token: the fake takes it for a person, not the app. */
function userClient(): Octokit {
  return new Octokit({ baseUrl: fake.apiUrl, auth: "test-token", log });
}

/** Waits for the fake to deliver everything, then returns (event.action, payload) pairs received. */
async function received(): Promise<Array<[string, Payload]>> {
  await fake.webhooksIdle();
  return receiver.received.map((entry) => [`${entry.event}.${String(entry.payload["action"])}`, entry.payload]);
}

function names(labels: Array<{ name: string }>): string[] {
  return labels.map((label) => label.name);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  receiver = await startReceiver();
  fake = await startFakeGitHub({ appId: APP_ID, appPublicKey: keys.publicKey, webhooks: { secret: SECRET } });
  fake.setWebhookTarget(receiver.url);
});

afterAll(async () => {
  await fake.close();
  await receiver.close();
});

beforeEach(() => {
  fake.reset();
  fake.setWebhooksEnabled(true);
  receiver.received.length = 0;
  receiver.status = 200;
  receiver.delayMs = 0;
  receiver.maxConcurrent = 0;
  fake.state.addInstallation(INSTALLATION_ID, "django", { accountType: "Organization" });
  fake.state.addRepo({ owner: "django", name: "django" });
  fake.state.setPermission("django/django", "bob", "write");
});

afterEach(() => {
  fake.assertNoErrors();
});

describe("subscriptions", () => {
  it("defaults to app.yml's default_events plus the installation events", () => {
    expect(appEvents()).toEqual([
      "issues",
      "issue_comment",
      "pull_request",
      "pull_request_review",
      "pull_request_review_comment",
      "push",
      "milestone",
      "installation",
      "installation_repositories",
    ]);
  });
});

describe("labels", () => {
  it("announces only the labels that were not there, as the app's bot, signed", async () => {
    const issue = fake.state.addIssue("django/django", { title: "Crash", user: "alice", labels: ["bug"] });
    await appClient().rest.issues.addLabels({ ...repo, issue_number: issue.number, labels: ["bug", "needs info"] });
    const got = await received();
    expect(got.map(([name]) => name)).toEqual(["issues.labeled"]);
    const [, payload] = got[0] ?? [];
    expect(payload?.["label"]).toMatchObject({ name: "needs info" });
    expect(names(payload?.["issue"].labels)).toEqual(["bug", "needs info"]);
    const bot = fake.state.user("shepherd[bot]");
    expect(payload?.["sender"]).toMatchObject({ login: "shepherd[bot]", type: "Bot", id: bot.id });
    expect(payload?.["installation"]).toEqual({
      id: INSTALLATION_ID,
      node_id: nodeId("IntegrationInstallation", INSTALLATION_ID),
    });
    expect(payload?.["repository"]).toMatchObject({ full_name: "django/django", owner: { login: "django" } });
    expect(payload?.["organization"]).toMatchObject({ login: "django" });
    expect(Object.keys(payload ?? {})).toEqual([
      "action",
      "issue",
      "label",
      "repository",
      "organization",
      "installation",
      "sender",
    ]);

    const [delivery] = receiver.received;
    expect(delivery?.verified).toBe(true);
    expect(delivery?.headers).toMatchObject({
      "content-type": "application/json",
      "user-agent": "GitHub-Hookshot/fake",
      "x-github-event": "issues",
      "x-github-hook-installation-target-type": "integration",
      "x-github-hook-installation-target-id": String(APP_ID),
    });
    expect(delivery?.headers["x-github-hook-id"]).toMatch(/^\d+$/);
    expect(delivery?.guid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(fake.deliveries).toMatchObject([
      {
        id: 1,
        guid: delivery?.guid,
        event: "issues",
        action: "labeled",
        status: 200,
        redelivery: false,
        installationId: INSTALLATION_ID,
        repositoryId: fake.state.repo("django/django").id,
      },
    ]);
  });

  it("sends one event per label, each showing the labels right after its own change", async () => {
    const issue = fake.state.addIssue("django/django", { title: "Crash", labels: ["bug", "needs info"] });
    const octokit = appClient();
    await octokit.rest.issues.setLabels({ ...repo, issue_number: issue.number, labels: ["needs info", "a", "b"] });
    await octokit.rest.issues.removeLabel({ ...repo, issue_number: issue.number, name: "A" });
    const got = await received();
    expect(got.map(([name, payload]) => [name, payload["label"].name, names(payload["issue"].labels)])).toEqual([
      ["issues.unlabeled", "bug", ["needs info"]],
      ["issues.labeled", "a", ["needs info", "a"]],
      ["issues.labeled", "b", ["needs info", "a", "b"]],
      ["issues.unlabeled", "a", ["needs info", "b"]],
    ]);
  });

  it("says pull_request for pull requests, with the number on top", async () => {
    const pull = fake.state.addIssue("django/django", { title: "Fix", user: "alice", pull_request: true });
    await appClient().rest.issues.addLabels({ ...repo, issue_number: pull.number, labels: ["review"] });
    const [[name, payload] = ["", {}]] = await received();
    expect(name).toBe("pull_request.labeled");
    expect(payload["number"]).toBe(pull.number);
    expect(payload["pull_request"]).toMatchObject({ number: pull.number, head: { ref: expect.any(String) } });
    expect(names(payload["pull_request"].labels)).toEqual(["review"]);
    expect(payload["issue"]).toBeUndefined();
  });

  it("sends nothing for a label that was not there to remove", async () => {
    const issue = fake.state.addIssue("django/django", { title: "Crash" });
    await expect(
      appClient().rest.issues.removeLabel({ ...repo, issue_number: issue.number, name: "bug" }),
    ).rejects.toMatchObject({ status: 404 });
    expect(await received()).toEqual([]);
    expect(fake.deliveries).toEqual([]);
  });
});

describe("comments", () => {
  it("announces created and edited comments, with the old body", async () => {
    const issue = fake.state.addIssue("django/django", { title: "Crash" });
    const octokit = appClient();
    const { data: comment } = await octokit.rest.issues.createComment({
      ...repo,
      issue_number: issue.number,
      body: "Thanks!",
    });
    await octokit.rest.issues.updateComment({ ...repo, comment_id: comment.id, body: "Thanks, triaged." });
    // The same body again changes nothing, so GitHub says nothing.
    await octokit.rest.issues.updateComment({ ...repo, comment_id: comment.id, body: "Thanks, triaged." });
    const got = await received();
    expect(got.map(([name]) => name)).toEqual(["issue_comment.created", "issue_comment.edited"]);
    const [[, created] = ["", {}], [, edited] = ["", {}]] = got;
    expect(created["comment"]).toMatchObject({ id: comment.id, body: "Thanks!", user: { type: "Bot" } });
    expect(created["sender"]).toMatchObject({ login: "shepherd[bot]", type: "Bot" });
    expect(created["issue"]).toMatchObject({ number: issue.number, comments: 1 });
    expect(created["issue"]).not.toHaveProperty("pull_request");
    expect(edited["changes"]).toEqual({ body: { from: "Thanks!" } });
    expect(edited["comment"]).toMatchObject({ body: "Thanks, triaged." });
  });

  it("marks the issue of a comment on a pull request", async () => {
    const pull = fake.state.addIssue("django/django", { title: "Fix", pull_request: true });
    await appClient().rest.issues.createComment({ ...repo, issue_number: pull.number, body: "LGTM" });
    const [[name, payload] = ["", {}]] = await received();
    expect(name).toBe("issue_comment.created");
    expect(payload["issue"].pull_request).toMatchObject({ url: expect.stringContaining(`/pulls/${pull.number}`) });
  });
});

describe("issues and pull requests", () => {
  it("announces assignees actually added or removed", async () => {
    const issue = fake.state.addIssue("django/django", { title: "Crash", user: "alice", assignees: ["alice"] });
    const octokit = appClient();
    await octokit.rest.issues.addAssignees({ ...repo, issue_number: issue.number, assignees: ["alice", "bob"] });
    await octokit.rest.issues.removeAssignees({ ...repo, issue_number: issue.number, assignees: ["alice", "carol"] });
    const got = await received();
    const summary = got.map(([name, payload]) => [
      name,
      payload["assignee"].login,
      payload["issue"].assignees.map((user: { login: string }) => user.login),
    ]);
    expect(summary).toEqual([
      ["issues.assigned", "bob", ["alice", "bob"]],
      ["issues.unassigned", "alice", ["bob"]],
    ]);
  });

  it("announces an update change by change: edited, milestoned, labels, assignees, closed", async () => {
    fake.state.addMilestone("django/django", { title: "5.1", number: 3 });
    const issue = fake.state.addIssue("django/django", { title: "Old", body: "old body", user: "alice" });
    const octokit = appClient();
    await octokit.rest.issues.update({
      ...repo,
      issue_number: issue.number,
      title: "New",
      body: "new body",
      milestone: 3,
      labels: ["accepted"],
      assignees: ["bob"],
      state: "closed",
    });
    await octokit.rest.issues.update({ ...repo, issue_number: issue.number, state: "open", milestone: null });
    // Nothing changes: nothing is announced.
    await octokit.rest.issues.update({ ...repo, issue_number: issue.number, title: "New" });
    const got = await received();
    expect(got.map(([name]) => name)).toEqual([
      "issues.edited",
      "issues.milestoned",
      "issues.labeled",
      "issues.assigned",
      "issues.closed",
      "issues.demilestoned",
      "issues.reopened",
    ]);
    const payload = (index: number): Payload => got[index]?.[1] ?? {};
    expect(payload(0)["changes"]).toEqual({ title: { from: "Old" }, body: { from: "old body" } });
    expect(payload(0)["issue"]).toMatchObject({ title: "New", milestone: null, state: "open" });
    expect(payload(1)["milestone"]).toMatchObject({ number: 3, title: "5.1" });
    expect(payload(1)["issue"].labels).toEqual([]);
    expect(payload(4)["issue"]).toMatchObject({ state: "closed", state_reason: "completed" });
    expect(payload(5)["milestone"]).toMatchObject({ number: 3 });
    expect(payload(5)["issue"].milestone).toBeNull();
  });

  it("announces a new issue with opened only, its labels inside", async () => {
    const { data } = await appClient().rest.issues.create({ ...repo, title: "Tracking", labels: ["meta"] });
    const got = await received();
    expect(got.map(([name]) => name)).toEqual(["issues.opened"]);
    expect(got[0]?.[1]["issue"]).toMatchObject({ number: data.number, user: { login: "shepherd[bot]" } });
    expect(names(got[0]?.[1]["issue"].labels)).toEqual(["meta"]);
  });

  it("announces one review request per reviewer", async () => {
    const pull = fake.state.addIssue("django/django", { title: "Fix", user: "alice", pull_request: true });
    fake.state.setPermission("django/django", "carol", "write");
    const octokit = appClient();
    await octokit.rest.pulls.requestReviewers({ ...repo, pull_number: pull.number, reviewers: ["bob", "carol"] });
    await octokit.rest.pulls.requestReviewers({ ...repo, pull_number: pull.number, reviewers: ["bob"] });
    const got = await received();
    expect(
      got.map(([name, payload]) => [
        name,
        payload["requested_reviewer"].login,
        payload["pull_request"].requested_reviewers.map((user: { login: string }) => user.login),
      ]),
    ).toEqual([
      ["pull_request.review_requested", "bob", ["bob"]],
      ["pull_request.review_requested", "carol", ["bob", "carol"]],
    ]);
  });

  it("announces a pin made over GraphQL, and a discussion only to apps subscribed to them", async () => {
    fake.state.addInstallation(INSTALLATION_ID, "django", {
      accountType: "Organization",
      permissions: { issues: "write", discussions: "write", metadata: "read" },
    });
    const issue = fake.state.addIssue("django/django", { title: "Roadmap" });
    const record = fake.state.enableDiscussions("django/django");
    const category = [...record.discussionCategories.values()][0];
    const octokit = appClient();
    const pin = "mutation($id: ID!) { pinIssue(input: { issueId: $id }) { issue { number } } }";
    await octokit.graphql(pin, { id: nodeId("Issue", issue.id) });
    await octokit.graphql(pin, { id: nodeId("Issue", issue.id) });
    const create = /* GraphQL */ `
      mutation ($repositoryId: ID!, $categoryId: ID!) {
        createDiscussion(
          input: { repositoryId: $repositoryId, categoryId: $categoryId, title: "Digest", body: "..." }
        ) {
          discussion {
            number
          }
        }
      }
    `;
    await octokit.graphql(create, {
      repositoryId: nodeId("Repository", record.id),
      categoryId: nodeId("DiscussionCategory", category?.id ?? 0),
    });
    const got = await received();
    expect(got.map(([name, payload]) => [name, payload["issue"]?.number])).toEqual([["issues.pinned", issue.number]]);
  });
});

describe("what is not announced", () => {
  it("sends nothing for unsubscribed events (label creation), reactions, people's changes or injected answers", async () => {
    const issue = fake.state.addIssue("django/django", { title: "Crash" });
    const octokit = appClient();
    await octokit.rest.issues.createLabel({ ...repo, name: "triage" });
    await octokit.rest.reactions.createForIssue({ ...repo, issue_number: issue.number, content: "eyes" });
    await userClient().rest.issues.addLabels({ ...repo, issue_number: issue.number, labels: ["by a person"] });
    fake.failNext("issues/add-labels", 502);
    await expect(
      octokit.rest.issues.addLabels({ ...repo, issue_number: issue.number, labels: ["x"] }),
    ).rejects.toMatchObject({ status: 502 });
    fake.setChaos({ rate5xx: 1, rate403: 0, match: "issues/create-comment" });
    await expect(
      octokit.rest.issues.createComment({ ...repo, issue_number: issue.number, body: "hi" }),
    ).rejects.toMatchObject({ status: expect.any(Number) });
    fake.setChaos(null);
    // A last change that is announced, so the test sees deliveries work at all.
    await octokit.rest.issues.addLabels({ ...repo, issue_number: issue.number, labels: ["y"] });
    const got = await received();
    expect(got.map(([name, payload]) => `${name} ${payload["label"]?.name ?? ""}`)).toEqual(["issues.labeled y"]);
  });

  it("delivers label events to an app subscribed to them, including labels GitHub creates on the fly", async () => {
    const other = await startFakeGitHub({
      appId: APP_ID,
      appPublicKey: keys.publicKey,
      webhooks: { url: receiver.url, secret: SECRET, events: ["label"] },
    });
    try {
      other.state.addInstallation(INSTALLATION_ID, "django");
      other.state.addRepo({ owner: "django", name: "django" });
      const issue = other.state.addIssue("django/django", { title: "Crash" });
      const octokit = appClient(other);
      await octokit.rest.issues.createLabel({ ...repo, name: "triage", color: "00ff00" });
      await octokit.rest.issues.updateLabel({ ...repo, name: "triage", color: "ff0000" });
      await octokit.rest.issues.addLabels({ ...repo, issue_number: issue.number, labels: ["new one"] });
      await other.webhooksIdle();
      expect(other.deliveries.map((delivery) => `${delivery.event}.${delivery.action ?? ""}`)).toEqual([
        "label.created",
        "label.edited",
        "label.created",
      ]);
      expect((other.deliveries[1]?.payload as Payload)["changes"]).toEqual({ color: { from: "00ff00" } });
      expect(other.deliveries.every((delivery) => delivery.status === 200)).toBe(true);
    } finally {
      await other.close();
    }
  });

  it("sends nothing while deliveries are off", async () => {
    const issue = fake.state.addIssue("django/django", { title: "Crash" });
    fake.setWebhooksEnabled(false);
    await appClient().rest.issues.addLabels({ ...repo, issue_number: issue.number, labels: ["off"] });
    fake.setWebhooksEnabled(true);
    await appClient().rest.issues.addLabels({ ...repo, issue_number: issue.number, labels: ["on"] });
    const got = await received();
    expect(got.map(([, payload]) => payload["label"].name)).toEqual(["on"]);
  });
});

describe("delivery", () => {
  it("logs a receiver's 500 and does not retry it", async () => {
    const issue = fake.state.addIssue("django/django", { title: "Crash" });
    receiver.status = 500;
    await appClient().rest.issues.addLabels({ ...repo, issue_number: issue.number, labels: ["a"] });
    await fake.webhooksIdle();
    await sleep(200);
    expect(receiver.received).toHaveLength(1);
    expect(fake.deliveries).toMatchObject([{ status: 500, statusText: "Internal Server Error", redelivery: false }]);
    expect(fake.pendingWebhooks()).toBe(0);
  });

  it("logs a delivery nobody answered with status null", async () => {
    const closed = await startReceiver();
    await closed.close();
    const issue = fake.state.addIssue("django/django", { title: "Crash" });
    fake.setWebhookTarget(closed.url);
    try {
      await appClient().rest.issues.addLabels({ ...repo, issue_number: issue.number, labels: ["a"] });
      await fake.webhooksIdle();
    } finally {
      fake.setWebhookTarget(receiver.url);
    }
    expect(fake.deliveries).toMatchObject([{ status: null, statusText: expect.stringContaining("ECONNREFUSED") }]);
  });

  it("redelivers a logged delivery with the same guid", async () => {
    const issue = fake.state.addIssue("django/django", { title: "Crash" });
    receiver.status = 503;
    await appClient().rest.issues.addLabels({ ...repo, issue_number: issue.number, labels: ["a"] });
    await fake.webhooksIdle();
    receiver.status = 200;
    const [first] = fake.deliveries;
    const again = await fake.redeliver(first?.guid ?? "");
    expect(again).toMatchObject({ id: 2, guid: first?.guid, status: 200, redelivery: true, payload: first?.payload });
    expect(receiver.received.map((entry) => entry.guid)).toEqual([first?.guid, first?.guid]);
    expect(receiver.received.every((entry) => entry.verified)).toBe(true);
    await expect(fake.redeliver("no-such-guid")).rejects.toThrow(/no delivery/);
  });

  it("delivers one at a time, in the order of the changes; webhooksIdle waits for all", async () => {
    const issue = fake.state.addIssue("django/django", { title: "Crash" });
    receiver.delayMs = 60;
    const octokit = appClient();
    for (const body of ["one", "two", "three"])
      await octokit.rest.issues.createComment({ ...repo, issue_number: issue.number, body });
    expect(fake.pendingWebhooks()).toBeGreaterThan(0);
    await fake.webhooksIdle();
    expect(fake.pendingWebhooks()).toBe(0);
    expect(receiver.received.map((entry) => entry.payload["comment"].body)).toEqual(["one", "two", "three"]);
    expect(receiver.maxConcurrent).toBe(1);
    expect(fake.deliveries.map((delivery) => delivery.id)).toEqual([1, 2, 3]);
    const times = fake.deliveries.map((delivery) => delivery.deliveredAt);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(fake.deliveries.every((delivery) => delivery.durationMs >= 50)).toBe(true);
  });

  it("reset drops the queue and the log", async () => {
    const issue = fake.state.addIssue("django/django", { title: "Crash" });
    receiver.delayMs = 100;
    const octokit = appClient();
    await octokit.rest.issues.addLabels({ ...repo, issue_number: issue.number, labels: ["a", "b", "c"] });
    fake.reset();
    await fake.webhooksIdle();
    expect(fake.deliveries).toEqual([]);
    expect(fake.pendingWebhooks()).toBe(0);
    // The one in flight when reset came may have arrived; the queued ones never do.
    await sleep(250);
    expect(receiver.received.length).toBeLessThanOrEqual(1);
  });

  it("needs a secret before it can deliver", async () => {
    const bare = await startFakeGitHub({ appId: APP_ID });
    try {
      expect(() => bare.setWebhookTarget(receiver.url)).toThrow(/secret/);
      bare.setWebhookTarget(receiver.url, "other");
      await bare.webhooksIdle();
    } finally {
      await bare.close();
    }
  });
});

describe("the delivery log over the API (GET /app/hook/deliveries, POST .../attempts)", () => {
  function jwtClient(): InstanceType<typeof ProbotOctokit> {
    return new ProbotOctokit({
      baseUrl: fake.apiUrl,
      auth: { appId: APP_ID, privateKey: keys.privateKey },
      retry: { enabled: false },
      throttle: { enabled: false },
      log,
    });
  }

  async function labelTwice(): Promise<void> {
    const issue = fake.state.addIssue("django/django", { title: "Crash" });
    await appClient().rest.issues.addLabels({ ...repo, issue_number: issue.number, labels: ["a"] });
    await fake.webhooksIdle();
    receiver.status = 503;
    await appClient().rest.issues.addLabels({ ...repo, issue_number: issue.number, labels: ["b"] });
    await fake.webhooksIdle();
    receiver.status = 200;
  }

  it("lists deliveries newest first, as GitHub's schema has them, paged by a cursor in the Link header", async () => {
    await labelTwice();
    fake.announce([
      { event: "issues", action: "opened", payload: { action: "opened" }, installationId: INSTALLATION_ID },
    ]);
    await fake.webhooksIdle();
    const octokit = jwtClient();
    const first = await octokit.rest.apps.listWebhookDeliveries({ per_page: 2 });
    expect(first.headers.link).toMatch(/^<[^>]*[?&]cursor=v1_1(&[^>]*)?>; rel="next"$/);
    expect(first.data.map((entry) => [entry.id, entry.status, entry.status_code])).toEqual([
      [3, "OK", 200],
      [2, "Invalid HTTP Response: 503", 503],
    ]);
    const all = await octokit.paginate(octokit.rest.apps.listWebhookDeliveries, { per_page: 2 });
    expect(all.map((entry) => entry.id)).toEqual([3, 2, 1]);
    expect(all[2]).toMatchObject({
      guid: fake.deliveries[0]?.guid,
      event: "issues",
      action: "labeled",
      redelivery: false,
      installation_id: INSTALLATION_ID,
      delivered_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    });
    const failed = await octokit.rest.apps.listWebhookDeliveries({ status: "failure" });
    expect(failed.data.map((entry) => entry.id)).toEqual([2]);
  });

  it("says status_code 0 when nothing answered", async () => {
    const closed = await startReceiver();
    await closed.close();
    fake.setWebhookTarget(closed.url);
    try {
      fake.announce([{ event: "push", action: undefined, payload: { ref: "refs/heads/main" }, installationId: 1 }]);
      await fake.webhooksIdle();
    } finally {
      fake.setWebhookTarget(receiver.url);
    }
    const { data } = await jwtClient().rest.apps.listWebhookDeliveries();
    expect(data).toMatchObject([{ status_code: 0, status: "failed to connect to host", action: null }]);
  });

  it("redelivers by delivery id after answering 202: same guid and payload, logged as a redelivery", async () => {
    await labelTwice();
    const failed = fake.deliveries[1];
    const answer = await jwtClient().rest.apps.redeliverWebhookDelivery({ delivery_id: failed?.id ?? 0 });
    expect(answer.status).toBe(202);
    await fake.webhooksIdle();
    expect(fake.deliveries[2]).toMatchObject({ id: 3, guid: failed?.guid, status: 200, redelivery: true });
    expect(receiver.received.at(-1)?.payload).toEqual(failed?.payload);
    await expect(jwtClient().rest.apps.redeliverWebhookDelivery({ delivery_id: 99 })).rejects.toMatchObject({
      status: 404,
    });
  });

  it("needs the app's JWT", async () => {
    // An installation client sends the JWT to /app routes by itself; a token is refused.
    await expect(userClient().rest.apps.listWebhookDeliveries()).rejects.toMatchObject({ status: 401 });
    await expect(userClient().rest.apps.redeliverWebhookDelivery({ delivery_id: 1 })).rejects.toMatchObject({
      status: 401,
    });
    expect(fake.errors.map((error) => error.kind)).toEqual(["auth", "auth"]);
    fake.clearCalls();
  });
});
