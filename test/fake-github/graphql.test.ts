// The fake's GraphQL endpoint, through real HTTP with the clients the bot uses: Probot's Octokit
// (installation token from the app JWT) and @octokit/rest with a plain token.
import { appKeyPair } from "../support/keys.js";
import { Octokit } from "@octokit/rest";
import { ProbotOctokit } from "probot";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { githubSchema, type GithubGraphqlError } from "./graphql.js";
import { startFakeGitHub, type FakeGitHub } from "./server.js";

const APP_ID = 4242;
const INSTALLATION_ID = 77;
const keys = appKeyPair();
const log = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

// The documents the bot is expected to send (the lead reuses these shapes).
const REPOSITORY_QUERY = /* GraphQL */ `
  query Repository($owner: String!, $name: String!) {
    repository(owner: $owner, name: $name) {
      id
      hasDiscussionsEnabled
      discussionCategories(first: 25) {
        totalCount
        nodes {
          id
          name
          slug
        }
      }
    }
  }
`;

const DISCUSSIONS_QUERY = /* GraphQL */ `
  query Discussions($owner: String!, $name: String!, $first: Int!) {
    repository(owner: $owner, name: $name) {
      discussions(first: $first, orderBy: { field: CREATED_AT, direction: DESC }) {
        totalCount
        nodes {
          id
          number
          title
          body
          url
          createdAt
          author {
            login
          }
          category {
            id
            name
          }
        }
      }
    }
  }
`;

const ISSUE_QUERY = /* GraphQL */ `
  query Issue($owner: String!, $name: String!, $number: Int!) {
    repository(owner: $owner, name: $name) {
      issue(number: $number) {
        id
        number
        title
      }
    }
  }
`;

const NODE_QUERY = /* GraphQL */ `
  query Node($id: ID!) {
    node(id: $id) {
      __typename
      id
      ... on Repository {
        hasDiscussionsEnabled
      }
      ... on Issue {
        number
        title
      }
      ... on Discussion {
        number
        title
        body
      }
    }
  }
`;

const CREATE_DISCUSSION = /* GraphQL */ `
  mutation CreateDiscussion($repositoryId: ID!, $categoryId: ID!, $title: String!, $body: String!) {
    createDiscussion(input: { repositoryId: $repositoryId, categoryId: $categoryId, title: $title, body: $body }) {
      discussion {
        id
        number
        url
        title
      }
    }
  }
`;

const UPDATE_DISCUSSION = /* GraphQL */ `
  mutation UpdateDiscussion($discussionId: ID!, $body: String!) {
    updateDiscussion(input: { discussionId: $discussionId, body: $body }) {
      discussion {
        id
      }
    }
  }
`;

const PIN_ISSUE = /* GraphQL */ `
  mutation PinIssue($issueId: ID!) {
    pinIssue(input: { issueId: $issueId }) {
      issue {
        id
        number
      }
    }
  }
`;

interface RepositoryData {
  repository: {
    id: string;
    hasDiscussionsEnabled: boolean;
    discussionCategories: { totalCount: number; nodes: Array<{ id: string; name: string; slug: string }> };
  };
}

interface DiscussionNode {
  id: string;
  number: number;
  title: string;
  body: string;
  url: string;
  createdAt: string;
  author: { login: string };
  category: { id: string; name: string };
}

let fake: FakeGitHub;

function installationClient(): InstanceType<typeof ProbotOctokit> {
  return new ProbotOctokit({
    baseUrl: fake.apiUrl,
    auth: { appId: APP_ID, privateKey: keys.privateKey, installationId: INSTALLATION_ID },
    retry: { enabled: false },
    throttle: { enabled: false },
    log,
  });
}

function userClient(): Octokit {
  return new Octokit({ baseUrl: fake.apiUrl, auth: "test-token", log });
}

/** The `errors` of a GraphQL request expected to fail (Octokit throws GraphqlResponseError). */
async function graphqlErrors(request: Promise<unknown>): Promise<GithubGraphqlError[]> {
  try {
    await request;
  } catch (error) {
    const { errors } = error as { errors?: GithubGraphqlError[] };
    if (errors) return errors;
    throw error;
  }
  throw new Error("GraphQL request succeeded");
}

/** Recorded error messages, forgotten afterwards (afterEach asserts none are left). */
function takeErrors(): string[] {
  const messages = fake.errors.map((error) => `[${error.kind}] ${error.message}`);
  fake.errors.length = 0;
  return messages;
}

const repoVars = { owner: "django", name: "django" };

beforeAll(async () => {
  fake = await startFakeGitHub({ appId: APP_ID, appPublicKey: keys.publicKey });
  return () => fake.close();
});

beforeEach(() => {
  fake.reset();
  fake.state.addInstallation(INSTALLATION_ID, "django", {
    permissions: { issues: "write", discussions: "write", metadata: "read" },
  });
  fake.state.addRepo({ owner: "django", name: "django" });
  fake.state.addIssue("django/django", { title: "Async ORM" });
});

afterEach(() => {
  fake.assertNoErrors();
});

describe("GitHub's schema", () => {
  it("builds once per process, and answers a query quickly after that", async () => {
    const built = githubSchema();
    expect(githubSchema()).toBe(built);
    expect(built.duplicateFields).toContain("EnterpriseOwnerInfo.repositoryDeployKeySetting");
    const octokit = userClient();
    await octokit.graphql(ISSUE_QUERY, { ...repoVars, number: 1 });
    const runs = 20;
    const started = performance.now();
    for (let run = 0; run < runs; run += 1) await octokit.graphql(ISSUE_QUERY, { ...repoVars, number: 1 });
    const latency = (performance.now() - started) / runs;
    console.info(`GitHub schema built in ${built.buildMs.toFixed(0)} ms; a query takes ${latency.toFixed(2)} ms`);
    expect(latency).toBeLessThan(100);
  });
});

describe("queries", () => {
  it("answers a valid query from the state, with ids REST also reports", async () => {
    fake.state.enableDiscussions("django/django", true, { defaultCategories: false });
    fake.state.addDiscussionCategory("django/django", { name: "Announcements" });
    fake.state.addDiscussionCategory("django/django", { name: "Show and tell" });
    const octokit = installationClient();
    const data = await octokit.graphql<RepositoryData>(REPOSITORY_QUERY, repoVars);
    const { data: rest } = await octokit.rest.repos.get({ owner: "django", repo: "django" });
    expect(data.repository).toMatchObject({
      id: rest.node_id,
      hasDiscussionsEnabled: true,
      discussionCategories: {
        totalCount: 2,
        nodes: [
          { name: "Announcements", slug: "announcements" },
          { name: "Show and tell", slug: "show-and-tell" },
        ],
      },
    });
    const { data: issue } = await octokit.rest.issues.get({ owner: "django", repo: "django", issue_number: 1 });
    expect(await octokit.graphql(ISSUE_QUERY, { ...repoVars, number: 1 })).toEqual({
      repository: { issue: { id: issue.node_id, number: 1, title: "Async ORM" } },
    });
    expect(fake.callsTo("graphql").map((call) => call.graphql)).toEqual([
      { operation: "query", operationName: "Repository", fields: ["repository"] },
      { operation: "query", operationName: "Issue", fields: ["repository"] },
    ]);
    expect(fake.writes().filter((call) => call.operationId === "graphql")).toEqual([]);
  });

  it("creates GitHub's default categories when discussions are first enabled", async () => {
    fake.state.enableDiscussions("django/django");
    const data = await installationClient().graphql<RepositoryData>(REPOSITORY_QUERY, repoVars);
    expect(data.repository.discussionCategories.nodes.map((node) => node.slug)).toEqual([
      "announcements",
      "general",
      "ideas",
      "polls",
      "q-a",
      "show-and-tell",
    ]);
  });

  it("resolves node ids of repositories, issues and discussions", async () => {
    const repo = fake.state.enableDiscussions("django/django");
    const seeded = fake.state.addDiscussion(repo, { title: "Weekly digest", body: "Hello", category: "General" });
    const octokit = installationClient();
    const { repository } = await octokit.graphql<{ repository: { id: string; issue: { id: string } } }>(
      `query ($owner: String!, $name: String!) { repository(owner: $owner, name: $name) { id issue(number: 1) { id } } }`,
      repoVars,
    );
    const { discussions } = (
      await octokit.graphql<{ repository: { discussions: { nodes: DiscussionNode[] } } }>(DISCUSSIONS_QUERY, {
        ...repoVars,
        first: 10,
      })
    ).repository;
    const discussionId = discussions.nodes[0]?.id ?? "";
    expect(await octokit.graphql(NODE_QUERY, { id: repository.id })).toEqual({
      node: { __typename: "Repository", id: repository.id, hasDiscussionsEnabled: true },
    });
    expect(await octokit.graphql(NODE_QUERY, { id: repository.issue.id })).toEqual({
      node: { __typename: "Issue", id: repository.issue.id, number: 1, title: "Async ORM" },
    });
    expect(await octokit.graphql(NODE_QUERY, { id: discussionId })).toEqual({
      node: {
        __typename: "Discussion",
        id: discussionId,
        number: seeded.number,
        title: "Weekly digest",
        body: "Hello",
      },
    });
    // An id the fake never issued: GitHub's NOT_FOUND, with a null node.
    expect(await graphqlErrors(octokit.graphql(NODE_QUERY, { id: "MDU6SXNzdWU5OTk5OTk=" }))).toMatchObject([
      {
        type: "NOT_FOUND",
        path: ["node"],
        message: "Could not resolve to a node with the global id of 'MDU6SXNzdWU5OTk5OTk='",
      },
    ]);
  });

  it("answers NOT_FOUND for a repository the installation was not granted", async () => {
    fake.state.addRepo({ owner: "django", name: "secret" });
    fake.state.installations.get(INSTALLATION_ID)!.repositories = ["django"];
    const errors = await graphqlErrors(
      installationClient().graphql(REPOSITORY_QUERY, { owner: "django", name: "secret" }),
    );
    expect(errors).toEqual([
      {
        type: "NOT_FOUND",
        path: ["repository"],
        locations: [{ line: 3, column: 5 }],
        message: "Could not resolve to a Repository with the name 'django/secret'.",
      },
    ]);
  });

  it("answers FORBIDDEN when the installation lacks the discussions permission", async () => {
    fake.state.installations.get(INSTALLATION_ID)!.permissions = { issues: "write", metadata: "read" };
    const errors = await graphqlErrors(installationClient().graphql(DISCUSSIONS_QUERY, { ...repoVars, first: 5 }));
    expect(errors).toMatchObject([{ type: "FORBIDDEN", message: "Resource not accessible by integration" }]);
  });
});

describe("documents GitHub would reject", () => {
  it("rejects and records an unknown field", async () => {
    const errors = await graphqlErrors(
      userClient().graphql(`query { repository(owner: "django", name: "django") { id nope } }`),
    );
    expect(errors).toEqual([
      {
        locations: [{ line: 1, column: 58 }],
        message: 'Cannot query field "nope" on type "Repository". Did you mean "name"?',
      },
    ]);
    expect(fake.calls.at(-1)).toMatchObject({ operationId: "graphql", status: 200 });
    expect(takeErrors()).toEqual(['[graphql] Cannot query field "nope" on type "Repository". Did you mean "name"?']);
  });

  it("rejects and records a variable of the wrong type, and a missing required variable", async () => {
    const octokit = userClient();
    const wrongType = await graphqlErrors(octokit.graphql(ISSUE_QUERY, { ...repoVars, number: "one" }));
    expect(wrongType[0]?.message).toBe(
      'Variable "$number" got invalid value "one"; Int cannot represent non-integer value: "one"',
    );
    const missing = await graphqlErrors(octokit.graphql(ISSUE_QUERY, repoVars));
    expect(missing[0]?.message).toBe('Variable "$number" of required type "Int!" was not provided.');
    expect(takeErrors()).toHaveLength(2);
  });

  it("rejects and records a wrong argument type and a syntax error", async () => {
    const octokit = userClient();
    const errors = await graphqlErrors(
      octokit.graphql(`{ repository(owner: "django", name: "django") { issue(number: "1") { id } } }`),
    );
    expect(errors[0]?.message).toBe('Int cannot represent non-integer value: "1"');
    await graphqlErrors(octokit.graphql(`{ repository(owner: "django" { id } }`));
    expect(takeErrors()).toEqual([
      '[graphql] Int cannot represent non-integer value: "1"',
      '[graphql] Syntax Error: Expected Name, found "{".',
    ]);
  });

  it("records a connection without `first`, and one over 100", async () => {
    const octokit = installationClient();
    const errors = await graphqlErrors(
      octokit.graphql(`{ repository(owner: "django", name: "django") { discussions { totalCount } } }`),
    );
    expect(errors).toMatchObject([{ type: "MISSING_PAGINATION_BOUNDARIES" }]);
    await graphqlErrors(octokit.graphql(DISCUSSIONS_QUERY, { ...repoVars, first: 101 }));
    expect(takeErrors()).toEqual([
      "[graphql] You must provide a `first` or `last` value to properly paginate the `discussions` connection.",
      "[graphql] Requesting 101 records on the `discussions` connection exceeds the `first` limit of 100 records.",
    ]);
  });

  it("records fields and arguments the fake does not implement", async () => {
    const octokit = installationClient();
    const errors = await graphqlErrors(
      octokit.graphql(`{ repository(owner: "django", name: "django") { id pinnedIssues(first: 3) { totalCount } } }`),
    );
    expect(errors).toMatchObject([
      { path: ["repository", "pinnedIssues"], message: "field Repository.pinnedIssues is not implemented by the fake" },
    ]);
    await octokit.graphql(
      `{ repository(owner: "django", name: "django") { discussions(first: 5, answered: true) { totalCount } } }`,
    );
    expect(takeErrors()).toEqual([
      "[graphql] field Repository.pinnedIssues is not implemented by the fake",
      "[graphql] argument answered of Repository.discussions is not implemented by the fake",
    ]);
  });
});

describe("mutations", () => {
  it("creates a discussion that discussions() lists, numbered with the issues, by the app's bot", async () => {
    fake.state.enableDiscussions("django/django");
    const octokit = installationClient();
    const { repository } = await octokit.graphql<RepositoryData>(REPOSITORY_QUERY, repoVars);
    const general = repository.discussionCategories.nodes.find((node) => node.slug === "general");
    const created = await octokit.graphql<{ createDiscussion: { discussion: { id: string; number: number } } }>(
      CREATE_DISCUSSION,
      { repositoryId: repository.id, categoryId: general?.id, title: "Weekly digest", body: "Three PRs merged." },
    );
    expect(created.createDiscussion.discussion).toEqual({
      id: expect.any(String),
      number: 2,
      url: `${fake.url}/django/django/discussions/2`,
      title: "Weekly digest",
    });
    const listed = await octokit.graphql<{
      repository: { discussions: { totalCount: number; nodes: DiscussionNode[] } };
    }>(DISCUSSIONS_QUERY, { ...repoVars, first: 10 });
    expect(listed.repository.discussions).toEqual({
      totalCount: 1,
      nodes: [
        {
          id: created.createDiscussion.discussion.id,
          number: 2,
          title: "Weekly digest",
          body: "Three PRs merged.",
          url: `${fake.url}/django/django/discussions/2`,
          createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
          // GraphQL spells a bot's login without REST's "[bot]".
          author: { login: "shepherd" },
          category: { id: general?.id, name: "General" },
        },
      ],
    });
    expect(fake.state.repo("django/django").discussions.get(2)?.author).toBe("shepherd[bot]");
    // The next issue takes the next number of the shared sequence.
    const { data: next } = await octokit.rest.issues.create({ owner: "django", repo: "django", title: "Next" });
    expect(next.number).toBe(3);
    const writes = fake.writes().filter((call) => call.operationId !== "apps/create-installation-access-token");
    expect(writes.map((call) => call.graphql?.fields ?? call.operationId)).toEqual([
      ["createDiscussion"],
      "issues/create",
    ]);
  });

  it("refuses (without recording) when discussions are disabled or the category is unknown", async () => {
    const repo = fake.state.enableDiscussions("django/django");
    const [category] = repo.discussionCategories.values();
    const octokit = installationClient();
    const { repository } = await octokit.graphql<RepositoryData>(REPOSITORY_QUERY, repoVars);
    const variables = { repositoryId: repository.id, title: "Digest", body: "..." };
    fake.state.enableDiscussions("django/django", false);
    const categoryId = repository.discussionCategories.nodes[0]?.id;
    expect(await graphqlErrors(octokit.graphql(CREATE_DISCUSSION, { ...variables, categoryId }))).toMatchObject([
      { type: "UNPROCESSABLE", path: ["createDiscussion"], message: "Discussions are disabled for this repository." },
    ]);
    fake.state.enableDiscussions("django/django", true);
    expect(await graphqlErrors(octokit.graphql(CREATE_DISCUSSION, { ...variables, categoryId: "nope" }))).toMatchObject(
      [{ type: "NOT_FOUND", message: "Could not resolve to a node with the global id of 'nope'" }],
    );
    expect(repo.discussions.size).toBe(0);
    expect(category?.name).toBe("Announcements");
  });

  it("updates a discussion's body", async () => {
    const repo = fake.state.enableDiscussions("django/django");
    fake.state.addDiscussion(repo, { title: "Weekly digest", body: "old" });
    const octokit = installationClient();
    const { repository } = await octokit.graphql<{ repository: { discussions: { nodes: DiscussionNode[] } } }>(
      DISCUSSIONS_QUERY,
      { ...repoVars, first: 1 },
    );
    const discussionId = repository.discussions.nodes[0]?.id;
    expect(await octokit.graphql(UPDATE_DISCUSSION, { discussionId, body: "new" })).toEqual({
      updateDiscussion: { discussion: { id: discussionId } },
    });
    expect(repo.discussions.get(2)?.body).toBe("new");
  });

  it("pins issues, at most 3 per repository", async () => {
    for (const title of ["B", "C", "D"]) fake.state.addIssue("django/django", { title });
    const octokit = installationClient();
    const ids: string[] = [];
    for (const number of [1, 2, 3, 4]) {
      const { data } = await octokit.rest.issues.get({ owner: "django", repo: "django", issue_number: number });
      ids.push(data.node_id);
    }
    for (const [index, issueId] of ids.slice(0, 3).entries())
      expect(await octokit.graphql(PIN_ISSUE, { issueId })).toEqual({
        pinIssue: { issue: { id: issueId, number: index + 1 } },
      });
    // Pinning a pinned issue again is harmless.
    await octokit.graphql(PIN_ISSUE, { issueId: ids[0] });
    expect(await graphqlErrors(octokit.graphql(PIN_ISSUE, { issueId: ids[3] }))).toMatchObject([
      { type: "UNPROCESSABLE", path: ["pinIssue"], message: "A repository can have at most 3 pinned issues." },
    ]);
    expect(fake.state.pinnedIssues("django/django").map((issue) => issue.number)).toEqual([1, 2, 3]);
  });
});

describe("auth", () => {
  it("refuses the app JWT and a missing token", async () => {
    const app = new ProbotOctokit({ baseUrl: fake.apiUrl, auth: { appId: APP_ID, privateKey: keys.privateKey }, log });
    const { token } = (await app.auth({ type: "app" })) as { token: string };
    const withJwt = new Octokit({ baseUrl: fake.apiUrl, auth: token, log });
    await expect(withJwt.graphql(ISSUE_QUERY, { ...repoVars, number: 1 })).rejects.toMatchObject({ status: 403 });
    const anonymous = new Octokit({ baseUrl: fake.apiUrl, log });
    await expect(anonymous.graphql(ISSUE_QUERY, { ...repoVars, number: 1 })).rejects.toMatchObject({ status: 401 });
    expect(takeErrors()).toEqual([
      "[auth] GraphQL needs an installation token, got the app JWT",
      "[auth] request has no authorization header",
    ]);
  });
});
