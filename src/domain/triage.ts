// Auto-triage decisions: from a classification and what is on the item now, which labels to add or
// remove, which milestone to set, and the explanation to show. Pure: the adapter in jobs/ applies it.
import type { Action } from "./actions.js";
import { codeSpan, escapeInline } from "./markdown.js";
import type { ChangedFile, Classification, ClassifierModel, Decider } from "./model.js";
import { renderMarker } from "./markers.js";

export interface TriageLabelNames {
  async: string;
  subsystemPrefix: string;
  roadmapPrefix: string;
  needsTriage: string;
}

export interface TriageSettings {
  labels: TriageLabelNames;
  minConfidence: number;
  explain: "comment" | "low-confidence" | "none";
  explainBelow: number;
  milestones: boolean;
  maxSubsystems: number;
}

export interface Milestone {
  number: number;
  title: string;
}

/** What Shepherd remembers about one item between events. */
export interface TriageMemory {
  /** Labels Shepherd applied that are still its own (a person has not removed them). */
  owned: string[];
  /** Labels a person removed from the item: Shepherd never puts them back. */
  removed: string[];
}

/** The triage of an issue a PR references, used when the PR's own evidence is weaker. */
export interface InheritedTriage {
  number: number;
  subsystems: string[];
  roadmap: string | null;
  confidence: number;
}

export interface TriageInput {
  kind: "issue" | "pr";
  /** Label names on the item now. */
  labels: string[];
  milestone: Milestone | null;
  classification: Classification;
  memory: TriageMemory;
  settings: TriageSettings;
  model: ClassifierModel;
  /** The repo's open milestones; null when not known (then no milestone is set). */
  milestones: Milestone[] | null;
  inherited: InheritedTriage | null;
}

export interface TriageDecision {
  /** False when the item is not async-conversion work: nothing is done. */
  applies: boolean;
  add: string[];
  remove: string[];
  /** Milestone number to set, or null to leave the milestone alone. */
  milestone: number | null;
  /** Labels Shepherd owns after the decision is applied. */
  owned: string[];
  /** The explanation comment body (with its marker), or null when explanations are off. */
  explanation: string | null;
  /** The evidence actually used (after inheritance). */
  subsystems: string[];
  roadmap: string | null;
  confidence: number;
  needsTriage: boolean;
}

export function subsystemLabel(names: TriageLabelNames, id: string): string {
  return `${names.subsystemPrefix}${id}`;
}

export function roadmapLabel(names: TriageLabelNames, version: string): string {
  return `${names.roadmapPrefix}${version}`;
}

export function decideTriage(input: TriageInput): TriageDecision {
  const { settings, memory } = input;
  const names = settings.labels;
  const evidence = chooseEvidence(input);
  const none: TriageDecision = {
    applies: false,
    add: [],
    remove: [],
    milestone: null,
    owned: memory.owned,
    explanation: null,
    subsystems: evidence.subsystems,
    roadmap: evidence.roadmap,
    confidence: evidence.confidence,
    needsTriage: false,
  };
  // Not async work: leave it alone, including labels added earlier (a person can remove them).
  if (!evidence.isAsync) return none;

  const current = new Set(input.labels.map(fold));
  const owned = new Set(memory.owned.map(fold));
  const removed = new Set(memory.removed.map(fold));
  // A subsystem or roadmap label Shepherd does not own was put there by a person: that choice wins.
  const humanSubsystem = input.labels.some(
    (label) => isPrefixed(label, names.subsystemPrefix) && !owned.has(fold(label)),
  );
  const humanRoadmap = input.labels.some((label) => isPrefixed(label, names.roadmapPrefix) && !owned.has(fold(label)));

  const confident = evidence.confidence >= settings.minConfidence && evidence.subsystems.length > 0;
  const desired: string[] = [names.async];
  if (!humanSubsystem) {
    if (confident) desired.push(...evidence.subsystems.map((id) => subsystemLabel(names, id)));
    else desired.push(names.needsTriage);
  }
  if (!humanRoadmap && confident && evidence.roadmap) {
    desired.push(roadmapLabel(names, evidence.roadmap));
  }
  const wanted = desired.filter((label) => !removed.has(fold(label)));
  const wantedSet = new Set(wanted.map(fold));

  const add = wanted.filter((label) => !current.has(fold(label)));
  const remove = input.labels.filter((label) => {
    const key = fold(label);
    if (!owned.has(key) || wantedSet.has(key)) return false;
    if (isPrefixed(label, names.subsystemPrefix)) return !humanSubsystem;
    if (isPrefixed(label, names.roadmapPrefix)) return !humanRoadmap;
    return key === fold(names.needsTriage);
  });
  const removedNow = new Set(remove.map(fold));
  const stillOwned = input.labels.filter((label) => owned.has(fold(label)) && !removedNow.has(fold(label)));
  const nextOwned = unique([...stillOwned, ...add]);

  const milestone = pickMilestone(input, evidence.roadmap, confident && !humanRoadmap);
  const needsTriage = wanted.some((label) => fold(label) === fold(names.needsTriage));
  const decision: TriageDecision = {
    applies: true,
    add,
    remove,
    milestone,
    owned: nextOwned,
    explanation: null,
    subsystems: evidence.subsystems,
    roadmap: evidence.roadmap,
    confidence: evidence.confidence,
    needsTriage,
  };
  const unsure = needsTriage || evidence.confidence < settings.explainBelow;
  if (settings.explain === "comment" || (settings.explain === "low-confidence" && unsure)) {
    decision.explanation = renderExplanation(input, evidence, decision, { humanSubsystem, humanRoadmap });
  }
  return decision;
}

/** A person set the subsystem or the roadmap label: Shepherd leaves it. */
interface HumanLabels {
  humanSubsystem: boolean;
  humanRoadmap: boolean;
}

interface Evidence {
  isAsync: boolean;
  subsystems: string[];
  roadmap: string | null;
  confidence: number;
  reasons: string[];
  decidedBy: string | null;
}

/** The item's own evidence, or the referenced issue's when that is stronger. */
function chooseEvidence(input: TriageInput): Evidence {
  const { classification: c, settings, inherited } = input;
  const own: Evidence = {
    isAsync: c.isAsync,
    subsystems: topSubsystems(c, settings.maxSubsystems),
    roadmap: c.roadmap,
    confidence: c.confidence,
    reasons: c.reasons,
    decidedBy: c.decidedBy ? describeDecider(c.decidedBy) : null,
  };
  if (!inherited || inherited.subsystems.length === 0) return own;
  const ownWeaker = !c.isAsync || c.subsystems.length === 0 || c.confidence < inherited.confidence;
  if (!ownWeaker) return own;
  return {
    isAsync: true,
    subsystems: inherited.subsystems.slice(0, settings.maxSubsystems),
    roadmap: inherited.roadmap ?? c.roadmap,
    confidence: inherited.confidence,
    reasons: [`references #${inherited.number}, whose triage is stronger than this PR's own evidence`, ...c.reasons],
    decidedBy: `the triage of #${inherited.number}`,
  };
}

/** The primary subsystem, plus others that score at least half as high, up to `max`. */
function topSubsystems(c: Classification, max: number): string[] {
  const primary = c.subsystems[0];
  if (!primary) return [];
  return c.subsystems
    .filter((entry, index) => index === 0 || entry.score >= primary.score / 2)
    .slice(0, max)
    .map((entry) => entry.id);
}

function pickMilestone(input: TriageInput, roadmap: string | null, allowed: boolean): number | null {
  if (!allowed || !roadmap || !input.settings.milestones || input.milestone || !input.milestones) return null;
  return findMilestone(input.milestones, roadmap)?.number ?? null;
}

/** The milestone that names a roadmap version ("Django 3.0", "v3.0" and "3.0" all name 3.0). */
export function findMilestone(milestones: Milestone[], version: string): Milestone | undefined {
  const wanted = normaliseVersion(version);
  return milestones.find((milestone) => normaliseVersion(milestone.title) === wanted);
}

/** "Django 3.0", "v3.0" and "3.0" name the same milestone. */
function normaliseVersion(title: string): string {
  return title
    .trim()
    .toLowerCase()
    .replace(/^django\s+/, "")
    .replace(/^v(?=\d)/, "");
}

function renderExplanation(
  input: TriageInput,
  evidence: Evidence,
  decision: TriageDecision,
  human: HumanLabels,
): string {
  const names = input.settings.labels;
  const nameOf = new Map(input.model.subsystems.map((s) => [s.id, s.name]));
  const lines: string[] = [];
  const subsystemText = evidence.subsystems
    .map((id) => `**${nameOf.get(id) ?? id}** (\`${subsystemLabel(names, id)}\`)`)
    .join(", ");
  if (human.humanSubsystem) {
    lines.push("Async-conversion work. A person set the subsystem label; Shepherd leaves it as it is.");
  } else if (decision.needsTriage) {
    lines.push(
      `Async-conversion work, but the evidence for a subsystem is thin (confidence ${evidence.confidence.toFixed(2)}, ` +
        `below ${input.settings.minConfidence.toFixed(2)}), so it is marked \`${names.needsTriage}\` for a person to decide.`,
    );
  } else {
    lines.push(`Async-conversion work in ${subsystemText} (confidence ${evidence.confidence.toFixed(2)}).`);
  }
  if (evidence.roadmap && !decision.needsTriage) {
    const version = input.model.roadmap.find((entry) => entry.version === evidence.roadmap);
    const verb = human.humanRoadmap ? "Shepherd would suggest" : "Roadmap:";
    lines.push(`${verb} **${evidence.roadmap}**${version?.title ? ` (${version.title})` : ""}.`);
  }
  const reasons = evidence.reasons.slice(0, 8).map((reason) => `- ${reason}`);
  return [
    renderMarker("triage", { owned: decision.owned }),
    `<details><summary>${summaryLine(input.settings.labels, evidence, decision, human)}</summary>`,
    "",
    ...lines,
    "",
    "Evidence:",
    ...(reasons.length > 0 ? reasons : ["- (none recorded)"]),
    "",
    "Labels a person removes or changes stay that way: Shepherd does not put them back.",
    "</details>",
  ].join("\n");
}

/** "by `django/db/models/query.py`", "by the word `aget()`": a code span that cannot be broken out of. */
function describeDecider(decider: Decider): string {
  const code = codeSpan(decider.text);
  return decider.kind === "path" ? code : `the word ${code}`;
}

/**
 * The line shown while the explanation is collapsed: the labels' gist and what decided it, e.g.
 * "async · orm · 4.1 — decided by `django/db/models/query.py`".
 */
function summaryLine(
  names: TriageLabelNames,
  evidence: Evidence,
  decision: TriageDecision,
  human: HumanLabels,
): string {
  const parts = [names.async];
  if (human.humanSubsystem) parts.push("subsystem set by a person");
  else if (decision.needsTriage) parts.push(names.needsTriage);
  else parts.push(...evidence.subsystems);
  if (evidence.roadmap && !decision.needsTriage && !human.humanRoadmap) parts.push(evidence.roadmap);
  const gist = parts.map(escapeInline).join(" · ");
  if (decision.needsTriage) return `${gist} — confidence ${evidence.confidence.toFixed(2)}, too low to decide`;
  if (human.humanSubsystem || evidence.decidedBy === null) return gist;
  return `${gist} — decided by ${evidence.decidedBy}`;
}

function isPrefixed(label: string, prefix: string): boolean {
  return fold(label).startsWith(fold(prefix));
}

/** GitHub label names are case-insensitive. */
function fold(label: string): string {
  return label.toLowerCase();
}

function unique(labels: string[]): string[] {
  const seen = new Set<string>();
  return labels.filter((label) => {
    const key = fold(label);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export interface TriagePlanInput {
  number: number;
  kind: "issue" | "pr";
  /** The labels triage decided against (the item's, plus those Shepherd applied and still owns). */
  labels: string[];
  decision: TriageDecision;
  files: ChangedFile[] | undefined;
}

/**
 * The actions that apply a decision: labels in one call, removals, the milestone, then what Shepherd
 * remembers, then the explanation (one comment per item, edited in place).
 */
export function triagePlan(input: TriagePlanInput): Action[] {
  const { number, decision } = input;
  const triage = {
    isAsync: decision.applies,
    subsystems: decision.subsystems,
    roadmap: decision.roadmap,
    confidence: decision.confidence,
  };
  const files = input.files ? { files: input.files } : {};
  if (!decision.applies) {
    return [{ type: "save-item", issue: number, patch: { kind: input.kind, triage, labels: input.labels, ...files } }];
  }
  const removed = new Set(decision.remove.map(fold));
  const after = unique([...input.labels.filter((label) => !removed.has(fold(label))), ...decision.add]);
  const actions: Action[] = [];
  const { add, remove, milestone } = decision;
  // Each write is budgeted: labels added alone are one POST; anything more is one read and one PATCH.
  if (remove.length === 0 && milestone === null) {
    if (add.length > 0) actions.push({ type: "add-labels", issue: number, labels: add });
  } else if (add.length === 0 && remove.length === 0 && milestone !== null) {
    actions.push({ type: "set-milestone", issue: number, milestone });
  } else if (add.length === 0 && remove.length === 1 && milestone === null) {
    actions.push({ type: "remove-label", issue: number, label: remove[0] as string });
  } else {
    actions.push({ type: "edit-labels", issue: number, add, remove, milestone });
  }
  actions.push({
    type: "save-item",
    issue: number,
    patch: { kind: input.kind, owned: decision.owned, triage, labels: after, ...files },
  });
  if (decision.explanation !== null) {
    actions.push({ type: "comment", issue: number, key: "triage", body: decision.explanation });
  }
  return actions;
}

/** The labels to decide against: what the payload shows plus what Shepherd applied and still owns. */
export function labelsKnown(payload: string[], owned: string[]): string[] {
  return unique([...payload, ...owned]);
}
