import { type CommandAction, defineCommand, fail, ok } from "./types.js";

export const why = defineCommand<null>({
  name: "why",
  aliases: ["explain"],
  usage: "/why",
  examples: ["/why"],
  description: "Explain this item's triage: which words or paths decided its labels (posted or refreshed on demand).",
  appliesTo: ["issue", "pr"],
  who: "anyone",
  feature: "triage",
  tracksItem: true,
  parse: (args) => (args.length === 0 ? ok(null) : fail("`/why` takes no arguments: `/why`")),
  decide: (): CommandAction[] => [{ type: "explain" }, { type: "react" }],
});
