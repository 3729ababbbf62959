// The GitHub side of an end-to-end test: a fake GitHub with one installation and the django/django
// repository (with its `.github/shepherd.yml`), and payloads built from GitHub's own examples with
// the fake's records in them. Both harnesses use it: the in-process one (./harness.ts) and the one
// that starts the built app as a process (./app-process.ts).
import { existsSync, readFileSync } from "node:fs";
import { parse } from "yaml";
import { startFakeGitHub, type FakeGitHub, type FakeGitHubOptions } from "../fake-github/server.js";
import type { CommentRecord, IssueRecord, RepoRecord } from "../fake-github/state.js";
import { appKeyPair } from "./keys.js";
import { examplePayload } from "./webhooks.js";

export const SECRET = "test-webhook-secret";
export const INSTALLATION_ID = 4242;
export const DJANGO_CONFIG = ["preset: django-async", "triage: {}", ""].join("\n");

const keys = appKeyPair();

/** The test app's private key (PKCS#1, as GitHub issues them). */
export const TEST_PRIVATE_KEY = keys.privateKey;
export const TEST_PUBLIC_KEY = keys.publicKey;

// From test/support or, compiled for the benchmarks, from dist/test/support.
const MANIFEST_URL = [new URL("../../app.yml", import.meta.url), new URL("../../../app.yml", import.meta.url)].find(
  (url) => existsSync(url),
);
const MANIFEST_PERMISSIONS = (
  parse(readFileSync(MANIFEST_URL ?? "app.yml", "utf8")) as { default_permissions: Record<string, string> }
).default_permissions;

export interface WorldOptions {
  /** Contents of `.github/shepherd.yml` in the repo; null for none. */
  config?: string | null;
  /** More options for the fake GitHub. */
  fake?: Omit<FakeGitHubOptions, "appPublicKey" | "appSlug" | "webhooks">;
  /** The fake sends the app the webhooks of the app's own changes, as GitHub does. Default true. */
  echo?: boolean;
}

export interface Payloads {
  issuePayload(action: string, issue: IssueRecord, extra?: Record<string, unknown>): Record<string, unknown>;
  pullPayload(action: string, pull: IssueRecord, extra?: Record<string, unknown>): Record<string, unknown>;
  /** An `issue_comment` payload for a comment already in the fake's state. */
  commentPayload(
    action: string,
    issue: IssueRecord,
    comment: CommentRecord,
    extra?: Record<string, unknown>,
  ): Record<string, unknown>;
  /** A `push` of `after` to `ref` (default: the default branch) that changed `paths`. */
  pushPayload(after: string, paths: string[], ref?: string): Record<string, unknown>;
}

export interface World extends Payloads {
  fake: FakeGitHub;
  repo: RepoRecord;
  echo: boolean;
  /** GitHub's author_association per login in payloads (default CONTRIBUTOR). */
  associations: Map<string, string>;
}

export async function startWorld(options: WorldOptions = {}): Promise<World> {
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
  const associations = new Map<string, string>();
  return { fake, repo, echo, associations, ...createPayloads(fake, repo, associations) };
}

const INSTALLATION = { id: INSTALLATION_ID, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDI0Mg==" };

export function createPayloads(fake: FakeGitHub, repo: RepoRecord, associations: Map<string, string>): Payloads {
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

  return {
    pushPayload(after, paths, ref = `refs/heads/${repo.defaultBranch}`) {
      return {
        ref,
        after,
        repository: repository(),
        commits: [{ added: [], modified: paths, removed: [] }],
        head_commit: null,
        installation: { id: INSTALLATION_ID },
        sender: { login: "maintainer", id: 99, type: "User" },
      };
    },
    issuePayload(action, issue, extra = {}) {
      const payload = examplePayload("issues", action);
      const base = payload.issue as Record<string, unknown>;
      return {
        ...payload,
        issue: { ...base, ...itemFields(issue) },
        repository: repository(),
        installation: INSTALLATION,
        ...extra,
      };
    },
    pullPayload(action, pull, extra = {}) {
      const payload = examplePayload("pull_request", action);
      const base = payload.pull_request as Record<string, unknown>;
      return {
        ...payload,
        number: pull.number,
        pull_request: {
          ...base,
          ...itemFields(pull),
          draft: false,
          // The fake's head, so a check run Shepherd creates lands on the commit the fake knows.
          ...(pull.pull ? { head: { ...(base.head as Record<string, unknown>), ...pull.pull.head } } : {}),
        },
        repository: repository(),
        installation: INSTALLATION,
        ...extra,
      };
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
        installation: INSTALLATION,
        sender: { login: user.login, id: user.id, type: user.type },
        ...extra,
      };
    },
  };
}

/** The app's writes that reached GitHub (answered 2xx, not injected), as "METHOD operationId". */
export function writesOf(fake: FakeGitHub, since = 0): string[] {
  return fake
    .writes()
    .slice(0)
    .filter((call) => call.seq > since && call.status < 300 && !call.injected)
    .filter((call) => call.operationId !== "apps/create-installation-access-token")
    .map((call) => call.operationId ?? `${call.method} ${call.path}`);
}
