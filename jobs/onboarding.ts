// Newcomer onboarding and mentor matching: who is new (author_association as a hint, merged PRs
// as the answer), one welcome per person per repo, a mentor picked by src/domain/mentors.ts, a
// FIFO waitlist when every mentor is full, and the mentorship's end freeing a place. Each workflow
// is gather → decide (src/domain/mentoring.ts) → one resumable step, under the repo's mentor lock.
import type { ResolvedConfig } from "../src/config/resolve.js";
import type { MentorEntry, MentorsConfig } from "../src/config/schema.js";
import type { Action } from "../src/domain/actions.js";
import { classify, type CompiledModel } from "../src/domain/classifier.js";
import type { ItemEvent } from "../src/domain/events.js";
import { announcePlan, welcomePlan, waitlistPlan } from "../src/domain/mentoring.js";
import { type MatchResult, type Mentor, matchMentor, nextFromWaitlist } from "../src/domain/mentors.js";
import { renderWelcome } from "../src/domain/welcome.js";
import type { Steps } from "../src/run/steps.js";
import type { Mentorship } from "../src/state/mentorships.js";
import { type Context, type HandlerContext, loadConfig, type RepoRef, withLock } from "./context.js";

/** Associations that mean the person has access: never a newcomer, no search needed. */
const MEMBER_ASSOCIATIONS = new Set(["OWNER", "MEMBER", "COLLABORATOR"]);
const DAY_MS = 86_400_000;
/** A waitlist drains one newcomer per step; more than this in one go waits for the next event. */
const MAX_FILLS = 20;

export interface MentoringScope {
  ctx: Context;
  repo: RepoRef;
  config: ResolvedConfig;
  compiled: CompiledModel;
  steps: Steps;
}

export interface NewcomerItem {
  kind: "issue" | "pr";
  number: number;
  title: string;
  body: string;
  labels: string[];
}

export function mentoringScope(
  ctx: Context,
  repo: RepoRef,
  config: { config: ResolvedConfig; compiled: CompiledModel },
): MentoringScope {
  return { ctx, repo, config: config.config, compiled: config.compiled, steps: ctx.steps(repo) };
}

/** Mentorship changes of one repo run one at a time, so two matches cannot overfill a mentor. */
export function withMentorLock<T>(scope: MentoringScope, fn: () => Promise<T>): Promise<T> {
  return withLock(scope.ctx, scope.ctx.deps.keys.lock(`mentors-${scope.repo.id}`), fn);
}

/** issues.opened / pull_request.opened: the author may be a newcomer. */
export async function onboardEvent(ctx: HandlerContext<ItemEvent>): Promise<void> {
  const { event, deps } = ctx;
  const { repo, item } = event;
  if (item.author.isBot || !item.author.login) return;
  const config = await loadConfig(ctx, repo);
  if (config.status !== "ok" || !config.config.onboarding) return;
  const scope = mentoringScope(ctx, repo, config);
  const labels = (await deps.items.load(repo.id, item.number)).labels ?? item.labels;
  const newcomerItem = { kind: item.kind, number: item.number, title: item.title, body: item.body, labels };
  await onboardPerson(
    scope,
    { login: item.author.login, association: item.author.association },
    newcomerItem,
    "welcome",
  );
}

/** Welcomes a newcomer once, with a mentor when one is free; a returning newcomer's PR gets a review request. */
export async function onboardPerson(
  scope: MentoringScope,
  person: { login: string; association: string },
  item: NewcomerItem,
  step: string,
): Promise<void> {
  const { deps } = scope.ctx;
  const { repo } = scope;
  await withMentorLock(scope, () =>
    scope.steps.step(step, async (): Promise<Action[]> => {
      if (await deps.mentorships.isWelcomed(repo.id, person.login)) {
        return item.kind === "pr" ? await linkPrToMentorship(scope, person.login, item.number) : [];
      }
      if (!(await isNewcomer(scope, person))) return [];
      const now = deps.now();
      const subsystem = subsystemOf(scope, item);
      const mentorsConfig = scope.config.mentors;
      const match = mentorsConfig ? await findMentor(scope, mentorsConfig, person.login, subsystem) : null;
      const mentor = match?.mentor ? { login: match.mentor, explanation: match.explanation } : null;
      const waitlist =
        mentorsConfig && !mentor
          ? { position: await waitlistPosition(scope, person.login), label: mentorsConfig.needsMentorLabel }
          : null;
      const onboarding = scope.config.onboarding;
      const text = renderWelcome({
        newcomer: person.login,
        kind: item.kind,
        template: onboarding?.welcome ?? null,
        contributingUrl: onboarding?.contributingUrl ?? null,
        testsUrl: onboarding?.testsUrl ?? null,
        suggestions: await suggestedIssues(scope, subsystem, item.number),
        subsystemName: nameOf(scope, subsystem),
        mentor,
        waitlistPosition: waitlist?.position ?? null,
        botSlug: deps.botLogin.replace(/\[bot\]$/, ""),
      });
      scope.ctx.log.info(
        { repo: `${repo.owner}/${repo.repo}`, newcomer: person.login, mentor: mentor?.login ?? null },
        "newcomer welcome decided",
      );
      return welcomePlan({
        newcomer: person.login,
        item,
        subsystem,
        mentor: mentor?.login ?? null,
        waitlist,
        text,
        now,
      });
    }),
  );
}

/** `/mentor`: someone asks for a mentor outside the welcome. */
export async function requestMentor(scope: MentoringScope, newcomer: string, item: NewcomerItem, step: string) {
  const mentorsConfig = scope.config.mentors;
  if (!mentorsConfig) return;
  const { deps } = scope.ctx;
  await withMentorLock(scope, () =>
    scope.steps.step(step, async (): Promise<Action[]> => {
      if (await deps.mentorships.get(scope.repo.id, newcomer)) return [];
      const subsystem = subsystemOf(scope, item);
      const match = await findMentor(scope, mentorsConfig, newcomer, subsystem);
      const now = deps.now();
      if (match.mentor) {
        return announcePlan({
          newcomer,
          mentor: match.mentor,
          explanation: match.explanation,
          item,
          afterWaiting: false,
          now,
        });
      }
      const position = await waitlistPosition(scope, newcomer);
      return waitlistPlan({ newcomer, item, subsystem, position, label: mentorsConfig.needsMentorLabel, now });
    }),
  );
}

/** `/mentor @user`: a triager picks the mentor; capacity is theirs to judge. */
export async function assignMentor(
  scope: MentoringScope,
  newcomer: string,
  mentor: string,
  item: NewcomerItem,
  step: string,
): Promise<void> {
  const { deps } = scope.ctx;
  await withMentorLock(scope, async () => {
    const previous = await scope.steps.once(`${step}-previous`, async () => {
      const found = await deps.mentorships.get(scope.repo.id, newcomer);
      return found ? found.mentor : null;
    });
    await scope.steps.step(step, () => {
      const explanation = [`A triager chose **${mentor}**${previous ? ` (before: **${previous}**)` : ""}.`];
      return [
        ...(previous ? [{ type: "end-mentorship", newcomer } as const] : []),
        { type: "dequeue-waitlist", login: newcomer } as const,
        ...announcePlan({ newcomer, mentor, explanation, item, afterWaiting: false, now: deps.now() }),
      ];
    });
    if (previous) await fillFromWaitlist(scope, `${step}-fill`);
  });
}

/** Ends a mentorship (done, merged, closed, idle) and gives the freed place to the longest waiter. */
export async function endMentorship(
  scope: MentoringScope,
  newcomer: string,
  reason: string,
  step: string,
): Promise<Mentorship | null> {
  const { deps } = scope.ctx;
  return withMentorLock(scope, async () => {
    const ended = await scope.steps.once(`${step}-found`, () => deps.mentorships.get(scope.repo.id, newcomer));
    if (!ended) return null;
    await scope.steps.step(step, () => [
      { type: "end-mentorship", newcomer },
      {
        type: "end-comment",
        issue: ended.pr ?? ended.item,
        key: ended.commentKey ?? null,
        commentId: ended.commentId,
        ended: deps.now(),
        note: `_Mentorship ended: ${reason}._`,
      },
    ]);
    scope.ctx.log.info({ newcomer, mentor: ended.mentor, reason }, "mentorship ended");
    await fillFromWaitlist(scope, `${step}-fill`);
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
  const { deps } = scope.ctx;
  const mentors = await configuredMentors(scope, config);
  const loads = await deps.mentorships.loads(
    scope.repo.id,
    mentors.map((entry) => entry.login),
  );
  const subsystemName = nameOf(scope, subsystem);
  return matchMentor({ newcomer, subsystem, mentors, loads, now: deps.now(), seed: newcomer, subsystemName });
}

async function waitlistPosition(scope: MentoringScope, login: string): Promise<number> {
  const waitlist = await scope.ctx.deps.mentorships.waitlist(scope.repo.id);
  const at = waitlist.findIndex((entry) => entry.login.toLowerCase() === login.toLowerCase());
  return at >= 0 ? at + 1 : waitlist.length + 1;
}

/** Gives free places to the longest waiters, one step each. Call with the mentor lock held. */
export async function fillFromWaitlist(scope: MentoringScope, step: string): Promise<void> {
  const mentorsConfig = scope.config.mentors;
  if (!mentorsConfig) return;
  const { deps } = scope.ctx;
  for (let n = 0; n < MAX_FILLS; n += 1) {
    const results = await scope.steps.step(`${step}-${n}`, async (): Promise<Action[]> => {
      const waitlist = await deps.mentorships.waitlist(scope.repo.id);
      if (waitlist.length === 0) return [];
      const mentors = await configuredMentors(scope, mentorsConfig);
      const loads = await deps.mentorships.loads(
        scope.repo.id,
        mentors.map((entry) => entry.login),
      );
      const next = nextFromWaitlist(waitlist, mentors, loads, deps.now());
      if (!next) return [];
      const item = await itemFacts(scope, next.newcomer.item);
      return [
        { type: "dequeue-waitlist", login: next.newcomer.login },
        { type: "remove-label", issue: item.number, label: mentorsConfig.needsMentorLabel },
        ...announcePlan({
          newcomer: next.newcomer.login,
          mentor: next.match.mentor,
          explanation: next.match.explanation,
          item,
          afterWaiting: true,
          now: deps.now(),
        }),
      ];
    });
    if (results.length === 0) return;
  }
}

async function linkPrToMentorship(scope: MentoringScope, newcomer: string, pr: number): Promise<Action[]> {
  const mentorship = await scope.ctx.deps.mentorships.get(scope.repo.id, newcomer);
  if (!mentorship || mentorship.pr === pr) return [];
  return [
    { type: "touch-mentorship", newcomer, patch: { pr, lastActivity: scope.ctx.deps.now() } },
    { type: "request-review", pr, logins: [mentorship.mentor] },
  ];
}

/** Merged PRs in this repo below the threshold; GitHub's search is asked once a day per person. */
async function isNewcomer(scope: MentoringScope, person: { login: string; association: string }): Promise<boolean> {
  const { deps } = scope.ctx;
  const threshold = scope.config.onboarding?.maxMergedPrs ?? 1;
  if (MEMBER_ASSOCIATIONS.has(person.association)) return false;
  const key = deps.keys.mergedPrs(scope.repo.id, person.login);
  const cached = await deps.redis.get(key);
  let merged = cached === null ? null : Number(cached);
  if (merged === null) {
    const octokit = await scope.ctx.octokit();
    const q = `repo:${scope.repo.owner}/${scope.repo.repo} is:pr is:merged author:${person.login}`;
    const { data } = await octokit.rest.search.issuesAndPullRequests({ q, per_page: 1 });
    merged = data.total_count;
    await deps.redis.set(key, String(merged), "EX", DAY_MS / 1000);
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
  const octokit = await scope.ctx.octokit();
  const labels = onboarding.goodFirstLabels.map((label) => `"${label}"`).join(",");
  const base = `repo:${scope.repo.owner}/${scope.repo.repo} is:issue is:open no:assignee label:${labels}`;
  const prefix = scope.config.triage?.labels.subsystemPrefix;
  const queries = subsystem && prefix ? [`${base} label:"${prefix}${subsystem}"`, base] : [base];
  for (const q of queries) {
    const { data } = await octokit.rest.search.issuesAndPullRequests({ q, per_page: onboarding.suggestions + 1 });
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
  const { deps } = scope.ctx;
  const [org = "", team = ""] = slug.replace(/^@/, "").split("/");
  const key = deps.keys.teamMembers(org, team);
  const cached = await deps.redis.get(key);
  if (cached) return JSON.parse(cached) as string[];
  const octokit = await scope.ctx.octokit();
  const members = await octokit.paginate(octokit.rest.teams.listMembersInOrg, {
    org,
    team_slug: team,
    per_page: 100,
  });
  const logins = members.map((member) => member.login);
  await deps.redis.set(key, JSON.stringify(logins), "EX", 3600);
  return logins;
}

async function itemFacts(scope: MentoringScope, number: number): Promise<NewcomerItem> {
  const octokit = await scope.ctx.octokit();
  const { data } = await octokit.rest.issues.get({
    owner: scope.repo.owner,
    repo: scope.repo.repo,
    issue_number: number,
  });
  return {
    kind: data.pull_request ? "pr" : "issue",
    number,
    title: data.title,
    body: data.body ?? "",
    labels: data.labels.map((label) => (typeof label === "string" ? label : (label.name ?? ""))),
  };
}
