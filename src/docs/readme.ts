// Sections of README.md generated from the code, so the docs cannot drift from what runs:
// the configuration reference (from the zod schema's descriptions) and the preset table.
import { z } from "zod";
import { describeWho } from "../domain/commands/help.js";
import type { CommandSpec } from "../domain/commands/types.js";
import type { ClassifierModel } from "../domain/model.js";
import { ShepherdConfig } from "../config/schema.js";

interface JsonSchema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
}

/** One row per key, nested keys dotted (`triage.labels.async`); maps show `<id>`. */
export function renderConfigReference(): string {
  const schema = z.toJSONSchema(ShepherdConfig, { io: "input", unrepresentable: "any" }) as JsonSchema;
  const rows: string[] = ["| key | type | default | what it does |", "|---|---|---|---|"];
  walk(schema, "", rows);
  return rows.join("\n");
}

function walk(schema: JsonSchema, path: string, rows: string[]): void {
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const at = path ? `${path}.${key}` : key;
    rows.push(`| \`${at}\` | ${typeOf(child)} | ${defaultOf(child)} | ${cell(child.description ?? "")} |`);
    if (child.properties) walk(child, at, rows);
    const values = typeof child.additionalProperties === "object" ? child.additionalProperties : null;
    if (values?.properties) walk(values, `${at}.<id>`, rows);
  }
}

function typeOf(schema: JsonSchema): string {
  if (schema.enum) return schema.enum.map((value) => `\`${String(value)}\``).join(" \\| ");
  if (schema.type === "array") return `list of ${typeOf(schema.items ?? {})}`;
  if (schema.type === "object" && typeof schema.additionalProperties === "object") return "map";
  const range =
    schema.minimum !== undefined && schema.maximum !== undefined ? ` ${schema.minimum}–${schema.maximum}` : "";
  return `${Array.isArray(schema.type) ? schema.type.join(" \\| ") : (schema.type ?? "any")}${range}`;
}

function defaultOf(schema: JsonSchema): string {
  if (schema.default === undefined || typeof schema.default === "object") return "";
  return `\`${String(schema.default)}\``;
}

export function renderPresetTable(model: ClassifierModel): string {
  const versionOf = new Map<string, string>();
  for (const entry of model.roadmap) for (const id of entry.subsystems) versionOf.set(id, entry.version);
  const subsystems = [
    "| subsystem | name | roadmap | paths (first three) | cues (first five) |",
    "|---|---|---|---|---|",
    ...model.subsystems.map((subsystem) => {
      const paths = subsystem.paths
        .slice(0, 3)
        .map((path) => `\`${path}\``)
        .join(", ");
      const more = subsystem.paths.length > 3 ? ` +${subsystem.paths.length - 3}` : "";
      const cues = subsystem.cues
        .slice(0, 5)
        .map((cue) => `\`${cue}\``)
        .join(", ");
      const moreCues = subsystem.cues.length > 5 ? ` +${subsystem.cues.length - 5}` : "";
      return `| \`${subsystem.id}\` | ${cell(subsystem.name)} | ${versionOf.get(subsystem.id) ?? ""} | ${cell(paths + more)} | ${cell(cues + moreCues)} |`;
    }),
  ];
  const roadmap = [
    "| version | title | delivers | subsystems |",
    "|---|---|---|---|",
    ...model.roadmap.map(
      (entry) =>
        `| ${entry.version} | ${cell(entry.title)} | ${cell(entry.delivers)} | ${entry.subsystems.map((id) => `\`${id}\``).join(", ")} |`,
    ),
  ];
  return [...roadmap, "", ...subsystems].join("\n");
}

/** The command table, from the same list `/help` reads. */
export function renderCommandTable(commands: readonly CommandSpec[]): string {
  const needs: Record<CommandSpec["feature"], string> = {
    commands: "`commands`",
    claims: "`claims`",
    triage: "`triage`",
    mentors: "`onboarding` + `mentors`",
    progress: "`progress`",
  };
  return [
    "| command | usage | where | who | needs | what it does |",
    "|---|---|---|---|---|---|",
    ...commands.map((spec) => {
      const names = [spec.name, ...spec.aliases].map((name) => `\`/${name}\``).join(", ");
      const where = spec.appliesTo.map((kind) => (kind === "pr" ? "PRs" : "issues")).join(", ");
      return `| ${names} | \`${cell(spec.usage)}\` | ${where} | ${describeWho(spec)} | ${needs[spec.feature]} | ${cell(spec.description)} |`;
    }),
  ].join("\n");
}

/** The `shepherd` CLI's commands as a table: name, synopsis (the usage lines), what it does. */
export function renderCliTable(commands: readonly { name: string; summary: string; usage: string }[]): string {
  return [
    "| command | usage | what it does |",
    "|---|---|---|",
    ...commands.map((command) => {
      const synopsis = command.usage
        .split("\n\n")[0]!
        .split("\n")
        .map((line) => `\`${cell(line.replace(/^(usage:)?\s*/, ""))}\``)
        .join("<br>");
      return `| \`${command.name}\` | ${synopsis} | ${cell(command.summary)} |`;
    }),
  ].join("\n");
}

/** Markdown table cells: a pipe or a newline would break the row. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");
}

/** Replaces the text between `<!-- NAME:start -->` and `<!-- NAME:end -->`. */
export function replaceSection(document: string, name: string, content: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = document.indexOf(start);
  const to = document.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README has no ${name} section`);
  return `${document.slice(0, from + start.length)}\n${content}\n${document.slice(to)}`;
}
