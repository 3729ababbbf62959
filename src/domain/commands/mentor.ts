import { describeSince } from "./status.js";
import { type CommandAction, defineCommand, fail, ok, type Parsed, parseLogins, reply, sameLogin } from "./types.js";

type MentorArgs = { kind: "ask" } | { kind: "done" } | { kind: "assign"; mentor: string };

function parseMentor(args: readonly string[]): Parsed<MentorArgs> {
  if (args.length === 0) return ok({ kind: "ask" });
  if (args.length === 1 && args[0]?.toLowerCase() === "done") return ok({ kind: "done" });
  const logins = parseLogins(args, "/mentor @user");
  if (logins.ok && logins.value.length === 1 && logins.value[0]) return ok({ kind: "assign", mentor: logins.value[0] });
  return fail("use `/mentor` (ask for one), `/mentor @user` (triagers) or `/mentor done`");
}

export const mentor = defineCommand<MentorArgs>({
  name: "mentor",
  aliases: [],
  usage: "/mentor [@user | done]",
  examples: ["/mentor", "/mentor @octocat", "/mentor done"],
  description:
    "Ask for a mentor; triagers pick one with `/mentor @user`; the mentor or mentee ends it with `/mentor done`.",
  appliesTo: ["issue", "pr"],
  who: "mentorship",
  feature: "mentors",
  parse: parseMentor,
  decide(context, args): CommandAction[] {
    const facts = context.mentoring;
    if (!facts) return [];
    const { actor } = context;
    if (args.kind === "ask") {
      if (facts.actorMentorship) {
        const since = describeSince(facts.actorMentorship.since, context.now);
        return [reply(`Your mentor is **${facts.actorMentorship.mentor}**, since ${since}.`)];
      }
      if (facts.actorWaitlistPosition !== null) {
        return [
          reply(
            `You are number ${facts.actorWaitlistPosition} on the list for a mentor; you will hear here as soon as one is free.`,
          ),
        ];
      }
      return [{ type: "request-mentor", newcomer: actor.login }];
    }
    if (args.kind === "assign") {
      if (!actor.isTriager) return [reply("Only triagers can pick a mentor for someone; `/mentor` asks for one.")];
      if (sameLogin(args.mentor, facts.newcomer)) return [reply("Nobody can mentor themselves.")];
      return [{ type: "assign-mentor", newcomer: facts.newcomer, mentor: args.mentor }, { type: "react" }];
    }
    // done: the mentee ends their own; a mentor (or triager) ends the item's newcomer's.
    if (facts.actorMentorship) return [{ type: "end-mentorship", newcomer: actor.login }, { type: "react" }];
    const current = facts.mentorship;
    if (current && (sameLogin(current.mentor, actor.login) || actor.isTriager)) {
      return [{ type: "end-mentorship", newcomer: facts.newcomer }, { type: "react" }];
    }
    if (!current) return [reply("There is no mentorship here to end.")];
    return [reply("Only the mentor or the mentee can end a mentorship.")];
  },
});
