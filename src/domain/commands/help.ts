// `/help`, rendered from the list that registers the commands (./index.ts, passed in the
// context to avoid an import cycle), so it cannot drift.
import { type CommandAction, type CommandContext, type CommandSpec, defineCommand, fail, ok, reply } from "./types.js";

const WHO: Record<CommandSpec["who"], string> = {
  anyone: "anyone",
  triagers: "triagers",
  "claimant-or-triagers": "the claimant, triagers",
  "triagers-or-allow-listed": "triagers; anyone for allow-listed labels",
  mentorship: "anyone asks; triagers assign; the mentor or mentee ends",
  mentors: "mentors",
};

export function describeWho(spec: CommandSpec): string {
  return WHO[spec.who];
}

export function renderHelp(context: CommandContext): string {
  const usable = context.commands.filter(
    (spec) => context.settings.enabled.includes(spec.feature) && spec.appliesTo.includes(context.item.kind),
  );
  const rows = usable.map((spec) => {
    const names = [spec.name, ...spec.aliases].map((name) => `\`/${name}\``).join(", ");
    return `| ${names} | \`${spec.usage.replace(/\|/g, "\\|")}\` | ${describeWho(spec)} | ${spec.description} |`;
  });
  const off = context.commands
    .filter((spec) => !context.settings.enabled.includes(spec.feature))
    .map((spec) => `\`/${spec.name}\``);
  return [
    `Commands go on a line of their own, as \`/name\` or \`@${context.botSlug} name\`. On this ${context.item.kind === "pr" ? "pull request" : "issue"}:`,
    "",
    "| command | usage | who | what it does |",
    "|---|---|---|---|",
    ...rows,
    ...(off.length > 0 ? ["", `Not enabled in this repository: ${off.join(", ")}.`] : []),
  ].join("\n");
}

export const help = defineCommand<null>({
  name: "help",
  aliases: [],
  usage: "/help",
  examples: ["/help"],
  description: "List the commands enabled in this repository.",
  appliesTo: ["issue", "pr"],
  who: "anyone",
  feature: "commands",
  parse: (args) => (args.length === 0 ? ok(null) : fail("`/help` takes no arguments: `/help`")),
  decide: (context): CommandAction[] => [reply(renderHelp(context))],
});
