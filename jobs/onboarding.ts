// Newcomer onboarding and mentor matching: who is new (author_association as a hint, merged PRs
// as the answer), one welcome per person per repo, a mentor picked by src/domain/mentors.ts, a
// FIFO waitlist when every mentor is full, and the mentorship's end freeing a place.
import type { ProbotOctokit } from "probot";
import type { ResolvedConfig } from "../src/config/resolve.js";
import type { MentorEntry, MentorsConfig } from "../src/config/schema.js";
import { classify, type CompiledModel } from "../src/domain/classifier.js";
import { renderMarker } from "../src/domain/markers.js";
import { type MatchResult, type Mentor, matchMentor, nextFromWaitlist } from "../src/domain/mentors.js";
import { renderMentorAssigned, renderWelcome } from "../src/domain/welcome.js";
import { removeLabel } from "../src/github/issues.js";
import type { Mentorship } from "../src/state/mentorships.js";
import { type EventJob, type JobDeps, loadConfig, type RepoRef, repoOf, withLock } from "./context.js";

/** Associations that mean the person has access: never a newcomer, no search needed. */
const MEMBER_ASSOCIATIONS = new Set(["OWNER", "MEMBER", "COLLABORATOR"]);
const DAY_MS = 86_400_000;

export interface MentoringScope {
  deps: JobDeps;
  octokit: ProbotOctokit;
  repo: RepoRef;
  config: ResolvedConfig;
  compiled: CompiledModel;
  log: EventJob["log"];
}

export interface NewcomerItem {
  kind: "issue" | "pr";
  number: number;
  title: string;
  body: string;
  labels: string[];
}

export function mentoringScope(
  deps: JobDeps,
  octokit: ProbotOctokit,
  repo: RepoRef,
  config: { config: ResolvedConfig; compiled: CompiledModel },
  log: EventJob["log"],
): MentoringScope {
  const child = log.child({ repo: `${repo.owner}/${repo.repo}` });
  return { deps, octokit, repo, config: config.config, compiled: config.compiled, log: child };
}

/** Mentorship changes of one repo run one at a time, so two matches cannot overfill a mentor. */
export function withMentorLock<T>(scope: MentoringScope, fn: () => Promise<T>): Promise<T> {
  return withLock(scope.deps, scope.deps.keys.lock(`mentors-${scope.repo.id}`), fn);
}

/** issues.opened / pull_request.opened: the author may be a newcomer. */
export async function onboardEvent(event: EventJob, deps: JobDeps): Promise<void> {
  const repo = repoOf(event.payload);
  const raw = (event.payload.pull_request ?? event.payload.issue) as RawItem | undefined;
  if (!repo || !raw?.user?.login || typeof raw.number !== "number") return;
  if (raw.user.type === "Bot") return;
  const config = await loadConfig(event, deps, repo);
  if (config.status !== "ok" || !config.config.onboarding) return;
  const scope = mentoringScope(deps, await event.octokit(), repo, config, event.log);
  const item: NewcomerItem = {
    kind: event.payload.pull_request ? "pr" : "issue",
    number: raw.number,
    title: raw.title ?? "",
    body: raw.body ?? "",
    labels: event.itemLabels.get(raw.number) ?? (raw.labels ?? []).map((label) => label.name ?? ""),
  };
  await onboardPerson(scope, { login: raw.user.login, association: raw.author_association ?? "NONE" }, item);
}

/** Welcomes a newcomer once, with a mentor when one is free; a returning newcomer's PR gets a review request. */
export async function onboardPerson(
  scope: MentoringScope,
  person: { login: string; association: string },
  item: NewcomerItem,
): Promise<void> {
  const { deps, repo } = scope;
  await withMentorLock(scope, async () => {
    if (await deps.mentorships.isWelcomed(repo.id, person.login)) {
      if (item.kind === "pr") await linkPrToMentorship(scope, person.login, item.number);
      return;
    }
    if (!(await isNewcomer(scope, person))) return;
    if (!(await deps.mentorships.markWelcomed(repo.id, person.login))) return;
    const subsystem = subsystemOf(scope, item);
    const match = scope.config.mentors ? await findMentor(scope, scope.config.mentors, person.login, subsystem) : null;
    const mentor = match?.mentor ? { login: match.mentor, explanation: match.explanation } : null;
    const waitlistPosition =
      scope.config.mentors && !mentor
        ? await putOnWaitlist(scope, scope.config.mentors, person.login, subsystem, item.number)
        : null;
    const suggestions = await suggestedIssues(scope, subsystem, item.number);
    const onboarding = scope.config.onboarding;
    const body = [
      renderMarker("welcome", {
        newcomer: person.login,
        mentor: mentor?.login ?? null,
        item: item.number,
        kind: item.kind,
        since: deps.now(),
        subsystem,
        waitlisted: waitlistPosition !== null,
      }),
      renderWelcome({
        newcomer: person.login,
        kind: item.kind,
        template: onboarding?.welcome ?? null,
        contributingUrl: onboarding?.contributingUrl ?? null,
        testsUrl: onboarding?.testsUrl ?? null,
        suggestions,
        subsystemName: nameOf(scope, subsystem),
        mentor,
        waitlistPosition,
        botSlug: deps.botLogin.replace(/\[bot\]$/, ""),
      }),
    ].join("\n");
    const { data: comment } = await scope.octokit.rest.issues.createComment({
      ...issueParams(scope, item.number),
      body,
    });
    if (mentor) {
      await deps.mentorships.start(repo.id, {
        newcomer: person.login,
        mentor: mentor.login,
        item: item.number,
        kind: item.kind,
        pr: item.kind === "pr" ? item.number : null,
        since: deps.now(),
        lastActivity: deps.now(),
        commentId: comment.id,
      });
      if (item.kind === "pr") await requestReview(scope, item.number, mentor.login);
    }
    await deps.projection.recordWelcome(repo.id, {
      newcomer: person.login,
      mentor: mentor?.login ?? null,
      at: deps.now(),
    });
    scope.log.info(
      { newcomer: person.login, mentor: mentor?.login ?? null, waitlist: waitlistPosition },
      "newcomer welcomed",
    );
  });
}

/** `/mentor`: someone asks for a mentor outside the welcome. */
export async function requestMentor(scope: MentoringScope, newcomer: string, item: NewcomerItem): Promise<void> {
  const { deps, repo } = scope;
  const mentorsConfig = scope.config.mentors;
  if (!mentorsConfig) return;
  await withMentorLock(scope, async () => {
    if (await deps.mentorships.get(repo.id, newcomer)) return;
    const subsystem = subsystemOf(scope, item);
    const match = await findMentor(scope, mentorsConfig, newcomer, subsystem);
    if (match.mentor) {
      await announceMentor(scope, { newcomer, mentor: match.mentor, explanation: match.explanation }, item, false);
      return;
    }
    const position = await putOnWaitlist(scope, mentorsConfig, newcomer, subsystem, item.number);
    await scope.octokit.rest.issues.createComment({
      ...issueParams(scope, item.number),
      body: [
        renderMarker("waitlist", { newcomer, item: item.number, since: deps.now(), subsystem }),
        `@${newcomer}, every mentor is busy right now. You are number ${position} in line, and you will hear here as soon as one is free.`,
      ].join("\n"),
    });
  });
}

/** `/mentor @user`: a triager picks the mentor; capacity is theirs to judge. */
export async function assignMentor(
  scope: MentoringScope,
  newcomer: string,
  mentor: string,
  item: NewcomerItem,
): Promise<void> {
  await withMentorLock(scope, async () => {
    const previous = await scope.deps.mentorships.end(scope.repo.id, newcomer);
    await scope.deps.mentorships.dequeue(scope.repo.id, newcomer);
    const explanation = [`A triager chose **${mentor}**${previous ? ` (before: **${previous.mentor}**)` : ""}.`];
    await announceMentor(scope, { newcomer, mentor, explanation }, item, false);
    if (previous) await fillFromWaitlist(scope);
  });
}

/** Ends a mentorship (done, merged, closed, idle) and gives the freed place to the longest waiter. */
export async function endMentorship(
  scope: MentoringScope,
  newcomer: string,
  reason: string,
): Promise<Mentorship | null> {
  return withMentorLock(scope, async () => {
    const ended = await scope.deps.mentorships.end(scope.repo.id, newcomer);
    if (!ended) return null;
    if (ended.commentId !== null) await markEnded(scope, ended, reason);
    scope.log.info({ newcomer, mentor: ended.mentor, reason }, "mentorship ended");
    await fillFromWaitlist(scope);
    return ended;
  });
}

/** Matches against the configured pool and its current loads. Call with the mentor lock held. */
export async function findMentor(
  scope: MentoringScope,
  config: MentorsConfig,
  newcomer: string,
  subsystem: string | null,
): Promise<MatchResult> {
  const mentors = await configuredMentors(scope, config);
  const loads = await scope.deps.mentorships.loads(
    scope.repo.id,
    mentors.map((entry) => entry.login),
  );
  const subsystemName = nameOf(scope, subsystem);
  return matchMentor({ newcomer, subsystem, mentors, loads, now: scope.deps.now(), seed: newcomer, subsystemName });
}

/** The end of the FIFO waitlist, with the label that says so; returns the 1-based position. */
async function putOnWaitlist(
  scope: MentoringScope,
  config: MentorsConfig,
  newcomer: string,
  subsystem: string | null,
  item: number,
): Promise<number> {
  const since = scope.deps.now();
  const position = await scope.deps.mentorships.enqueue(scope.repo.id, { login: newcomer, subsystem, item, since });
  await scope.octokit.rest.issues.addLabels({ ...issueParams(scope, item), labels: [config.needsMentorLabel] });
  return position;
}

/** Call with the mentor lock held. */
export async function fillFromWaitlist(scope: MentoringScope): Promise<void> {
  const mentorsConfig = scope.config.mentors;
  if (!mentorsConfig) return;
  const { deps, repo } = scope;
  const mentors = await configuredMentors(scope, mentorsConfig);
  for (;;) {
    const waitlist = await deps.mentorships.waitlist(repo.id);
    if (waitlist.length === 0) return;
    const next = nextFromWaitlist(
      waitlist,
      mentors,
      await deps.mentorships.loads(
        repo.id,
        mentors.map((entry) => entry.login),
      ),
      deps.now(),
    );
    if (!next) return;
    await deps.mentorships.dequeue(repo.id, next.newcomer.login);
    const item = await itemFacts(scope, next.newcomer.item);
    await removeLabel(scope.octokit, { ...issueParams(scope, item.number), name: mentorsConfig.needsMentorLabel });
    await announceMentor(
      scope,
      { newcomer: next.newcomer.login, mentor: next.match.mentor, explanation: next.match.explanation },
      item,
      true,
    );
  }
}

async function announceMentor(
  scope: MentoringScope,
  match: { newcomer: string; mentor: string; explanation: string[] },
  item: NewcomerItem,
  afterWaiting: boolean,
): Promise<void> {
  const { deps } = scope;
  const since = deps.now();
  const { data: comment } = await scope.octokit.rest.issues.createComment({
    ...issueParams(scope, item.number),
    body: [
      renderMarker("mentor", {
        newcomer: match.newcomer,
        mentor: match.mentor,
        item: item.number,
        kind: item.kind,
        since,
      }),
      renderMentorAssigned({ ...match, afterWaiting }),
    ].join("\n"),
  });
  await deps.mentorships.start(scope.repo.id, {
    newcomer: match.newcomer,
    mentor: match.mentor,
    item: item.number,
    kind: item.kind,
    pr: item.kind === "pr" ? item.number : null,
    since,
    lastActivity: since,
    commentId: comment.id,
  });
  if (item.kind === "pr") await requestReview(scope, item.number, match.mentor);
}

/** Edits the announcing comment's marker, so a rebuild knows the mentorship is over. */
async function markEnded(scope: MentoringScope, ended: Mentorship, reason: string): Promise<void> {
  if (ended.commentId === null) return;
  try {
    const { data } = await scope.octokit.rest.issues.getComment({ ...repoParams(scope), comment_id: ended.commentId });
    const body = (data.body ?? "").replace(
      /<!-- shepherd:(welcome|mentor) (\{.*?\}) -->/,
      (marker, kind: string, json: string) => {
        try {
          const parsed = JSON.parse(json) as Record<string, unknown>;
          return renderMarker(kind, { ...parsed, ended: scope.deps.now() });
        } catch {
          return marker;
        }
      },
    );
    await scope.octokit.rest.issues.updateComment({
      ...repoParams(scope),
      comment_id: ended.commentId,
      body: `${body}\n\n_Mentorship ended: ${reason}._`,
    });
  } catch (error) {
    // A person deleted the comment: nothing to mark.
    if ((error as { status?: number }).status !== 404) throw error;
  }
}

async function linkPrToMentorship(scope: MentoringScope, newcomer: string, pr: number): Promise<void> {
  const mentorship = await scope.deps.mentorships.get(scope.repo.id, newcomer);
  if (!mentorship || mentorship.pr === pr) return;
  await scope.deps.mentorships.update(scope.repo.id, newcomer, { pr, lastActivity: scope.deps.now() });
  await requestReview(scope, pr, mentorship.mentor);
}

async function requestReview(scope: MentoringScope, pr: number, mentor: string): Promise<void> {
  try {
    await scope.octokit.rest.pulls.requestReviewers({ ...repoParams(scope), pull_number: pr, reviewers: [mentor] });
  } catch (error) {
    // GitHub requests reviews only from collaborators; the welcome's @mention reaches them anyway.
    if ((error as { status?: number }).status !== 422) throw error;
    scope.log.info({ pr, mentor }, "mentor is not a collaborator, review not requested");
  }
}

/** Merged PRs in this repo below the threshold; GitHub's search is asked once a day per person. */
async function isNewcomer(scope: MentoringScope, person: { login: string; association: string }): Promise<boolean> {
  const threshold = scope.config.onboarding?.maxMergedPrs ?? 1;
  if (MEMBER_ASSOCIATIONS.has(person.association)) return false;
  const key = scope.deps.keys.mergedPrs(scope.repo.id, person.login);
  const cached = await scope.deps.redis.get(key);
  let merged = cached === null ? null : Number(cached);
  if (merged === null) {
    const q = `repo:${scope.repo.owner}/${scope.repo.repo} is:pr is:merged author:${person.login}`;
    const { data } = await scope.octokit.rest.search.issuesAndPullRequests({ q, per_page: 1 });
    merged = data.total_count;
    await scope.deps.redis.set(key, String(merged), "EX", DAY_MS / 1000);
  }
  return merged < threshold;
}

function nameOf(scope: MentoringScope, subsystem: string | null): string | null {
  return scope.config.model.subsystems.find((entry) => entry.id === subsystem)?.name ?? null;
}

function subsystemOf(scope: MentoringScope, item: NewcomerItem): string | null {
  const prefix = scope.config.triage?.labels.subsystemPrefix;
  const labelled = prefix
    ? item.labels.find((label) => label.toLowerCase().startsWith(prefix.toLowerCase()))?.slice(prefix.length)
    : undefined;
  if (labelled) return labelled;
  if (scope.config.model.subsystems.length === 0) return null;
  return classify(scope.compiled, { kind: item.kind, title: item.title, body: item.body }).subsystems[0]?.id ?? null;
}

async function suggestedIssues(
  scope: MentoringScope,
  subsystem: string | null,
  exclude: number,
): Promise<Array<{ number: number; title: string }>> {
  const onboarding = scope.config.onboarding;
  if (!onboarding || onboarding.suggestions === 0 || onboarding.goodFirstLabels.length === 0) return [];
  const labels = onboarding.goodFirstLabels.map((label) => `"${label}"`).join(",");
  const base = `repo:${scope.repo.owner}/${scope.repo.repo} is:issue is:open no:assignee label:${labels}`;
  const prefix = scope.config.triage?.labels.subsystemPrefix;
  const queries = subsystem && prefix ? [`${base} label:"${prefix}${subsystem}"`, base] : [base];
  for (const q of queries) {
    const { data } = await scope.octokit.rest.search.issuesAndPullRequests({ q, per_page: onboarding.suggestions + 1 });
    const found = data.items.filter((issue) => issue.number !== exclude).slice(0, onboarding.suggestions);
    if (found.length > 0) return found.map((issue) => ({ number: issue.number, title: issue.title }));
  }
  return [];
}

/** Config entries → mentors; `@org/team` entries expand to their members (cached for an hour). */
export async function configuredMentors(scope: MentoringScope, config: MentorsConfig): Promise<Mentor[]> {
  const byLogin = new Map<string, Mentor>();
  const add = async (entry: MentorEntry, subsystem: string | null) => {
    const spec = typeof entry === "string" ? { login: entry } : entry;
    const capacity = spec.capacity ?? config.defaultCapacity;
    const logins = spec.login.includes("/") ? await teamMembers(scope, spec.login) : [spec.login.replace(/^@/, "")];
    for (const login of logins) {
      const known = byLogin.get(login.toLowerCase());
      const mentor: Mentor = known ?? {
        login,
        capacity,
        timezone: spec.timezone ?? null,
        subsystems: [],
        fallback: false,
      };
      if (subsystem && !mentor.subsystems.includes(subsystem)) mentor.subsystems.push(subsystem);
      if (!subsystem) mentor.fallback = true;
      byLogin.set(login.toLowerCase(), mentor);
    }
  };
  for (const [subsystem, entries] of Object.entries(config.subsystems)) {
    for (const entry of entries) await add(entry, subsystem);
  }
  for (const entry of config.fallback) await add(entry, null);
  return [...byLogin.values()];
}

async function teamMembers(scope: MentoringScope, slug: string): Promise<string[]> {
  const [org = "", team = ""] = slug.replace(/^@/, "").split("/");
  const key = scope.deps.keys.teamMembers(org, team);
  const cached = await scope.deps.redis.get(key);
  if (cached) return JSON.parse(cached) as string[];
  const members = await scope.octokit.paginate(scope.octokit.rest.teams.listMembersInOrg, {
    org,
    team_slug: team,
    per_page: 100,
  });
  const logins = members.map((member) => member.login);
  await scope.deps.redis.set(key, JSON.stringify(logins), "EX", 3600);
  return logins;
}

async function itemFacts(scope: MentoringScope, number: number): Promise<NewcomerItem> {
  const { data } = await scope.octokit.rest.issues.get({ ...issueParams(scope, number) });
  return {
    kind: data.pull_request ? "pr" : "issue",
    number,
    title: data.title,
    body: data.body ?? "",
    labels: data.labels.map((label) => (typeof label === "string" ? label : (label.name ?? ""))),
  };
}

function issueParams(scope: MentoringScope, number: number) {
  return { owner: scope.repo.owner, repo: scope.repo.repo, issue_number: number };
}

function repoParams(scope: MentoringScope) {
  return { owner: scope.repo.owner, repo: scope.repo.repo };
}

interface RawItem {
  number?: number;
  title?: string;
  body?: string | null;
  user?: { login?: string; type?: string } | null;
  author_association?: string;
  labels?: Array<{ name?: string }>;
}
