// Newcomer onboarding and mentor matching through the real path.
import { describe, expect, it } from "vitest";
import type { IssueRecord } from "../fake-github/state.js";
import type { Harness } from "../support/harness.js";
import { harnessPerTest } from "../support/per-test.js";

const CONFIG = `
preset: django-async
triage:
  explain: none
commands: {}
claims: {}
onboarding:
  contributingUrl: https://docs.djangoproject.com/en/dev/internals/contributing/
  testsUrl: https://docs.djangoproject.com/en/dev/internals/contributing/writing-code/unit-tests/
mentors:
  subsystems:
    orm:
      - { login: carlton, capacity: 1, timezone: Europe/Madrid }
      - { login: mariusz, capacity: 1 }
  fallback:
    - { login: florian, capacity: 1 }
`;

const startHarness = harnessPerTest();

let offset = 0;
const clock = () => Date.now() + offset;

async function setup(): Promise<Harness> {
  offset = 0;
  const harness = await startHarness({ config: CONFIG, now: clock });
  for (const login of ["carlton", "mariusz", "florian"]) harness.fake.state.setPermission(harness.repo, login, "write");
  for (const login of ["newbie", "second", "third", "fourth"])
    harness.associations.set(login, "FIRST_TIME_CONTRIBUTOR");
  for (const login of ["carlton", "mariusz", "florian", "maintainer"]) harness.associations.set(login, "MEMBER");
  harness.fake.state.addLabel(harness.repo, { name: "good first issue", color: "7057ff" });
  harness.fake.state.addIssue(harness.repo, {
    title: "Document QuerySet.aiterator() @someone #1",
    body: "",
    user: "maintainer",
    labels: ["good first issue", "subsystem:orm"],
  });
  return harness;
}

function openIssue(h: Harness, user: string, title = "Add async QuerySet.acount() and aexists()") {
  return h.openIssue({ title, body: "Managers need acount() and aexists().", user });
}

function botComments(h: Harness, issue: IssueRecord): string[] {
  return h.fake.state
    .commentsOn(h.repo, issue.number)
    .filter((comment) => comment.user.endsWith("[bot]"))
    .map((comment) => comment.body);
}

async function say(h: Harness, issue: IssueRecord, user: string, body: string) {
  expect((await h.comment(issue, user, body)).status).toBe(202);
  await h.settle();
}

describe("newcomer onboarding", () => {
  it("welcomes a newcomer's issue with next steps, suggestions and a mentor", async () => {
    const h = await setup();
    const issue = await openIssue(h, "newbie");
    const [welcome, ...rest] = botComments(h, issue);
    expect(rest).toEqual([]);
    expect(welcome).toContain("@newbie");
    expect(welcome).toMatch(/@(carlton|mariusz)/);
    expect(welcome).toContain("Why this mentor?");
    expect(welcome).toContain("docs.djangoproject.com/en/dev/internals/contributing/");
    expect(welcome).toContain("Document QuerySet.aiterator");
    expect(welcome).not.toMatch(/(^|[^`\w])@someone/);
  });

  it("does not welcome the same newcomer's PR again, and asks their mentor to review it", async () => {
    const h = await setup();
    const issue = await openIssue(h, "newbie");
    const mentor = /@(carlton|mariusz)/.exec(botComments(h, issue)[0] ?? "")?.[1];
    const pull = await h.openPull({ title: "Add QuerySet.acount()", body: `Fixes #${issue.number}`, user: "newbie" }, [
      { filename: "django/db/models/query.py", additions: 20 },
    ]);
    expect(botComments(h, pull)).toEqual([]);
    expect(h.fake.state.issue(h.repo, pull.number).pull?.requestedReviewers).toEqual([mentor]);
  });

  it("leaves a returning contributor alone", async () => {
    const h = await setup();
    h.associations.set("veteran", "FIRST_TIME_CONTRIBUTOR"); // GitHub's hint is wrong for many users
    h.fake.state.addIssue(h.repo, {
      title: "Old work",
      user: "veteran",
      pull_request: true,
      merged: true,
      state: "closed",
    });
    const issue = await openIssue(h, "veteran");
    expect(botComments(h, issue)).toEqual([]);
    h.associations.set("member", "MEMBER");
    const searches = h.fake.callsTo("search/issues-and-pull-requests").length;
    const member = await openIssue(h, "member");
    expect(botComments(h, member)).toEqual([]);
    // People with access are never newcomers: GitHub's search is not even asked.
    expect(h.fake.callsTo("search/issues-and-pull-requests")).toHaveLength(searches);
  });

  it("puts the newcomer on a waitlist when every mentor is full, and hands them the place freed elsewhere", async () => {
    const h = await setup();
    const first = await openIssue(h, "newbie");
    const second = await openIssue(h, "second");
    const third = await openIssue(h, "third");
    expect(botComments(h, third)[0]).toContain("number 1 in line");
    expect(h.fake.state.issue(h.repo, third.number).labels).toContain("needs-mentor");
    const firstMentor = /@(carlton|mariusz)/.exec(botComments(h, first)[0] ?? "")?.[1];
    const secondMentor = /@(carlton|mariusz)/.exec(botComments(h, second)[0] ?? "")?.[1];
    expect(new Set([firstMentor, secondMentor])).toEqual(new Set(["carlton", "mariusz"]));

    await say(h, first, "newbie", "Thanks for the help!\n/mentor done");
    const told = botComments(h, third).at(-1) ?? "";
    expect(told).toContain("@third");
    expect(told).toContain(`@${firstMentor}`);
    expect(h.fake.state.issue(h.repo, third.number).labels).not.toContain("needs-mentor");
  });

  it("skips a mentor who is away", async () => {
    const h = await setup();
    const somewhere = await openIssue(h, "maintainer", "Meeting notes");
    await say(h, somewhere, "carlton", "/away until 2099-01-01");
    const issue = await openIssue(h, "newbie");
    expect(botComments(h, issue)[0]).toContain("@mariusz");
    await say(h, somewhere, "mallory", "/away");
    expect(botComments(h, somewhere).at(-1)).toContain("`/away` is for mentors");
  });

  it("lets a triager pick the mentor and a newcomer ask for one", async () => {
    const h = await setup();
    h.fake.state.setPermission(h.repo, "boss", "admin");
    const issue = await openIssue(h, "newbie");
    await say(h, issue, "boss", "/mentor @florian");
    expect(botComments(h, issue).at(-1)).toContain("@florian");
    await say(h, issue, "newbie", "/mentor");
    expect(botComments(h, issue).at(-1)).toContain("Your mentor is **florian**");
  });

  it("ends the mentorship when the newcomer's PR is merged", async () => {
    const h = await setup();
    h.associations.set("pr-author", "FIRST_TIME_CONTRIBUTOR");
    const pull = await h.openPull({ title: "Async QuerySet.acontains()", body: "", user: "pr-author" }, [
      { filename: "django/db/models/query.py", additions: 20 },
    ]);
    expect(botComments(h, pull)[0]).toContain("@pr-author");
    const merged = h.fake.state.issue(h.repo, pull.number);
    merged.state = "closed";
    await h.send("pull_request", h.pullPayload("closed", merged, {}));
    await h.settle();
    expect(botComments(h, pull)[0]).toContain("Mentorship ended");
  });
});

describe("the mentorship lifecycle over time", () => {
  async function sweep(h: Harness) {
    await h.shepherd.queues.tasks.add("sweep-repo", {
      kind: "sweep-repo",
      installationId: 4242,
      owner: "django",
      repo: "django",
    });
    await h.settle();
  }

  it("ends an idle mentorship and gives the place to the longest waiter", async () => {
    const h = await setup();
    const first = await openIssue(h, "newbie");
    await openIssue(h, "second");
    const third = await openIssue(h, "third");
    expect(botComments(h, third)[0]).toContain("number 1 in line");
    offset = 29 * 86_400_000;
    await say(h, first, "newbie", "Still working on it!");
    offset = 31 * 86_400_000;
    await sweep(h);
    // newbie spoke on day 29, so only second (silent since day 0) is idle on day 31.
    expect(botComments(h, first).some((body) => body.includes("Mentorship ended"))).toBe(false);
    expect(botComments(h, third).at(-1)).toContain("@third");
  });

  it("offers another mentor to the mentees of a mentor away for long enough", async () => {
    const h = await setup();
    const issue = await openIssue(h, "newbie");
    const mentor = /@(carlton|mariusz)/.exec(botComments(h, issue)[0] ?? "")?.[1] ?? "";
    const other = mentor === "carlton" ? "mariusz" : "carlton";
    await say(h, issue, mentor, "/away");
    offset = 3 * 86_400_000;
    await sweep(h);
    expect(botComments(h, issue)).toHaveLength(1);
    offset = 8 * 86_400_000;
    await sweep(h);
    expect(botComments(h, issue).at(-1)).toContain(`**${mentor}** is away`);
    expect(botComments(h, issue).at(-1)).toContain(`@${other}`);
  });
});

describe("rebuilding mentoring after Redis loses it", () => {
  it("restores mentorships, the waitlist, who was welcomed and who is away", async () => {
    const h = await setup();
    const first = await openIssue(h, "newbie");
    const second = await openIssue(h, "second");
    const third = await openIssue(h, "third");
    const somewhere = await openIssue(h, "maintainer", "Notes");
    await say(h, somewhere, "florian", "/away until 2099-01-01");
    const mentorOf = (issue: IssueRecord) => /@(carlton|mariusz)/.exec(botComments(h, issue)[0] ?? "")?.[1];
    const before = { first: mentorOf(first), second: mentorOf(second) };

    await h.restart({ flush: true });

    const store = (await import("../../src/state/mentorships.js")).createMentorshipStore(h.redis, h.shepherd.keys);
    expect((await store.get(h.repo.id, "newbie"))?.mentor).toBe(before.first);
    expect((await store.get(h.repo.id, "second"))?.mentor).toBe(before.second);
    expect((await store.waitlist(h.repo.id)).map((entry) => entry.login)).toEqual(["third"]);
    expect((await store.away(h.repo.id, "florian"))?.until).toBe(Date.parse("2099-01-02T00:00:00Z"));
    expect(await store.isWelcomed(h.repo.id, "newbie")).toBe(true);

    // No second welcome, and the waitlist still works.
    const again = await openIssue(h, "newbie", "Another async QuerySet idea");
    expect(botComments(h, again)).toEqual([]);
    await say(h, first, "newbie", "/mentor done");
    expect(botComments(h, third).at(-1)).toContain(`@${before.first}`);
  });
});
