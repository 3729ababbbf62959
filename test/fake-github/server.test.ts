// Tests of the fake GitHub itself, through real HTTP with the same clients the bot uses.
import { appKeyPair } from "../support/keys.js";
import { Octokit } from "@octokit/rest";
import { createProbot, ProbotOctokit } from "probot";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { IN_FLIGHT_MS } from "./limits.js";
import { startFakeGitHub, type FakeGitHub } from "./server.js";
import { nodeId } from "./state.js";

/** A retry that comes later than a request already on the wire could (see IN_FLIGHT_MS). */
function pastInFlight(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, IN_FLIGHT_MS + 5));
}

const APP_ID = 4242;
const INSTALLATION_ID = 77;
const keys = appKeyPair();

// Failed requests are the point of many tests here; keep Octokit from logging them.
const log = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

let fake: FakeGitHub;

function userClient(auth: string | null = "test-token", baseUrl = fake.apiUrl): Octokit {
  return new Octokit({ baseUrl, log, ...(auth !== null && { auth }) });
}

/** An untyped request, for bodies Octokit's types (rightly) refuse. */
function raw(route: string, params: Record<string, unknown>): Promise<unknown> {
  return userClient().request(route, params);
}

function appClient(privateKey = keys.privateKey): InstanceType<typeof ProbotOctokit> {
  return new ProbotOctokit({
    baseUrl: fake.apiUrl,
    auth: { appId: APP_ID, privateKey, installationId: INSTALLATION_ID },
    retry: { enabled: false },
    throttle: { enabled: false },
    log,
  });
}

/** Runs a request expected to fail and returns its status and response headers. */
async function failure(
  request: Promise<unknown>,
): Promise<{ status: number; headers: Record<string, string | undefined> }> {
  try {
    await request;
  } catch (error) {
    const { status, response } = error as {
      status: number;
      response?: { headers: Record<string, string | undefined> };
    };
    return { status, headers: response?.headers ?? {} };
  }
  throw new Error("request succeeded");
}

async function statusOf(request: Promise<unknown>): Promise<number> {
  return (await failure(request)).status;
}

/** Asserts each text is in a recorded error and every error is expected, then forgets them. */
function expectErrors(...texts: string[]): void {
  const listed = fake.errors.map((error) => `${error.operationId ?? ""} ${error.message}`);
  for (const text of texts)
    expect(
      listed.some((line) => line.includes(text)),
      `no error mentions "${text}"`,
    ).toBe(true);
  expect(listed.filter((line) => !texts.some((text) => line.includes(text)))).toEqual([]);
  fake.errors.length = 0;
}

beforeAll(async () => {
  fake = await startFakeGitHub({ appId: APP_ID, appPublicKey: keys.publicKey });
});

afterAll(async () => {
  await fake.close();
});

beforeEach(() => {
  fake.reset();
  fake.state.addInstallation(INSTALLATION_ID, "django");
  fake.state.addRepo({ owner: "django", name: "django" });
  fake.state.setPermission("django/django", "octocat", "write");
});

afterEach(() => {
  fake.assertNoErrors();
});

describe("addresses", () => {
  it("serves under /api/v3 like GitHub Enterprise Server, and without the prefix", async () => {
    expect(fake.apiUrl).toBe(`${fake.url}/api/v3`);
    expect(fake.host).toBe(fake.url.replace("http://", ""));
    const plain = userClient("test-token", fake.url);
    const { data } = await plain.rest.repos.get({ owner: "django", repo: "django" });
    expect(data.full_name).toBe("django/django");
    expect(fake.calls.at(-1)).toMatchObject({
      method: "GET",
      path: "/repos/django/django",
      operationId: "repos/get",
      status: 200,
    });
  });

  it("sends realistic headers", async () => {
    const response = await userClient().rest.repos.get({ owner: "django", repo: "django" });
    expect(response.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(response.headers["x-ratelimit-limit"]).toBe("5000");
    expect(response.headers["x-ratelimit-remaining"]).toBe("4999");
    expect(response.headers["x-github-request-id"]).toMatch(/^[0-9A-F]+:[0-9A-F]+:[0-9A-F]+$/);
  });
});

describe("authentication", () => {
  it("issues installation tokens for a valid app JWT and records who called", async () => {
    const octokit = appClient();
    const { data } = await octokit.rest.issues.listLabelsForRepo({ owner: "django", repo: "django" });
    expect(data).toEqual([]);
    expect(fake.calls.map((call) => [call.operationId, call.auth, call.installationId])).toEqual([
      ["apps/create-installation-access-token", "app", undefined],
      ["issues/list-labels-for-repo", "installation", INSTALLATION_ID],
    ]);
    const { data: app } = await userClient(`Bearer ${await jwt()}`).rest.apps.getAuthenticated();
    expect(app?.slug).toBe("shepherd");
  });

  it("serves Probot configured as for GitHub Enterprise Server (GHE_HOST, GHE_PROTOCOL=http)", async () => {
    const env = {
      APP_ID: String(APP_ID),
      PRIVATE_KEY: keys.privateKey,
      WEBHOOK_SECRET: "secret",
      GHE_HOST: fake.host,
      GHE_PROTOCOL: "http",
      LOG_LEVEL: "fatal",
    };
    const probot = createProbot({ env: env as NodeJS.ProcessEnv });
    const octokit = await probot.auth(INSTALLATION_ID);
    const { data } = await octokit.rest.repos.get({ owner: "django", repo: "django" });
    expect(data.default_branch).toBe("main");
    expect(fake.calls.map((call) => `${call.auth} ${call.operationId ?? ""}`)).toEqual([
      "app apps/create-installation-access-token",
      "installation repos/get",
    ]);
  });

  it("gives a 404 for repositories the installation cannot see", async () => {
    fake.state.addRepo({ owner: "someone", name: "else" });
    expect(await statusOf(appClient().rest.repos.get({ owner: "someone", repo: "else" }))).toBe(404);
  });

  it("refuses a JWT signed with another key", async () => {
    const other = appKeyPair();
    expect(await statusOf(appClient(other.privateKey).rest.repos.get({ owner: "django", repo: "django" }))).toBe(401);
    expectErrors("signature does not verify");
  });

  it("refuses requests without credentials and tokens it never issued", async () => {
    expect(await statusOf(userClient(null).rest.repos.get({ owner: "django", repo: "django" }))).toBe(401);
    expect(await statusOf(userClient("ghs_madeup").rest.repos.get({ owner: "django", repo: "django" }))).toBe(401);
    expectErrors("no authorization header", "not issued by this fake");
  });

  it("finds the installation for a repository and lists its repositories", async () => {
    const bearer = userClient(await jwt());
    const { data: installation } = await bearer.rest.apps.getRepoInstallation({ owner: "django", repo: "django" });
    expect(installation.id).toBe(INSTALLATION_ID);
    const { data } = await appClient().rest.apps.listReposAccessibleToInstallation();
    expect(data.repositories.map((repo) => repo.full_name)).toEqual(["django/django"]);
  });
});

/** An app JWT, made by Probot's auth the way the bot makes it. */
async function jwt(): Promise<string> {
  const { token } = (await appClient().auth({ type: "app" })) as { token: string };
  fake.clearCalls();
  return token;
}

describe("labels", () => {
  it("creates, reads and updates repository labels (names are case-insensitive)", async () => {
    const octokit = userClient();
    const { data, status } = await octokit.rest.issues.createLabel({
      owner: "django",
      repo: "django",
      name: "Bug",
      color: "d73a4a",
    });
    expect(status).toBe(201);
    expect(data).toMatchObject({ name: "Bug", color: "d73a4a", description: null, default: false });
    expect((await octokit.rest.issues.getLabel({ owner: "django", repo: "django", name: "bug" })).data.name).toBe(
      "Bug",
    );
    await octokit.rest.issues.updateLabel({
      owner: "django",
      repo: "django",
      name: "bug",
      new_name: "type: bug",
      color: "ffffff",
    });
    expect([...fake.state.repo("django/django").labels.values()].map((label) => [label.name, label.color])).toEqual([
      ["type: bug", "ffffff"],
    ]);
    expect(
      await statusOf(octokit.rest.issues.createLabel({ owner: "django", repo: "django", name: "TYPE: BUG" })),
    ).toBe(422);
  });

  it("adds, sets and removes issue labels, creating unknown labels like GitHub", async () => {
    const octokit = userClient();
    fake.state.addLabel("django/django", { name: "triage", color: "00ff00" });
    const issue = fake.state.addIssue("django/django", { title: "Crash", user: "alice" });
    const added = await octokit.rest.issues.addLabels({
      owner: "django",
      repo: "django",
      issue_number: issue.number,
      labels: ["TRIAGE", "needs info"],
    });
    expect(added.data.map((label) => label.name)).toEqual(["triage", "needs info"]);
    // State keeps the repo's spelling, whatever case the request used.
    expect(fake.state.issue("django/django", issue.number).labels).toEqual(["triage", "needs info"]);
    expect(fake.state.repo("django/django").labels.get("needs info")?.color).toBe("ededed");
    const set = await octokit.rest.issues.setLabels({
      owner: "django",
      repo: "django",
      issue_number: issue.number,
      labels: ["accepted"],
    });
    expect(set.data.map((label) => label.name)).toEqual(["accepted"]);
    expect(
      await statusOf(
        octokit.rest.issues.removeLabel({
          owner: "django",
          repo: "django",
          issue_number: issue.number,
          name: "triage",
        }),
      ),
    ).toBe(404);
    const removed = await octokit.rest.issues.removeLabel({
      owner: "django",
      repo: "django",
      issue_number: issue.number,
      name: "Accepted",
    });
    expect(removed.data).toEqual([]);
  });

  it("records bodies GitHub would reject", async () => {
    const octokit = userClient();
    expect(
      await statusOf(octokit.rest.issues.createLabel({ owner: "django", repo: "django", name: "bug", color: "#zzz" })),
    ).toBe(422);
    expectErrors("issues/create-label 422");
    expect(
      await statusOf(raw("POST /repos/{owner}/{repo}/labels", { owner: "django", repo: "django", color: "ffffff" })),
    ).toBe(422);
    expectErrors("must have required property 'name'");
    const issue = fake.state.addIssue("django/django", { title: "x" });
    const numbers = raw("POST /repos/{owner}/{repo}/issues/{issue_number}/labels", {
      owner: "django",
      repo: "django",
      issue_number: issue.number,
      labels: [1],
    });
    expect(await statusOf(numbers)).toBe(422);
    expectErrors("issues/add-labels body/labels/0");
    expect(fake.state.issue("django/django", issue.number).labels).toEqual([]);
  });
});

describe("routes", () => {
  it("records routes GitHub does not have", async () => {
    expect(
      await statusOf(
        userClient().request("GET /repos/{owner}/{repo}/no-such-thing", { owner: "django", repo: "django" }),
      ),
    ).toBe(404);
    expect(
      await statusOf(userClient().request("DELETE /repos/{owner}/{repo}", { owner: "django", repo: "django" })),
    ).toBe(404);
    expectErrors("has no GET /repos/django/django/no-such-thing", "has no DELETE /repos/django/django");
    expect(fake.calls.map((call) => call.operationId)).toEqual([null, null]);
  });

  it("records bad query parameters", async () => {
    expect(
      await statusOf(
        raw("GET /repos/{owner}/{repo}/milestones", { owner: "django", repo: "django", state: "everything" }),
      ),
    ).toBe(422);
    expectErrors("query/state must be equal to one of the allowed values");
  });

  it("throws from assertNoErrors with every error listed", async () => {
    await statusOf(userClient().request("GET /nope"));
    expect(() => fake.assertNoErrors()).toThrow(/1 error\(s\):\n {2}\[route\] GET \/nope/);
    fake.clearCalls();
  });

  it("answers GraphQL by default, and leaves a hook to replace or turn it off", async () => {
    const octokit = userClient();
    await expect(octokit.graphql("{ viewer { login } }")).rejects.toMatchObject({
      errors: [{ message: "field Query.viewer is not implemented by the fake" }],
    });
    expectErrors("field Query.viewer is not implemented by the fake");
    fake.setGraphqlHandler(({ auth }) => ({ body: { data: { viewer: { login: auth.login } } } }));
    expect(await octokit.graphql("{ viewer { login } }")).toEqual({ viewer: { login: "octocat" } });
    expect(fake.calls.at(-1)).toMatchObject({
      path: "/api/graphql",
      operationId: "graphql",
      graphql: { operation: "query", fields: ["viewer"] },
    });
    fake.setGraphqlHandler(false);
    expect(await statusOf(octokit.graphql("{ viewer { login } }"))).toBe(404);
    expectErrors("GraphQL is turned off");
    fake.setGraphqlHandler(undefined);
  });
});

describe("issues and comments", () => {
  it("updates title, body, state, milestone, labels and assignees", async () => {
    const octokit = userClient();
    fake.state.addMilestone("django/django", { title: "5.1", number: 3 });
    fake.state.setPermission("django/django", "bob", "triage");
    const issue = fake.state.addIssue("django/django", { title: "Old", user: "alice" });
    const { data } = await octokit.rest.issues.update({
      owner: "django",
      repo: "django",
      issue_number: issue.number,
      title: "New",
      body: "text",
      state: "closed",
      state_reason: "not_planned",
      milestone: 3,
      labels: ["wontfix"],
      assignees: ["alice", "mallory"],
    });
    expect(data).toMatchObject({
      title: "New",
      body: "text",
      state: "closed",
      state_reason: "not_planned",
      milestone: { number: 3, title: "5.1", closed_issues: 1 },
    });
    // mallory has no access, so GitHub drops her silently.
    expect(data.assignees?.map((user) => user.login)).toEqual(["alice"]);
    expect(data.labels.map((label) => (typeof label === "string" ? label : label.name))).toEqual(["wontfix"]);
    const { data: assigned } = await octokit.rest.issues.addAssignees({
      owner: "django",
      repo: "django",
      issue_number: issue.number,
      assignees: ["bob"],
    });
    expect(assigned.assignees?.map((user) => user.login)).toEqual(["alice", "bob"]);
    const { data: unassigned } = await octokit.rest.issues.removeAssignees({
      owner: "django",
      repo: "django",
      issue_number: issue.number,
      assignees: ["alice"],
    });
    expect(unassigned.assignees?.map((user) => user.login)).toEqual(["bob"]);
    expect(
      await statusOf(
        octokit.rest.issues.update({ owner: "django", repo: "django", issue_number: issue.number, milestone: 99 }),
      ),
    ).toBe(422);
  });

  it("creates issues and comments as the app's bot user", async () => {
    const octokit = appClient();
    const { data: issue } = await octokit.rest.issues.create({
      owner: "django",
      repo: "django",
      title: "Tracking",
      labels: ["meta"],
    });
    expect(issue.user).toMatchObject({ login: "shepherd[bot]", type: "Bot" });
    const { data: comment, status } = await octokit.rest.issues.createComment({
      owner: "django",
      repo: "django",
      issue_number: issue.number,
      body: "Hello",
    });
    expect(status).toBe(201);
    expect(comment).toMatchObject({
      body: "Hello",
      user: { login: "shepherd[bot]", type: "Bot" },
      html_url: `${fake.url}/django/django/issues/${issue.number}#issuecomment-${comment.id}`,
    });
    await octokit.rest.issues.updateComment({
      owner: "django",
      repo: "django",
      comment_id: comment.id,
      body: "Edited",
    });
    const { data: read } = await octokit.rest.issues.getComment({
      owner: "django",
      repo: "django",
      comment_id: comment.id,
    });
    expect(read.body).toBe("Edited");
    const reaction = await octokit.rest.reactions.createForIssueComment({
      owner: "django",
      repo: "django",
      comment_id: comment.id,
      content: "eyes",
    });
    expect(reaction.status).toBe(201);
    const again = await octokit.rest.reactions.createForIssueComment({
      owner: "django",
      repo: "django",
      comment_id: comment.id,
      content: "eyes",
    });
    expect(again.status).toBe(200);
    const { data: issueAfter } = await octokit.rest.issues.get({
      owner: "django",
      repo: "django",
      issue_number: issue.number,
    });
    expect(issueAfter.comments).toBe(1);
    expect(
      await statusOf(
        octokit.rest.issues.createComment({ owner: "django", repo: "django", issue_number: issue.number, body: " " }),
      ),
    ).toBe(422);
    expectErrors("Body cannot be blank");
  });

  it("lists comments, with since", async () => {
    fake.state.addIssue("django/django", { title: "t", number: 12 });
    fake.state.addComment("django/django", 12, { body: "old", created_at: "2024-01-01T00:00:00Z" });
    fake.state.addComment("django/django", 12, { body: "new", created_at: "2024-06-01T00:00:00Z" });
    const { data } = await userClient().rest.issues.listComments({
      owner: "django",
      repo: "django",
      issue_number: 12,
      since: "2024-03-01T00:00:00Z",
    });
    expect(data.map((comment) => comment.body)).toEqual(["new"]);
  });

  it("lists milestones by state", async () => {
    fake.state.addMilestone("django/django", { title: "5.0", state: "closed" });
    fake.state.addMilestone("django/django", { title: "5.1", due_on: "2025-01-01T00:00:00Z" });
    const octokit = userClient();
    const open = await octokit.rest.issues.listMilestones({ owner: "django", repo: "django" });
    expect(open.data.map((milestone) => milestone.title)).toEqual(["5.1"]);
    const all = await octokit.rest.issues.listMilestones({ owner: "django", repo: "django", state: "all" });
    expect(all.data).toHaveLength(2);
  });
});

describe("pull requests", () => {
  it("serves pulls/get and pages pulls/list-files with a Link header", async () => {
    const octokit = userClient();
    fake.state.addIssue("django/django", { number: 7, title: "Fix", user: "alice", pull_request: true });
    fake.state.addPullFiles(
      "django/django",
      7,
      Array.from({ length: 75 }, (_, index) => ({ filename: `src/file${index}.py`, additions: 1, deletions: 2 })),
    );
    const { data: pull } = await octokit.rest.pulls.get({ owner: "django", repo: "django", pull_number: 7 });
    expect(pull).toMatchObject({ number: 7, changed_files: 75, additions: 75, deletions: 150, merged: false });
    const first = await octokit.rest.pulls.listFiles({ owner: "django", repo: "django", pull_number: 7, per_page: 30 });
    expect(first.data).toHaveLength(30);
    expect(first.headers.link).toContain('page=2>; rel="next"');
    expect(first.headers.link).toContain('page=3>; rel="last"');
    fake.clearCalls();
    const files = await octokit.paginate(octokit.rest.pulls.listFiles, {
      owner: "django",
      repo: "django",
      pull_number: 7,
      per_page: 30,
    });
    expect(files.map((file) => file.filename)).toEqual(Array.from({ length: 75 }, (_, index) => `src/file${index}.py`));
    expect(fake.callsTo("pulls/list-files").map((call) => call.query["page"])).toEqual([undefined, "2", "3"]);
    expect(await statusOf(octokit.rest.pulls.get({ owner: "django", repo: "django", pull_number: 8 }))).toBe(404);
  });

  it("requests reviewers from collaborators only", async () => {
    const octokit = userClient();
    fake.state.addIssue("django/django", { number: 9, title: "Feature", user: "alice", pull_request: true });
    fake.state.setPermission("django/django", "carol", "write");
    const { data } = await octokit.rest.pulls.requestReviewers({
      owner: "django",
      repo: "django",
      pull_number: 9,
      reviewers: ["carol"],
    });
    expect(data.requested_reviewers?.map((user) => user.login)).toEqual(["carol"]);
    expect(
      await statusOf(
        octokit.rest.pulls.requestReviewers({
          owner: "django",
          repo: "django",
          pull_number: 9,
          reviewers: ["stranger"],
        }),
      ),
    ).toBe(422);
    expect(
      await statusOf(
        octokit.rest.pulls.requestReviewers({ owner: "django", repo: "django", pull_number: 9, reviewers: ["alice"] }),
      ),
    ).toBe(422);
  });
});

describe("repository data", () => {
  it("serves file contents as base64 JSON, raw for Probot's config loader, 404 when missing", async () => {
    const octokit = userClient();
    fake.state.addFile("django/django", ".github/shepherd.yml", "triage:\n  enabled: true\n");
    const { data } = await octokit.rest.repos.getContent({
      owner: "django",
      repo: "django",
      path: ".github/shepherd.yml",
    });
    if (Array.isArray(data) || data.type !== "file") throw new Error("expected a file");
    expect(data.encoding).toBe("base64");
    expect(Buffer.from(data.content, "base64").toString()).toBe("triage:\n  enabled: true\n");
    expect(
      await statusOf(octokit.rest.repos.getContent({ owner: "django", repo: "django", path: "missing.yml" })),
    ).toBe(404);
  });

  it("supports Probot's config lookup: repo file, org .github fallback and _extends", async () => {
    fake.state.addRepo({ owner: "django", name: ".github" });
    fake.state.addFile("django/.github", ".github/shepherd.yml", "_extends: base\nteam: org\n");
    fake.state.addRepo({ owner: "django", name: "base" });
    fake.state.addFile("django/base", ".github/shepherd.yml", "team: base\nlabels: [bug]\n");
    const { config, files } = await appClient().config.get({
      owner: "django",
      repo: "django",
      path: ".github/shepherd.yml",
    });
    expect(config).toEqual({ team: "org", labels: ["bug"] });
    expect(files.map((file) => `${file.owner}/${file.repo}`)).toEqual([
      "django/django",
      "django/.github",
      "django/base",
    ]);
  });

  it("reports collaborator permissions and team members", async () => {
    const octokit = userClient();
    fake.state.setPermission("django/django", "tim", "triage");
    const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({
      owner: "django",
      repo: "django",
      username: "tim",
    });
    expect(data).toMatchObject({ permission: "read", role_name: "triage", user: { login: "tim" } });
    fake.state.addTeam("django", "fellows", ["sarah"], { maintainers: ["natalia"] });
    const { data: members } = await octokit.rest.teams.listMembersInOrg({ org: "django", team_slug: "fellows" });
    expect(members.map((user) => user.login)).toEqual(["sarah", "natalia"]);
    const { data: maintainers } = await octokit.rest.teams.listMembersInOrg({
      org: "django",
      team_slug: "fellows",
      role: "maintainer",
    });
    expect(maintainers.map((user) => user.login)).toEqual(["natalia"]);
  });

  it("searches issues with qualifiers", async () => {
    fake.state.addIssue("django/django", {
      title: "Crash in admin",
      labels: ["bug"],
      created_at: "2024-05-01T10:00:00Z",
    });
    fake.state.addIssue("django/django", { title: "Docs typo", created_at: "2024-06-01T10:00:00Z" });
    fake.state.addIssue("django/django", { title: "Admin PR", pull_request: true, created_at: "2024-06-02T10:00:00Z" });
    const octokit = appClient();
    const search = async (q: string): Promise<string[]> =>
      (await octokit.rest.search.issuesAndPullRequests({ q })).data.items.map((item) => item.title);
    expect(await search("repo:django/django is:issue is:open")).toEqual(["Docs typo", "Crash in admin"]);
    expect(await search("repo:django/django label:bug")).toEqual(["Crash in admin"]);
    expect(await search("repo:django/django -label:bug is:issue")).toEqual(["Docs typo"]);
    expect(await search("repo:django/django admin created:>=2024-05-15")).toEqual(["Admin PR"]);
    expect(await search("repo:django/django is:pr")).toEqual(["Admin PR"]);
  });
});

describe("conditional requests and failures", () => {
  it("answers 304 to a matching If-None-Match without spending rate limit", async () => {
    const octokit = userClient();
    fake.state.addLabel("django/django", { name: "bug" });
    const first = await octokit.rest.issues.listLabelsForRepo({ owner: "django", repo: "django" });
    const etag = first.headers.etag;
    expect(etag).toMatch(/^W\/"/);
    const again = octokit.rest.issues.listLabelsForRepo({
      owner: "django",
      repo: "django",
      headers: { "if-none-match": etag },
    });
    expect(await statusOf(again)).toBe(304);
    fake.state.addLabel("django/django", { name: "docs" });
    const changed = await octokit.rest.issues.listLabelsForRepo({
      owner: "django",
      repo: "django",
      headers: { "if-none-match": etag },
    });
    expect(changed.data).toHaveLength(2);
    expect(fake.calls.map((call) => call.status)).toEqual([200, 304, 200]);
    expect(changed.headers["x-ratelimit-remaining"]).toBe("4998");
  });

  it("injects a 502 then recovers, without side effects", async () => {
    const octokit = userClient();
    const issue = fake.state.addIssue("django/django", { title: "x" });
    fake.failNext("issues/add-labels", 502);
    expect(
      await statusOf(
        octokit.rest.issues.addLabels({ owner: "django", repo: "django", issue_number: issue.number, labels: ["a"] }),
      ),
    ).toBe(502);
    expect(fake.state.issue("django/django", issue.number).labels).toEqual([]);
    await octokit.rest.issues.addLabels({ owner: "django", repo: "django", issue_number: issue.number, labels: ["a"] });
    expect(fake.callsTo("issues/add-labels").map((call) => [call.status, call.injected])).toEqual([
      [502, true],
      [200, false],
    ]);
    expect(fake.writes()).toHaveLength(2);
  });

  it("injects rate limits with GitHub's headers, and keeps refusing a caller that does not wait", async () => {
    const octokit = userClient();
    fake.failNext(/^GET \/repos\/django\/django$/, 403, { times: 2 });
    fake.failNext((call) => call.operationId === "issues/get", 429, { headers: { "retry-after": "7" } });
    const error = await failure(octokit.rest.repos.get({ owner: "django", repo: "django" }));
    expect(error.status).toBe(403);
    expect(error.headers["x-ratelimit-remaining"]).toBe("0");
    await pastInFlight();
    expect(await statusOf(octokit.rest.repos.get({ owner: "django", repo: "django" }))).toBe(403);
    // The injected reset is a minute away: coming back before it is refused, as on GitHub.
    await pastInFlight();
    const early = await failure(octokit.rest.repos.get({ owner: "django", repo: "django" }));
    expect(early.status).toBe(403);
    expect(Number(early.headers["retry-after"])).toBeGreaterThan(50);
    expect(fake.callsTo("repos/get").map((call) => call.injected)).toEqual([true, true, false]);
    expect(fake.rateViolations.map((violation) => violation.operationId)).toEqual(["repos/get", "repos/get"]);
    fake.state.addIssue("django/django", { title: "x", number: 1 });
    const limited = await failure(octokit.rest.issues.get({ owner: "django", repo: "django", issue_number: 1 }));
    expect([limited.status, limited.headers["retry-after"]]).toEqual([429, "7"]);
  });
});

describe("rate limits as GitHub enforces them", () => {
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

  /** A second fake with its own options, and an installation client for it. */
  async function withFake(
    options: Parameters<typeof startFakeGitHub>[0],
    run: (other: FakeGitHub, octokit: InstanceType<typeof ProbotOctokit>) => Promise<void>,
  ): Promise<void> {
    const other = await startFakeGitHub({ appId: APP_ID, appPublicKey: keys.publicKey, ...options });
    try {
      other.state.addInstallation(INSTALLATION_ID, "django", {
        permissions: { issues: "write", discussions: "write", metadata: "read" },
      });
      other.state.addRepo({ owner: "django", name: "django" });
      const octokit = new ProbotOctokit({
        baseUrl: other.apiUrl,
        auth: { appId: APP_ID, privateKey: keys.privateKey, installationId: INSTALLATION_ID },
        retry: { enabled: false },
        throttle: { enabled: false },
        log,
      });
      await run(other, octokit);
      other.assertNoErrors();
    } finally {
      await other.close();
    }
  }

  it("refuses a retry that comes before retry-after, without side effects, and lists it", async () => {
    const octokit = appClient();
    const issue = fake.state.addIssue("django/django", { title: "x" });
    const add = (label: string) =>
      octokit.rest.issues.addLabels({ owner: "django", repo: "django", issue_number: issue.number, labels: [label] });
    fake.failNext("issues/add-labels", 403, {
      headers: { "retry-after": "2" },
      body: { message: "You have exceeded a secondary rate limit." },
    });
    expect(await statusOf(add("a"))).toBe(403);
    await pastInFlight();
    const early = await failure(add("b"));
    expect(early.status).toBe(403);
    expect(Number(early.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(fake.state.issue("django/django", issue.number).labels).toEqual([]);
    // Another route is not held back by this one's limit.
    await octokit.rest.issues.get({ owner: "django", repo: "django", issue_number: issue.number });
    expect(fake.rateViolations).toEqual([
      {
        operationId: "issues/add-labels",
        method: "POST",
        path: `/repos/django/django/issues/${issue.number}/labels`,
        installationId: INSTALLATION_ID,
        arrivedAt: expect.any(Number),
        notBefore: expect.any(Number),
        noticeAt: expect.any(Number),
      },
    ]);
    const [violation] = fake.rateViolations;
    expect((violation?.notBefore ?? 0) - (violation?.arrivedAt ?? 0)).toBeGreaterThan(1000);
    // The early retry was answered with a retry-after of its own: waiting that long is enough.
    await sleep(Number(early.headers["retry-after"]) * 1000 + 100);
    await add("c");
    expect(fake.state.issue("django/django", issue.number).labels).toEqual(["c"]);
    expect(fake.rateViolations).toHaveLength(1);
  });

  it("does not hold back a caller that waited, nor one GitHub refused for another reason", async () => {
    const octokit = appClient();
    fake.failNext("repos/get", 403, { headers: { "retry-after": "1" } });
    expect(await statusOf(octokit.rest.repos.get({ owner: "django", repo: "django" }))).toBe(403);
    await sleep(1100);
    await octokit.rest.repos.get({ owner: "django", repo: "django" });
    fake.failNext("repos/get", 403, {
      headers: { "x-ratelimit-remaining": "4990" },
      body: { message: "Resource not accessible by integration" },
    });
    expect(await statusOf(octokit.rest.repos.get({ owner: "django", repo: "django" }))).toBe(403);
    await octokit.rest.repos.get({ owner: "django", repo: "django" });
    expect(fake.rateViolations).toEqual([]);
    expect(fake.errors).toEqual([]);
  });

  it("answers 403 once the hour's budget is spent, until it resets", async () => {
    await withFake({ rateLimit: 3 }, async (other, octokit) => {
      for (const remaining of ["2", "1", "0"]) {
        const { headers } = await octokit.rest.repos.get({ owner: "django", repo: "django" });
        expect(headers["x-ratelimit-remaining"]).toBe(remaining);
      }
      const refused = await failure(octokit.rest.repos.get({ owner: "django", repo: "django" }));
      expect(refused.status).toBe(403);
      expect(refused.headers["x-ratelimit-remaining"]).toBe("0");
      expect(refused.headers["x-ratelimit-used"]).toBe("3");
      const reset = Number(refused.headers["x-ratelimit-reset"]);
      expect(reset * 1000).toBeGreaterThan(Date.now() + 3_500_000);
      // Coming back before the reset is a violation (and still refused).
      await pastInFlight();
      expect(await statusOf(octokit.rest.repos.get({ owner: "django", repo: "django" }))).toBe(403);
      expect(other.rateViolations).toMatchObject([{ operationId: "repos/get", notBefore: reset * 1000 }]);
    });
  });

  it("limits content creation per minute with a secondary 403 and retry-after", async () => {
    await withFake({ contentLimits: { perMinute: 3 } }, async (other, octokit) => {
      const issue = other.state.addIssue("django/django", { title: "x" });
      const comment = (body: string) =>
        octokit.rest.issues.createComment({ owner: "django", repo: "django", issue_number: issue.number, body });
      for (const body of ["1", "2", "3"]) await comment(body);
      const refused = await failure(comment("4"));
      expect(refused.status).toBe(403);
      const retryAfter = Number(refused.headers["retry-after"]);
      expect(retryAfter).toBeGreaterThanOrEqual(55);
      expect(retryAfter).toBeLessThanOrEqual(60);
      // Trying again at once ignores that retry-after.
      await pastInFlight();
      expect(await statusOf(comment("4 again"))).toBe(403);
      expect(other.state.commentsOn(other.state.repo("django/django"), issue.number)).toHaveLength(3);
      // Labels are not content: they still go through.
      await octokit.rest.issues.addLabels({
        owner: "django",
        repo: "django",
        issue_number: issue.number,
        labels: ["a"],
      });
      // A new issue and a discussion are content, so they wait too.
      expect(await statusOf(octokit.rest.issues.create({ owner: "django", repo: "django", title: "y" }))).toBe(403);
      const repo = other.state.enableDiscussions("django/django");
      const category = [...repo.discussionCategories.values()][0];
      const create = `mutation($repositoryId: ID!, $categoryId: ID!) {
        createDiscussion(input: { repositoryId: $repositoryId, categoryId: $categoryId, title: "t", body: "b" }) {
          discussion { number }
        }
      }`;
      const discussion = octokit.graphql(create, {
        repositoryId: nodeId("Repository", repo.id),
        categoryId: nodeId("DiscussionCategory", category?.id ?? 0),
      });
      expect(await statusOf(discussion)).toBe(403);
      expect(repo.discussions.size).toBe(0);
      // Only the comment came back early; rate violations are not errors.
      expect(other.rateViolations.map((violation) => violation.operationId)).toEqual(["issues/create-comment"]);
      expect(other.errors).toEqual([]);
    });
  });

  it("can hold every write to the budget, over shorter windows", async () => {
    await withFake({ contentLimits: { perMinute: 2, counts: "writes", minuteMs: 2000 } }, async (other, octokit) => {
      const issue = other.state.addIssue("django/django", { title: "x" });
      const label = (name: string) =>
        octokit.rest.issues.addLabels({ owner: "django", repo: "django", issue_number: issue.number, labels: [name] });
      await label("a");
      await octokit.rest.issues.update({ owner: "django", repo: "django", issue_number: issue.number, title: "y" });
      const refused = await failure(label("b"));
      expect(refused.status).toBe(403);
      expect(Number(refused.headers["retry-after"])).toBeLessThanOrEqual(2);
      // Reads are not writes.
      expect(
        (await octokit.rest.issues.get({ owner: "django", repo: "django", issue_number: issue.number })).status,
      ).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 2100));
      expect((await label("b")).status).toBe(200);
    });
  });

  it("turns the content limit off with contentLimits: false", async () => {
    await withFake({ contentLimits: false }, async (other, octokit) => {
      const issue = other.state.addIssue("django/django", { title: "x" });
      for (let index = 0; index < 90; index++)
        await octokit.rest.issues.createComment({
          owner: "django",
          repo: "django",
          issue_number: issue.number,
          body: String(index),
        });
      expect(other.state.commentsOn(other.state.repo("django/django"), issue.number)).toHaveLength(90);
    });
  });
});

describe("chaos", () => {
  it("injects about the asked share of 5xx and 403, deterministically and without side effects", async () => {
    const octokit = userClient();
    const issue = fake.state.addIssue("django/django", { title: "x" });
    // retry-after 0: the loop below retries at once, which is allowed then.
    fake.setChaos({ rate5xx: 0.2, rate403: 0.1, seed: 7, retryAfterSeconds: 0, match: "issues/add-labels" });
    const statuses: number[] = [];
    for (let index = 0; index < 500; index++) {
      const label = `l${index}`;
      try {
        const response = await octokit.rest.issues.addLabels({
          owner: "django",
          repo: "django",
          issue_number: issue.number,
          labels: [label],
        });
        statuses.push(response.status);
      } catch (error) {
        statuses.push((error as { status: number }).status);
      }
    }
    const stats = fake.chaosStats();
    expect(stats.considered).toBe(500);
    expect(stats.injected5xx).toBeGreaterThan(70);
    expect(stats.injected5xx).toBeLessThan(130);
    expect(stats.injected403).toBeGreaterThan(30);
    expect(stats.injected403).toBeLessThan(70);
    expect(statuses.filter((status) => status === 502 || status === 503)).toHaveLength(stats.injected5xx);
    expect(new Set(statuses.filter((status) => status >= 500))).toEqual(new Set([502, 503]));
    expect(statuses.filter((status) => status === 403)).toHaveLength(stats.injected403);
    expect(fake.calls.filter((call) => call.injected)).toHaveLength(stats.injected5xx + stats.injected403);
    // Exactly the labels of the calls that were answered 200 are on the issue.
    const succeeded = statuses.flatMap((status, index) => (status === 200 ? [`l${index}`] : []));
    expect(fake.state.issue("django/django", issue.number).labels).toEqual(succeeded);
    expect(fake.rateViolations).toEqual([]);
    // The same seed fails the same calls.
    const first = fake.calls.map((call) => call.status);
    fake.reset();
    fake.state.addRepo({ owner: "django", name: "django" });
    fake.state.addIssue("django/django", { title: "x" });
    fake.setChaos({ rate5xx: 0.2, rate403: 0.1, seed: 7, retryAfterSeconds: 0, match: "issues/add-labels" });
    for (let index = 0; index < 50; index++)
      await octokit.rest.issues
        .addLabels({ owner: "django", repo: "django", issue_number: 1, labels: [`l${index}`] })
        .catch(() => undefined);
    expect(fake.calls.map((call) => call.status)).toEqual(first.slice(0, 50));
  });

  it("reaches every call by default, installation tokens and GraphQL included, until turned off", async () => {
    fake.setChaos({ rate5xx: 1, rate403: 0, seed: 1 });
    expect([502, 503]).toContain(await statusOf(appClient().rest.repos.get({ owner: "django", repo: "django" })));
    expect(fake.calls.map((call) => [call.operationId, call.injected])).toEqual([
      ["apps/create-installation-access-token", true],
    ]);
    expect([502, 503]).toContain(await statusOf(userClient().graphql("{ viewer { login } }")));
    fake.setChaos({ rate5xx: 0, rate403: 1, retryAfterSeconds: 0 });
    const limited = await failure(userClient().rest.repos.get({ owner: "django", repo: "django" }));
    expect([limited.status, limited.headers["retry-after"]]).toEqual([403, "0"]);
    fake.setChaos(null);
    await appClient().rest.repos.get({ owner: "django", repo: "django" });
    expect(fake.chaosStats()).toEqual({ considered: 3, injected5xx: 2, injected403: 1 });
  });
});
