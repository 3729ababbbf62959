// Renders state records as the JSON GitHub sends. Every shape here is checked against the
// OpenAPI response schema on each call (validateResponses), so keep required fields complete.
import type {
  Account,
  CheckRunRecord,
  CommentRecord,
  DiffEntryInput,
  DiscussionRecord,
  FakeState,
  FileRecord,
  InstallationRecord,
  IssueRecord,
  LabelRecord,
  MilestoneRecord,
  Permission,
  ReactionRecord,
  RepoRecord,
} from "./state.js";
import { gitSha } from "./state.js";

export interface Urls {
  /** API base, e.g. http://127.0.0.1:1234/api/v3 */
  api: string;
  /** Web base, e.g. http://127.0.0.1:1234 (GitHub Enterprise Server serves both on one host). */
  web: string;
}

export interface Renderer {
  user(login: string): Record<string, unknown>;
  repo(repo: RepoRecord): Record<string, unknown>;
  label(repo: RepoRecord, label: LabelRecord): Record<string, unknown>;
  milestone(repo: RepoRecord, milestone: MilestoneRecord): Record<string, unknown>;
  issue(repo: RepoRecord, issue: IssueRecord): Record<string, unknown>;
  pull(repo: RepoRecord, issue: IssueRecord, detail: boolean): Record<string, unknown>;
  comment(repo: RepoRecord, comment: CommentRecord): Record<string, unknown>;
  reaction(reaction: ReactionRecord): Record<string, unknown>;
  file(repo: RepoRecord, ref: string, file: FileRecord): Record<string, unknown>;
  diffEntry(repo: RepoRecord, issue: IssueRecord, entry: DiffEntryInput): Record<string, unknown>;
  installation(installation: InstallationRecord): Record<string, unknown>;
  app(): Record<string, unknown>;
  collaboratorPermission(repo: RepoRecord, login: string, permission: Permission): Record<string, unknown>;
  team(org: string, slug: string): Record<string, unknown>;
  /** The `organization` of webhook payloads. */
  organization(login: string): Record<string, unknown>;
  /** The `discussion` of webhook payloads (REST has no discussions API; this is the webhook shape). */
  discussion(repo: RepoRecord, discussion: DiscussionRecord): Record<string, unknown>;
  checkRun(repo: RepoRecord, run: CheckRunRecord): Record<string, unknown>;
}

function nodeId(kind: string, id: number): string {
  return Buffer.from(`0${kind.length}:${kind}${id}`).toString("base64");
}

// Permission as the legacy `permission` field reports it; role_name keeps the fine grain.
const LEGACY_PERMISSION: Record<Permission, string> = {
  admin: "admin",
  maintain: "write",
  write: "write",
  triage: "read",
  read: "read",
  none: "none",
};

// GitHub's repository URL fields: name -> path suffix after the repo's API URL.
const REPO_URL_SUFFIXES: Record<string, string> = {
  archive_url: "/{archive_format}{/ref}",
  assignees_url: "/assignees{/user}",
  blobs_url: "/git/blobs{/sha}",
  branches_url: "/branches{/branch}",
  collaborators_url: "/collaborators{/collaborator}",
  comments_url: "/comments{/number}",
  commits_url: "/commits{/sha}",
  compare_url: "/compare/{base}...{head}",
  contents_url: "/contents/{+path}",
  contributors_url: "/contributors",
  deployments_url: "/deployments",
  downloads_url: "/downloads",
  events_url: "/events",
  forks_url: "/forks",
  git_commits_url: "/git/commits{/sha}",
  git_refs_url: "/git/refs{/sha}",
  git_tags_url: "/git/tags{/sha}",
  hooks_url: "/hooks",
  issue_comment_url: "/issues/comments{/number}",
  issue_events_url: "/issues/events{/number}",
  issues_url: "/issues{/number}",
  keys_url: "/keys{/key_id}",
  labels_url: "/labels{/name}",
  languages_url: "/languages",
  merges_url: "/merges",
  milestones_url: "/milestones{/number}",
  notifications_url: "/notifications{?since,all,participating}",
  pulls_url: "/pulls{/number}",
  releases_url: "/releases{/id}",
  stargazers_url: "/stargazers",
  statuses_url: "/statuses/{sha}",
  subscribers_url: "/subscribers",
  subscription_url: "/subscription",
  tags_url: "/tags",
  teams_url: "/teams",
  trees_url: "/git/trees{/sha}",
};

export function createRenderer(state: FakeState, urls: Urls): Renderer {
  const { api, web } = urls;
  const host = new URL(web).host;

  function user(login: string): Record<string, unknown> {
    const account: Account = state.user(login);
    // GitHub percent-encodes logins in URLs: /users/dependabot%5Bbot%5D.
    const url = `${api}/users/${encodeURIComponent(account.login)}`;
    return {
      login: account.login,
      id: account.id,
      node_id: nodeId(account.type, account.id),
      avatar_url: `${web}/avatars/u/${account.id}`,
      gravatar_id: "",
      url,
      html_url:
        account.type === "Bot" ? `${web}/apps/${account.login.replace(/\[bot\]$/, "")}` : `${web}/${account.login}`,
      followers_url: `${url}/followers`,
      following_url: `${url}/following{/other_user}`,
      gists_url: `${url}/gists{/gist_id}`,
      starred_url: `${url}/starred{/owner}{/repo}`,
      subscriptions_url: `${url}/subscriptions`,
      organizations_url: `${url}/orgs`,
      repos_url: `${url}/repos`,
      events_url: `${url}/events{/privacy}`,
      received_events_url: `${url}/received_events`,
      type: account.type,
      user_view_type: "public",
      site_admin: false,
    };
  }

  function repoUrl(repo: RepoRecord): string {
    return `${api}/repos/${repo.owner}/${repo.name}`;
  }

  function repoHtml(repo: RepoRecord): string {
    return `${web}/${repo.owner}/${repo.name}`;
  }

  function repo(record: RepoRecord): Record<string, unknown> {
    const url = repoUrl(record);
    const html = repoHtml(record);
    const openIssues = [...record.issues.values()].filter((issue) => issue.state === "open").length;
    const templated = Object.fromEntries(
      Object.entries(REPO_URL_SUFFIXES).map(([name, suffix]) => [name, url + suffix]),
    );
    return {
      id: record.id,
      node_id: nodeId("Repository", record.id),
      name: record.name,
      full_name: `${record.owner}/${record.name}`,
      owner: user(record.owner),
      private: record.private,
      visibility: record.private ? "private" : "public",
      html_url: html,
      description: record.description,
      fork: false,
      url,
      ...templated,
      git_url: `git://${host}/${record.owner}/${record.name}.git`,
      ssh_url: `git@${host}:${record.owner}/${record.name}.git`,
      clone_url: `${html}.git`,
      svn_url: html,
      mirror_url: null,
      homepage: null,
      language: null,
      forks: 0,
      forks_count: 0,
      stargazers_count: 0,
      watchers: 0,
      watchers_count: 0,
      subscribers_count: 0,
      network_count: 0,
      size: 0,
      default_branch: record.defaultBranch,
      open_issues: openIssues,
      open_issues_count: openIssues,
      is_template: false,
      topics: [],
      has_issues: true,
      has_projects: true,
      has_wiki: true,
      has_pages: false,
      has_downloads: true,
      has_discussions: false,
      archived: false,
      disabled: false,
      license: null,
      pushed_at: record.createdAt,
      created_at: record.createdAt,
      updated_at: record.createdAt,
      allow_forking: true,
      web_commit_signoff_required: false,
    };
  }

  function label(record: RepoRecord, entry: LabelRecord): Record<string, unknown> {
    return {
      id: entry.id,
      node_id: nodeId("Label", entry.id),
      url: `${repoUrl(record)}/labels/${encodeURIComponent(entry.name)}`,
      name: entry.name,
      color: entry.color,
      default: entry.default,
      description: entry.description,
    };
  }

  function milestone(record: RepoRecord, entry: MilestoneRecord): Record<string, unknown> {
    const issues = [...record.issues.values()].filter((issue) => issue.milestone === entry.number);
    const url = `${repoUrl(record)}/milestones/${entry.number}`;
    return {
      url,
      html_url: `${repoHtml(record)}/milestone/${entry.number}`,
      labels_url: `${url}/labels`,
      id: entry.id,
      node_id: nodeId("Milestone", entry.id),
      number: entry.number,
      state: entry.state,
      title: entry.title,
      description: entry.description,
      creator: user(entry.creator),
      open_issues: issues.filter((issue) => issue.state === "open").length,
      closed_issues: issues.filter((issue) => issue.state === "closed").length,
      created_at: entry.createdAt,
      updated_at: entry.updatedAt,
      closed_at: entry.closedAt,
      due_on: entry.dueOn,
    };
  }

  function labelsOf(record: RepoRecord, issue: IssueRecord): Record<string, unknown>[] {
    return issue.labels.flatMap((name) => {
      const found = state.findLabel(record, name);
      return found ? [label(record, found)] : [];
    });
  }

  function milestoneOf(record: RepoRecord, issue: IssueRecord): Record<string, unknown> | null {
    const found = issue.milestone === null ? undefined : record.milestones.get(issue.milestone);
    return found ? milestone(record, found) : null;
  }

  function authorAssociation(record: RepoRecord, login: string): string {
    if (login.toLowerCase() === record.owner.toLowerCase()) return "OWNER";
    const permission = record.permissions.get(login.toLowerCase());
    return permission && permission !== "none" && permission !== "read" ? "COLLABORATOR" : "NONE";
  }

  function reactionRollup(url: string, reactions: ReactionRecord[]): Record<string, unknown> {
    const count = (content: string): number => reactions.filter((reaction) => reaction.content === content).length;
    const contents = ["+1", "-1", "laugh", "confused", "heart", "hooray", "eyes", "rocket"];
    return {
      url: `${url}/reactions`,
      total_count: reactions.length,
      ...Object.fromEntries(contents.map((content) => [content, count(content)])),
    };
  }

  /** Fields issues, pull requests and search results share. */
  function issueCore(record: RepoRecord, issue: IssueRecord): Record<string, unknown> {
    const url = `${repoUrl(record)}/issues/${issue.number}`;
    const kind = issue.pull ? "pull" : "issues";
    return {
      id: issue.id,
      node_id: nodeId(issue.pull ? "PullRequest" : "Issue", issue.id),
      url,
      repository_url: repoUrl(record),
      labels_url: `${url}/labels{/name}`,
      comments_url: `${url}/comments`,
      events_url: `${url}/events`,
      html_url: `${repoHtml(record)}/${kind}/${issue.number}`,
      number: issue.number,
      state: issue.state,
      title: issue.title,
      body: issue.body,
      user: user(issue.user),
      labels: labelsOf(record, issue),
      assignee: issue.assignees[0] === undefined ? null : user(issue.assignees[0]),
      assignees: issue.assignees.map(user),
      milestone: milestoneOf(record, issue),
      locked: issue.locked,
      active_lock_reason: null,
      comments: state.commentsOn(record, issue.number).length,
      created_at: issue.createdAt,
      updated_at: issue.updatedAt,
      closed_at: issue.closedAt,
      author_association: authorAssociation(record, issue.user),
    };
  }

  function issue(record: RepoRecord, entry: IssueRecord): Record<string, unknown> {
    const core = issueCore(record, entry);
    const pullUrl = `${repoUrl(record)}/pulls/${entry.number}`;
    const pullHtml = `${repoHtml(record)}/pull/${entry.number}`;
    return {
      ...core,
      state_reason: entry.stateReason,
      timeline_url: `${core["url"] as string}/timeline`,
      performed_via_github_app: null,
      reactions: reactionRollup(core["url"] as string, []),
      ...(entry.pull && {
        draft: entry.pull.draft,
        pull_request: {
          url: pullUrl,
          html_url: pullHtml,
          diff_url: `${pullHtml}.diff`,
          patch_url: `${pullHtml}.patch`,
          merged_at: entry.pull.merged ? entry.updatedAt : null,
        },
      }),
    };
  }

  function branch(record: RepoRecord, side: { ref: string; sha: string }): Record<string, unknown> {
    return {
      label: `${record.owner}:${side.ref}`,
      ref: side.ref,
      sha: side.sha,
      user: user(record.owner),
      repo: repo(record),
    };
  }

  function pull(record: RepoRecord, entry: IssueRecord, detail: boolean): Record<string, unknown> {
    const fields = entry.pull;
    if (!fields) throw new Error(`#${entry.number} is not a pull request`);
    const core = issueCore(record, entry);
    const url = `${repoUrl(record)}/pulls/${entry.number}`;
    const html = `${repoHtml(record)}/pull/${entry.number}`;
    const link = (href: string): { href: string } => ({ href });
    const simple = {
      url,
      id: entry.id,
      node_id: core["node_id"],
      html_url: html,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      issue_url: core["url"],
      commits_url: `${url}/commits`,
      review_comments_url: `${url}/comments`,
      review_comment_url: `${repoUrl(record)}/pulls/comments{/number}`,
      comments_url: core["comments_url"],
      statuses_url: `${repoUrl(record)}/statuses/${fields.head.sha}`,
      number: entry.number,
      state: entry.state,
      locked: entry.locked,
      title: entry.title,
      user: core["user"],
      body: entry.body,
      labels: core["labels"],
      milestone: core["milestone"],
      active_lock_reason: null,
      created_at: entry.createdAt,
      updated_at: entry.updatedAt,
      closed_at: entry.closedAt,
      merged_at: fields.merged ? entry.updatedAt : null,
      merge_commit_sha: fields.merged ? gitSha(`merge:${entry.id}`) : null,
      assignee: core["assignee"],
      assignees: core["assignees"],
      requested_reviewers: fields.requestedReviewers.map(user),
      requested_teams: fields.requestedTeams.map((slug) => team(record.owner, slug)),
      head: branch(record, fields.head),
      base: branch(record, fields.base),
      _links: {
        self: link(url),
        html: link(html),
        issue: link(core["url"] as string),
        comments: link(core["comments_url"] as string),
        review_comments: link(`${url}/comments`),
        review_comment: link(`${repoUrl(record)}/pulls/comments{/number}`),
        commits: link(`${url}/commits`),
        statuses: link(`${repoUrl(record)}/statuses/${fields.head.sha}`),
      },
      author_association: core["author_association"],
      auto_merge: null,
      draft: fields.draft,
    };
    if (!detail) return simple;
    const sum = (pick: (file: DiffEntryInput) => number | undefined): number =>
      fields.files.reduce((total, file) => total + (pick(file) ?? 0), 0);
    return {
      ...simple,
      merged: fields.merged,
      mergeable: entry.state === "open" ? true : null,
      rebaseable: entry.state === "open" ? true : null,
      mergeable_state: entry.state === "open" ? "clean" : "unknown",
      merged_by: null,
      comments: core["comments"],
      review_comments: 0,
      maintainer_can_modify: false,
      commits: 1,
      additions: sum((file) => file.additions),
      deletions: sum((file) => file.deletions),
      changed_files: fields.files.length,
    };
  }

  function team(org: string, slug: string): Record<string, unknown> {
    const id = state.findTeam(org, slug)?.id ?? 0;
    const url = `${api}/orgs/${org}/teams/${slug}`;
    return {
      id,
      node_id: nodeId("Team", id),
      url,
      html_url: `${web}/orgs/${org}/teams/${slug}`,
      name: slug,
      slug,
      description: null,
      privacy: "closed",
      notification_setting: "notifications_enabled",
      permission: "pull",
      members_url: `${url}/members{/member}`,
      repositories_url: `${url}/repos`,
      type: "organization",
      parent: null,
    };
  }

  function comment(record: RepoRecord, entry: CommentRecord): Record<string, unknown> {
    const url = `${repoUrl(record)}/issues/comments/${entry.id}`;
    const issue = record.issues.get(entry.issueNumber);
    const kind = issue?.pull ? "pull" : "issues";
    return {
      id: entry.id,
      node_id: nodeId("IssueComment", entry.id),
      url,
      html_url: `${repoHtml(record)}/${kind}/${entry.issueNumber}#issuecomment-${entry.id}`,
      body: entry.body,
      user: user(entry.user),
      created_at: entry.createdAt,
      updated_at: entry.updatedAt,
      issue_url: `${repoUrl(record)}/issues/${entry.issueNumber}`,
      author_association: authorAssociation(record, entry.user),
      performed_via_github_app: null,
      reactions: reactionRollup(url, entry.reactions),
    };
  }

  function reaction(entry: ReactionRecord): Record<string, unknown> {
    return {
      id: entry.id,
      node_id: nodeId("Reaction", entry.id),
      user: user(entry.user),
      content: entry.content,
      created_at: entry.createdAt,
    };
  }

  function file(record: RepoRecord, ref: string, entry: FileRecord): Record<string, unknown> {
    const url = `${repoUrl(record)}/contents/${entry.path}?ref=${encodeURIComponent(ref)}`;
    const gitUrl = `${repoUrl(record)}/git/blobs/${entry.sha}`;
    const htmlUrl = `${repoHtml(record)}/blob/${ref}/${entry.path}`;
    return {
      type: "file",
      encoding: "base64",
      size: entry.content.length,
      name: entry.path.split("/").pop() ?? entry.path,
      path: entry.path,
      // GitHub wraps base64 at 60 characters.
      content: (entry.content.toString("base64").match(/.{1,60}/g) ?? []).join("\n") + "\n",
      sha: entry.sha,
      url,
      git_url: gitUrl,
      html_url: htmlUrl,
      download_url: `${web}/raw/${record.owner}/${record.name}/${ref}/${entry.path}`,
      _links: { self: url, git: gitUrl, html: htmlUrl },
    };
  }

  function diffEntry(record: RepoRecord, entry: IssueRecord, input: DiffEntryInput): Record<string, unknown> {
    const sha = entry.pull?.head.sha ?? "";
    const additions = input.additions ?? 0;
    const deletions = input.deletions ?? 0;
    return {
      sha: gitSha(`${sha}:${input.filename}`),
      filename: input.filename,
      status: input.status ?? "modified",
      additions,
      deletions,
      changes: additions + deletions,
      blob_url: `${repoHtml(record)}/blob/${sha}/${input.filename}`,
      raw_url: `${repoHtml(record)}/raw/${sha}/${input.filename}`,
      contents_url: `${repoUrl(record)}/contents/${input.filename}?ref=${sha}`,
      ...(input.patch !== undefined && { patch: input.patch }),
      ...(input.previous_filename !== undefined && { previous_filename: input.previous_filename }),
    };
  }

  function installation(entry: InstallationRecord): Record<string, unknown> {
    const account = state.user(entry.account);
    return {
      id: entry.id,
      account: user(entry.account),
      repository_selection: entry.repositories === "all" ? "all" : "selected",
      access_tokens_url: `${api}/app/installations/${entry.id}/access_tokens`,
      repositories_url: `${api}/installation/repositories`,
      html_url: `${web}/${account.type === "Organization" ? `organizations/${account.login}/` : ""}settings/installations/${entry.id}`,
      app_id: state.options.appId,
      app_slug: state.options.appSlug,
      target_id: account.id,
      target_type: account.type,
      permissions: entry.permissions,
      events: entry.events,
      created_at: entry.createdAt,
      updated_at: entry.createdAt,
      single_file_name: null,
      has_multiple_single_files: false,
      single_file_paths: [],
      suspended_by: null,
      suspended_at: null,
    };
  }

  function app(): Record<string, unknown> {
    const { appId, appSlug, appName, appOwner } = state.options;
    return {
      id: appId,
      slug: appSlug,
      node_id: nodeId("Integration", appId),
      client_id: `Iv1.${appId.toString(16).padStart(16, "0")}`,
      owner: user(appOwner),
      name: appName,
      description: null,
      external_url: `${web}/${appOwner}`,
      html_url: `${web}/apps/${appSlug}`,
      created_at: "2024-01-01T00:00:00Z",
      updated_at: "2024-01-01T00:00:00Z",
      permissions: { issues: "write", pull_requests: "write", contents: "read", metadata: "read", members: "read" },
      events: ["issues", "issue_comment", "pull_request"],
      installations_count: state.installations.size,
    };
  }

  function collaboratorPermission(record: RepoRecord, login: string, permission: Permission): Record<string, unknown> {
    const legacy = LEGACY_PERMISSION[permission];
    const flags = {
      admin: permission === "admin",
      maintain: permission === "admin" || permission === "maintain",
      push: ["admin", "maintain", "write"].includes(permission),
      triage: ["admin", "maintain", "write", "triage"].includes(permission),
      pull: permission !== "none",
    };
    return {
      permission: legacy,
      role_name: permission,
      user: { ...user(login), permissions: flags, role_name: permission },
    };
  }

  function organization(login: string): Record<string, unknown> {
    const account = state.user(login);
    const url = `${api}/orgs/${account.login}`;
    return {
      login: account.login,
      id: account.id,
      node_id: nodeId("Organization", account.id),
      url,
      repos_url: `${url}/repos`,
      events_url: `${url}/events`,
      hooks_url: `${url}/hooks`,
      issues_url: `${url}/issues`,
      members_url: `${url}/members{/member}`,
      public_members_url: `${url}/public_members{/member}`,
      avatar_url: `${web}/avatars/u/${account.id}`,
      description: null,
    };
  }

  function discussion(record: RepoRecord, entry: DiscussionRecord): Record<string, unknown> {
    const html = `${repoHtml(record)}/discussions/${entry.number}`;
    const found = record.discussionCategories.get(entry.categoryId);
    return {
      repository_url: repoUrl(record),
      category: found && {
        id: found.id,
        node_id: nodeId("DiscussionCategory", found.id),
        repository_id: record.id,
        emoji: ":speech_balloon:",
        name: found.name,
        description: "",
        created_at: found.createdAt,
        updated_at: found.createdAt,
        slug: found.slug,
        is_answerable: found.slug === "q-a",
      },
      answer_html_url: null,
      answer_chosen_at: null,
      answer_chosen_by: null,
      html_url: html,
      id: entry.id,
      node_id: nodeId("Discussion", entry.id),
      number: entry.number,
      title: entry.title,
      user: user(entry.author),
      state: "open",
      state_reason: null,
      locked: false,
      comments: 0,
      created_at: entry.createdAt,
      updated_at: entry.updatedAt,
      author_association: authorAssociation(record, entry.author),
      active_lock_reason: null,
      body: entry.body,
      reactions: reactionRollup(`${repoUrl(record)}/discussions/${entry.number}`, []),
      timeline_url: `${repoUrl(record)}/discussions/${entry.number}/timeline`,
    };
  }

  function checkRun(record: RepoRecord, run: CheckRunRecord): Record<string, unknown> {
    const url = `${repoUrl(record)}/check-runs/${run.id}`;
    return {
      id: run.id,
      node_id: nodeId("CheckRun", run.id),
      head_sha: run.headSha,
      name: run.name,
      external_id: run.externalId,
      url,
      html_url: `${repoHtml(record)}/runs/${run.id}`,
      details_url: run.detailsUrl ?? `${repoHtml(record)}/runs/${run.id}`,
      status: run.status,
      conclusion: run.conclusion,
      started_at: run.startedAt,
      completed_at: run.completedAt,
      output: {
        title: run.title,
        summary: run.summary,
        text: run.text,
        annotations_count: run.annotations.length,
        annotations_url: `${url}/annotations`,
      },
      check_suite: { id: run.id },
      app: null,
      pull_requests: [],
    };
  }

  return {
    checkRun,
    user,
    repo,
    label,
    milestone,
    issue,
    pull,
    comment,
    reaction,
    file,
    diffEntry,
    installation,
    app,
    collaboratorPermission,
    team,
    organization,
    discussion,
  };
}
