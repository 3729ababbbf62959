import { type CommandAction, defineCommand, fail, ok } from "./types.js";

export const progress = defineCommand<null>({
  name: "progress",
  aliases: [],
  usage: "/progress",
  examples: ["/progress"],
  description: "Refresh the roadmap progress summary now instead of at the next change.",
  appliesTo: ["issue", "pr"],
  who: "triagers",
  feature: "progress",
  parse: (args) => (args.length === 0 ? ok(null) : fail("`/progress` takes no arguments: `/progress`")),
  decide: (): CommandAction[] => [{ type: "refresh-progress" }, { type: "react" }],
});
