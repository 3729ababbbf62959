// The fake's route table: one small handler per OpenAPI operationId. server.ts has already
// matched the route, checked authentication and validated the request against the schema, so
// a handler may trust the body's shape and only applies GitHub's behaviour to the state.
import { randomBytes } from "node:crypto";
import type { Renderer } from "./render.js";
import type {
  CheckRunRecord,
  CommentRecord,
  FakeState,
  InstallationRecord,
  IssueRecord,
  LabelRecord,
  PullFields,
  ReactionContent,
  ReactionRecord,
  RepoRecord,
} from "./state.js";
import { searchIssues } from "./search.js";
import type { WebhookDelivery } from "./webhooks.js";

export type AuthKind = "app" | "installation" | "user" | "none";

export interface AuthInfo {
  kind: AuthKind;
  /** Set for installation tokens. */
  installation?: InstallationRecord;
  /** Login of the caller: the app's bot user for installation tokens. */
  login?: string;
}

export interface HandlerResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Non-JSON body (e.g. the raw media type of the contents API); skips response validation. */
  raw?: { contentType: string; data: Buffer };
}

/**
 * Announces a change as a webhook. server.ts adds repository, organization, installation and
 * sender, and drops it unless the caller is the app's installation and the event is subscribed.
 * `fields` runs at once (when wanted), so each payload shows the state right after its own
 * change, as GitHub's do.
 */
export type EmitWebhook = (
  event: string,
  action: string,
  repo: RepoRecord,
  fields: (render: Renderer) => Record<string, unknown>,
) => void;

export interface HandlerContext {
  state: FakeState;
  render: Renderer;
  params: Record<string, string>;
  query: Record<string, string | string[]>;
  body: unknown;
  auth: AuthInfo;
  /** Request headers, lower-cased. */
  headers: Record<string, string | string[] | undefined>;
  /** Absolute URL of this request (used for Link headers). */
  url: URL;
  now(): string;
  emit: EmitWebhook;
  /** The app's webhook delivery log (oldest first); `redeliver` sends one again after the answer. */
  hooks: { deliveries: readonly WebhookDelivery[]; redeliver(guid: string): void };
}

export interface RouteHandler {
  /** "app": only an app JWT works; "installation": only an installation token; default: a token. */
  auth?: "app" | "installation";
  handle(ctx: HandlerContext): HandlerResult;
}

/**
 * An error response. `record` marks requests GitHub would reject whatever the data (bad colour,
 * blank body): they land in the fake's `errors`. Data-dependent answers (404 for a missing
 * label, already_exists) are normal GitHub behaviour the bot must handle, so are not recorded.
 */
export class GitHubError extends Error {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly record: boolean;

  constructor(status: number, message: string, options: { errors?: unknown[]; record?: boolean } = {}) {
    super(message);
    this.status = status;
    this.record = options.record ?? false;
    this.body = {
      message,
      ...(options.errors && { errors: options.errors }),
      documentation_url: "https://docs.github.com/rest",
      status: String(status),
    };
  }
}

export function notFound(): GitHubError {
  return new GitHubError(404, "Not Found");
}

/** 422 "Validation Failed" in GitHub's shape. */
export function invalid(
  resource: string,
  field: string,
  code: string,
  options: { message?: string; record?: boolean } = {},
): GitHubError {
  const detail = { resource, field, code, ...(options.message !== undefined && { message: options.message }) };
  return new GitHubError(422, "Validation Failed", { errors: [detail], record: options.record ?? true });
}

const ok = (body: unknown): HandlerResult => ({ status: 200, body });
const created = (body: unknown): HandlerResult => ({ status: 201, body });

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export function intParam(ctx: HandlerContext, name: string, fallback: number): number {
  const value = Number(first(ctx.params[name] ?? ctx.query[name]));
  return Number.isFinite(value) && first(ctx.params[name] ?? ctx.query[name]) !== undefined ? value : fallback;
}

/** Slices one page and sets GitHub's Link header (first/prev/next/last). */
export function paginate<T>(ctx: HandlerContext, items: T[], headers: Record<string, string>): T[] {
  const perPage = Math.min(Math.max(intParam(ctx, "per_page", 30), 1), 100);
  const page = Math.max(intParam(ctx, "page", 1), 1);
  const last = Math.max(Math.ceil(items.length / perPage), 1);
  const link = (rel: string, target: number): string => {
    const url = new URL(ctx.url);
    url.searchParams.set("per_page", String(perPage));
    url.searchParams.set("page", String(target));
    return `<${url.href}>; rel="${rel}"`;
  };
  const links = [
    ...(page > 1 ? [link("prev", page - 1), link("first", 1)] : []),
    ...(page < last ? [link("next", page + 1), link("last", last)] : []),
  ];
  if (links.length > 0) headers["link"] = links.join(", ");
  return items.slice((page - 1) * perPage, page * perPage);
}

function listOk<T>(ctx: HandlerContext, items: T[], render: (item: T) => unknown): HandlerResult {
  const headers: Record<string, string> = {};
  return { status: 200, body: paginate(ctx, items, headers).map(render), headers };
}

/** The repo from {owner}/{repo}; 404 when it is missing or the installation cannot see it. */
export function repoOf(ctx: HandlerContext): RepoRecord {
  const owner = ctx.params["owner"] ?? "";
  const name = ctx.params["repo"] ?? "";
  const repo = ctx.state.findRepo(owner, name);
  const installation = ctx.auth.installation;
  if (!repo || (installation && !ctx.state.covers(installation, owner, name))) throw notFound();
  return repo;
}

function issueOf(ctx: HandlerContext, repo: RepoRecord): IssueRecord {
  const issue = repo.issues.get(intParam(ctx, "issue_number", 0));
  if (!issue) throw notFound();
  return issue;
}

function pullOf(ctx: HandlerContext, repo: RepoRecord): IssueRecord & { pull: PullFields } {
  const issue = repo.issues.get(intParam(ctx, "pull_number", 0));
  if (!issue?.pull) throw notFound();
  return issue as IssueRecord & { pull: PullFields };
}

function commentOf(ctx: HandlerContext, repo: RepoRecord): CommentRecord {
  const comment = ctx.state.comments.get(intParam(ctx, "comment_id", 0));
  const repoKey = `${repo.owner}/${repo.name}`.toLowerCase();
  if (!comment || comment.repo !== repoKey) throw notFound();
  return comment;
}

function actor(ctx: HandlerContext): string {
  return ctx.auth.login ?? "octocat";
}

function touch(ctx: HandlerContext, issue: IssueRecord): void {
  issue.updatedAt = ctx.now();
}

function same(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

type Extra = (render: Renderer) => Record<string, unknown>;

/** Announces a change to an issue, or to a pull request (`pull_request` event, `number` on top). */
function emitItem(ctx: HandlerContext, repo: RepoRecord, issue: IssueRecord, action: string, extra?: Extra): void {
  if (issue.pull)
    ctx.emit("pull_request", action, repo, (render) => ({
      number: issue.number,
      pull_request: render.pull(repo, issue, true),
      ...extra?.(render),
    }));
  else ctx.emit("issues", action, repo, (render) => ({ issue: render.issue(repo, issue), ...extra?.(render) }));
}

/**
 * Replays a change of a list (labels, assignees) one entry at a time, removals first, announcing
 * each with the list as it stood right after it (GitHub sends one event per entry), then leaves
 * the final list in place.
 */
function replay(
  before: string[],
  after: string[],
  set: (list: string[]) => void,
  announce: (entry: string, added: boolean) => void,
): void {
  let current = [...before];
  for (const entry of before.filter((name) => !after.some((other) => same(name, other)))) {
    current = current.filter((name) => !same(name, entry));
    set(current);
    announce(entry, false);
  }
  for (const entry of after.filter((name) => !before.some((other) => same(name, other)))) {
    current = [...current, entry];
    set(current);
    announce(entry, true);
  }
  set(after);
}

function announceAssignees(ctx: HandlerContext, repo: RepoRecord, issue: IssueRecord, before: string[]): void {
  const after = issue.assignees;
  replay(
    before,
    after,
    (list) => (issue.assignees = list),
    (login, added) =>
      emitItem(ctx, repo, issue, added ? "assigned" : "unassigned", (render) => ({ assignee: render.user(login) })),
  );
}

// ---------------------------------------------------------------------------------------------
// Labels

type LabelInput = string | { name?: string };

function labelNames(input: unknown): string[] {
  const list = Array.isArray(input) ? input : typeof input === "string" ? [input] : [];
  return (list as LabelInput[])
    .map((entry) => (typeof entry === "string" ? entry : (entry.name ?? "")))
    .filter((name) => name !== "");
}

/** Labels body: `{labels: [...]}` (documented) or a bare array/string (still accepted by GitHub). */
function labelsFromBody(body: unknown): string[] {
  const value =
    typeof body === "object" && body !== null && !Array.isArray(body) ? (body as { labels?: unknown }).labels : body;
  return labelNames(value);
}

function checkLabelFields(input: { name?: string; color?: string; description?: string | null }): void {
  if (input.name !== undefined && input.name.trim() === "") throw invalid("Label", "name", "missing_field");
  if (input.color !== undefined && !/^[0-9a-fA-F]{6}$/.test(input.color)) throw invalid("Label", "color", "invalid");
  if (input.description && input.description.length > 100)
    throw invalid("Label", "description", "invalid", {
      message: "description is too long (maximum is 100 characters)",
    });
}

function labelOf(ctx: HandlerContext, repo: RepoRecord): LabelRecord {
  const label = ctx.state.findLabel(repo, ctx.params["name"] ?? "");
  if (!label) throw notFound();
  return label;
}

function setIssueLabels(
  ctx: HandlerContext,
  repo: RepoRecord,
  issue: IssueRecord,
  names: string[],
  announce = true,
): void {
  const before = issue.labels;
  const known = new Set(repo.labels.keys());
  ctx.state.setIssueLabels(repo, issue, names);
  touch(ctx, issue);
  // GitHub creates unknown labels on the fly, and announces them before the issue is labeled.
  for (const name of issue.labels) {
    const label = ctx.state.findLabel(repo, name);
    if (label && !known.has(name.toLowerCase()))
      ctx.emit("label", "created", repo, (render) => ({ label: render.label(repo, label) }));
  }
  if (!announce) return;
  replay(
    before,
    issue.labels,
    (list) => (issue.labels = list),
    (name, added) => {
      const label = ctx.state.findLabel(repo, name);
      emitItem(ctx, repo, issue, added ? "labeled" : "unlabeled", (render) =>
        label ? { label: render.label(repo, label) } : {},
      );
    },
  );
}

function issueLabels(ctx: HandlerContext, repo: RepoRecord, issue: IssueRecord): unknown[] {
  return issue.labels.flatMap((name) => {
    const label = ctx.state.findLabel(repo, name);
    return label ? [ctx.render.label(repo, label)] : [];
  });
}

function byName(a: LabelRecord, b: LabelRecord): number {
  return a.name.toLowerCase().localeCompare(b.name.toLowerCase());
}

// ---------------------------------------------------------------------------------------------
// Issues

interface IssueFields {
  title?: string | number | null;
  body?: string | null;
  state?: "open" | "closed";
  state_reason?: IssueRecord["stateReason"];
  milestone?: string | number | null;
  labels?: LabelInput[];
  assignees?: (string | { login?: string })[];
  assignee?: string | null;
}

function checkBody(text: string | null | undefined, resource: string): void {
  if (text !== undefined && text !== null && text.length > 65536)
    throw invalid(resource, "body", "custom", { message: "body is too long (maximum is 65536 characters)" });
}

function checkIssueFields(fields: IssueFields): void {
  if (fields.title !== undefined && fields.title !== null && String(fields.title).trim() === "")
    throw invalid("Issue", "title", "missing_field");
  checkBody(fields.body, "Issue");
}

/** A milestone given by number (documented) or title; unknown -> 422 like GitHub. */
function milestoneNumber(repo: RepoRecord, ctx: HandlerContext, value: string | number | null): number | null {
  if (value === null) return null;
  const found =
    typeof value === "number" || /^\d+$/.test(value)
      ? repo.milestones.get(Number(value))
      : ctx.state.findMilestoneByTitle(repo, value);
  if (!found) throw invalid("Issue", "milestone", "invalid", { record: false });
  return found.number;
}

/** Users GitHub lets be assigned: anyone with write-ish access, plus the issue's author. */
/** GitHub assigns people with triage access or more, the author, and anyone who has commented. */
function assignable(repo: RepoRecord, issue: IssueRecord, login: string, ctx: HandlerContext): boolean {
  const permission = ctx.state.permission(repo, login);
  if (permission !== "none" && permission !== "read") return true;
  const wanted = login.toLowerCase();
  if (wanted === issue.user.toLowerCase()) return true;
  return ctx.state.commentsOn(repo, issue.number).some((comment) => comment.user.toLowerCase() === wanted);
}

function assigneeLogins(input: (string | { login?: string })[]): string[] {
  return input
    .map((entry) => (typeof entry === "string" ? entry : (entry.login ?? "")))
    .filter((login) => login !== "");
}

function addAssignees(ctx: HandlerContext, repo: RepoRecord, issue: IssueRecord, logins: string[]): void {
  // GitHub silently drops users who cannot be assigned, and keeps ten at most.
  const next = [...issue.assignees];
  for (const login of logins) {
    if (!assignable(repo, issue, login, ctx) || next.some((entry) => entry.toLowerCase() === login.toLowerCase()))
      continue;
    next.push(ctx.state.user(login).login);
  }
  issue.assignees = next.slice(0, 10);
}

/**
 * Applies an issue body (create or update). With `announce`, each kind of change is announced as
 * GitHub does, in this order: edited, milestoned/demilestoned, labels, assignees, closed/reopened.
 */
function applyIssueFields(
  ctx: HandlerContext,
  repo: RepoRecord,
  issue: IssueRecord,
  fields: IssueFields,
  announce = true,
): void {
  // Checked before any change, so a refused milestone leaves the issue as it was.
  const milestone = fields.milestone === undefined ? undefined : milestoneNumber(repo, ctx, fields.milestone);
  touch(ctx, issue);
  const changes: Record<string, { from: string }> = {};
  if (fields.title !== undefined && fields.title !== null) {
    if (String(fields.title) !== issue.title) changes["title"] = { from: issue.title };
    issue.title = String(fields.title);
  }
  if (fields.body !== undefined) {
    if (fields.body !== issue.body) changes["body"] = { from: issue.body ?? "" };
    issue.body = fields.body;
  }
  if (announce && Object.keys(changes).length > 0) emitItem(ctx, repo, issue, "edited", () => ({ changes }));
  if (milestone !== undefined && milestone !== issue.milestone) {
    const old = issue.milestone === null ? undefined : repo.milestones.get(issue.milestone);
    issue.milestone = milestone;
    const current = milestone === null ? undefined : repo.milestones.get(milestone);
    const shown = current ?? old;
    if (announce && shown)
      emitItem(ctx, repo, issue, current ? "milestoned" : "demilestoned", (render) => ({
        milestone: render.milestone(repo, shown),
      }));
  }
  if (fields.labels !== undefined) setIssueLabels(ctx, repo, issue, labelNames(fields.labels), announce);
  if (fields.assignees !== undefined || fields.assignee !== undefined) {
    const before = issue.assignees;
    issue.assignees = [];
    const logins = fields.assignees ? assigneeLogins(fields.assignees) : fields.assignee ? [fields.assignee] : [];
    addAssignees(ctx, repo, issue, logins);
    if (announce) announceAssignees(ctx, repo, issue, before);
  }
  if (fields.state !== undefined && fields.state !== issue.state) {
    issue.state = fields.state;
    issue.closedAt = fields.state === "closed" ? ctx.now() : null;
    issue.stateReason = fields.state === "closed" ? (fields.state_reason ?? "completed") : "reopened";
    if (announce) emitItem(ctx, repo, issue, fields.state === "closed" ? "closed" : "reopened");
  } else if (fields.state_reason !== undefined && issue.state === "closed") {
    issue.stateReason = fields.state_reason;
  }
}

function checkComment(body: string): void {
  if (body.trim() === "") throw invalid("IssueComment", "body", "missing_field", { message: "Body cannot be blank" });
  checkBody(body, "IssueComment");
}

/** A handler for a route under /repos/{owner}/{repo}. */
interface CheckRunInput {
  name: string;
  head_sha: string;
  status?: "queued" | "in_progress" | "completed";
  conclusion?: string;
  started_at?: string;
  completed_at?: string;
  external_id?: string;
  details_url?: string;
  output?: { title?: string; summary?: string; text?: string; annotations?: CheckRunRecord["annotations"] };
}

function repoRoute(handle: (ctx: HandlerContext, repo: RepoRecord) => HandlerResult): RouteHandler {
  return { handle: (ctx) => handle(ctx, repoOf(ctx)) };
}

/** A handler for a route under /repos/{owner}/{repo}/issues/{issue_number}. */
function issueRoute(
  handle: (ctx: HandlerContext, repo: RepoRecord, issue: IssueRecord) => HandlerResult,
): RouteHandler {
  return repoRoute((ctx, repo) => handle(ctx, repo, issueOf(ctx, repo)));
}

/** A handler for a route under /repos/{owner}/{repo}/pulls/{pull_number}. */
function pullRoute(
  handle: (ctx: HandlerContext, repo: RepoRecord, pull: IssueRecord & { pull: PullFields }) => HandlerResult,
): RouteHandler {
  return repoRoute((ctx, repo) => handle(ctx, repo, pullOf(ctx, repo)));
}

/** A handler for a route under /repos/{owner}/{repo}/issues/comments/{comment_id}. */
function commentRoute(
  handle: (ctx: HandlerContext, repo: RepoRecord, comment: CommentRecord) => HandlerResult,
): RouteHandler {
  return repoRoute((ctx, repo) => handle(ctx, repo, commentOf(ctx, repo)));
}

/** The review comment {comment_id} of this repo; 404 otherwise. */
function reviewCommentOf(ctx: HandlerContext, repo: RepoRecord) {
  const comment = ctx.state.reviewComments.get(Number(ctx.params["comment_id"]));
  if (!comment || comment.repo !== `${repo.owner}/${repo.name}`.toLowerCase()) throw notFound();
  return comment;
}

/** The `assignee` filter of the issue list: a login, `*` (anyone) or `none`. */
function assignedTo(issue: IssueRecord, assignee: string | undefined): boolean {
  if (assignee === undefined) return true;
  if (assignee === "*") return issue.assignees.length > 0;
  if (assignee === "none") return issue.assignees.length === 0;
  return issue.assignees.some((login) => login.toLowerCase() === assignee.toLowerCase());
}

/** The same user reacting twice gets the existing reaction back with 200, as on GitHub. */
function react(ctx: HandlerContext, reactions: ReactionRecord[]): HandlerResult {
  const content = (ctx.body as { content: ReactionContent }).content;
  const login = actor(ctx);
  const existing = reactions.find((reaction) => reaction.user === login && reaction.content === content);
  if (existing) return ok(ctx.render.reaction(existing));
  const reaction = { id: ctx.state.newId(), user: login, content, createdAt: ctx.now() };
  reactions.push(reaction);
  return created(ctx.render.reaction(reaction));
}

/** Reactions in the order they were made, filtered by `content` when given. */
function listReactions(ctx: HandlerContext, reactions: ReactionRecord[]): HandlerResult {
  const content = first(ctx.query["content"]);
  const matching = reactions.filter((reaction) => content === undefined || reaction.content === content);
  return listOk(ctx, matching, (reaction) => ctx.render.reaction(reaction));
}

/** A delivery as `GET /app/hook/deliveries` lists it: status "OK", or why it failed (code 0: no answer). */
function renderDelivery(delivery: WebhookDelivery): Record<string, unknown> {
  const code = delivery.status ?? 0;
  const reason = /timed out/i.test(delivery.statusText ?? "") ? "timed out" : "failed to connect to host";
  return {
    id: delivery.id,
    guid: delivery.guid,
    delivered_at: new Date(delivery.deliveredAt).toISOString().replace(/\.\d{3}Z$/, "Z"),
    redelivery: delivery.redelivery,
    duration: delivery.durationMs / 1000,
    status: delivery.status === null ? reason : code >= 200 && code < 300 ? "OK" : `Invalid HTTP Response: ${code}`,
    status_code: code,
    event: delivery.event,
    action: delivery.action ?? null,
    installation_id: delivery.installationId,
    repository_id: delivery.repositoryId ?? null,
  };
}

/** Newest first, paged by cursor like GitHub: the `next` link carries the next page's first delivery. */
function listDeliveries(ctx: HandlerContext): HandlerResult {
  const perPage = Math.min(Math.max(intParam(ctx, "per_page", 30), 1), 100);
  const wanted = first(ctx.query["status"]);
  const newestFirst = [...ctx.hooks.deliveries].reverse().filter((delivery) => {
    if (wanted === undefined) return true;
    const ok = delivery.status !== null && delivery.status >= 200 && delivery.status < 300;
    return ok === (wanted === "success");
  });
  const cursor = first(ctx.query["cursor"]);
  let start = 0;
  if (cursor !== undefined) {
    const match = /^v1_(\d+)$/.exec(cursor);
    if (!match) throw new GitHubError(400, "Invalid cursor", { record: true });
    const found = newestFirst.findIndex((delivery) => delivery.id <= Number(match[1]));
    start = found < 0 ? newestFirst.length : found;
  }
  const headers: Record<string, string> = {};
  const next = newestFirst[start + perPage];
  if (next) {
    const url = new URL(ctx.url);
    url.searchParams.set("per_page", String(perPage));
    url.searchParams.set("cursor", `v1_${next.id}`);
    headers["link"] = `<${url.href}>; rel="next"`;
  }
  return { status: 200, body: newestFirst.slice(start, start + perPage).map(renderDelivery), headers };
}

// ---------------------------------------------------------------------------------------------
// The route table

export const ROUTES: Record<string, RouteHandler> = {
  "apps/get-authenticated": { auth: "app", handle: (ctx) => ok(ctx.render.app()) },

  "apps/create-installation-access-token": {
    auth: "app",
    handle: (ctx) => {
      const installation = ctx.state.installations.get(intParam(ctx, "installation_id", 0));
      if (!installation) throw notFound();
      const token = ctx.state.issueToken(installation);
      const selection = installation.repositories === "all" ? "all" : "selected";
      return created({
        token: token.token,
        expires_at: token.expiresAt,
        permissions: installation.permissions,
        repository_selection: selection,
      });
    },
  },

  "apps/get-repo-installation": {
    auth: "app",
    handle: (ctx) => {
      const owner = ctx.params["owner"] ?? "";
      const name = ctx.params["repo"] ?? "";
      const installation =
        ctx.state.findRepo(owner, name) &&
        [...ctx.state.installations.values()].find((entry) => ctx.state.covers(entry, owner, name));
      if (!installation) throw notFound();
      return ok(ctx.render.installation(installation));
    },
  },

  "apps/list-installations": {
    auth: "app",
    handle: (ctx) => listOk(ctx, [...ctx.state.installations.values()], ctx.render.installation),
  },
  "apps/list-webhook-deliveries": { auth: "app", handle: listDeliveries },
  "apps/redeliver-webhook-delivery": {
    auth: "app",
    handle: (ctx) => {
      const id = intParam(ctx, "delivery_id", 0);
      const delivery = ctx.hooks.deliveries.find((entry) => entry.id === id);
      if (!delivery) throw notFound();
      ctx.hooks.redeliver(delivery.guid);
      return { status: 202, body: {} };
    },
  },
  "apps/list-repos-accessible-to-installation": {
    auth: "installation",
    handle: (ctx) => {
      const installation = ctx.auth.installation;
      if (!installation) throw notFound();
      const repos = ctx.state.installationRepos(installation);
      const headers: Record<string, string> = {};
      const page = paginate(ctx, repos, headers).map(ctx.render.repo);
      const selection = installation.repositories === "all" ? "all" : "selected";
      return {
        status: 200,
        headers,
        body: { total_count: repos.length, repositories: page, repository_selection: selection },
      };
    },
  },

  "repos/get": repoRoute((ctx, repo) => ok(ctx.render.repo(repo))),
  // GitHub answers 302 to a short-lived codeload address; the fake serves it under /_codeload.
  "repos/download-tarball-archive": repoRoute((ctx, repo) => {
    if (repo.tarball === undefined) throw notFound();
    const token = randomBytes(8).toString("hex");
    const location = `${ctx.url.origin}/_codeload/${repo.owner}/${repo.name}/legacy.tar.gz/${encodeURIComponent(ctx.params.ref ?? "")}?token=${token}`;
    return {
      status: 302,
      headers: { location },
      raw: { contentType: "text/html;charset=utf-8", data: Buffer.alloc(0) },
    };
  }),

  "repos/get-content": repoRoute((ctx, repo) => {
    const ref = first(ctx.query["ref"]) ?? repo.defaultBranch;
    const file = repo.files.get(ref)?.get(ctx.params["path"] ?? "");
    if (!file) throw notFound();
    // Probot's config loader asks for the raw media type and parses the text itself.
    const accept = String(ctx.headers["accept"] ?? "");
    if (/\.raw\b|\.raw\+/.test(accept))
      return { status: 200, raw: { contentType: "application/vnd.github.raw; charset=utf-8", data: file.content } };
    return ok(ctx.render.file(repo, ref, file));
  }),

  // Check runs: an app creates them on a commit; GitHub announces each with check_run.created.
  "checks/create": {
    auth: "installation",
    handle: (ctx) => {
      const repo = repoOf(ctx);
      const input = ctx.body as CheckRunInput;
      const completed = input.conclusion !== undefined || input.status === "completed";
      const run: CheckRunRecord = {
        id: ctx.state.newId(),
        repoId: repo.id,
        headSha: input.head_sha,
        name: input.name,
        status: completed ? "completed" : (input.status ?? "queued"),
        conclusion: input.conclusion ?? null,
        startedAt: input.started_at ?? ctx.now(),
        completedAt: completed ? (input.completed_at ?? ctx.now()) : null,
        externalId: input.external_id ?? null,
        detailsUrl: input.details_url ?? null,
        title: input.output?.title ?? null,
        summary: input.output?.summary ?? null,
        text: input.output?.text ?? null,
        annotations: input.output?.annotations ?? [],
      };
      // GitHub accepts at most 50 annotations a request.
      if (run.annotations.length > 50) throw invalid("CheckRun", "annotations", "invalid");
      ctx.state.checkRuns.set(run.id, run);
      ctx.emit("check_run", "created", repo, (render) => ({ check_run: render.checkRun(repo, run) }));
      return created(ctx.render.checkRun(repo, run));
    },
  },

  "checks/list-for-ref": repoRoute((ctx, repo) => {
    const ref = ctx.params["ref"] ?? "";
    const name = first(ctx.query["check_name"]);
    const runs = [...ctx.state.checkRuns.values()]
      .filter((run) => run.repoId === repo.id && run.headSha === ref && (name === undefined || run.name === name))
      .sort((a, b) => b.id - a.id);
    return ok({ total_count: runs.length, check_runs: runs.map((run) => ctx.render.checkRun(repo, run)) });
  }),

  "repos/get-collaborator-permission-level": repoRoute((ctx, repo) => {
    const login = ctx.params["username"] ?? "";
    if (!ctx.state.users.has(login.toLowerCase())) throw notFound();
    return ok(ctx.render.collaboratorPermission(repo, ctx.state.user(login).login, ctx.state.permission(repo, login)));
  }),

  "issues/get": issueRoute((ctx, repo, issue) => ok(ctx.render.issue(repo, issue))),

  "issues/create": repoRoute((ctx, repo) => {
    const fields = ctx.body as IssueFields & { title: string | number };
    checkIssueFields(fields);
    if (fields.milestone !== undefined) milestoneNumber(repo, ctx, fields.milestone);
    const issue = ctx.state.addIssue(repo, { title: String(fields.title), user: actor(ctx), created_at: ctx.now() });
    // GitHub announces a new issue with `opened` only; its labels and assignees are inside.
    applyIssueFields(ctx, repo, issue, fields, false);
    emitItem(ctx, repo, issue, "opened");
    return created(ctx.render.issue(repo, issue));
  }),

  "issues/update": issueRoute((ctx, repo, issue) => {
    const fields = ctx.body as IssueFields;
    checkIssueFields(fields);
    applyIssueFields(ctx, repo, issue, fields);
    return ok(ctx.render.issue(repo, issue));
  }),

  "issues/list-labels-for-repo": repoRoute((ctx, repo) =>
    listOk(ctx, [...repo.labels.values()].sort(byName), (label) => ctx.render.label(repo, label)),
  ),

  "issues/get-label": repoRoute((ctx, repo) => ok(ctx.render.label(repo, labelOf(ctx, repo)))),

  "issues/create-label": repoRoute((ctx, repo) => {
    const input = ctx.body as { name: string; color?: string; description?: string };
    checkLabelFields(input);
    if (ctx.state.findLabel(repo, input.name)) throw invalid("Label", "name", "already_exists", { record: false });
    const label = ctx.state.addLabel(repo, input);
    ctx.emit("label", "created", repo, (render) => ({ label: render.label(repo, label) }));
    return created(ctx.render.label(repo, label));
  }),

  "issues/update-label": repoRoute((ctx, repo) => {
    const label = labelOf(ctx, repo);
    const input = ctx.body as { new_name?: string; color?: string; description?: string };
    checkLabelFields({ ...input, ...(input.new_name !== undefined && { name: input.new_name }) });
    const clash = input.new_name === undefined ? undefined : ctx.state.findLabel(repo, input.new_name);
    if (clash && clash !== label) throw invalid("Label", "name", "already_exists", { record: false });
    const changes: Record<string, { from: string }> = {};
    if (input.new_name !== undefined && input.new_name !== label.name) changes["name"] = { from: label.name };
    if (input.color !== undefined && input.color !== label.color) changes["color"] = { from: label.color };
    if (input.description !== undefined && input.description !== label.description)
      changes["description"] = { from: label.description ?? "" };
    if (input.new_name !== undefined) ctx.state.renameLabel(repo, label, input.new_name);
    if (input.color !== undefined) label.color = input.color;
    if (input.description !== undefined) label.description = input.description;
    if (Object.keys(changes).length > 0)
      ctx.emit("label", "edited", repo, (render) => ({ label: render.label(repo, label), changes }));
    return ok(ctx.render.label(repo, label));
  }),

  "issues/list-labels-on-issue": issueRoute((ctx, repo, issue) =>
    listOk(ctx, issueLabels(ctx, repo, issue), (label) => label),
  ),

  "issues/add-labels": issueRoute((ctx, repo, issue) => {
    setIssueLabels(ctx, repo, issue, [...issue.labels, ...labelsFromBody(ctx.body)]);
    return ok(issueLabels(ctx, repo, issue));
  }),

  "issues/set-labels": issueRoute((ctx, repo, issue) => {
    setIssueLabels(ctx, repo, issue, labelsFromBody(ctx.body));
    return ok(issueLabels(ctx, repo, issue));
  }),

  "issues/remove-label": issueRoute((ctx, repo, issue) => {
    const name = (ctx.params["name"] ?? "").toLowerCase();
    if (!issue.labels.some((entry) => entry.toLowerCase() === name)) throw new GitHubError(404, "Label does not exist");
    setIssueLabels(
      ctx,
      repo,
      issue,
      issue.labels.filter((entry) => entry.toLowerCase() !== name),
    );
    return ok(issueLabels(ctx, repo, issue));
  }),

  "issues/list-milestones": repoRoute((ctx, repo) => {
    const state = first(ctx.query["state"]) ?? "open";
    const direction = first(ctx.query["direction"]) === "desc" ? -1 : 1;
    const milestones = [...repo.milestones.values()]
      .filter((milestone) => state === "all" || milestone.state === state)
      .sort((a, b) => direction * ((a.dueOn ?? "9999").localeCompare(b.dueOn ?? "9999") || a.number - b.number));
    return listOk(ctx, milestones, (milestone) => ctx.render.milestone(repo, milestone));
  }),

  "issues/add-assignees": issueRoute((ctx, repo, issue) => {
    const before = issue.assignees;
    touch(ctx, issue);
    addAssignees(ctx, repo, issue, (ctx.body as { assignees?: string[] } | undefined)?.assignees ?? []);
    announceAssignees(ctx, repo, issue, before);
    return created(ctx.render.issue(repo, issue));
  }),

  "issues/remove-assignees": issueRoute((ctx, repo, issue) => {
    const before = issue.assignees;
    const remove = new Set((ctx.body as { assignees: string[] }).assignees.map((login) => login.toLowerCase()));
    touch(ctx, issue);
    issue.assignees = issue.assignees.filter((login) => !remove.has(login.toLowerCase()));
    announceAssignees(ctx, repo, issue, before);
    return ok(ctx.render.issue(repo, issue));
  }),

  "issues/list-comments": issueRoute((ctx, repo, issue) => {
    const since = first(ctx.query["since"]);
    const comments = ctx.state
      .commentsOn(repo, issue.number)
      .filter((comment) => since === undefined || comment.updatedAt >= since);
    return listOk(ctx, comments, (comment) => ctx.render.comment(repo, comment));
  }),

  "issues/create-comment": issueRoute((ctx, repo, issue) => {
    const { body } = ctx.body as { body: string };
    checkComment(body);
    const comment = ctx.state.addComment(repo, issue.number, { body, user: actor(ctx), created_at: ctx.now() });
    touch(ctx, issue);
    ctx.emit("issue_comment", "created", repo, (render) => ({
      issue: render.issue(repo, issue),
      comment: render.comment(repo, comment),
    }));
    return created(ctx.render.comment(repo, comment));
  }),

  "issues/get-comment": commentRoute((ctx, repo, comment) => ok(ctx.render.comment(repo, comment))),

  "issues/update-comment": commentRoute((ctx, repo, comment) => {
    const { body } = ctx.body as { body: string };
    checkComment(body);
    const from = comment.body;
    comment.body = body;
    comment.updatedAt = ctx.now();
    const issue = repo.issues.get(comment.issueNumber);
    if (issue && from !== body)
      ctx.emit("issue_comment", "edited", repo, (render) => ({
        changes: { body: { from } },
        issue: render.issue(repo, issue),
        comment: render.comment(repo, comment),
      }));
    return ok(ctx.render.comment(repo, comment));
  }),

  "reactions/create-for-issue-comment": commentRoute((ctx, _repo, comment) => react(ctx, comment.reactions)),

  "reactions/create-for-issue": issueRoute((ctx, _repo, issue) => react(ctx, issue.reactions)),

  "reactions/create-for-pull-request-review-comment": repoRoute((ctx, repo) =>
    react(ctx, reviewCommentOf(ctx, repo).reactions),
  ),

  "reactions/list-for-issue-comment": commentRoute((ctx, _repo, comment) => listReactions(ctx, comment.reactions)),

  "reactions/list-for-issue": issueRoute((ctx, _repo, issue) => listReactions(ctx, issue.reactions)),

  "reactions/list-for-pull-request-review-comment": repoRoute((ctx, repo) =>
    listReactions(ctx, reviewCommentOf(ctx, repo).reactions),
  ),

  "issues/list-comments-for-repo": repoRoute((ctx, repo) => {
    const since = first(ctx.query["since"]);
    const descending = first(ctx.query["direction"]) === "desc";
    const byUpdate = first(ctx.query["sort"]) === "updated";
    const comments = [...ctx.state.comments.values()]
      .filter((comment) => comment.repo === `${repo.owner}/${repo.name}`.toLowerCase())
      .filter((comment) => since === undefined || comment.updatedAt >= since)
      .sort((a, b) => (byUpdate ? a.updatedAt.localeCompare(b.updatedAt) : a.id - b.id) * (descending ? -1 : 1));
    return listOk(ctx, comments, (comment) => ctx.render.comment(repo, comment));
  }),

  "issues/list-for-repo": repoRoute((ctx, repo) => {
    const state = first(ctx.query["state"]) ?? "open";
    const labels = (first(ctx.query["labels"]) ?? "")
      .split(",")
      .filter(Boolean)
      .map((name) => name.toLowerCase());
    const assignee = first(ctx.query["assignee"]);
    const since = first(ctx.query["since"]);
    const issues = [...repo.issues.values()]
      .filter((issue) => state === "all" || issue.state === state)
      .filter((issue) => labels.every((name) => issue.labels.some((label) => label.toLowerCase() === name)))
      .filter((issue) => assignedTo(issue, assignee))
      .filter((issue) => since === undefined || issue.updatedAt >= since)
      .sort((a, b) => b.number - a.number);
    return listOk(ctx, issues, (issue) => ctx.render.issue(repo, issue));
  }),

  "pulls/list": repoRoute((ctx, repo) => {
    const state = first(ctx.query["state"]) ?? "open";
    const pulls = [...repo.issues.values()]
      .filter((issue) => issue.pull !== null && (state === "all" || issue.state === state))
      .sort((a, b) => b.number - a.number);
    return listOk(ctx, pulls, (pull) => ctx.render.pull(repo, pull, false));
  }),

  "pulls/get": pullRoute((ctx, repo, pull) => ok(ctx.render.pull(repo, pull, true))),

  // GitHub stops listing at 3000 files.
  "pulls/list-files": pullRoute((ctx, repo, pull) =>
    listOk(ctx, pull.pull.files.slice(0, 3000), (file) => ctx.render.diffEntry(repo, pull, file)),
  ),

  "pulls/request-reviewers": pullRoute((ctx, repo, pull) => {
    const input = ctx.body as { reviewers?: string[]; team_reviewers?: string[] };
    const reviewers = input.reviewers ?? [];
    const teams = input.team_reviewers ?? [];
    if (reviewers.length === 0 && teams.length === 0) throw invalid("PullRequest", "reviewers", "missing_field");
    if (reviewers.some((login) => login.toLowerCase() === pull.user.toLowerCase())) {
      throw new GitHubError(422, "Review cannot be requested from pull request author.");
    }
    const outsider = reviewers.some((login) => ["none", "read"].includes(ctx.state.permission(repo, login)));
    if (outsider || teams.some((slug) => !ctx.state.findTeam(repo.owner, slug))) {
      throw new GitHubError(
        422,
        `Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the ${repo.owner}/${repo.name} repository.`,
      );
    }
    // One review_requested per reviewer not already requested, each showing the request so far.
    for (const login of reviewers.map((entry) => ctx.state.user(entry).login)) {
      if (pull.pull.requestedReviewers.includes(login)) continue;
      pull.pull.requestedReviewers = [...pull.pull.requestedReviewers, login];
      emitItem(ctx, repo, pull, "review_requested", (render) => ({ requested_reviewer: render.user(login) }));
    }
    for (const slug of teams) {
      if (pull.pull.requestedTeams.includes(slug)) continue;
      pull.pull.requestedTeams = [...pull.pull.requestedTeams, slug];
      emitItem(ctx, repo, pull, "review_requested", (render) => ({ requested_team: render.team(repo.owner, slug) }));
    }
    return created(ctx.render.pull(repo, pull, false));
  }),

  "search/issues-and-pull-requests": {
    handle: (ctx) => {
      const query = String(first(ctx.query["q"]) ?? "");
      const found = searchIssues(ctx.state, query, {
        sort: first(ctx.query["sort"]),
        order: first(ctx.query["order"]),
        installation: ctx.auth.installation,
      });
      const headers: Record<string, string> = {};
      // GitHub serves at most the first 1000 results.
      const items = paginate(ctx, found.slice(0, 1000), headers).map(({ repo, issue }) => ({
        ...ctx.render.issue(repo, issue),
        score: 1,
      }));
      return {
        status: 200,
        headers,
        body: { total_count: found.length, incomplete_results: false, search_type: "lexical", items },
      };
    },
  },

  "teams/get-membership-for-user-in-org": {
    handle: (ctx) => {
      const team = ctx.state.findTeam(ctx.params["org"] ?? "", ctx.params["team_slug"] ?? "");
      const login = (ctx.params["username"] ?? "").toLowerCase();
      const role = team && [...team.members].find(([member]) => member.toLowerCase() === login)?.[1];
      if (!team || !role) throw notFound();
      return ok({ url: ctx.url.toString(), role, state: "active" });
    },
  },

  "teams/list-members-in-org": {
    handle: (ctx) => {
      const team = ctx.state.findTeam(ctx.params["org"] ?? "", ctx.params["team_slug"] ?? "");
      if (!team) throw notFound();
      const role = first(ctx.query["role"]) ?? "all";
      const members = [...team.members]
        .filter(([, memberRole]) => role === "all" || memberRole === role)
        .map(([login]) => login);
      return listOk(ctx, members, ctx.render.user);
    },
  },
};
