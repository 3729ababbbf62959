import { type CommandAction, defineCommand, fail, mention, ok, reply, sameLogin } from "./types.js";

export const claim = defineCommand<null>({
  name: "claim",
  aliases: [],
  usage: "/claim",
  examples: ["/claim"],
  description: "Take this issue: you are assigned and others see it is being worked on.",
  appliesTo: ["issue"],
  who: "anyone",
  feature: "claims",
  tracksItem: true,
  parse: (args) => (args.length === 0 ? ok(null) : fail("`/claim` takes no arguments: `/claim`")),
  decide(context): CommandAction[] {
    const { actor, item, claim: current, settings } = context;
    const claims = settings.claims;
    if (!claims) return [];
    if (item.state === "closed") return [reply("This issue is closed, so there is nothing to claim.")];
    if (current && sameLogin(current.claimant, actor.login)) {
      return [reply(`You already hold this issue, ${mention(actor.login)}.`)];
    }
    if (current) {
      return [
        reply(
          `This issue is already claimed by **${current.claimant}**. ` +
            "Ask them whether they want help, or look for an unclaimed one.",
        ),
      ];
    }
    const blocking = item.labels.find((label) =>
      claims.notClaimable.some((name) => name.toLowerCase() === label.toLowerCase()),
    );
    if (blocking) {
      return [
        reply(`Issues labelled \`${blocking}\` cannot be claimed yet; a maintainer removes the label when it can.`),
      ];
    }
    const cap = actor.isNewcomer ? claims.maxPerNewcomer : claims.maxPerUser;
    if (context.actorClaims >= cap) {
      const newcomer = actor.isNewcomer ? " while you are new here" : "";
      return [
        reply(
          `You already hold ${context.actorClaims} open claim${context.actorClaims === 1 ? "" : "s"}, ` +
            `the most allowed${newcomer} (${cap}). Finish or \`/release\` one first.`,
        ),
      ];
    }
    return [{ type: "claim", login: actor.login }, { type: "react" }];
  },
});
