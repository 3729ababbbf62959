// Comment commands: parse (src/domain/commands/parse.ts), check who may, decide (each command's
// own file), apply. A comment without a command costs nothing: it is parsed before config loads.
import type { ProbotOctokit } from "probot";
import type { ResolvedConfig } from "../src/config/resolve.js";
import { COMMANDS, findCommand } from "../src/domain/commands/index.js";
import { type ParsedCommand, newCommands, parseCommands } from "../src/domain/commands/parse.js";
import type {
  CommandAction,
  CommandContext,
  CommandSettings,
  CommandSpec,
  Feature,
  ItemFacts,
  MentoringFacts,
} from "../src/domain/commands/types.js";
import type { CompiledModel } from "../src/domain/classifier.js";
import { renderMarker } from "../src/domain/markers.js";
import { findMilestone } from "../src/domain/triage.js";
import { ensureComment } from "../src/github/comments.js";
import { openMilestones, removeLabel } from "../src/github/issues.js";
import { isTriager } from "../src/github/permissions.js";
import { type EventJob, type JobDeps, loadConfig, type RepoRef, repoOf, withItemLock } from "./context.js";
import { scheduleSummary } from "./projection.js";
import {
  assignMentor,
  configuredMentors,
  endMentorship,
  fillFromWaitlist,
  mentoringScope,
  onboardPerson,
  requestMentor,
  withMentorLock,
} from "./onboarding.js";

/** Where a command was typed, and how to react to it. */
interface CommandSource {
  body: string;
  /** The item's title, for classifying a newcomer's subsystem. */
  title: string;
  /** The body before an edit: only commands not in it run. */
  previous: string | null;
  author: { login: string; type: string; association: string };
  item: ItemFacts;
  react:
    | { kind: "issue-comment"; id: number }
    | { kind: "issue"; number: number }
    | { kind: "review-comment"; id: number }
    | { kind: "none" };
}

const NEWCOMER_ASSOCIATIONS = new Set(["FIRST_TIMER", "FIRST_TIME_CONTRIBUTOR", "NONE"]);
const VOCABULARY = COMMANDS.map(({ name, aliases }) => ({ name, aliases }));

const FEATURE_HINT: Record<Feature, string> = {
  commands: "a `commands:` section",
  claims: "a `claims:` section",
  triage: "a `triage:` section",
  mentors: "`onboarding:` and `mentors:` sections",
  progress: "a `progress:` section",
};

export async function commandEvent(event: EventJob, deps: JobDeps): Promise<void> {
  const repo = repoOf(event.payload);
  const source = sourceOf(event);
  if (!repo || !source) return;
  // Bots never run commands, Shepherd included: no loops, no commands in quoted bot text.
  if (source.author.type === "Bot" || source.author.login.toLowerCase() === deps.botLogin.toLowerCase()) return;
  const options = { botSlug: deps.botLogin.replace(/\[bot\]$/, ""), commands: VOCABULARY };
  const parsed =
    source.previous === null ? parseCommands(source.body, options) : newCommands(source.previous, source.body, options);
  if (parsed.commands.length === 0 && parsed.suggestions.length === 0) return;

  const config = await loadConfig(event, deps, repo);
  if (config.status !== "ok" || !config.config.commands) return;
  const octokit = await event.octokit();
  const log = event.log.child({ repo: `${repo.owner}/${repo.repo}`, item: source.item.number });

  await withItemLock(deps, repo.id, source.item.number, async () => {
    const runner = createRunner(event, deps, octokit, repo, source, config.config, config.compiled);
    for (const suggestion of parsed.suggestions) {
      await runner.once(`suggest-${suggestion.line}`, () =>
        runner.reply(`\`/${suggestion.typed}\` is not a command here; did you mean \`/${suggestion.suggestion}\`?`),
      );
    }
    for (const [index, command] of parsed.commands.entries()) {
      await runner.once(`command-${index}`, () => runner.run(command));
      log.info({ command: command.name, by: source.author.login }, "command handled");
    }
  });
}

function createRunner(
  event: EventJob,
  deps: JobDeps,
  octokit: ProbotOctokit,
  repo: RepoRef,
  source: CommandSource,
  config: ResolvedConfig,
  compiled: CompiledModel,
) {
  const item = { ...source.item, labels: event.itemLabels.get(source.item.number) ?? source.item.labels };
  const issue = { owner: repo.owner, repo: repo.repo, issue_number: item.number };
  let triager: boolean | null = null;
  const settings: CommandSettings = {
    anyoneLabels: config.commands?.anyoneLabels ?? [],
    claims: config.claims,
    triage: config.triage ? config.triage.labels : null,
    model: config.model,
    enabled: [
      ...(config.commands ? (["commands"] as const) : []),
      ...(config.claims ? (["claims"] as const) : []),
      ...(config.triage ? (["triage"] as const) : []),
      ...(config.mentors ? (["mentors"] as const) : []),
      ...(config.progress ? (["progress"] as const) : []),
    ],
  };
  const scope = mentoringScope(deps, octokit, repo, { config, compiled }, event.log);
  const newcomerItem = () => ({
    kind: item.kind,
    number: item.number,
    title: source.title,
    body: source.body,
    labels: item.labels,
  });

  async function actorIsTriager(): Promise<boolean> {
    triager ??= await isTriager(octokit, deps.redis, deps.keys, {
      owner: repo.owner,
      repo: repo.repo,
      login: source.author.login,
      triagers: config.commands?.triagers ?? { users: [], teams: [] },
    });
    return triager;
  }

  async function context(spec: CommandSpec): Promise<CommandContext> {
    const claim = item.kind === "issue" ? await deps.claims.get(repo.id, item.number) : null;
    return {
      actor: {
        login: source.author.login,
        isTriager: spec.who === "anyone" ? false : await actorIsTriager(),
        isNewcomer: NEWCOMER_ASSOCIATIONS.has(source.author.association),
      },
      item,
      claim,
      actorClaims: spec.feature === "claims" ? await deps.claims.countFor(repo.id, source.author.login) : 0,
      repoLabels: spec.name === "label" || spec.name === "unlabel" ? await repoLabels() : null,
      linkedPrs: item.kind === "issue" ? await deps.claims.linkedPrs(repo.id, item.number) : [],
      settings,
      now: deps.now(),
      botSlug: deps.botLogin.replace(/\[bot\]$/, ""),
      commands: COMMANDS,
      mentoring: spec.feature === "mentors" ? await mentoringFacts(claim?.claimant ?? item.author) : null,
    };
  }

  async function mentoringFacts(newcomer: string): Promise<MentoringFacts | null> {
    if (!config.mentors) return null;
    const actor = source.author.login;
    const [mentorship, own, waitlist, mentors] = await Promise.all([
      deps.mentorships.get(repo.id, newcomer),
      deps.mentorships.get(repo.id, actor),
      deps.mentorships.waitlist(repo.id),
      configuredMentors(scope, config.mentors),
    ]);
    const position = waitlist.findIndex((entry) => entry.login.toLowerCase() === actor.toLowerCase());
    return {
      newcomer,
      mentorship: mentorship ? { mentor: mentorship.mentor, since: mentorship.since } : null,
      actorMentorship: own ? { mentor: own.mentor, since: own.since } : null,
      actorWaitlistPosition: position >= 0 ? position + 1 : null,
      actorIsMentor: mentors.some((entry) => entry.login.toLowerCase() === actor.toLowerCase()),
    };
  }

  async function repoLabels(): Promise<string[]> {
    const labels = await octokit.paginate(octokit.rest.issues.listLabelsForRepo, {
      owner: repo.owner,
      repo: repo.repo,
      per_page: 100,
    });
    return labels.map((label) => label.name);
  }

  async function reply(body: string): Promise<void> {
    await octokit.rest.issues.createComment({ ...issue, body });
  }

  async function react(): Promise<void> {
    const target = source.react;
    const content = "+1" as const;
    if (target.kind === "issue-comment") {
      await octokit.rest.reactions.createForIssueComment({ ...repoParams(), comment_id: target.id, content });
    } else if (target.kind === "issue") {
      await octokit.rest.reactions.createForIssue({ ...issue, content });
    } else if (target.kind === "review-comment") {
      await octokit.rest.reactions.createForPullRequestReviewComment({
        ...repoParams(),
        comment_id: target.id,
        content,
      });
    }
  }

  function repoParams() {
    return { owner: repo.owner, repo: repo.repo };
  }

  async function run(command: ParsedCommand): Promise<void> {
    const spec = findCommand(command.name);
    if (!spec) return;
    const where = item.kind === "pr" ? "pull requests" : "issues";
    if (!spec.appliesTo.includes(item.kind)) return reply(`\`/${spec.name}\` does not work on ${where}.`);
    if (!settings.enabled.includes(spec.feature)) {
      return reply(
        `\`/${spec.name}\` is not enabled in this repository. A maintainer can turn it on with ` +
          `${FEATURE_HINT[spec.feature]} in \`.github/shepherd.yml\`.`,
      );
    }
    const args = spec.parse(command.args);
    if (!args.ok) return reply(`\`${command.text}\`: ${args.error}`);
    if (spec.who === "triagers" && !(await actorIsTriager())) {
      return reply(
        `\`/${spec.name}\` is for triagers (triage, write, maintain or admin permission on this repository), ` +
          `@${source.author.login}. Ask one of them, or see \`/help\` for what you can do.`,
      );
    }
    for (const action of spec.decide(await context(spec), args.value)) await apply(action);
  }

  async function apply(action: CommandAction): Promise<void> {
    switch (action.type) {
      case "react":
        return react();
      case "reply":
        return reply(action.body);
      case "assign": {
        const { data } = await octokit.rest.issues.addAssignees({ ...issue, assignees: action.logins });
        const assigned = (data.assignees ?? []).map((user) => user.login.toLowerCase());
        item.assignees = (data.assignees ?? []).map((user) => user.login);
        const refused = action.logins.filter((login) => !assigned.includes(login.toLowerCase()));
        if (refused.length > 0) {
          return reply(
            `GitHub would not assign ${refused.map((login) => `**${login}**`).join(", ")}: only people with access ` +
              "to this repository, the author, and people who have commented here can be assigned.",
          );
        }
        return;
      }
      case "unassign": {
        const { data } = await octokit.rest.issues.removeAssignees({ ...issue, assignees: action.logins });
        item.assignees = (data.assignees ?? []).map((user) => user.login);
        return;
      }
      case "add-labels": {
        await octokit.rest.issues.addLabels({ ...issue, labels: action.labels });
        item.labels = [...item.labels, ...action.labels];
        return rememberLabels();
      }
      case "remove-labels": {
        for (const name of action.labels) await removeLabel(octokit, { ...issue, name });
        const removed = new Set(action.labels.map((label) => label.toLowerCase()));
        item.labels = item.labels.filter((label) => !removed.has(label.toLowerCase()));
        return rememberLabels();
      }
      case "set-milestone": {
        const found = findMilestone(await openMilestones(octokit, deps.redis, deps.keys, repo), action.title);
        if (found) await octokit.rest.issues.update({ ...issue, milestone: found.number });
        return;
      }
      case "human-triage": {
        const prefix =
          action.dimension === "subsystem" ? settings.triage?.subsystemPrefix : settings.triage?.roadmapPrefix;
        if (!prefix) return;
        const state = await deps.items.load(repo.id, item.number);
        const owned = state.owned.filter((label) => !label.toLowerCase().startsWith(prefix.toLowerCase()));
        await deps.items.save(repo.id, item.number, { owned });
        return;
      }
      case "claim":
        return claim(action.login);
      case "release":
        return release(action.login);
      case "request-mentor":
        return requestMentor(scope, action.newcomer, newcomerItem());
      case "assign-mentor":
        return assignMentor(scope, action.newcomer, action.mentor, newcomerItem());
      case "end-mentorship": {
        const ended = await endMentorship(
          scope,
          action.newcomer,
          `ended with \`/mentor done\` by ${source.author.login}`,
        );
        if (!ended) return reply("There is no mentorship here to end.");
        return;
      }
      case "set-away":
        return deps.mentorships.setAway(repo.id, action.mentor, action.until, deps.now());
      case "refresh-progress":
        return scheduleSummary(deps, event.installationId, repo, config, true);
      case "set-back":
        await deps.mentorships.setBack(repo.id, action.mentor);
        // A mentor back means a free place, maybe: the longest waiter may get them now.
        return withMentorLock(scope, () => fillFromWaitlist(scope));
    }
  }

  async function rememberLabels(): Promise<void> {
    event.itemLabels.set(item.number, item.labels);
    await deps.items.save(repo.id, item.number, { labels: item.labels });
  }

  async function claim(login: string): Promise<void> {
    const since = deps.now();
    const result = await deps.claims.claim(repo.id, item.number, login, since);
    if (!result.ok) return reply(`This issue was just claimed by **${result.holder}**.`);
    // A newcomer's first claim is a first contribution too: welcome them (once) with a mentor.
    if (config.onboarding)
      await onboardPerson(scope, { login, association: source.author.association }, newcomerItem());
    const { data } = await octokit.rest.issues.addAssignees({ ...issue, assignees: [login] });
    item.assignees = (data.assignees ?? []).map((user) => user.login);
    if (item.assignees.some((assignee) => assignee.toLowerCase() === login.toLowerCase())) return;
    // GitHub would not assign them (no access, never commented): Shepherd keeps the claim itself
    // and shows it where everyone looks, in a comment it edits in place.
    const body = [
      renderMarker("claim", { claimant: login, since }),
      `**Claimed by @${login}** on ${new Date(since).toISOString().slice(0, 10)}.`,
      "",
      "GitHub cannot assign them yet, so Shepherd holds the claim: others see the issue is taken, " +
        "and `/release` gives it back.",
    ].join("\n");
    const comment = await ensureComment(octokit, {
      ...commentTarget(),
      kind: "claim",
      body,
      knownId: null,
      mayExist: true,
    });
    await deps.claims.update(repo.id, item.number, { assigned: false, commentId: comment.id });
  }

  async function release(login: string): Promise<void> {
    const released = await deps.claims.release(repo.id, item.number);
    if (item.assignees.some((assignee) => assignee.toLowerCase() === login.toLowerCase())) {
      const { data } = await octokit.rest.issues.removeAssignees({ ...issue, assignees: [login] });
      item.assignees = (data.assignees ?? []).map((user) => user.login);
    }
    if (released?.commentId) {
      const body = [
        renderMarker("claim", { claimant: login, since: released.since, released: deps.now() }),
        `~~Claimed by @${login}~~: released. Anyone can \`/claim\` this issue.`,
      ].join("\n");
      await ensureComment(octokit, {
        ...commentTarget(),
        kind: "claim",
        body,
        knownId: released.commentId,
        mayExist: true,
      });
    }
  }

  function commentTarget() {
    return { owner: repo.owner, repo: repo.repo, issueNumber: item.number };
  }

  /** Runs a step once per delivery: a retried job does not reply or react twice. */
  async function once(step: string, fn: () => Promise<void>): Promise<void> {
    const key = deps.keys.commandDone(event.delivery, step);
    if (await deps.redis.exists(key)) return;
    await fn();
    await deps.redis.set(key, "1", "EX", 7 * 24 * 3600);
  }

  return { run, reply, once };
}

function sourceOf(event: EventJob): CommandSource | null {
  const { payload, name, action } = event;
  const comment = payload.comment as RawComment | undefined;
  const changes = payload.changes as { body?: { from?: string | null } } | undefined;
  const edited = action === "edited";
  if (edited && changes?.body === undefined) return null;
  const previous = edited ? (changes?.body?.from ?? "") : null;
  // Issue comments (on issues and PRs) and PR review comments differ only in where the item is
  // and which reactions endpoint answers them.
  const commentKind =
    name === "issue_comment" ? "issue-comment" : name === "pull_request_review_comment" ? "review-comment" : null;
  if (commentKind && comment) {
    const raw = commentKind === "issue-comment" ? payload.issue : payload.pull_request;
    const item = factsOf(raw as RawItem | undefined, commentKind === "review-comment" ? "pr" : undefined);
    if (!item) return null;
    return {
      body: comment.body ?? "",
      title: titleOf(raw),
      previous,
      author: authorOf(comment),
      item,
      react: { kind: commentKind, id: comment.id },
    };
  }
  if (name === "pull_request_review") {
    const review = payload.review as RawComment | undefined;
    const item = factsOf(payload.pull_request as RawItem | undefined, "pr");
    if (!review || !item) return null;
    // GitHub has no reactions on reviews: success is silent there.
    const title = titleOf(payload.pull_request);
    return { body: review.body ?? "", title, previous, author: authorOf(review), item, react: { kind: "none" } };
  }
  const raw = (name === "issues" ? payload.issue : payload.pull_request) as RawItem | undefined;
  const item = factsOf(raw, name === "pull_request" ? "pr" : undefined);
  if (!raw || !item) return null;
  const react = { kind: "issue", number: item.number } as const;
  return { body: raw.body ?? "", title: titleOf(raw), previous, author: authorOf(raw), item, react };
}

function titleOf(raw: unknown): string {
  return (raw as { title?: string } | undefined)?.title ?? "";
}

interface RawUser {
  login?: string;
  type?: string;
}

interface RawComment {
  id: number;
  body?: string | null;
  user?: RawUser | null;
  author_association?: string;
}

interface RawItem {
  number?: number;
  body?: string | null;
  state?: string;
  user?: RawUser | null;
  author_association?: string;
  labels?: Array<{ name?: string } | string>;
  assignees?: RawUser[] | null;
  milestone?: { title?: string } | null;
  pull_request?: unknown;
}

function authorOf(raw: { user?: RawUser | null; author_association?: string }) {
  return {
    login: raw.user?.login ?? "",
    type: raw.user?.type ?? "User",
    association: raw.author_association ?? "NONE",
  };
}

function factsOf(raw: RawItem | undefined, kind?: "pr"): ItemFacts | null {
  if (!raw || typeof raw.number !== "number") return null;
  return {
    kind: kind ?? (raw.pull_request ? "pr" : "issue"),
    number: raw.number,
    author: raw.user?.login ?? "",
    state: raw.state === "closed" ? "closed" : "open",
    labels: (raw.labels ?? []).map((label) => (typeof label === "string" ? label : (label.name ?? ""))).filter(Boolean),
    assignees: (raw.assignees ?? []).map((user) => user.login ?? "").filter(Boolean),
    milestone: raw.milestone?.title ?? null,
  };
}
