// Comment commands through the real path: signed webhook → queue → worker → fake GitHub.
import { describe, expect, it } from "vitest";
import type { IssueRecord } from "../fake-github/state.js";
import type { Harness } from "../support/harness.js";
import { harnessPerTest } from "../support/per-test.js";
import { examplePayload } from "../support/webhooks.js";

const CONFIG = `
preset: django-async
triage:
  explain: none
commands:
  triagers:
    users: [helper]
  anyoneLabels: ["good first issue"]
claims:
  maxPerUser: 2
  maxPerNewcomer: 1
  notClaimable: [blocked]
`;

const startHarness = harnessPerTest();

async function setup(config = CONFIG): Promise<Harness> {
  const harness = await startHarness({ config });
  harness.fake.state.setPermission(harness.repo, "maintainer", "maintain");
  harness.fake.state.addLabel(harness.repo, { name: "bug", color: "d73a4a" });
  harness.fake.state.addLabel(harness.repo, { name: "good first issue", color: "7057ff" });
  harness.fake.state.addLabel(harness.repo, { name: "blocked", color: "000000" });
  return harness;
}

function newIssue(h: Harness, fields: Partial<{ title: string; labels: string[]; assignees: string[] }> = {}) {
  return h.fake.state.addIssue(h.repo, {
    title: fields.title ?? "Make the cache backends async-capable",
    body: "BaseCache should get aget() and aset().",
    user: "reporter",
    labels: fields.labels ?? [],
    assignees: fields.assignees ?? [],
  });
}

async function say(h: Harness, issue: IssueRecord, user: string, body: string, association?: string) {
  const result = await h.comment(issue, user, body, association);
  expect(result.status).toBe(202);
  await h.settle();
}

function current(h: Harness, issue: IssueRecord) {
  return h.fake.state.issue(h.repo, issue.number);
}

function replies(h: Harness, issue: IssueRecord): string[] {
  return h.fake.state
    .commentsOn(h.repo, issue.number)
    .filter((comment) => comment.user.endsWith("[bot]"))
    .map((comment) => comment.body);
}

function thumbsUp(h: Harness, issue: IssueRecord, user: string): number {
  const mine = h.fake.state.commentsOn(h.repo, issue.number).filter((comment) => comment.user === user);
  return mine.flatMap((comment) => comment.reactions).filter((reaction) => reaction.content === "+1").length;
}

describe("/claim and /release", () => {
  it("assigns the claimant and reacts with 👍 instead of replying", async () => {
    const h = await setup();
    const issue = newIssue(h);
    await say(h, issue, "alice", "I'd like to work on this.\n\n/claim");
    expect(current(h, issue).assignees).toEqual(["alice"]);
    expect(thumbsUp(h, issue, "alice")).toBe(1);
    expect(replies(h, issue)).toEqual([]);
  });

  it("refuses a second claimant, saying who holds it", async () => {
    const h = await setup();
    const issue = newIssue(h);
    await say(h, issue, "alice", "/claim");
    await say(h, issue, "bob", "/claim");
    expect(current(h, issue).assignees).toEqual(["alice"]);
    expect(replies(h, issue)).toEqual([expect.stringContaining("already claimed by **alice**")]);
  });

  it("refuses issues with a not-claimable label", async () => {
    const h = await setup();
    const issue = newIssue(h, { labels: ["blocked"] });
    await say(h, issue, "alice", "/claim");
    expect(current(h, issue).assignees).toEqual([]);
    expect(replies(h, issue)[0]).toContain("`blocked` cannot be claimed");
  });

  it("caps open claims, lower for newcomers", async () => {
    const h = await setup();
    const [first, second, third, fourth] = [newIssue(h), newIssue(h), newIssue(h), newIssue(h)];
    await say(h, first, "newbie", "/claim", "FIRST_TIME_CONTRIBUTOR");
    await say(h, second, "newbie", "/claim", "FIRST_TIME_CONTRIBUTOR");
    expect(current(h, second).assignees).toEqual([]);
    expect(replies(h, second)[0]).toContain("the most allowed while you are new here (1)");
    for (const issue of [second, third, fourth]) await say(h, issue, "carol", "/claim");
    expect([second, third, fourth].map((issue) => current(h, issue).assignees)).toEqual([["carol"], ["carol"], []]);
    expect(replies(h, fourth)[0]).toContain("You already hold 2 open claims, the most allowed (2)");
  });

  it("keeps the claim in a comment when GitHub will not assign the claimant", async () => {
    const h = await setup();
    const full = Array.from({ length: 10 }, (_, index) => `dev${index}`);
    for (const login of full) h.fake.state.setPermission(h.repo, login, "write");
    const issue = newIssue(h, { assignees: full });
    await say(h, issue, "dana", "/claim");
    expect(current(h, issue).assignees).not.toContain("dana");
    expect(replies(h, issue)).toEqual([expect.stringContaining("**Claimed by @dana**")]);
    await say(h, issue, "erin", "/claim");
    expect(replies(h, issue)[1]).toContain("already claimed by **dana**");
    await say(h, issue, "dana", "/release");
    expect(replies(h, issue)[0]).toContain("released");
    expect(replies(h, issue)).toHaveLength(2);
  });

  it("lets the claimant or a triager release, and nobody else", async () => {
    const h = await setup();
    const issue = newIssue(h);
    await say(h, issue, "alice", "/claim");
    await say(h, issue, "bob", "/release");
    expect(current(h, issue).assignees).toEqual(["alice"]);
    expect(replies(h, issue)[0]).toContain("Only **alice** (who claimed it) or a triager");
    await say(h, issue, "alice", "/unclaim");
    expect(current(h, issue).assignees).toEqual([]);
    await say(h, issue, "bob", "/claim");
    await say(h, issue, "maintainer", "/release");
    expect(current(h, issue).assignees).toEqual([]);
    await say(h, issue, "alice", "/claim");
    expect(current(h, issue).assignees).toEqual(["alice"]);
  });

  it("ends with exactly one claimant when two claims race on two workers", async () => {
    const h = await setup();
    const issue = newIssue(h);
    const racers = ["alice", "bob", "carol", "dave"];
    const comments = racers.map((user) => h.fake.state.addComment(h.repo, issue.number, { body: "/claim", user }));
    const results = await Promise.all(
      comments.map((comment) => h.send("issue_comment", h.commentPayload("created", current(h, issue), comment))),
    );
    expect(results.map((result) => result.status)).toEqual([202, 202, 202, 202]);
    await h.settle();
    expect(current(h, issue).assignees).toHaveLength(1);
    const winner = current(h, issue).assignees[0];
    expect(racers).toContain(winner);
    expect(replies(h, issue)).toHaveLength(3);
    expect(replies(h, issue).every((body) => body.includes(`claimed by **${winner}**`))).toBe(true);
  });

  it("marks a claim in progress when a PR references the issue, and shows it in /status", async () => {
    const h = await setup();
    const issue = newIssue(h);
    await say(h, issue, "alice", "/claim");
    const pull = await h.openPull({ title: "Async cache", body: `Fixes #${issue.number}`, user: "alice" }, [
      { filename: "django/core/cache/backends/base.py", additions: 5 },
    ]);
    await say(h, issue, "bob", "/status");
    const status = replies(h, issue)[0] ?? "";
    expect(status).toContain("**alice** since");
    expect(status).toContain(`in progress in #${pull.number}`);
    expect(status).toMatch(/Linked PRs \| #\d+/);
  });
});

describe("triager commands", () => {
  it("assigns and unassigns for triagers, and refuses others with a reason", async () => {
    const h = await setup();
    h.fake.state.setPermission(h.repo, "frank", "write");
    const issue = newIssue(h);
    await say(h, issue, "maintainer", "/assign @frank");
    expect(current(h, issue).assignees).toEqual(["frank"]);
    await say(h, issue, "mallory", "/unassign @frank");
    expect(current(h, issue).assignees).toEqual(["frank"]);
    expect(replies(h, issue)[0]).toContain("`/unassign` is for triagers");
    await say(h, issue, "helper", "/unassign @frank");
    expect(current(h, issue).assignees).toEqual([]);
  });

  it("labels with known labels, allow-listed ones for anyone, and lists the known ones otherwise", async () => {
    const h = await setup();
    const issue = newIssue(h);
    await say(h, issue, "maintainer", "/label bug");
    expect(current(h, issue).labels).toContain("bug");
    await say(h, issue, "mallory", '/label "good first issue"');
    expect(current(h, issue).labels).toContain("good first issue");
    await say(h, issue, "mallory", "/unlabel bug");
    expect(current(h, issue).labels).toContain("bug");
    await say(h, issue, "maintainer", "/label nonsense");
    await say(h, issue, "helper", '/unlabel "good first issue"');
    expect(current(h, issue).labels).not.toContain("good first issue");
    const [refusal, unknown] = replies(h, issue);
    expect(refusal).toContain("Only triagers can remove `bug`");
    expect(unknown).toContain("There is no label `nonsense`");
    expect(unknown).toContain("`good first issue`");
  });

  it("sets the subsystem by hand, and auto-triage leaves it alone afterwards", async () => {
    const h = await setup();
    const issue = await h.openIssue({
      title: "Async QuerySet.aget()",
      body: "Managers should offer aget().",
      user: "reporter",
    });
    expect(current(h, issue).labels).toContain("subsystem:orm");
    await say(h, issue, "maintainer", "/subsystem cache");
    expect(current(h, issue).labels).toContain("subsystem:cache");
    expect(current(h, issue).labels).not.toContain("subsystem:orm");
    await h.send("issues", h.issuePayload("edited", current(h, issue), { changes: { title: { from: "x" } } }));
    await h.settle();
    expect(current(h, issue).labels).toContain("subsystem:cache");
    expect(current(h, issue).labels).not.toContain("subsystem:orm");
  });

  it("sets the roadmap label and milestone by hand", async () => {
    const h = await setup();
    const milestone = h.fake.state.addMilestone(h.repo, { title: "3.1" });
    const issue = newIssue(h);
    await say(h, issue, "maintainer", "/roadmap 3.1");
    expect(current(h, issue).labels).toContain("roadmap:3.1");
    expect(current(h, issue).milestone).toBe(milestone.number);
    await say(h, issue, "maintainer", "/roadmap 9.9");
    expect(replies(h, issue)[0]).toContain("There is no roadmap version `9.9`");
  });
});

describe("the grammar, end to end", () => {
  it("never runs commands inside code blocks, quotes or HTML comments", async () => {
    const h = await setup();
    const issue = newIssue(h);
    const body = [
      "To claim, type:",
      "```",
      "/claim",
      "```",
      "> /claim",
      "<!-- /claim -->",
      "    /claim",
      "`/claim`",
    ].join("\n");
    await say(h, issue, "alice", body);
    expect(current(h, issue).assignees).toEqual([]);
    expect(replies(h, issue)).toEqual([]);
    expect(h.apiCalls().filter((call) => call.method !== "GET")).toEqual([]);
  });

  it("runs only the new commands of an edited comment", async () => {
    const h = await setup();
    const issue = newIssue(h);
    const comment = h.fake.state.addComment(h.repo, issue.number, { body: "/label bug", user: "maintainer" });
    await h.send("issue_comment", h.commentPayload("created", current(h, issue), comment));
    await h.settle();
    const before = h.fake.callsTo("issues/add-labels").length;
    comment.body = "/label bug\n/assign @maintainer";
    await h.send(
      "issue_comment",
      h.commentPayload("edited", current(h, issue), comment, { changes: { body: { from: "/label bug" } } }),
    );
    await h.settle();
    expect(h.fake.callsTo("issues/add-labels").length).toBe(before);
    expect(current(h, issue).assignees).toEqual(["maintainer"]);
  });

  it("runs several commands in order and suggests the command a typo was near", async () => {
    const h = await setup();
    const issue = newIssue(h);
    await say(h, issue, "maintainer", "/label bug\n/clam\n/assign @maintainer");
    expect(current(h, issue).labels).toContain("bug");
    expect(current(h, issue).assignees).toEqual(["maintainer"]);
    expect(replies(h, issue)).toEqual([expect.stringContaining("did you mean `/claim`?")]);
  });

  it("quotes the command each reply answers when a comment held several, at one write per reply", async () => {
    const h = await setup();
    const issue = newIssue(h);
    await say(h, issue, "alice", "/help");
    const [single] = replies(h, issue);
    expect(single).not.toMatch(/^> /m);
    const mark = h.fake.calls.length;
    const comment = h.fake.state.addComment(h.repo, issue.number, { body: "/release\n/help", user: "alice" });
    const payload = h.commentPayload("created", current(h, issue), comment);
    await h.send("issue_comment", payload, { id: "several-commands" });
    await h.settle();
    const [, release, help] = replies(h, issue);
    expect(release).toMatch(/\n> `\/release`\n\nNobody holds this issue/);
    expect(help).toMatch(/\n> `\/help`\n\n/);
    expect(h.apiCalls(mark).filter((call) => call.method !== "GET")).toHaveLength(2);
    // A redelivery of the same delivery writes nothing more.
    await h.send("issue_comment", payload, { id: "several-commands" });
    await h.settle();
    expect(replies(h, issue)).toHaveLength(3);
    expect(h.apiCalls(mark).filter((call) => call.method !== "GET")).toHaveLength(2);
  });

  it("ignores commands from bots, Shepherd included", async () => {
    const h = await setup();
    const issue = newIssue(h);
    const comment = h.fake.state.addComment(h.repo, issue.number, { body: "/claim", user: "shepherd[bot]" });
    await h.send("issue_comment", h.commentPayload("created", current(h, issue), comment));
    await h.settle();
    expect(current(h, issue).assignees).toEqual([]);
    expect(h.apiCalls().filter((call) => call.method !== "GET")).toEqual([]);
  });

  it("costs nothing for a comment without commands", async () => {
    const h = await setup();
    const issue = newIssue(h);
    const mark = h.fake.calls.length;
    await say(h, issue, "alice", "Thanks! I'll look at this over the weekend.");
    expect(h.apiCalls(mark)).toEqual([]);
  });

  it("answers /help with the enabled commands, and explains a feature that is off", async () => {
    const h = await setup("preset: django-async\ncommands: {}\n");
    const issue = newIssue(h);
    await say(h, issue, "alice", "/help");
    await say(h, issue, "alice", "/claim");
    const [help, off] = replies(h, issue);
    expect(help).toContain("`/status`");
    expect(help).toContain("`/assign`");
    expect(help).not.toContain("| `/claim`");
    expect(help).toContain("Not enabled in this repository: `/claim`");
    expect(off).toContain("`/claim` is not enabled in this repository");
    expect(off).toContain("`claims:` section");
  });

  it("answers a command with wrong arguments with its usage", async () => {
    const h = await setup();
    const issue = newIssue(h);
    await say(h, issue, "maintainer", "/assign not/a/user");
    expect(replies(h, issue)[0]).toContain("is not a GitHub user name: `/assign @user...`");
  });

  it("ignores every command when the commands section is absent", async () => {
    const h = await setup("preset: django-async\ntriage: {}\n");
    const issue = newIssue(h);
    await say(h, issue, "alice", "/claim\n/help");
    expect(replies(h, issue)).toEqual([]);
    expect(current(h, issue).assignees).toEqual([]);
  });
});

describe("where commands are read", () => {
  it("runs a command in a new issue's body, reacting on the issue", async () => {
    const h = await setup();
    const issue = await h.openIssue({
      title: "Async signals",
      body: "Signal.asend()\n\n/claim",
      user: "author",
    });
    expect(current(h, issue).assignees).toEqual(["author"]);
    expect(current(h, issue).reactions.map((reaction) => reaction.content)).toEqual(["+1"]);
  });

  it("runs commands in PR review comments and review bodies", async () => {
    const h = await setup();
    const pull = h.fake.state.addIssue(h.repo, { title: "Docs", body: "", user: "contributor", pull_request: true });
    h.fake.state.addPullFiles(h.repo, pull.number, [{ filename: "docs/intro.txt", additions: 1 }]);
    const base = h.pullPayload("opened", pull);
    const reviewComment = h.fake.state.addReviewComment(h.repo, pull.number, {
      body: "/label bug",
      user: "maintainer",
      path: "docs/intro.txt",
    });
    const example = examplePayload("pull_request_review_comment", "created");
    await h.send("pull_request_review_comment", {
      ...example,
      action: "created",
      comment: {
        ...(example.comment as Record<string, unknown>),
        id: reviewComment.id,
        body: reviewComment.body,
        user: { login: "maintainer", id: 5, type: "User" },
      },
      pull_request: base.pull_request,
      repository: base.repository,
      installation: base.installation,
      sender: { login: "maintainer", id: 5, type: "User" },
    });
    const review = examplePayload("pull_request_review", "submitted");
    await h.send("pull_request_review", {
      ...review,
      review: {
        ...(review.review as Record<string, unknown>),
        body: "Looks good.\n/assign @maintainer",
        user: { login: "maintainer", id: 5, type: "User" },
      },
      pull_request: base.pull_request,
      repository: base.repository,
      installation: base.installation,
      sender: { login: "maintainer", id: 5, type: "User" },
    });
    await h.settle();
    expect(current(h, pull).labels).toContain("bug");
    expect(reviewComment.reactions.map((reaction) => reaction.content)).toEqual(["+1"]);
    expect(current(h, pull).assignees).toEqual(["maintainer"]);
  });

  it("refuses /claim on a pull request", async () => {
    const h = await setup();
    const pull = h.fake.state.addIssue(h.repo, { title: "Docs", body: "", user: "contributor", pull_request: true });
    await say(h, pull, "alice", "/claim");
    expect(replies(h, pull)).toEqual([expect.stringContaining("`/claim` does not work on pull requests")]);
  });
});

describe("rebuilding state after Redis loses it", () => {
  it("restores claims, PR links and triage ownership from GitHub", async () => {
    const h = await setup(CONFIG.replace("explain: none", "explain: comment"));
    const claimed = newIssue(h);
    await say(h, claimed, "alice", "/claim");
    await say(h, claimed, "bob", "/claim");
    const full = Array.from({ length: 10 }, (_, index) => `dev${index}`);
    for (const login of full) h.fake.state.setPermission(h.repo, login, "write");
    const heldByShepherd = newIssue(h, { assignees: full });
    await say(h, heldByShepherd, "dana", "/claim");
    const released = newIssue(h);
    await say(h, released, "erin", "/claim");
    await say(h, released, "erin", "/release");
    const pull = h.fake.state.addIssue(h.repo, {
      title: "Cache",
      body: `Fixes #${claimed.number}`,
      user: "alice",
      pull_request: true,
    });
    h.fake.state.addPullFiles(h.repo, pull.number, [{ filename: "django/core/cache/backends/base.py", additions: 3 }]);
    await h.send("pull_request", h.pullPayload("opened", pull));
    const triaged = await h.openIssue({ title: "Async QuerySet.aget()", body: "aget() please", user: "r" });
    const before = {
      claims: await Promise.all(
        [claimed, heldByShepherd, released]
          .map((issue) => h.shepherd.keys.claim(h.repo.id, issue.number))
          .map((key) => h.redis.hgetall(key)),
      ),
      triage: await h.redis.hget(h.shepherd.keys.item(h.repo.id, triaged.number), "owned"),
    };
    expect(before.claims[0]).toMatchObject({ claimant: "alice", pr: String(pull.number) });

    await h.restart({ flush: true });

    const claimStore = (await import("../../src/state/claims.js")).createClaimStore(h.redis, h.shepherd.keys);
    expect(await claimStore.get(h.repo.id, claimed.number)).toMatchObject({
      claimant: "alice",
      assigned: true,
      pr: pull.number,
    });
    expect(await claimStore.get(h.repo.id, heldByShepherd.number)).toMatchObject({ claimant: "dana", assigned: false });
    expect(await claimStore.get(h.repo.id, released.number)).toBeNull();
    expect(await claimStore.countFor(h.repo.id, "alice")).toBe(1);
    expect(JSON.parse((await h.redis.hget(h.shepherd.keys.item(h.repo.id, triaged.number), "owned")) ?? "[]")).toEqual(
      JSON.parse(before.triage ?? "null"),
    );
    // And it behaves as before the loss.
    await say(h, claimed, "carol", "/claim");
    expect(replies(h, claimed).at(-1)).toContain("already claimed by **alice**");
    await say(h, heldByShepherd, "carol", "/claim");
    expect(replies(h, heldByShepherd).at(-1)).toContain("already claimed by **dana**");
  });
});
