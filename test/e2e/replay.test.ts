// Replay of missed deliveries through the real path: the fake GitHub keeps a delivery log as
// GitHub does, deliveries fail while Shepherd is down, and Shepherd asks for them again when it
// starts (and on its schedule), each GUID once, through GitHub's own redelivery API.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import type { WebhookMessage } from "../fake-github/server.js";
import type { IssueRecord } from "../fake-github/state.js";
import { freePort } from "../support/app-process.js";
import { type Harness, INSTALLATION_ID } from "../support/harness.js";
import { harnessPerTest } from "../support/per-test.js";

const startHarness = harnessPerTest();

const ASYNC_ISSUE = {
  title: "Add async QuerySet.aget() and acreate() to the ORM",
  body: "Model managers should expose `aget()`, `acreate()` and `acount()` so async views can query without `sync_to_async` wrappers.",
  user: "contributor",
};

/** Replay on, on a fixed port: a restarted app is at the address the fake's log sends to. */
async function replayHarness(replayMax = 20): Promise<Harness> {
  return startHarness({ settings: { replay: true, replayMax, port: await freePort() } });
}

/** What GitHub sends when a person opens an issue: through the fake's hook, so it is in the delivery log. */
async function announceOpened(h: Harness, seed: Partial<typeof ASYNC_ISSUE> = {}): Promise<IssueRecord> {
  const issue = h.fake.state.addIssue(h.repo, { ...ASYNC_ISSUE, ...seed });
  h.fake.announce([message(h, "opened", issue)]);
  await h.fake.webhooksIdle();
  return issue;
}

function message(h: Harness, action: string, issue: IssueRecord): WebhookMessage {
  return {
    event: "issues",
    action,
    payload: h.issuePayload(action, issue),
    installationId: INSTALLATION_ID,
    repositoryId: h.repo.id,
  };
}

/** The log entries of the delivery announced last (its first attempt). */
function lastAnnounced(h: Harness) {
  const delivery = h.fake.deliveries.at(-1);
  if (!delivery) throw new Error("nothing was delivered");
  return delivery;
}

/** Runs the replay task once, as its scheduler would, and waits for what it caused. */
async function replayOnce(h: Harness, max = 20): Promise<void> {
  await h.shepherd.queues.tasks.add("replay-deliveries", { kind: "replay-deliveries", max });
  await h.settle();
}

const redeliveryRequests = (h: Harness) =>
  h.fake.callsTo("apps/redeliver-webhook-delivery").filter((call) => !call.injected);

function labelsOf(h: Harness, issue: IssueRecord): string[] {
  return h.fake.state.issue(h.repo, issue.number).labels;
}

/** A receiver that answers every delivery 503, like a web role whose Redis is away. */
async function refusingReceiver(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(503, { "retry-after": "5" });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

describe("replay of missed deliveries", () => {
  it("after an outage asks once for each failed handled delivery Shepherd has not processed, and processes it", async () => {
    const h = await replayHarness();
    // At start the log was empty: one listing, nothing asked for.
    expect(h.fake.callsTo("apps/list-webhook-deliveries")).toHaveLength(1);
    expect(redeliveryRequests(h)).toHaveLength(0);

    // Delivered while Shepherd was up.
    const delivered = await announceOpened(h, { title: "Async QuerySet.aiterator() support" });
    await h.settle();
    // Failed on GitHub's side (a 503) but Shepherd had it anyway (sent again by hand, say).
    const refusing = await refusingReceiver();
    h.fake.setWebhookTarget(refusing.url);
    const processed = await announceOpened(h, { title: "Async QuerySet.acount() support" });
    const processedGuid = lastAnnounced(h).guid;
    // Failed, then redelivered by hand with success.
    const redelivered = await announceOpened(h, { title: "Async QuerySet.aexists() support" });
    const redeliveredGuid = lastAnnounced(h).guid;
    h.fake.setWebhookTarget(h.webhookUrl);
    await new Promise<void>((resolve) => refusing.server.close(() => resolve()));
    const sent = await h.send("issues", h.issuePayload("opened", processed), { id: processedGuid });
    expect(sent.status).toBe(202);
    await h.fake.redeliver(redeliveredGuid);
    await h.settle();
    expect(labelsOf(h, processed)).toContain("async");
    expect(labelsOf(h, redelivered)).toContain("async");

    // Shepherd goes down; a new issue is opened and pinned (an event it does not handle).
    await h.shepherd.stop();
    const missed = await announceOpened(h);
    const missedDelivery = lastAnnounced(h);
    h.fake.announce([message(h, "pinned", missed)]);
    await h.fake.webhooksIdle();
    expect(h.fake.deliveries.slice(-2).map((delivery) => delivery.status)).toEqual([null, null]);
    expect(labelsOf(h, missed)).toEqual([]);

    // It starts again: the replay at start asks for the one delivery worth asking for.
    await h.restart();
    const requests = redeliveryRequests(h);
    expect(requests.map((call) => call.path)).toEqual([`/app/hook/deliveries/${missedDelivery.id}/attempts`]);
    expect(
      h.fake.deliveries.filter((delivery) => delivery.redelivery && delivery.guid === missedDelivery.guid),
    ).toEqual([expect.objectContaining({ status: 202 })]);
    expect(labelsOf(h, missed)).toEqual(expect.arrayContaining(["async", "subsystem:orm"]));
    expect(labelsOf(h, delivered)).toContain("async");

    // A second run finds nothing more to ask for: one listing, no write.
    const mark = h.fake.calls.length;
    await replayOnce(h);
    expect(h.apiCalls(mark).map((call) => call.operationId)).toEqual(["apps/list-webhook-deliveries"]);
    expect(redeliveryRequests(h)).toHaveLength(1);
    expect(h.logs.filter((line) => line.msg === "missed deliveries replayed").map((line) => line.requested)).toEqual([
      0, 1, 0,
    ]);
  });

  it("asks for at most SHEPHERD_REPLAY_MAX a run, oldest first, and leaves the rest to the next run", async () => {
    const h = await replayHarness(2);
    await h.shepherd.stop();
    const issues: IssueRecord[] = [];
    const ids: number[] = [];
    for (const title of ["Async aget()", "Async acreate()", "Async acount()"]) {
      issues.push(await announceOpened(h, { title: `${title} in the ORM QuerySet` }));
      ids.push(lastAnnounced(h).id);
    }
    await h.restart();
    const asked = () => redeliveryRequests(h).map((call) => Number(call.path.split("/")[4]));
    expect(asked()).toEqual(ids.slice(0, 2));
    await replayOnce(h, 2);
    expect(asked()).toEqual(ids);
    await replayOnce(h, 2);
    expect(asked()).toEqual(ids);
    for (const issue of issues) expect(labelsOf(h, issue)).toContain("async");
  });

  it("asks again after GitHub's rate limit refused the request, and only then", async () => {
    const h = await replayHarness();
    await h.shepherd.stop();
    const missed = await announceOpened(h);
    const id = lastAnnounced(h).id;
    h.fake.failNext("apps/redeliver-webhook-delivery", 403, {
      headers: { "retry-after": "1" },
      body: { message: "You have exceeded a secondary rate limit." },
    });
    await h.restart();
    await h.settle(15_000);
    const calls = h.fake.callsTo("apps/redeliver-webhook-delivery");
    expect(calls.map((call) => [call.path, call.status, call.injected])).toEqual([
      [`/app/hook/deliveries/${id}/attempts`, 403, true],
      [`/app/hook/deliveries/${id}/attempts`, 202, false],
    ]);
    expect(labelsOf(h, missed)).toContain("async");
  });

  it("does not ask again for a delivery whose request may have reached GitHub", async () => {
    const h = await replayHarness();
    await h.shepherd.stop();
    const missed = await announceOpened(h);
    h.fake.failNext("apps/redeliver-webhook-delivery", 502);
    await h.restart();
    await replayOnce(h);
    expect(h.fake.callsTo("apps/redeliver-webhook-delivery").map((call) => call.status)).toEqual([502]);
    expect(labelsOf(h, missed)).toEqual([]);
    expect(h.logs.some((line) => line.msg === "redelivery request failed, not asked again")).toBe(true);
  });
});
