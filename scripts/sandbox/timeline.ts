// The sandbox's timeline: what the people did (recorded by the sandbox as it drives the fake) and
// what Shepherd did, read from the fake's record of the app's successful writes. Reading the
// writes rather than Shepherd's logs shows exactly what GitHub was asked to change.
import type { FakeGitHub, RecordedCall } from "../../test/fake-github/server.js";
import type { RepoRecord } from "../../test/fake-github/state.js";

export type EntryKind =
  | "user-issue"
  | "user-pull"
  | "user-comment"
  | "delivery-failed"
  | "labels"
  | "unlabel"
  | "comment"
  | "comment-edit"
  | "assignees"
  | "unassign"
  | "milestone"
  | "issue-update"
  | "issue-created"
  | "reviewers"
  | "label-sync"
  | "other";

export interface Entry {
  /** Stable across polls: the page replaces an entry it has (a grouped label sync grows). */
  id: string;
  /** Order on the timeline: the fake's call sequence for Shepherd, the same counter for people. */
  seq: number;
  at: number;
  actor: string;
  kind: EntryKind;
  issue: number | null;
  /** One line, plain text. */
  summary: string;
  /** Markdown as it was sent to GitHub (rendered safely by the page), or null. */
  body: string | null;
  /** The created issue's labels (tracking issue, digest). */
  labels?: string[];
}

export interface Timeline {
  /** Records something a person did; its seq places it after every write Shepherd made so far. */
  addUserEntry(entry: Omit<Entry, "id" | "seq" | "at">): Entry;
  /** Everything with seq above `since`, in order. */
  since(since: number): Entry[];
}

const ISSUE_PATH = /^\/repos\/[^/]+\/[^/]+\/(?:issues|pulls)\/(\d+)(?:\/|$)/;
const COMMENT_PATH = /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/;

function issueNumberOf(call: RecordedCall, fake: FakeGitHub): number | null {
  const match = ISSUE_PATH.exec(call.path);
  if (match) return Number(match[1]);
  const comment = COMMENT_PATH.exec(call.path);
  if (!comment) return null;
  return fake.state.comments.get(Number(comment[1]))?.issueNumber ?? null;
}

function field(body: unknown, name: string): unknown {
  return typeof body === "object" && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}

function strings(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map((item) => (typeof item === "string" ? item : String(field(item, "name") ?? JSON.stringify(item))));
}

function text(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

/** The issue an `issues/create` call made: the bot's issue with that title, the oldest not yet claimed. */
function createdNumber(repo: RepoRecord, title: unknown, taken: Set<number>): number | null {
  for (const issue of repo.issues.values()) {
    if (issue.title !== title || !issue.user.endsWith("[bot]") || taken.has(issue.number)) continue;
    taken.add(issue.number);
    return issue.number;
  }
  return null;
}

function milestoneTitle(repo: RepoRecord, number: unknown): string {
  if (number === null) return "none";
  return repo.milestones.get(Number(number))?.title ?? String(number);
}

function describeUpdate(call: RecordedCall, repo: RepoRecord): Pick<Entry, "kind" | "summary" | "body" | "labels"> {
  const { body } = call;
  const labels = field(body, "labels");
  const milestone = field(body, "milestone");
  const parts: string[] = [];
  if (labels !== undefined) parts.push(`set labels ${strings(labels).join(", ") || "(none)"}`);
  if (milestone !== undefined) parts.push(`set milestone ${milestoneTitle(repo, milestone)}`);
  const state = field(body, "state");
  if (typeof state === "string") parts.push(`set state ${state}`);
  const title = text(field(body, "title"));
  if (title !== null) parts.push(`set title "${title}"`);
  const newBody = text(field(body, "body"));
  if (newBody !== null) parts.push("updated the body");
  const summary = parts.join(", ") || "updated the issue";
  // Triage sets labels and the milestone in one call: the entry is about the labels.
  if (labels !== undefined) return { kind: "labels", summary, body: newBody, labels: strings(labels) };
  const kind = milestone !== undefined && parts.length === 1 ? "milestone" : "issue-update";
  return { kind, summary, body: newBody };
}

function describeCall(
  call: RecordedCall,
  fake: FakeGitHub,
  repo: RepoRecord,
  taken: Set<number>,
): Omit<Entry, "id" | "seq" | "at" | "actor"> {
  const issue = issueNumberOf(call, fake);
  const { body } = call;
  switch (call.operationId) {
    case "issues/add-labels": {
      const labels = strings(field(body, "labels"));
      return { kind: "labels", issue, summary: `added labels ${labels.join(", ")}`, body: null, labels };
    }
    case "issues/remove-label":
      return {
        kind: "unlabel",
        issue,
        summary: `removed label ${decodeURIComponent(call.path.split("/").pop() ?? "")}`,
        body: null,
      };
    case "issues/create-comment":
      return { kind: "comment", issue, summary: "commented", body: text(field(body, "body")) };
    case "issues/update-comment":
      return { kind: "comment-edit", issue, summary: "edited its comment", body: text(field(body, "body")) };
    case "issues/add-assignees":
      return {
        kind: "assignees",
        issue,
        summary: `assigned ${strings(field(body, "assignees")).join(", ")}`,
        body: null,
      };
    case "issues/remove-assignees":
      return {
        kind: "unassign",
        issue,
        summary: `unassigned ${strings(field(body, "assignees")).join(", ")}`,
        body: null,
      };
    case "issues/update":
      return { issue, ...describeUpdate(call, repo) };
    case "issues/create": {
      const number = createdNumber(repo, field(body, "title"), taken);
      const labels = strings(field(body, "labels"));
      return {
        kind: "issue-created",
        issue: number,
        summary: `opened "${String(field(body, "title"))}"`,
        body: text(field(body, "body")),
        labels,
      };
    }
    case "pulls/request-reviewers":
      return {
        kind: "reviewers",
        issue,
        summary: `requested a review from ${strings(field(body, "reviewers")).join(", ")}`,
        body: null,
      };
    case "issues/create-label":
    case "issues/update-label":
      return {
        kind: "label-sync",
        issue: null,
        summary: `synced label ${String(field(body, "name") ?? field(body, "new_name"))}`,
        body: null,
      };
    case "graphql":
      return { kind: "other", issue, summary: `GraphQL ${call.graphql?.fields.join(", ") ?? call.path}`, body: null };
    default:
      return { kind: "other", issue, summary: `${call.method} ${call.operationId ?? call.path}`, body: null };
  }
}

export function createTimeline(fake: FakeGitHub, repo: RepoRecord): Timeline {
  const people: Entry[] = [];

  function shepherdEntries(): Entry[] {
    const taken = new Set<number>();
    const entries: Entry[] = [];
    for (const call of fake.calls) {
      if (call.auth !== "installation" || call.method === "GET" || call.status >= 300 || call.injected) continue;
      const described = describeCall(call, fake, repo, taken);
      const last = entries.at(-1);
      // Label sync on installation is dozens of calls: one line says it.
      if (described.kind === "label-sync" && last?.kind === "label-sync") {
        last.summary = `synced ${Number(/\d+/.exec(last.summary)?.[0] ?? 1) + 1} labels`;
        last.seq = call.seq;
        continue;
      }
      if (described.kind === "label-sync") described.summary = "synced 1 labels";
      entries.push({ ...described, id: `c${call.seq}`, seq: call.seq, at: call.at, actor: fake.state.botLogin });
    }
    return entries;
  }

  return {
    addUserEntry(entry) {
      // Between two fake calls: after the last call so far, before Shepherd's reaction (and after
      // any earlier person's entry at the same point).
      const base = fake.calls.at(-1)?.seq ?? 0;
      const previous = people.at(-1)?.seq ?? -1;
      const seq = Math.floor(previous) === base ? previous + 0.001 : base + 0.001;
      const recorded = { ...entry, id: `u${people.length + 1}`, seq, at: Date.now() };
      people.push(recorded);
      return recorded;
    },
    since(since) {
      return [...shepherdEntries(), ...people].filter((entry) => entry.seq > since).sort((a, b) => a.seq - b.seq);
    },
  };
}
