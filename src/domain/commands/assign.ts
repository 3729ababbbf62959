import { type CommandAction, defineCommand, parseLogins, sameLogin } from "./types.js";

export const assign = defineCommand<string[]>({
  name: "assign",
  aliases: [],
  usage: "/assign @user...",
  examples: ["/assign @octocat", "/assign @octocat @hubot"],
  description: "Assign people to this issue or pull request.",
  appliesTo: ["issue", "pr"],
  who: "triagers",
  feature: "commands",
  parse: (args) => parseLogins(args, "/assign @user..."),
  decide(context, logins): CommandAction[] {
    const missing = logins.filter((login) => !context.item.assignees.some((known) => sameLogin(known, login)));
    return missing.length > 0 ? [{ type: "assign", logins: missing }, { type: "react" }] : [{ type: "react" }];
  },
});

export const unassign = defineCommand<string[]>({
  name: "unassign",
  aliases: [],
  usage: "/unassign @user...",
  examples: ["/unassign @octocat"],
  description: "Remove people from the assignees.",
  appliesTo: ["issue", "pr"],
  who: "triagers",
  feature: "commands",
  parse: (args) => parseLogins(args, "/unassign @user..."),
  decide(context, logins): CommandAction[] {
    const actions: CommandAction[] = [{ type: "unassign", logins }];
    // Unassigning the claimant ends the claim, or Shepherd would keep a claim nobody sees.
    const claimant = context.claim?.claimant;
    if (claimant && logins.some((login) => sameLogin(login, claimant)))
      actions.push({ type: "release", login: claimant });
    return [...actions, { type: "react" }];
  },
});
