// `/subsystem` and `/roadmap`: a person sets what auto-triage would have guessed. Their labels are
// not Shepherd's own, so auto-triage never changes them afterwards.
import { type CommandAction, type CommandContext, defineCommand, fail, ok, reply } from "./types.js";

function replaceLabel(context: CommandContext, prefix: string, wanted: string): CommandAction[] {
  const stale = context.item.labels.filter(
    (label) => label.toLowerCase().startsWith(prefix.toLowerCase()) && label.toLowerCase() !== wanted.toLowerCase(),
  );
  const actions: CommandAction[] = [];
  if (stale.length > 0) actions.push({ type: "remove-labels", labels: stale });
  if (!context.item.labels.some((label) => label.toLowerCase() === wanted.toLowerCase())) {
    actions.push({ type: "add-labels", labels: [wanted] });
  }
  return actions;
}

export const subsystem = defineCommand<string>({
  name: "subsystem",
  aliases: [],
  usage: "/subsystem <id>",
  examples: ["/subsystem orm"],
  description: "Set the subsystem label by hand; auto-triage will not change it afterwards.",
  appliesTo: ["issue", "pr"],
  who: "triagers",
  feature: "triage",
  tracksItem: true,
  parse: (args) =>
    args.length === 1 && args[0] ? ok(args[0].toLowerCase()) : fail("name one subsystem: `/subsystem <id>`"),
  decide(context, id): CommandAction[] {
    const triage = context.settings.triage;
    if (!triage) return [];
    const known = context.settings.model.subsystems.map((entry) => entry.id);
    if (!known.includes(id)) {
      return [reply(`There is no subsystem \`${id}\` here. Known: ${known.map((name) => `\`${name}\``).join(", ")}.`)];
    }
    const actions = replaceLabel(context, triage.subsystemPrefix, `${triage.subsystemPrefix}${id}`);
    const needsTriage = context.item.labels.find((label) => label.toLowerCase() === triage.needsTriage.toLowerCase());
    if (needsTriage) actions.push({ type: "remove-labels", labels: [needsTriage] });
    return [...actions, { type: "human-triage", dimension: "subsystem" }, { type: "react" }];
  },
});

export const roadmap = defineCommand<string>({
  name: "roadmap",
  aliases: [],
  usage: "/roadmap <version>",
  examples: ["/roadmap 3.1"],
  description: "Set the roadmap version (label and milestone) by hand; auto-triage will not change it afterwards.",
  appliesTo: ["issue", "pr"],
  who: "triagers",
  feature: "triage",
  tracksItem: true,
  parse: (args) => (args.length === 1 && args[0] ? ok(args[0]) : fail("name one version: `/roadmap <version>`")),
  decide(context, version): CommandAction[] {
    const triage = context.settings.triage;
    if (!triage) return [];
    const known = context.settings.model.roadmap.map((entry) => entry.version);
    if (!known.includes(version)) {
      return [reply(`There is no roadmap version \`${version}\` here. Known: ${known.join(", ")}.`)];
    }
    return [
      ...replaceLabel(context, triage.roadmapPrefix, `${triage.roadmapPrefix}${version}`),
      { type: "set-milestone", title: version },
      { type: "human-triage", dimension: "roadmap" },
      { type: "react" },
    ];
  },
});
