// Logins are written in bold, not as @mentions: asking for the status should not ping anyone.
import { type CommandAction, type CommandContext, defineCommand, fail, ok, reply } from "./types.js";

/** A date a reader can place: "2026-11-24 (3 days ago)". */
export function describeSince(since: number, now: number): string {
  const days = Math.floor((now - since) / 86_400_000);
  const ago = days <= 0 ? "today" : days === 1 ? "yesterday" : `${days} days ago`;
  return `${new Date(since).toISOString().slice(0, 10)} (${ago})`;
}

function labelValue(context: CommandContext, prefix: string | undefined): string | null {
  if (!prefix) return null;
  const values = context.item.labels
    .filter((label) => label.toLowerCase().startsWith(prefix.toLowerCase()))
    .map((label) => label.slice(prefix.length));
  return values.length > 0 ? values.join(", ") : null;
}

export function renderStatus(context: CommandContext): string {
  const { item, claim, settings } = context;
  const subsystemId = labelValue(context, settings.triage?.subsystemPrefix);
  const subsystemName = settings.model.subsystems.find((entry) => entry.id === subsystemId)?.name;
  const roadmapVersion = labelValue(context, settings.triage?.roadmapPrefix);
  const rows: Array<[string, string]> = [
    ["Subsystem", subsystemId ? `${subsystemId}${subsystemName ? ` (${subsystemName})` : ""}` : "not set"],
    ["Roadmap", roadmapVersion ?? item.milestone ?? "not set"],
  ];
  if (item.kind === "issue") {
    const holder = claim
      ? `**${claim.claimant}** since ${describeSince(claim.since, context.now)}${claim.pr ? `, in progress in #${claim.pr}` : ""}`
      : settings.claims
        ? "nobody: `/claim` it"
        : "claims are not enabled here";
    rows.push(["Claimed by", holder]);
    rows.push(["Linked PRs", context.linkedPrs.length > 0 ? context.linkedPrs.map((n) => `#${n}`).join(", ") : "none"]);
  }
  if (item.assignees.length > 0) rows.push(["Assignees", item.assignees.map((login) => `**${login}**`).join(", ")]);
  return ["| | |", "|---|---|", ...rows.map(([key, value]) => `| ${key} | ${value} |`)].join("\n");
}

export const status = defineCommand<null>({
  name: "status",
  aliases: [],
  usage: "/status",
  examples: ["/status"],
  description: "Show the subsystem, roadmap version, claimant (and since when) and linked PRs.",
  appliesTo: ["issue", "pr"],
  who: "anyone",
  feature: "commands",
  parse: (args) => (args.length === 0 ? ok(null) : fail("`/status` takes no arguments: `/status`")),
  decide: (context): CommandAction[] => [reply(renderStatus(context))],
});
