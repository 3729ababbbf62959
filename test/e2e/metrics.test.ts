// /metrics and /admin/queues as an operator meets them: the scrape after real work says what
// happened (webhooks answered, jobs run, GitHub calls made, the pacer's count), and the queue
// dashboard exists only behind the password that turns it on.
import { describe, expect, it } from "vitest";
import { harnessPerTest } from "../support/per-test.js";
import { INSTALLATION_ID } from "../support/harness.js";

const start = harnessPerTest();

const ASYNC_ISSUE = {
  title: "Async QuerySet.aget() for the ORM",
  body: "QuerySet should offer `aget()` so async views can fetch one object.",
  user: "newcomer",
};

/** The value of one sample of a Prometheus text scrape, or undefined when it is not there. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[3] ?? "").matchAll(/([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g)].map((pair) => [pair[1], pair[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[4]);
  }
  return undefined;
}

/** Sum of every sample of `name` whose labels include `labels`. */
function total(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const value = sample(line, name, labels);
    if (value !== undefined) sum += value;
  }
  return sum;
}

async function scrape(baseUrl: string): Promise<string> {
  const response = await fetch(`${baseUrl}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("text/plain");
  return response.text();
}

describe("/metrics", () => {
  it("counts the webhooks, jobs and GitHub calls an issue cost, and the pacer's writes", async () => {
    const h = await start();
    const mark = h.fake.calls.length;
    await h.openIssue(ASYNC_ISSUE);
    // A delivery that is not JSON is refused: its answer is counted under its status.
    const refused = await fetch(h.webhookUrl, {
      method: "POST",
      headers: { "content-type": "text/plain", "x-github-event": "issues", "x-github-delivery": "m-1" },
      body: "x",
    });
    expect(refused.status).toBe(415);
    const text = await scrape(h.baseUrl);

    const answered = total(text, "shepherd_webhook_response_seconds_count");
    expect(sample(text, "shepherd_webhook_response_seconds_count", { status: "415" })).toBe(1);
    // The opened issue (the harness sends it), the refused one, and the echoes of Shepherd's own
    // writes (the fake's delivery log), each answered and counted once.
    expect(h.fake.deliveries.length).toBeGreaterThan(0);
    expect(answered).toBe(h.fake.deliveries.length + 2);
    expect(sample(text, "shepherd_webhook_response_seconds_count", { status: "202" })).toBeGreaterThanOrEqual(1);

    expect(
      sample(text, "shepherd_job_duration_seconds_count", { queue: "events", kind: "issues", outcome: "completed" }),
    ).toBeGreaterThanOrEqual(1);
    expect(total(text, "shepherd_job_duration_seconds_count", { outcome: "failed" })).toBe(0);

    // Every call the fake saw for the installation (token exchanges are the app's) is in the scrape.
    const calls = h.fake.calls.slice(mark).filter((call) => call.auth === "installation");
    expect(total(text, "shepherd_github_request_duration_seconds_count")).toBeGreaterThanOrEqual(calls.length);
    const labelled = calls.filter((call) => call.operationId === "issues/add-labels");
    expect(labelled).toHaveLength(1);
    expect(
      sample(text, "shepherd_github_request_duration_seconds_count", {
        method: "POST",
        route: "/repos/{owner}/{repo}/issues/{issue_number}/labels",
        status: "200",
      }),
    ).toBe(1);
    const lane = `installation:${INSTALLATION_ID}`;
    expect(sample(text, "shepherd_github_rate_limit_remaining", { lane, resource: "core" })).toBeGreaterThan(0);

    // The pacer counts the installation's writes since the harness started (set-up included).
    const writes = h.fake.calls.filter((call) => call.auth === "installation" && call.method !== "GET");
    expect(sample(text, "shepherd_pacer_writes", { lane, window: "minute" })).toBe(writes.length);
    // The harness turns the hour window off (0), so long suites never wait on it.
    expect(sample(text, "shepherd_pacer_budget", { window: "hour" })).toBe(0);
    expect(sample(text, "shepherd_pacer_paused_seconds", { lane })).toBe(0);

    for (const state of ["waiting", "prioritized", "active", "delayed", "failed"]) {
      expect(sample(text, "shepherd_queue_jobs", { queue: "events", state })).toBe(0);
    }
    expect(sample(text, "process_resident_memory_bytes")).toBeGreaterThan(0);
    expect(sample(text, "shepherd_info", { role: "all" })).toBe(1);
  });

  it("shows the queue's depth from the web role, which calls no GitHub", async () => {
    const h = await start({ settings: { role: "web" } });
    for (const n of [1, 2, 3]) {
      const issue = h.fake.state.addIssue(h.repo, { ...ASYNC_ISSUE, title: `${ASYNC_ISSUE.title} ${n}` });
      expect((await h.send("issues", h.issuePayload("opened", issue))).status).toBe(202);
    }
    const text = await scrape(h.baseUrl);
    // Issue events wait behind comments, so BullMQ holds them as prioritized.
    expect(sample(text, "shepherd_queue_jobs", { queue: "events", state: "prioritized" })).toBe(3);
    expect(sample(text, "shepherd_webhook_response_seconds_count", { status: "202" })).toBe(3);
    // The web role calls no GitHub: no pacer lanes, no GitHub calls.
    expect(text).not.toContain("shepherd_pacer_writes{");
    expect(text).not.toContain("shepherd_github_request_duration_seconds_count{");
  });
});

describe("/admin/queues", () => {
  it("does not exist unless a password turns it on", async () => {
    const h = await start();
    expect((await fetch(`${h.baseUrl}/admin/queues`)).status).toBe(404);
    expect((await fetch(`${h.baseUrl}/admin/queues/api/queues`)).status).toBe(404);
  });

  it("is never served by the web role, password or not", async () => {
    const h = await start({ settings: { role: "web", adminPassword: "correct horse battery" } });
    const auth = basic("admin", "correct horse battery");
    expect((await fetch(`${h.baseUrl}/admin/queues`, { headers: auth })).status).toBe(404);
  });

  it("asks for the password, then lists Shepherd's queues", async () => {
    const password = "correct horse battery";
    const h = await start({ settings: { adminPassword: password, adminUser: "ops", adminReadOnly: true } });
    const bare = await fetch(`${h.baseUrl}/admin/queues`);
    expect(bare.status).toBe(401);
    expect(bare.headers.get("www-authenticate")).toContain("Basic");
    const wrong = await fetch(`${h.baseUrl}/admin/queues`, { headers: basic("ops", "wrong password!") });
    expect(wrong.status).toBe(401);
    // A path that merely starts like the dashboard's is not the dashboard.
    expect((await fetch(`${h.baseUrl}/admin/queuesX`, { headers: basic("ops", password) })).status).toBe(404);

    const page = await fetch(`${h.baseUrl}/admin/queues`, { headers: basic("ops", password) });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Shepherd queues");
    await h.openIssue(ASYNC_ISSUE);
    const api = await fetch(`${h.baseUrl}/admin/queues/api/queues`, { headers: basic("ops", password) });
    expect(api.status).toBe(200);
    const body = (await api.json()) as { queues: Array<{ name: string; readOnlyMode: boolean; counts: object }> };
    expect(body.queues.map((queue) => queue.name).sort()).toEqual(["events", "tasks"]);
    expect(body.queues.every((queue) => queue.readOnlyMode)).toBe(true);
    // Read-only: the dashboard's actions are refused.
    const retry = await fetch(`${h.baseUrl}/admin/queues/api/queues/events/retry/failed`, {
      method: "PUT",
      headers: basic("ops", password),
    });
    expect(retry.status).toBeGreaterThanOrEqual(400);
  });
});

function basic(user: string, password: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` };
}
