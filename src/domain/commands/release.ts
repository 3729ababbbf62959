import { type CommandAction, defineCommand, fail, ok, reply, sameLogin } from "./types.js";

export const release = defineCommand<null>({
  name: "release",
  aliases: ["unclaim"],
  usage: "/release",
  examples: ["/release", "/unclaim"],
  description: "Give this issue back: you are unassigned and it can be claimed again.",
  appliesTo: ["issue"],
  who: "claimant-or-triagers",
  feature: "claims",
  parse: (args) => (args.length === 0 ? ok(null) : fail("`/release` takes no arguments: `/release`")),
  decide(context): CommandAction[] {
    const { actor, claim } = context;
    if (!claim) return [reply("Nobody holds this issue, so there is nothing to release.")];
    if (!sameLogin(claim.claimant, actor.login) && !actor.isTriager) {
      return [
        reply(
          `Only **${claim.claimant}** (who claimed it) or a triager can release this issue. ` +
            "If it looks abandoned, ask a maintainer.",
        ),
      ];
    }
    return [{ type: "release", login: claim.claimant }, { type: "react" }];
  },
});
