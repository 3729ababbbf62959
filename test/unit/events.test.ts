// Webhook payloads become one typed event: GitHub's own examples parse, malformed ones are named.
import { describe, expect, it } from "vitest";
import { genericComment, normaliseEvent, type ShepherdEvent } from "../../src/domain/events.js";
import { examplePayload } from "../support/webhooks.js";

const INSTALLATION = { id: 7 };
const BOT = "shepherd[bot]";

function normalise(name: string, payload: Record<string, unknown>): ShepherdEvent {
  const result = normaliseEvent({ id: "d-1", name, payload: { installation: INSTALLATION, ...payload } }, BOT);
  if (!result.ok) throw new Error(`${result.reason}: ${result.detail}`);
  return result.event;
}

describe("normaliseEvent", () => {
  it("reads GitHub's example of a new issue into an item event", () => {
    const event = normalise("issues", examplePayload("issues", "opened"));
    expect(event).toMatchObject({ type: "item", action: "opened", delivery: "d-1", installationId: 7, bySelf: false });
    if (event.type !== "item") return;
    expect(event.item).toMatchObject({ kind: "issue", state: "open", merged: false });
    expect(event.item.number).toBeGreaterThan(0);
    expect(event.repo.owner.length).toBeGreaterThan(0);
  });

  it("tells the app's own label changes from people's", () => {
    const payload = examplePayload("issues", "labeled");
    const mine = normalise("issues", { ...payload, sender: { login: BOT, type: "Bot" } });
    const theirs = normalise("issues", { ...payload, sender: { login: "octocat", type: "User" } });
    expect(mine).toMatchObject({ type: "label", action: "labeled", bySelf: true });
    expect(theirs).toMatchObject({ type: "label", bySelf: false });
    if (mine.type === "label") expect(mine.label).toBe((payload.label as { name: string }).name);
  });

  it("makes one comment shape of issue comments, review comments and reviews", () => {
    const comment = normalise("issue_comment", examplePayload("issue_comment", "created"));
    const review = normalise("pull_request_review", examplePayload("pull_request_review", "submitted"));
    const reviewComment = normalise(
      "pull_request_review_comment",
      examplePayload("pull_request_review_comment", "created"),
    );
    expect([comment, review, reviewComment].map((event) => event.type === "comment" && event.source)).toEqual([
      "issue-comment",
      "review",
      "review-comment",
    ]);
    expect(review).toMatchObject({ item: { kind: "pr" } });
    expect(genericComment(reviewComment)?.react).toMatchObject({ kind: "review-comment" });
    expect(genericComment(review)?.react).toEqual({ kind: "none" });
  });

  it("runs an edited body's commands only when the body changed", () => {
    const payload = examplePayload("issues", "opened");
    const titleOnly = normalise("issues", { ...payload, action: "edited", changes: { title: { from: "old" } } });
    const body = normalise("issues", { ...payload, action: "edited", changes: { body: { from: "before" } } });
    expect(genericComment(titleOnly)).toBeNull();
    expect(genericComment(body)).toMatchObject({ previous: "before" });
  });

  it("collects the paths a push touched", () => {
    const event = normalise("push", {
      ...examplePayload("push"),
      commits: [{ added: ["a.py"], modified: [".github/shepherd.yml"], removed: [] }],
      head_commit: null,
    });
    expect(event).toMatchObject({ type: "push", paths: ["a.py", ".github/shepherd.yml"] });
  });

  it("reads the repositories of a new installation", () => {
    const event = normalise("installation", {
      action: "created",
      repositories: [{ id: 5, name: "django", full_name: "django/django" }],
    });
    expect(event).toEqual({
      type: "installation",
      action: "added",
      delivery: "d-1",
      installationId: 7,
      repositories: [{ id: 5, owner: "django", repo: "django" }],
    });
  });

  it("reads an uninstall and repositories taken away as removals, from GitHub's examples", () => {
    const deleted = normalise("installation", examplePayload("installation", "deleted"));
    expect(deleted).toMatchObject({ type: "installation", action: "removed", repositories: [{ id: 1296269 }] });
    const removed = normalise("installation_repositories", examplePayload("installation_repositories", "removed"));
    expect(removed).toMatchObject({
      type: "installation",
      action: "removed",
      repositories: [{ id: 1296269, owner: "octocat", repo: "Hello-World" }],
    });
  });

  it("reads assignments by hand, transfers and deletions, from GitHub's examples", () => {
    const assigned = normalise("issues", examplePayload("issues", "assigned"));
    expect(assigned).toMatchObject({ type: "assignment", action: "assigned", assignee: "Codertocat" });
    expect(normalise("issues", examplePayload("issues", "unassigned"))).toMatchObject({ action: "unassigned" });
    expect(normalise("issues", examplePayload("issues", "transferred"))).toMatchObject({
      type: "gone",
      action: "transferred",
    });
    expect(normalise("issues", examplePayload("issues", "deleted"))).toMatchObject({ type: "gone", action: "deleted" });
  });

  it.each([
    ["no repository", { action: "opened", issue: { number: 1 } }, "repository"],
    ["no issue", { action: "opened", repository: { id: 1, name: "r", owner: { login: "o" } } }, "issue"],
    ["a number that is a string", { ...examplePayload("issues", "opened"), issue: { number: "1" } }, "number"],
  ])("names what is wrong with a malformed payload: %s", (_name, payload, field) => {
    const result = normaliseEvent(
      { id: "d-2", name: "issues", payload: { installation: INSTALLATION, ...payload } },
      BOT,
    );
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toBe("malformed");
      expect(result.detail).toContain(field);
    }
  });

  it("drops events and actions it does not act on, without parsing them", () => {
    expect(normaliseEvent({ id: "d", name: "star", payload: {} }, BOT)).toMatchObject({
      ok: false,
      reason: "not-handled",
    });
    expect(normaliseEvent({ id: "d", name: "issues", payload: { action: "pinned" } }, BOT)).toMatchObject({
      ok: false,
      reason: "not-handled",
    });
  });
});
