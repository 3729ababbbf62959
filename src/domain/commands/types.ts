// The shape every comment command shares. A command is declared once, in its own file: its name,
// usage, examples, who may use it, and pure parse and decide functions. `/help` and the README's
// command table are generated from the list in ./index.ts, so help cannot lie.
import type { ClassifierModel } from "../model.js";

/** Who may use a command; the adapter checks it before `decide` runs. */
export type Who =
  /** Any GitHub user who can comment. */
  | "anyone"
  /** Users with triage, write, maintain or admin permission, plus those listed in config. */
  | "triagers"
  /** Anyone; `decide` refuses what only the claimant or a triager may do. */
  | "claimant-or-triagers"
  /** Anyone for labels in `commands.labels.anyone`, triagers for the rest (checked in `decide`). */
  | "triagers-or-allow-listed"
  /** Anyone asks; triagers assign; the mentor or the mentee ends (checked in `decide`). */
  | "mentorship"
  /** People listed as mentors in config (checked in `decide`). */
  | "mentors";

/** The config section a command needs; absent means the command answers "not enabled here". */
export type Feature = "commands" | "claims" | "triage" | "mentors" | "progress";

export interface Actor {
  login: string;
  isTriager: boolean;
  /** From GitHub's author_association: a hint, used for the lower claim cap. */
  isNewcomer: boolean;
}

export interface ItemFacts {
  kind: "issue" | "pr";
  number: number;
  author: string;
  state: "open" | "closed";
  labels: string[];
  assignees: string[];
  milestone: string | null;
}

export interface Claim {
  claimant: string;
  /** Epoch milliseconds. */
  since: number;
  /** A PR that references the issue was opened. */
  pr: number | null;
}

export interface CommandSettings {
  /** Labels anyone may add or remove with `/label` and `/unlabel`. */
  anyoneLabels: string[];
  claims: { maxPerUser: number; maxPerNewcomer: number; notClaimable: string[] } | null;
  triage: { subsystemPrefix: string; roadmapPrefix: string; needsTriage: string } | null;
  model: ClassifierModel;
  /** Features whose config section is present. */
  enabled: Feature[];
}

export interface CommandContext {
  actor: Actor;
  item: ItemFacts;
  claim: Claim | null;
  /** Open claims the actor holds in this repository. */
  actorClaims: number;
  /** The repository's label names; null when not known (then any name is accepted). */
  repoLabels: string[] | null;
  /** PRs known to reference this issue. */
  linkedPrs: number[];
  settings: CommandSettings;
  now: number;
  /** The app's slug, for help text (`@slug claim`). */
  botSlug: string;
  /** The registered commands (./index.ts), for `/help`. */
  commands: readonly CommandSpec[];
  /** Mentoring facts; null when mentors are not enabled. */
  mentoring: MentoringFacts | null;
}

export interface MentoringFacts {
  /** Whom this item's mentorship is about: its claimant, else its author. */
  newcomer: string;
  /** The newcomer's active mentorship. */
  mentorship: { mentor: string; since: number } | null;
  /** The actor's own active mentorship, when the actor is a mentee. */
  actorMentorship: { mentor: string; since: number } | null;
  /** The actor's place on the waitlist (1-based). */
  actorWaitlistPosition: number | null;
  /** The actor is a mentor in config. */
  actorIsMentor: boolean;
}

/** Effects a command asks for; jobs/commands.ts applies them in order. */
export type CommandAction =
  | { type: "react" }
  | { type: "reply"; body: string }
  | { type: "assign"; logins: string[] }
  | { type: "unassign"; logins: string[] }
  | { type: "add-labels"; labels: string[] }
  | { type: "remove-labels"; labels: string[] }
  | { type: "set-milestone"; title: string }
  | { type: "claim"; login: string }
  | { type: "release"; login: string }
  /** The subsystem or roadmap was set by a person: auto-triage must not change it. */
  | { type: "human-triage"; dimension: "subsystem" | "roadmap" }
  | { type: "request-mentor"; newcomer: string }
  | { type: "assign-mentor"; newcomer: string; mentor: string }
  | { type: "end-mentorship"; newcomer: string }
  /** `until` in epoch ms; Infinity for "until /back". */
  | { type: "set-away"; mentor: string; until: number }
  | { type: "set-back"; mentor: string }
  | { type: "refresh-progress" }
  /** Post or refresh the triage explanation of this item. */
  | { type: "explain" };

export type Parsed<A> = { ok: true; value: A } | { ok: false; error: string };

export interface CommandSpec<A = unknown> {
  name: string;
  aliases: readonly string[];
  /** One line, e.g. `/assign @user...`. */
  usage: string;
  /** Each must parse (a test checks it). */
  examples: readonly string[];
  description: string;
  appliesTo: ReadonlyArray<"issue" | "pr">;
  who: Who;
  feature: Feature;
  /**
   * The command makes the item roadmap work (claims it, sets its triage, explains its triage):
   * refused on Shepherd's own issues (the tracking issue, digests), which are never tracked.
   */
  tracksItem?: true;
  parse(args: readonly string[]): Parsed<A>;
  decide(context: CommandContext, args: A): CommandAction[];
}

/** Declares a command with its argument type checked, and stores it type-erased for the list. */
export function defineCommand<A>(spec: CommandSpec<A>): CommandSpec {
  return spec as unknown as CommandSpec;
}

export function reply(body: string): CommandAction {
  return { type: "reply", body };
}

export const ok = <A>(value: A): Parsed<A> => ({ ok: true, value });
export const fail = <A>(error: string): Parsed<A> => ({ ok: false, error });

/** Parses `@user` arguments (the @ is optional); GitHub logins are 1-39 chars of [A-Za-z0-9-]. */
export function parseLogins(args: readonly string[], usage: string): Parsed<string[]> {
  if (args.length === 0) return fail(`name at least one user: \`${usage}\``);
  const logins: string[] = [];
  for (const arg of args) {
    const login = arg.replace(/^@/, "").replace(/[,.;]+$/, "");
    if (!/^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/.test(login)) {
      return fail(`\`${arg}\` is not a GitHub user name: \`${usage}\``);
    }
    if (!logins.some((known) => known.toLowerCase() === login.toLowerCase())) logins.push(login);
  }
  if (logins.length > 10) return fail("GitHub allows at most 10 assignees");
  return ok(logins);
}

export function sameLogin(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

export function mention(login: string): string {
  return `@${login}`;
}
