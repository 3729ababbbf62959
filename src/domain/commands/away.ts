import { type CommandAction, defineCommand, fail, ok, type Parsed, reply } from "./types.js";

const DAY_MS = 86_400_000;

/** `/away`, `/away until 2026-12-01` or `/away 2026-12-01`: the end of that day, UTC. */
function parseAway(args: readonly string[]): Parsed<number> {
  const words = args[0]?.toLowerCase() === "until" ? args.slice(1) : args;
  if (words.length === 0) return ok(Number.POSITIVE_INFINITY);
  const date = words[0] ?? "";
  const at = /^\d{4}-\d{2}-\d{2}$/.test(date) ? Date.parse(`${date}T00:00:00Z`) : Number.NaN;
  if (words.length > 1 || Number.isNaN(at) || new Date(at).toISOString().slice(0, 10) !== date) {
    return fail("give a date as YYYY-MM-DD: `/away until 2026-12-01`, or just `/away`");
  }
  return ok(at + DAY_MS);
}

export const away = defineCommand<number>({
  name: "away",
  aliases: [],
  usage: "/away [until YYYY-MM-DD]",
  examples: ["/away", "/away until 2030-01-15"],
  description: "Mentors: take no new mentees until the date (or until `/back`); waiting mentees get another mentor.",
  appliesTo: ["issue", "pr"],
  who: "mentors",
  feature: "mentors",
  parse: parseAway,
  decide(context, until): CommandAction[] {
    if (!context.mentoring?.actorIsMentor) return [reply("`/away` is for mentors listed in this repository's config.")];
    if (until <= context.now) return [reply("That date has passed; give a future one.")];
    return [{ type: "set-away", mentor: context.actor.login, until }, { type: "react" }];
  },
});

export const back = defineCommand<null>({
  name: "back",
  aliases: [],
  usage: "/back",
  examples: ["/back"],
  description: "Mentors: available for new mentees again.",
  appliesTo: ["issue", "pr"],
  who: "mentors",
  feature: "mentors",
  parse: (args) => (args.length === 0 ? ok(null) : fail("`/back` takes no arguments: `/back`")),
  decide(context): CommandAction[] {
    if (!context.mentoring?.actorIsMentor) return [reply("`/back` is for mentors listed in this repository's config.")];
    return [{ type: "set-back", mentor: context.actor.login }, { type: "react" }];
  },
});
