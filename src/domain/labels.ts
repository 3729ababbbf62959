// The labels a config defines, and what it takes to make a repo's labels match them.
import type { ClassifierModel } from "./model.js";
import { roadmapLabel, subsystemLabel, type TriageLabelNames } from "./triage.js";

export interface LabelSpec {
  name: string;
  color: string;
  description: string;
}

export interface LabelColors {
  asyncColor: string;
  subsystemColor: string;
  roadmapColor: string;
  needsTriageColor: string;
}

export function triageLabelSpecs(model: ClassifierModel, names: TriageLabelNames & LabelColors): LabelSpec[] {
  return [
    { name: names.async, color: names.asyncColor, description: "Async-conversion work" },
    { name: names.needsTriage, color: names.needsTriageColor, description: "Needs a person to pick the subsystem" },
    ...model.subsystems.map((subsystem) => ({
      name: subsystemLabel(names, subsystem.id),
      color: names.subsystemColor,
      description: truncate(`Subsystem: ${subsystem.name}`),
    })),
    ...model.roadmap.map((entry) => ({
      name: roadmapLabel(names, entry.version),
      color: names.roadmapColor,
      description: truncate(`Roadmap ${entry.version}: ${entry.title}`),
    })),
  ];
}

export interface ExistingLabel {
  name: string;
  color: string;
  description: string | null;
}

export interface LabelPlan {
  create: LabelSpec[];
  /** `current` is the existing name, which may differ in case. */
  update: Array<LabelSpec & { current: string }>;
}

/** Creates what is missing and fixes colour or description drift; never deletes a label. */
export function planLabelSync(wanted: LabelSpec[], existing: ExistingLabel[]): LabelPlan {
  const byName = new Map(existing.map((label) => [label.name.toLowerCase(), label]));
  const plan: LabelPlan = { create: [], update: [] };
  for (const spec of wanted) {
    const found = byName.get(spec.name.toLowerCase());
    if (!found) {
      plan.create.push(spec);
      continue;
    }
    if (found.color.toLowerCase() !== spec.color || (found.description ?? "") !== spec.description) {
      plan.update.push({ ...spec, current: found.name });
    }
  }
  return plan;
}

/** GitHub caps label descriptions at 100 characters. */
function truncate(text: string): string {
  return text.length <= 100 ? text : `${text.slice(0, 99)}…`;
}
