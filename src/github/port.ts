// The narrow GitHub port the interpreter writes through: the handful of REST and GraphQL calls
// Shepherd's actions need, for one repository, with GitHub's "already done" answers (a label that
// is gone, a label that exists, a reviewer GitHub will not request) turned into plain results.
// The ensure* verbs (./ensure.ts) decide whether to call them at all.
import type { ProbotOctokit } from "probot";
import type { LabelSpec } from "../domain/actions.js";
import type { CheckRunSpec } from "../domain/config-check.js";
import type { ReactionTarget } from "../domain/events.js";

export interface IssueSnapshot {
  labels: string[];
  assignees: string[];
  milestone: number | null;
  body: string;
  nodeId: string;
}

export interface CommentSnapshot {
  id: number;
  body: string;
  isBot: boolean;
  login: string;
}

export interface CreatedIssue {
  number: number;
  nodeId: string;
  url: string;
}

export interface CheckRunRef {
  id: number;
  url: string;
}

export interface GitHubPort {
  owner: string;
  repo: string;
  issue(number: number): Promise<IssueSnapshot>;
  comments(number: number): Promise<CommentSnapshot[]>;
  comment(id: number): Promise<string | null>;
  requestedReviewers(pr: number): Promise<string[]>;
  /** Recent issues with `label` whose body contains `needle` (issues Shepherd opened). */
  findIssue(label: string, needle: string): Promise<CreatedIssue | null>;
  addLabels(number: number, labels: string[]): Promise<string[]>;
  removeLabel(number: number, name: string): Promise<void>;
  setMilestone(number: number, milestone: number): Promise<void>;
  /** Replaces the labels (and sets the milestone) in one request. */
  setLabels(number: number, labels: string[], milestone: number | null): Promise<void>;
  addAssignees(number: number, logins: string[]): Promise<string[]>;
  removeAssignees(number: number, logins: string[]): Promise<string[]>;
  createComment(number: number, body: string): Promise<number>;
  /** `gone` when the comment was deleted. */
  updateComment(id: number, body: string): Promise<"ok" | "gone">;
  react(target: ReactionTarget, content: "+1"): Promise<void>;
  /** Who reacted to the target with that content. */
  reactedBy(target: ReactionTarget, content: "+1"): Promise<string[]>;
  /** `refused` when GitHub will not request a review from them (not a collaborator). */
  requestReviewers(pr: number, logins: string[]): Promise<"ok" | "refused">;
  createIssue(input: { title: string; body: string; labels: string[] }): Promise<CreatedIssue>;
  updateIssueBody(number: number, body: string): Promise<void>;
  pinIssue(nodeId: string): Promise<"ok" | "refused">;
  findDiscussion(needle: string): Promise<string | null>;
  createDiscussion(input: { repositoryId: string; categoryId: string; title: string; body: string }): Promise<string>;
  createLabel(label: LabelSpec): Promise<void>;
  updateLabel(current: string, label: LabelSpec): Promise<void>;
  /** A file's text at a commit, or null when the commit has no such file. */
  fileAt(path: string, ref: string): Promise<string | null>;
  /** This app's check runs named `name` on a commit, newest first. */
  checkRuns(headSha: string, name: string): Promise<CheckRunRef[]>;
  createCheckRun(spec: CheckRunSpec): Promise<CheckRunRef>;
}

const CREATE_DISCUSSION = `mutation ($repositoryId: ID!, $categoryId: ID!, $title: String!, $body: String!) {
  createDiscussion(input: { repositoryId: $repositoryId, categoryId: $categoryId, title: $title, body: $body }) {
    discussion { url }
  }
}`;

const RECENT_DISCUSSIONS = `query ($owner: String!, $name: String!) {
  repository(owner: $owner, name: $name) {
    discussions(first: 20, orderBy: { field: CREATED_AT, direction: DESC }) { nodes { body url } }
  }
}`;

const PIN_ISSUE = `mutation ($issueId: ID!) { pinIssue(input: { issueId: $issueId }) { issue { number } } }`;

function statusOf(error: unknown): number | undefined {
  return (error as { status?: number }).status;
}

function names(labels: Array<string | { name?: string }>): string[] {
  return labels.map((label) => (typeof label === "string" ? label : (label.name ?? ""))).filter(Boolean);
}

export function createGitHubPort(octokit: ProbotOctokit, owner: string, repo: string): GitHubPort {
  const params = { owner, repo };
  return {
    owner,
    repo,
    async issue(number) {
      const { data } = await octokit.rest.issues.get({ ...params, issue_number: number });
      return {
        labels: names(data.labels),
        assignees: (data.assignees ?? []).map((user) => user.login),
        milestone: data.milestone?.number ?? null,
        body: data.body ?? "",
        nodeId: data.node_id,
      };
    },
    async comments(number) {
      const list = await octokit.paginate(octokit.rest.issues.listComments, {
        ...params,
        issue_number: number,
        per_page: 100,
      });
      return list.map((comment) => ({
        id: comment.id,
        body: comment.body ?? "",
        isBot: comment.user?.type === "Bot",
        login: comment.user?.login ?? "",
      }));
    },
    async comment(id) {
      try {
        return (await octokit.rest.issues.getComment({ ...params, comment_id: id })).data.body ?? "";
      } catch (error) {
        if (statusOf(error) === 404) return null;
        throw error;
      }
    },
    async requestedReviewers(pr) {
      const { data } = await octokit.rest.pulls.get({ ...params, pull_number: pr });
      return (data.requested_reviewers ?? []).map((user) => user.login);
    },
    async findIssue(label, needle) {
      const { data } = await octokit.rest.issues.listForRepo({ ...params, labels: label, state: "all", per_page: 30 });
      const found = data.find((issue) => (issue.body ?? "").includes(needle));
      return found ? { number: found.number, nodeId: found.node_id, url: found.html_url } : null;
    },
    async addLabels(number, labels) {
      const { data } = await octokit.rest.issues.addLabels({ ...params, issue_number: number, labels });
      return names(data);
    },
    async removeLabel(number, name) {
      try {
        await octokit.rest.issues.removeLabel({ ...params, issue_number: number, name });
      } catch (error) {
        // Already gone: the goal is reached.
        if (statusOf(error) !== 404) throw error;
      }
    },
    async setMilestone(number, milestone) {
      await octokit.rest.issues.update({ ...params, issue_number: number, milestone });
    },
    async setLabels(number, labels, milestone) {
      await octokit.rest.issues.update({
        ...params,
        issue_number: number,
        labels,
        ...(milestone !== null && { milestone }),
      });
    },
    async addAssignees(number, logins) {
      const { data } = await octokit.rest.issues.addAssignees({ ...params, issue_number: number, assignees: logins });
      return (data.assignees ?? []).map((user) => user.login);
    },
    async removeAssignees(number, logins) {
      const { data } = await octokit.rest.issues.removeAssignees({
        ...params,
        issue_number: number,
        assignees: logins,
      });
      return (data.assignees ?? []).map((user) => user.login);
    },
    async createComment(number, body) {
      return (await octokit.rest.issues.createComment({ ...params, issue_number: number, body })).data.id;
    },
    async updateComment(id, body) {
      try {
        await octokit.rest.issues.updateComment({ ...params, comment_id: id, body });
        return "ok";
      } catch (error) {
        if (statusOf(error) === 404) return "gone";
        throw error;
      }
    },
    async react(target, content) {
      // GitHub answers 200 for a reaction that exists already: reacting is idempotent there.
      if (target.kind === "issue-comment") {
        await octokit.rest.reactions.createForIssueComment({ ...params, comment_id: target.id, content });
      } else if (target.kind === "issue") {
        await octokit.rest.reactions.createForIssue({ ...params, issue_number: target.number, content });
      } else if (target.kind === "review-comment") {
        await octokit.rest.reactions.createForPullRequestReviewComment({ ...params, comment_id: target.id, content });
      }
    },
    async reactedBy(target, content) {
      const logins = (reactions: Array<{ user: { login: string } | null }>) =>
        reactions.map((reaction) => reaction.user?.login ?? "");
      if (target.kind === "issue-comment") {
        const list = octokit.rest.reactions.listForIssueComment;
        return logins(await octokit.paginate(list, { ...params, comment_id: target.id, content, per_page: 100 }));
      }
      if (target.kind === "issue") {
        const list = octokit.rest.reactions.listForIssue;
        return logins(await octokit.paginate(list, { ...params, issue_number: target.number, content, per_page: 100 }));
      }
      if (target.kind === "none") return [];
      const list = octokit.rest.reactions.listForPullRequestReviewComment;
      return logins(await octokit.paginate(list, { ...params, comment_id: target.id, content, per_page: 100 }));
    },
    async requestReviewers(pr, logins) {
      try {
        await octokit.rest.pulls.requestReviewers({ ...params, pull_number: pr, reviewers: logins });
        return "ok";
      } catch (error) {
        // GitHub requests reviews only from collaborators; an @mention reaches them anyway.
        if (statusOf(error) === 422) return "refused";
        throw error;
      }
    },
    async createIssue(input) {
      const { data } = await octokit.rest.issues.create({ ...params, ...input });
      return { number: data.number, nodeId: data.node_id, url: data.html_url };
    },
    async updateIssueBody(number, body) {
      await octokit.rest.issues.update({ ...params, issue_number: number, body });
    },
    async pinIssue(nodeId) {
      try {
        await octokit.graphql(PIN_ISSUE, { issueId: nodeId });
        return "ok";
      } catch (error) {
        // GitHub pins at most three issues per repository: an unpinned issue works too.
        if ((error as Error).name === "GraphqlResponseError") return "refused";
        throw error;
      }
    },
    async findDiscussion(needle) {
      const data = await octokit.graphql<{
        repository: { discussions: { nodes: Array<{ body: string; url: string }> } } | null;
      }>(RECENT_DISCUSSIONS, { owner, name: repo });
      return data.repository?.discussions.nodes.find((node) => node.body.includes(needle))?.url ?? null;
    },
    async createDiscussion(input) {
      const data = await octokit.graphql<{ createDiscussion: { discussion: { url: string } } }>(
        CREATE_DISCUSSION,
        input,
      );
      return data.createDiscussion.discussion.url;
    },
    async createLabel(label) {
      try {
        await octokit.rest.issues.createLabel({ ...params, ...label });
      } catch (error) {
        // Created meanwhile: the goal is reached.
        if (statusOf(error) !== 422) throw error;
      }
    },
    async fileAt(path, ref) {
      try {
        const { data } = await octokit.rest.repos.getContent({ ...params, path, ref });
        if (Array.isArray(data) || data.type !== "file" || !("content" in data)) return null;
        return Buffer.from(data.content, "base64").toString("utf8");
      } catch (error) {
        if (statusOf(error) === 404) return null;
        throw error;
      }
    },
    async checkRuns(headSha, name) {
      const { data } = await octokit.rest.checks.listForRef({
        ...params,
        ref: headSha,
        check_name: name,
        filter: "all",
      });
      return data.check_runs.map((run) => ({ id: run.id, url: run.html_url ?? "" }));
    },
    async createCheckRun(spec) {
      const { data } = await octokit.rest.checks.create({
        ...params,
        name: spec.name,
        head_sha: spec.headSha,
        status: "completed",
        conclusion: spec.conclusion,
        completed_at: spec.completedAt,
        output: { title: spec.title, summary: spec.summary, annotations: spec.annotations },
      });
      return { id: data.id, url: data.html_url ?? "" };
    },
    async updateLabel(current, label) {
      await octokit.rest.issues.updateLabel({
        ...params,
        name: current,
        new_name: label.name,
        color: label.color,
        description: label.description,
      });
    },
  };
}
