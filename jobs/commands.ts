// Comment commands, wherever they were typed (an item's body, a comment, a review): parse
// (src/domain/commands/parse.ts), gather the facts and check who may, decide (each command's own
// file), apply each decided action as a resumable step. A comment without a command costs nothing:
// it is parsed before config loads. A retried job resumes after the last finished step, so a
// `/claim` whose claim was stored goes on to assign instead of answering "you already hold it".
import type { ResolvedConfig } from "../src/config/resolve.js";
import { type Action, replyAction } from "../src/domain/actions.js";
import { commandPlan, type Decided, heldClaimPlan, releasePlan, replyBody } from "../src/domain/commands/plan.js";
import type { CompiledModel } from "../src/domain/classifier.js";
import { COMMANDS, findCommand } from "../src/domain/commands/index.js";
import { type ParsedCommand, newCommands, parseCommands } from "../src/domain/commands/parse.js";
import type {
  CommandContext,
  CommandSettings,
  CommandSpec,
  Feature,
  ItemFacts,
  MentoringFacts,
} from "../src/domain/commands/types.js";
import { type GenericComment, genericComment, type ShepherdEvent } from "../src/domain/events.js";
import { isShepherdIssue } from "../src/domain/track.js";
import { findMilestone, labelsKnown } from "../src/domain/triage.js";
import { planFailure } from "../src/domain/failures.js";
import { openMilestones } from "../src/github/issues.js";
import { isTriager } from "../src/github/permissions.js";
import type { ActionResult } from "../src/run/interpreter.js";
import type { Steps } from "../src/run/steps.js";
import { brokenConfigReply } from "../src/domain/config-check.js";
import { CONFIG_PATH } from "../src/github/config.js";
import { readConfigCheck } from "./config-check.js";
import { type HandlerContext, loadConfig, type RepoRef, withItemLock } from "./context.js";
import { ownFacts } from "./projection.js";
import { gatherTriage } from "./triage.js";
import {
  assignMentor,
  configuredMentors,
  endMentorship,
  fillFromWaitlist,
  type MentoringScope,
  mentoringScope,
  onboardPerson,
  requestMentor,
  withMentorLock,
} from "./onboarding.js";

const NEWCOMER_ASSOCIATIONS = new Set(["FIRST_TIMER", "FIRST_TIME_CONTRIBUTOR", "NONE"]);
const VOCABULARY = COMMANDS.map(({ name, aliases }) => ({ name, aliases }));

const FEATURE_HINT: Record<Feature, string> = {
  commands: "a `commands:` section",
  claims: "a `claims:` section",
  triage: "a `triage:` section",
  mentors: "`onboarding:` and `mentors:` sections",
  progress: "a `progress:` section",
};

export async function commandEvent(ctx: HandlerContext<ShepherdEvent>): Promise<void> {
  const { event, deps } = ctx;
  if (event.type !== "item" && event.type !== "comment") return;
  const source = genericComment(event);
  if (!source) return;
  // Bots never run commands, Shepherd included: no loops, no commands in quoted bot text.
  if (source.author.isBot || source.author.login.toLowerCase() === deps.botLogin.toLowerCase()) return;
  const options = { botSlug: deps.botLogin.replace(/\[bot\]$/, ""), commands: VOCABULARY };
  const parsed =
    source.previous === null ? parseCommands(source.body, options) : newCommands(source.previous, source.body, options);
  if (parsed.commands.length === 0 && parsed.suggestions.length === 0) return;

  const { repo } = event;
  const config = await loadConfig(ctx, repo);
  const number = source.item.number;
  if (config.status === "invalid" && parsed.commands.length > 0) {
    // Silence would look like Shepherd is down: say once where the errors are.
    const check = await readConfigCheck(ctx, repo.id, "latest");
    await withItemLock(ctx, repo.id, number, async () => {
      await ctx.steps(repo).step("config-invalid", () => [
        brokenConfigReply({
          issue: number,
          path: CONFIG_PATH,
          errors: config.errors,
          check: check?.state === "posted" ? check : null,
        }),
      ]);
    });
    return;
  }
  if (config.status !== "ok" || !config.config.commands) return;

  await withItemLock(ctx, repo.id, number, async () => {
    const runner = await createRunner(ctx, repo, source, config.config, config.compiled);
    for (const suggestion of parsed.suggestions) {
      await runner.steps.step(`suggest-${suggestion.line}`, () => [
        runner.reply(
          `suggest-${suggestion.line}`,
          `\`/${suggestion.typed}\` is not a command here; did you mean \`/${suggestion.suggestion}\`?`,
        ),
      ]);
    }
    // With several commands in one comment, each reply says which one it answers.
    const several = parsed.commands.length + parsed.suggestions.length > 1;
    for (const [index, command] of parsed.commands.entries()) {
      try {
        await runner.run(`command-${index}`, command, several ? command.text : null);
      } catch (error) {
        await runner.internalError(`command-${index}`, command, error);
        throw error;
      }
      ctx.log.info({ repo: `${repo.owner}/${repo.repo}`, item: number, command: command.name }, "command handled");
    }
  });
}

async function createRunner(
  ctx: HandlerContext<ShepherdEvent>,
  repo: RepoRef,
  source: GenericComment,
  config: ResolvedConfig,
  compiled: CompiledModel,
) {
  const { deps } = ctx;
  const steps: Steps = ctx.steps(repo);
  const state = await deps.items.load(repo.id, source.item.number);
  // What this comment's commands see and change as they run, one after the other.
  const item: ItemFacts = {
    kind: source.item.kind,
    number: source.item.number,
    author: source.item.author.login,
    state: source.item.state,
    labels: labelsKnown(source.item.labels, state.owned),
    assignees: [...source.item.assignees],
    milestone: source.item.milestone?.title ?? null,
  };
  const number = item.number;
  const own = { botLogin: deps.botLogin, trackingIssue: config.progress?.issue };
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
  const scope: MentoringScope = { ...mentoringScope(ctx, repo, { config, compiled }), steps };
  const newcomerItem = () => ({
    kind: item.kind,
    number: item.number,
    title: source.item.title,
    body: source.body,
    labels: item.labels,
  });

  async function actorIsTriager(): Promise<boolean> {
    triager ??= await isTriager(await ctx.octokit(), deps.redis, deps.keys, {
      owner: repo.owner,
      repo: repo.repo,
      login: source.author.login,
      triagers: config.commands?.triagers ?? { users: [], teams: [] },
    });
    return triager;
  }

  async function context(spec: CommandSpec): Promise<CommandContext> {
    const claim = item.kind === "issue" ? await deps.claims.get(repo.id, number) : null;
    return {
      actor: {
        login: source.author.login,
        isTriager: spec.who === "anyone" ? false : await actorIsTriager(),
        isNewcomer: NEWCOMER_ASSOCIATIONS.has(source.author.association),
      },
      item: { ...item, labels: [...item.labels], assignees: [...item.assignees] },
      claim,
      actorClaims: spec.feature === "claims" ? await deps.claims.countFor(repo.id, source.author.login) : 0,
      repoLabels: spec.name === "label" || spec.name === "unlabel" ? await repoLabels() : null,
      linkedPrs: item.kind === "issue" ? await deps.claims.linkedPrs(repo.id, number) : [],
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
    const octokit = await ctx.octokit();
    const labels = await octokit.paginate(octokit.rest.issues.listLabelsForRepo, {
      owner: repo.owner,
      repo: repo.repo,
      per_page: 100,
    });
    return labels.map((label) => label.name);
  }

  function replyKey(step: string): string {
    return `reply:${ctx.run.id}:${step}`;
  }

  function reply(step: string, body: string): Action {
    return replyAction(number, replyKey(step), replyBody(body, answering));
  }

  /** What a command decides, from the facts as they were when it was first run. */
  async function decide(command: ParsedCommand): Promise<Decided[]> {
    const spec = findCommand(command.name);
    if (!spec) return [];
    const where = item.kind === "pr" ? "pull requests" : "issues";
    const refuse = (body: string) => [{ type: "refuse" as const, body }];
    if (!spec.appliesTo.includes(item.kind)) return refuse(`\`/${spec.name}\` does not work on ${where}.`);
    if (spec.tracksItem && isShepherdIssue(ownFacts(source.item), own)) {
      return refuse(`\`/${spec.name}\` does not work on Shepherd's own issues (its tracking issue and digests).`);
    }
    if (!settings.enabled.includes(spec.feature)) {
      return refuse(
        `\`/${spec.name}\` is not enabled in this repository. A maintainer can turn it on with ` +
          `${FEATURE_HINT[spec.feature]} in \`.github/shepherd.yml\`.`,
      );
    }
    const args = spec.parse(command.args);
    if (!args.ok) return refuse(`\`${command.text}\`: ${args.error}`);
    if (spec.who === "triagers" && !(await actorIsTriager())) {
      return refuse(
        `\`/${spec.name}\` is for triagers (triage, write, maintain or admin permission on this repository), ` +
          `@${source.author.login}. Ask one of them, or see \`/help\` for what you can do.`,
      );
    }
    return spec.decide(await context(spec), args.value);
  }

  /** The command line the current command's replies quote; null when the comment held one command. */
  let answering: string | null = null;

  async function run(name: string, command: ParsedCommand, quote: string | null = null): Promise<void> {
    answering = quote;
    const decided = await steps.once(name, () => decide(command));
    for (const [index, action] of decided.entries()) await apply(`${name}-${index}`, action);
  }

  function remember(result: ActionResult | undefined): void {
    if (result && "assignees" in result) item.assignees = result.assignees;
  }

  async function apply(step: string, action: Decided): Promise<void> {
    const results = await steps.step(step, async () => {
      const state = await deps.items.load(repo.id, number);
      return (
        commandPlan(action, {
          issue: number,
          replyKey: replyKey(step),
          react: source.react,
          labels: item.labels,
          assignees: item.assignees,
          owned: state.owned,
          triagePrefixes: settings.triage
            ? { subsystem: settings.triage.subsystemPrefix, roadmap: settings.triage.roadmapPrefix }
            : null,
          now: deps.now(),
          answering,
        }) ?? []
      );
    });
    for (const result of results) remember(result);
    if (action.type === "add-labels") item.labels = labelsKnown(item.labels, action.labels);
    if (action.type === "remove-labels") {
      const removed = new Set(action.labels.map((label) => label.toLowerCase()));
      item.labels = item.labels.filter((label) => !removed.has(label.toLowerCase()));
    }
    if (action.type === "assign") await refusedAssignees(step, action.logins);
    await workflow(step, action);
  }

  /** GitHub leaves out people it cannot assign; say so. */
  async function refusedAssignees(step: string, logins: string[]): Promise<void> {
    const assigned = item.assignees.map((login) => login.toLowerCase());
    const refused = logins.filter((login) => !assigned.includes(login.toLowerCase()));
    if (refused.length === 0) return;
    await steps.step(`${step}-refused`, () => [
      reply(
        `${step}-refused`,
        `GitHub would not assign ${refused.map((login) => `**${login}**`).join(", ")}: only people with access ` +
          "to this repository, the author, and people who have commented here can be assigned.",
      ),
    ]);
  }

  /** The actions that need GitHub's or Shepherd's answer half-way, stepped here. */
  async function workflow(step: string, action: Decided): Promise<void> {
    switch (action.type) {
      case "set-milestone":
        await steps.step(`${step}-milestone`, async () => {
          const milestones = await openMilestones(await ctx.octokit(), deps.redis, deps.keys, repo);
          const found = findMilestone(milestones, action.title);
          return found ? [{ type: "set-milestone", issue: number, milestone: found.number }] : [];
        });
        return;
      case "claim":
        return claim(step, action.login);
      case "release": {
        const results = await steps.step(`${step}-release`, async () =>
          releasePlan({
            issue: number,
            login: action.login,
            assignees: item.assignees,
            claim: await deps.claims.get(repo.id, number),
            now: deps.now(),
          }),
        );
        for (const result of results) remember(result);
        return;
      }
      case "explain":
        return explain(step);
      case "request-mentor":
        return requestMentor(scope, action.newcomer, newcomerItem(), step);
      case "assign-mentor":
        return assignMentor(scope, action.newcomer, action.mentor, newcomerItem(), step);
      case "end-mentorship": {
        const reason = `ended with \`/mentor done\` by ${source.author.login}`;
        const ended = await endMentorship(scope, action.newcomer, reason, `${step}-end`);
        if (!ended)
          await steps.step(`${step}-none`, () => [reply(`${step}-none`, "There is no mentorship here to end.")]);
        return;
      }
      case "set-back":
        await steps.step(`${step}-back`, () => [{ type: "set-back", mentor: action.mentor }]);
        // A mentor back means a free place, maybe: the longest waiter may get them now.
        await withMentorLock(scope, () => fillFromWaitlist(scope, `${step}-fill`));
        return;
      default:
        return;
    }
  }

  /** `/why`: the explanation triage would write, as the item's one triage comment, whatever `explain` says. */
  async function explain(step: string): Promise<void> {
    const triage = config.triage;
    if (!triage) return;
    await steps.step(`${step}-explain`, async () => {
      const settings = { ...triage, explain: "comment" as const };
      const gathered = await gatherTriage(ctx, repo, { config, compiled }, source.item, "edited", settings);
      const { explanation } = gathered.decision;
      if (explanation === null) {
        return [reply(`${step}-explain`, "Shepherd does not see async-conversion work here, so it set no labels.")];
      }
      return [{ type: "comment", issue: number, key: "triage", body: explanation, repost: true }];
    });
  }

  async function claim(step: string, login: string): Promise<void> {
    const [stored] = await steps.step(`${step}-store`, () => [
      { type: "store-claim", issue: number, login, since: deps.now() },
    ]);
    const outcome = stored as { claimed: boolean; holder: string | null } | undefined;
    if (!outcome?.claimed) {
      await steps.step(`${step}-lost`, () => [
        reply(`${step}-lost`, `This issue was just claimed by **${outcome?.holder ?? "someone else"}**.`),
      ]);
      return;
    }
    // A newcomer's first claim is a first contribution too: welcome them (once) with a mentor.
    if (config.onboarding) {
      await onboardPerson(scope, { login, association: source.author.association }, newcomerItem(), `${step}-welcome`);
    }
    const [assigned] = await steps.step(`${step}-assign`, () => [
      { type: "add-assignees", issue: number, logins: [login] },
    ]);
    remember(assigned);
    if (item.assignees.some((assignee) => assignee.toLowerCase() === login.toLowerCase())) return;
    // GitHub would not assign them (no access, never commented): Shepherd keeps the claim itself.
    await steps.step(`${step}-held`, async () =>
      heldClaimPlan({ issue: number, login, since: (await deps.claims.get(repo.id, number))?.since ?? deps.now() }),
    );
  }

  /** One short reply per command that failed inside Shepherd; GitHub's own hiccups are retried quietly. */
  async function internalError(step: string, command: ParsedCommand, error: unknown): Promise<void> {
    const failure = error as { status?: number; message?: string; name?: string };
    if (failure.name === "ItemBusyError" || failure.name === "PausedError") return;
    const plan = planFailure({ status: failure.status, message: failure.message ?? String(error) }, deps.now());
    const fromGitHub = typeof failure.status === "number";
    if (fromGitHub && plan.kind !== "fail") return;
    ctx.log.error(
      { repo: `${repo.owner}/${repo.repo}`, item: number, command: command.name, err: error },
      "command failed",
    );
    const body = fromGitHub
      ? `GitHub refused what \`/${command.name}\` needed (HTTP ${failure.status}), so it was not done. ` +
        "A maintainer can find the details in Shepherd's logs."
      : `Something went wrong while handling \`/${command.name}\`; it will be retried. ` +
        "If this keeps happening, a maintainer can find the details in Shepherd's logs.";
    try {
      await steps.step(`${step}-error`, () => [reply(`${step}-error`, body)]);
    } catch {
      // The reply is a courtesy: the job's own retry is what matters.
    }
  }

  return { run, reply, steps, internalError };
}
