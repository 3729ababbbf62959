// In-memory store of the fake GitHub, with helpers tests use to seed it. Records hold the
// minimum the handlers need; render.ts turns them into GitHub's JSON shapes.
import { createHash, randomInt } from "node:crypto";

export type Permission = "admin" | "maintain" | "write" | "triage" | "read" | "none";
export type AccountType = "User" | "Organization" | "Bot";
export type ReactionContent = "+1" | "-1" | "laugh" | "confused" | "heart" | "hooray" | "rocket" | "eyes";
/** "owner/name", or anything with owner and name (a RepoRecord works). */
export type RepoRef = string | { owner: string; name: string };

export interface Account {
  login: string;
  id: number;
  type: AccountType;
}

export interface FileRecord {
  path: string;
  content: Buffer;
  sha: string;
}

/** A check run an app created on a commit, with the annotations it was given. */
export interface CheckRunRecord {
  id: number;
  repoId: number;
  headSha: string;
  name: string;
  status: "queued" | "in_progress" | "completed";
  conclusion: string | null;
  startedAt: string;
  completedAt: string | null;
  externalId: string | null;
  detailsUrl: string | null;
  title: string | null;
  summary: string | null;
  text: string | null;
  annotations: Array<{
    path: string;
    start_line: number;
    end_line: number;
    annotation_level: string;
    message: string;
    title?: string;
  }>;
}

export interface LabelRecord {
  id: number;
  name: string;
  color: string;
  description: string | null;
  default: boolean;
}

export interface MilestoneRecord {
  id: number;
  number: number;
  title: string;
  description: string | null;
  state: "open" | "closed";
  creator: string;
  dueOn: string | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

export interface ReactionRecord {
  id: number;
  user: string;
  content: ReactionContent;
  createdAt: string;
}

export interface CommentRecord {
  id: number;
  repo: string;
  issueNumber: number;
  body: string;
  user: string;
  createdAt: string;
  updatedAt: string;
  reactions: ReactionRecord[];
}

export interface DiffEntryInput {
  filename: string;
  status?: "added" | "removed" | "modified" | "renamed" | "copied" | "changed" | "unchanged";
  additions?: number;
  deletions?: number;
  patch?: string;
  previous_filename?: string;
}

export interface IssueRecord {
  id: number;
  number: number;
  title: string;
  body: string | null;
  user: string;
  state: "open" | "closed";
  stateReason: "completed" | "reopened" | "not_planned" | "duplicate" | null;
  /** Label names as the repo spells them; the repo's label map holds the labels. */
  labels: string[];
  assignees: string[];
  milestone: number | null;
  locked: boolean;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  pull: PullFields | null;
  reactions: ReactionRecord[];
}

export interface PullFields {
  draft: boolean;
  merged: boolean;
  head: { ref: string; sha: string };
  base: { ref: string; sha: string };
  requestedReviewers: string[];
  requestedTeams: string[];
  files: DiffEntryInput[];
}

export interface DiscussionCategoryRecord {
  id: number;
  name: string;
  slug: string;
  createdAt: string;
}

export interface DiscussionRecord {
  id: number;
  /** Shares the repo's issue/pull request number sequence, as on GitHub. */
  number: number;
  title: string;
  body: string;
  author: string;
  categoryId: number;
  createdAt: string;
  updatedAt: string;
}

export interface DiscussionSeed {
  title: string;
  body?: string;
  /** Name or slug of a category of the repo; default: its first category. */
  category?: string;
  author?: string;
  number?: number;
  created_at?: string;
  updated_at?: string;
}

export interface RepoRecord {
  id: number;
  owner: string;
  name: string;
  defaultBranch: string;
  private: boolean;
  description: string | null;
  createdAt: string;
  /** ref -> path -> file. */
  files: Map<string, Map<string, FileRecord>>;
  /** The archive `GET /repos/{owner}/{repo}/tarball/{ref}` redirects to (any ref), gzipped tar. */
  tarball?: Buffer;
  labels: Map<string, LabelRecord>;
  milestones: Map<number, MilestoneRecord>;
  issues: Map<number, IssueRecord>;
  permissions: Map<string, Permission>;
  /** Next number for an issue, pull request or discussion (one sequence on GitHub). */
  nextNumber: number;
  discussionsEnabled: boolean;
  /** Keyed by category id. */
  discussionCategories: Map<number, DiscussionCategoryRecord>;
  discussions: Map<number, DiscussionRecord>;
  /** Numbers of pinned issues, in pin order. */
  pinned: number[];
}

export interface InstallationRecord {
  id: number;
  account: string;
  /** "all", or the repository names (without owner) the installation was granted. */
  repositories: "all" | string[];
  permissions: Record<string, string>;
  events: string[];
  createdAt: string;
}

export interface TokenRecord {
  token: string;
  installationId: number;
  expiresAt: string;
}

export interface TeamRecord {
  id: number;
  org: string;
  slug: string;
  members: Map<string, "member" | "maintainer">;
}

export interface IssueSeed {
  number?: number;
  title: string;
  body?: string | null;
  user?: string;
  labels?: string[];
  assignees?: string[];
  milestone?: number | null;
  state?: "open" | "closed";
  state_reason?: IssueRecord["stateReason"];
  locked?: boolean;
  created_at?: string;
  updated_at?: string;
  closed_at?: string | null;
  /** true makes it a pull request (GitHub numbers issues and pull requests together). */
  pull_request?: boolean;
  draft?: boolean;
  merged?: boolean;
  head?: string;
  base?: string;
}

export interface StateOptions {
  appId: number;
  appSlug: string;
  appName: string;
  appOwner: string;
  now: () => Date;
}

function key(value: string): string {
  return value.toLowerCase();
}

export function gitSha(text: string): string {
  return createHash("sha1").update(text).digest("hex");
}

/** GitHub's timestamp format: ISO 8601 without milliseconds. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** GitHub's legacy global node id ("MDEwOlJlcG9zaXRvcnkxMjk2MjY5" is "010:Repository1296269"). */
export function nodeId(kind: string, id: number): string {
  return Buffer.from(`0${kind.length}:${kind}${id}`).toString("base64");
}

/** The kind and database id of a legacy node id, or undefined if it is not one. */
export function parseNodeId(value: string): { kind: string; id: number } | undefined {
  const text = Buffer.from(value, "base64").toString("utf8");
  const [, length, rest = ""] = /^0(\d+):(.*)$/.exec(text) ?? [];
  const kind = rest.slice(0, Number(length));
  const id = rest.slice(Number(length));
  return kind !== "" && /^\d+$/.test(id) ? { kind, id: Number(id) } : undefined;
}

/** GitHub's slug of a discussion category name ("Show and tell" -> "show-and-tell", "Q&A" -> "q-a"). */
export function slugify(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/** Categories GitHub creates when discussions are first enabled on a repository. */
export const DEFAULT_DISCUSSION_CATEGORIES = ["Announcements", "General", "Ideas", "Polls", "Q&A", "Show and tell"];

/** GitHub allows at most this many pinned issues per repository. */
export const MAX_PINNED_ISSUES = 3;

export function splitRepo(ref: RepoRef): { owner: string; name: string } {
  if (typeof ref !== "string") return { owner: ref.owner, name: ref.name };
  const [owner, name, ...rest] = ref.split("/");
  if (!owner || !name || rest.length > 0) throw new Error(`repo must be "owner/name", got "${ref}"`);
  return { owner, name };
}

export class FakeState {
  readonly options: StateOptions;
  readonly users = new Map<string, Account>();
  readonly repos = new Map<string, RepoRecord>();
  readonly comments = new Map<number, CommentRecord>();
  /** Pull request review comments (on a diff line): a separate id space and API on GitHub. */
  readonly reviewComments = new Map<number, CommentRecord & { path: string }>();
  readonly installations = new Map<number, InstallationRecord>();
  readonly teams = new Map<string, TeamRecord>();
  readonly tokens = new Map<string, TokenRecord>();
  /** Every check run, by id. */
  readonly checkRuns = new Map<number, CheckRunRecord>();
  private nextId = 1000;

  constructor(options: StateOptions) {
    this.options = options;
    this.addUser(options.appOwner, { type: "Organization" });
    this.addUser(this.botLogin, { type: "Bot" });
  }

  /** The login comments and issues get when made with an installation token. */
  get botLogin(): string {
    return `${this.options.appSlug}[bot]`;
  }

  newId(): number {
    return this.nextId++;
  }

  now(): string {
    return isoSeconds(this.options.now());
  }

  /** Gets or creates a user (users appear on first mention, so seeding stays short). */
  addUser(login: string, options: { type?: AccountType; id?: number } = {}): Account {
    const found = this.users.get(key(login));
    if (found) {
      if (options.type) found.type = options.type;
      return found;
    }
    const type = options.type ?? (login.endsWith("[bot]") ? "Bot" : "User");
    const account: Account = { login, id: options.id ?? this.newId(), type };
    this.users.set(key(login), account);
    return account;
  }

  user(login: string): Account {
    return this.addUser(login);
  }

  addRepo(input: {
    owner: string;
    name: string;
    defaultBranch?: string;
    private?: boolean;
    description?: string | null;
    ownerType?: AccountType;
  }): RepoRecord {
    this.addUser(input.owner, input.ownerType ? { type: input.ownerType } : {});
    const repo: RepoRecord = {
      id: this.newId(),
      owner: input.owner,
      name: input.name,
      defaultBranch: input.defaultBranch ?? "main",
      private: input.private ?? false,
      description: input.description ?? null,
      createdAt: this.now(),
      files: new Map(),
      labels: new Map(),
      milestones: new Map(),
      issues: new Map(),
      permissions: new Map([[key(input.owner), "admin"]]),
      nextNumber: 1,
      discussionsEnabled: false,
      discussionCategories: new Map(),
      discussions: new Map(),
      pinned: [],
    };
    this.repos.set(key(`${input.owner}/${input.name}`), repo);
    return repo;
  }

  findRepo(owner: string, name: string): RepoRecord | undefined {
    return this.repos.get(key(`${owner}/${name}`));
  }

  repo(ref: RepoRef): RepoRecord {
    const { owner, name } = splitRepo(ref);
    const repo = this.findRepo(owner, name);
    if (!repo) throw new Error(`fake GitHub: no repo ${owner}/${name}; call addRepo first`);
    return repo;
  }

  addFile(ref: RepoRef, path: string, content: string | Buffer, options: { ref?: string } = {}): FileRecord {
    const repo = this.repo(ref);
    const branch = options.ref ?? repo.defaultBranch;
    const data = typeof content === "string" ? Buffer.from(content) : content;
    // Git's blob id, so shas look and behave like GitHub's.
    const sha = createHash("sha1").update(`blob ${data.length}\0`).update(data).digest("hex");
    const file: FileRecord = { path: path.replace(/^\/+/, ""), content: data, sha };
    const files = repo.files.get(branch) ?? new Map<string, FileRecord>();
    files.set(file.path, file);
    repo.files.set(branch, files);
    return file;
  }

  removeFile(ref: RepoRef, path: string, options: { ref?: string } = {}): void {
    const repo = this.repo(ref);
    repo.files.get(options.ref ?? repo.defaultBranch)?.delete(path);
  }

  findLabel(repo: RepoRecord, name: string): LabelRecord | undefined {
    return repo.labels.get(key(name));
  }

  addLabel(
    ref: RepoRef,
    input: { name: string; color?: string; description?: string | null; default?: boolean },
  ): LabelRecord {
    const repo = this.repo(ref);
    const label: LabelRecord = {
      id: this.newId(),
      name: input.name,
      color: input.color ?? "ededed",
      description: input.description ?? null,
      default: input.default ?? false,
    };
    repo.labels.set(key(input.name), label);
    return label;
  }

  /** GitHub creates unknown labels (colour ededed) when they are put on an issue. */
  ensureLabel(repo: RepoRecord, name: string): LabelRecord {
    return this.findLabel(repo, name) ?? this.addLabel(repo, { name });
  }

  /** Replaces an issue's labels (case-insensitive, no duplicates), creating unknown ones. */
  setIssueLabels(repo: RepoRecord, issue: IssueRecord, names: string[]): void {
    const labels = new Map(names.map((name) => [key(name), this.ensureLabel(repo, name).name]));
    issue.labels = [...labels.values()];
  }

  renameLabel(repo: RepoRecord, label: LabelRecord, name: string): void {
    const oldKey = key(label.name);
    repo.labels.delete(oldKey);
    label.name = name;
    repo.labels.set(key(name), label);
    for (const issue of repo.issues.values())
      issue.labels = issue.labels.map((entry) => (key(entry) === oldKey ? name : entry));
  }

  addMilestone(
    ref: RepoRef,
    input: {
      title: string;
      number?: number;
      description?: string | null;
      state?: "open" | "closed";
      due_on?: string | null;
      creator?: string;
    },
  ): MilestoneRecord {
    const repo = this.repo(ref);
    const number = input.number ?? Math.max(0, ...repo.milestones.keys()) + 1;
    const now = this.now();
    const milestone: MilestoneRecord = {
      id: this.newId(),
      number,
      title: input.title,
      description: input.description ?? null,
      state: input.state ?? "open",
      creator: this.user(input.creator ?? repo.owner).login,
      dueOn: input.due_on ?? null,
      createdAt: now,
      updatedAt: now,
      closedAt: input.state === "closed" ? now : null,
    };
    repo.milestones.set(number, milestone);
    return milestone;
  }

  findMilestoneByTitle(repo: RepoRecord, title: string): MilestoneRecord | undefined {
    return [...repo.milestones.values()].find((milestone) => milestone.title === title);
  }

  addIssue(ref: RepoRef, input: IssueSeed): IssueRecord {
    const repo = this.repo(ref);
    const number = input.number ?? repo.nextNumber;
    repo.nextNumber = Math.max(repo.nextNumber, number + 1);
    const createdAt = input.created_at ?? this.now();
    const state = input.state ?? "open";
    const issue: IssueRecord = {
      id: this.newId(),
      number,
      title: input.title,
      body: input.body ?? null,
      user: this.user(input.user ?? "octocat").login,
      state,
      stateReason: input.state_reason ?? (state === "closed" ? "completed" : null),
      labels: [],
      assignees: (input.assignees ?? []).map((login) => this.user(login).login),
      milestone: input.milestone ?? null,
      locked: input.locked ?? false,
      createdAt,
      updatedAt: input.updated_at ?? createdAt,
      closedAt: input.closed_at ?? (state === "closed" ? createdAt : null),
      pull: input.pull_request ? this.pullFields(repo, input) : null,
      reactions: [],
    };
    this.setIssueLabels(repo, issue, input.labels ?? []);
    repo.issues.set(number, issue);
    return issue;
  }

  private pullFields(repo: RepoRecord, input: IssueSeed): PullFields {
    const head = input.head ?? `feature-${repo.nextNumber}`;
    const base = input.base ?? repo.defaultBranch;
    return {
      draft: input.draft ?? false,
      merged: input.merged ?? false,
      head: { ref: head, sha: gitSha(`${repo.name}:${head}`) },
      base: { ref: base, sha: gitSha(`${repo.name}:${base}`) },
      requestedReviewers: [],
      requestedTeams: [],
      files: [],
    };
  }

  issue(ref: RepoRef, number: number): IssueRecord {
    const issue = this.repo(ref).issues.get(number);
    if (!issue) throw new Error(`fake GitHub: no issue #${number} in ${JSON.stringify(ref)}`);
    return issue;
  }

  addPullFiles(ref: RepoRef, number: number, files: DiffEntryInput[]): void {
    const issue = this.issue(ref, number);
    if (!issue.pull) throw new Error(`fake GitHub: #${number} is an issue, not a pull request`);
    issue.pull.files.push(...files);
  }

  addComment(
    ref: RepoRef,
    issueNumber: number,
    input: { body: string; user?: string; created_at?: string },
  ): CommentRecord {
    const repo = this.repo(ref);
    this.issue(repo, issueNumber);
    const createdAt = input.created_at ?? this.now();
    const comment: CommentRecord = {
      id: this.newId(),
      repo: key(`${repo.owner}/${repo.name}`),
      issueNumber,
      body: input.body,
      user: this.user(input.user ?? "octocat").login,
      createdAt,
      updatedAt: createdAt,
      reactions: [],
    };
    this.comments.set(comment.id, comment);
    return comment;
  }
  addReviewComment(
    ref: RepoRef,
    pullNumber: number,
    input: { body: string; user?: string; path: string; created_at?: string },
  ): CommentRecord & { path: string } {
    const repo = this.repo(ref);
    this.issue(repo, pullNumber);
    const createdAt = input.created_at ?? this.now();
    const comment = {
      id: this.newId(),
      repo: key(`${repo.owner}/${repo.name}`),
      issueNumber: pullNumber,
      body: input.body,
      user: this.user(input.user ?? "octocat").login,
      createdAt,
      updatedAt: createdAt,
      reactions: [],
      path: input.path,
    };
    this.reviewComments.set(comment.id, comment);
    return comment;
  }

  commentsOn(repo: RepoRecord, issueNumber: number): CommentRecord[] {
    const repoKey = key(`${repo.owner}/${repo.name}`);
    return [...this.comments.values()].filter(
      (comment) => comment.repo === repoKey && comment.issueNumber === issueNumber,
    );
  }

  /**
   * Turns discussions on or off. Turning them on for a repo without categories creates GitHub's
   * default ones (Announcements, General, Ideas, Polls, Q&A, Show and tell) unless told not to.
   */
  enableDiscussions(ref: RepoRef, on = true, options: { defaultCategories?: boolean } = {}): RepoRecord {
    const repo = this.repo(ref);
    repo.discussionsEnabled = on;
    if (on && repo.discussionCategories.size === 0 && options.defaultCategories !== false)
      for (const name of DEFAULT_DISCUSSION_CATEGORIES) this.addDiscussionCategory(repo, { name });
    return repo;
  }

  addDiscussionCategory(ref: RepoRef, input: { name: string; slug?: string }): DiscussionCategoryRecord {
    const repo = this.repo(ref);
    const slug = input.slug ?? slugify(input.name);
    if (this.findDiscussionCategory(repo, input.name) ?? this.findDiscussionCategory(repo, slug))
      throw new Error(`fake GitHub: ${repo.owner}/${repo.name} already has a discussion category "${input.name}"`);
    const category: DiscussionCategoryRecord = { id: this.newId(), name: input.name, slug, createdAt: this.now() };
    repo.discussionCategories.set(category.id, category);
    return category;
  }

  /** A category by name or slug (case-insensitive). */
  findDiscussionCategory(repo: RepoRecord, nameOrSlug: string): DiscussionCategoryRecord | undefined {
    return [...repo.discussionCategories.values()].find(
      (category) => key(category.name) === key(nameOrSlug) || category.slug === key(nameOrSlug),
    );
  }

  /** Seeds a discussion (does not need discussions to be enabled, so tests can disable them later). */
  addDiscussion(ref: RepoRef, input: DiscussionSeed): DiscussionRecord {
    const repo = this.repo(ref);
    const category =
      input.category === undefined
        ? repo.discussionCategories.values().next().value
        : this.findDiscussionCategory(repo, input.category);
    if (!category)
      throw new Error(
        `fake GitHub: no discussion category ${input.category ?? "at all"} in ${repo.owner}/${repo.name}; call addDiscussionCategory or enableDiscussions first`,
      );
    const number = input.number ?? repo.nextNumber;
    repo.nextNumber = Math.max(repo.nextNumber, number + 1);
    const createdAt = input.created_at ?? this.now();
    const discussion: DiscussionRecord = {
      id: this.newId(),
      number,
      title: input.title,
      body: input.body ?? "",
      author: this.user(input.author ?? "octocat").login,
      categoryId: category.id,
      createdAt,
      updatedAt: input.updated_at ?? createdAt,
    };
    repo.discussions.set(number, discussion);
    return discussion;
  }

  /** Pinned issues of a repo, in pin order. */
  pinnedIssues(ref: RepoRef): IssueRecord[] {
    const repo = this.repo(ref);
    return repo.pinned.flatMap((number) => repo.issues.get(number) ?? []);
  }

  /** Pins an issue (no-op when already pinned); throws past GitHub's limit of 3. */
  pinIssue(ref: RepoRef, number: number): IssueRecord {
    const repo = this.repo(ref);
    const issue = this.issue(repo, number);
    if (issue.pull) throw new Error(`fake GitHub: #${number} is a pull request; only issues can be pinned`);
    if (repo.pinned.includes(number)) return issue;
    if (repo.pinned.length >= MAX_PINNED_ISSUES)
      throw new Error(`fake GitHub: ${repo.owner}/${repo.name} already has ${MAX_PINNED_ISSUES} pinned issues`);
    repo.pinned.push(number);
    return issue;
  }

  setPermission(ref: RepoRef, login: string, permission: Permission): void {
    this.repo(ref).permissions.set(key(this.user(login).login), permission);
  }

  permission(repo: RepoRecord, login: string): Permission {
    return repo.permissions.get(key(login)) ?? (repo.private ? "none" : "read");
  }

  addInstallation(
    id: number,
    account: string,
    options: {
      repositories?: "all" | string[];
      permissions?: Record<string, string>;
      events?: string[];
      accountType?: AccountType;
    } = {},
  ): InstallationRecord {
    this.addUser(account, options.accountType ? { type: options.accountType } : {});
    const installation: InstallationRecord = {
      id,
      account,
      repositories: options.repositories ?? "all",
      permissions: options.permissions ?? {
        issues: "write",
        pull_requests: "write",
        contents: "read",
        metadata: "read",
        members: "read",
      },
      events: options.events ?? ["issues", "issue_comment", "pull_request"],
      createdAt: this.now(),
    };
    this.installations.set(id, installation);
    return installation;
  }

  /** A fresh installation access token, valid for an hour like GitHub's. */
  issueToken(installation: InstallationRecord): TokenRecord {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    const token = "ghs_" + Array.from({ length: 36 }, () => alphabet[randomInt(alphabet.length)]).join("");
    const expiresAt = isoSeconds(new Date(this.options.now().getTime() + 3600_000));
    const record: TokenRecord = { token, installationId: installation.id, expiresAt };
    this.tokens.set(token, record);
    return record;
  }

  /** Whether an installation may see a repo (GitHub answers 404 otherwise). */
  covers(installation: InstallationRecord, owner: string, name: string): boolean {
    if (key(installation.account) !== key(owner)) return false;
    return installation.repositories === "all" || installation.repositories.some((repo) => key(repo) === key(name));
  }

  installationRepos(installation: InstallationRecord): RepoRecord[] {
    return [...this.repos.values()].filter((repo) => this.covers(installation, repo.owner, repo.name));
  }

  findTeam(org: string, slug: string): TeamRecord | undefined {
    return this.teams.get(key(`${org}/${slug}`));
  }

  addTeam(org: string, slug: string, members: string[], options: { maintainers?: string[] } = {}): TeamRecord {
    const team: TeamRecord = { id: this.newId(), org, slug, members: new Map() };
    for (const login of members) team.members.set(this.user(login).login, "member");
    for (const login of options.maintainers ?? []) team.members.set(this.user(login).login, "maintainer");
    this.teams.set(key(`${org}/${slug}`), team);
    return team;
  }
}
