import { type CommandAction, type CommandContext, defineCommand, fail, ok, type Parsed, reply } from "./types.js";

function parseLabels(args: readonly string[], usage: string): Parsed<string[]> {
  const labels = args.map((arg) => arg.trim()).filter((arg) => arg.length > 0);
  if (labels.length === 0) return fail(`name at least one label: \`${usage}\` (quote names with spaces)`);
  if (labels.some((label) => label.length > 50)) return fail("label names are at most 50 characters");
  return ok(labels);
}

/** Refuses unknown labels and, for non-triagers, labels outside the allow-list. */
function check(context: CommandContext, labels: string[], verb: "add" | "remove"): CommandAction[] | string[] {
  const known = context.repoLabels;
  const canonical: string[] = [];
  for (const label of labels) {
    const found = known ? known.find((name) => name.toLowerCase() === label.toLowerCase()) : label;
    if (!found) {
      const list = (known ?? []).map((name) => `\`${name}\``).join(", ");
      return [reply(`There is no label \`${label}\` in this repository. Known labels: ${list || "(none)"}.`)];
    }
    canonical.push(found);
  }
  if (context.actor.isTriager) return canonical;
  const allowed = context.settings.anyoneLabels.map((name) => name.toLowerCase());
  const refused = canonical.filter((label) => !allowed.includes(label.toLowerCase()));
  if (refused.length === 0) return canonical;
  const open = context.settings.anyoneLabels.map((name) => `\`${name}\``).join(", ");
  return [
    reply(
      `Only triagers can ${verb} ${refused.map((label) => `\`${label}\``).join(", ")}.` +
        (open ? ` Anyone can ${verb}: ${open}.` : ""),
    ),
  ];
}

function isActions(value: CommandAction[] | string[]): value is CommandAction[] {
  return value.length > 0 && typeof value[0] === "object";
}

export const label = defineCommand<string[]>({
  name: "label",
  aliases: [],
  usage: "/label name...",
  examples: ["/label bug", '/label "good first issue" async'],
  description: 'Add labels that exist in this repository; quote names with spaces ("good first issue").',
  appliesTo: ["issue", "pr"],
  who: "triagers-or-allow-listed",
  feature: "commands",
  parse: (args) => parseLabels(args, "/label name..."),
  decide(context, labels): CommandAction[] {
    const checked = check(context, labels, "add");
    if (isActions(checked)) return checked;
    return [{ type: "add-labels", labels: checked }, { type: "react" }];
  },
});

export const unlabel = defineCommand<string[]>({
  name: "unlabel",
  aliases: [],
  usage: "/unlabel name...",
  examples: ["/unlabel needs-triage"],
  description: "Remove labels.",
  appliesTo: ["issue", "pr"],
  who: "triagers-or-allow-listed",
  feature: "commands",
  parse: (args) => parseLabels(args, "/unlabel name..."),
  decide(context, labels): CommandAction[] {
    const checked = check(context, labels, "remove");
    if (isActions(checked)) return checked;
    return [{ type: "remove-labels", labels: checked }, { type: "react" }];
  },
});
