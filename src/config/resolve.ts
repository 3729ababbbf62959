// Turns a parsed `.github/shepherd.yml` into what the features use: the preset merged with the
// file (the file wins, field by field), plus each feature's section as given.
import type { ClassifierModel, RoadmapVersion, Subsystem } from "../domain/model.js";
import { djangoAsyncPreset } from "./presets/django-async.js";
import {
  type ClaimsConfig,
  type CommandsConfig,
  type DigestConfig,
  type MentorsConfig,
  type ProgressConfig,
  type StaleClaimsConfig,
  type OnboardingConfig,
  parseShepherdConfig,
  type ShepherdConfig,
  type TriageConfig,
} from "./schema.js";

export interface ResolvedConfig {
  model: ClassifierModel;
  /** Each present only when the file has its section. */
  triage: TriageConfig | null;
  commands: CommandsConfig | null;
  claims: ClaimsConfig | null;
  onboarding: OnboardingConfig | null;
  mentors: MentorsConfig | null;
  progress: ProgressConfig | null;
  digest: DigestConfig | null;
  staleClaims: StaleClaimsConfig | null;
}

export type ResolveResult = { ok: true; config: ResolvedConfig } | { ok: false; errors: string[] };

const presets: Record<NonNullable<ShepherdConfig["preset"]>, ClassifierModel> = {
  "django-async": djangoAsyncPreset,
};

/** Parses and resolves a raw config object (as read from YAML). */
export function resolveConfigInput(input: unknown): ResolveResult {
  const parsed = parseShepherdConfig(input);
  if (!parsed.ok) return parsed;
  return resolveConfig(parsed.config);
}

export function resolveConfig(file: ShepherdConfig): ResolveResult {
  const base: ClassifierModel = file.preset ? presets[file.preset] : { subsystems: [], roadmap: [], asyncCues: [] };
  const subsystems = mergeById<Subsystem, NonNullable<ShepherdConfig["subsystems"]>[string]>(
    base.subsystems,
    (subsystem) => subsystem.id,
    file.subsystems,
    (id, previous, patch) => ({
      id,
      name: patch.name ?? previous?.name ?? id,
      description: patch.description ?? previous?.description ?? "",
      paths: patch.paths ?? previous?.paths ?? [],
      cues: patch.cues ?? previous?.cues ?? [],
    }),
  );
  const roadmap = mergeById<RoadmapVersion, NonNullable<ShepherdConfig["roadmap"]>[string]>(
    base.roadmap,
    (entry) => entry.version,
    file.roadmap,
    (version, previous, patch) => ({
      version,
      title: patch.title ?? previous?.title ?? version,
      delivers: patch.delivers ?? previous?.delivers ?? "",
      subsystems: patch.subsystems ?? previous?.subsystems ?? [],
    }),
  );
  const known = new Set(subsystems.map((subsystem) => subsystem.id));
  const errors = roadmap.flatMap((entry) =>
    entry.subsystems
      .filter((id) => !known.has(id))
      .map((id) => `roadmap.${entry.version}.subsystems: unknown subsystem "${id}"`),
  );
  const fallbackSubsystem = file.fallbackSubsystem ?? base.fallbackSubsystem;
  if (fallbackSubsystem !== undefined && !known.has(fallbackSubsystem)) {
    errors.push(`fallbackSubsystem: unknown subsystem "${fallbackSubsystem}"`);
  }
  if (file.mentors && !file.onboarding)
    errors.push("mentors: needs an `onboarding` section too (mentors are for newcomers)");
  for (const id of Object.keys(file.mentors?.subsystems ?? {})) {
    if (!known.has(id)) errors.push(`mentors.subsystems.${id}: unknown subsystem "${id}"`);
  }
  for (const section of ["progress", "digest"] as const) {
    if (file[section] && !file.triage)
      errors.push(`${section}: needs a \`triage\` section (it reports on what triage tracks)`);
  }
  if (file.staleClaims && !file.claims) errors.push("staleClaims: needs a `claims` section too");
  if (file.claims && !file.commands) errors.push("claims: needs a `commands` section too (claims are commands)");
  if (file.triage && subsystems.length === 0) {
    errors.push("triage: needs subsystems (add a `subsystems` section or `preset: django-async`)");
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    config: {
      model: {
        subsystems,
        roadmap,
        asyncCues: [...base.asyncCues, ...(file.asyncCues ?? [])],
        ...(fallbackSubsystem !== undefined ? { fallbackSubsystem } : {}),
        ...((file.asyncTwins ?? base.asyncTwins) !== undefined
          ? { asyncTwins: file.asyncTwins ?? base.asyncTwins }
          : {}),
      },
      triage: file.triage ?? null,
      commands: file.commands ?? null,
      claims: file.claims ?? null,
      onboarding: file.onboarding ?? null,
      mentors: file.mentors ?? null,
      progress: file.progress ?? null,
      digest: file.digest ?? null,
      staleClaims: file.staleClaims ?? null,
    },
  };
}

function mergeById<T, P>(
  base: T[],
  idOf: (item: T) => string,
  patches: Record<string, P> | undefined,
  merge: (id: string, previous: T | undefined, patch: P) => T,
): T[] {
  if (!patches) return base;
  const result = base.map((item) => {
    const patch = patches[idOf(item)];
    return patch ? merge(idOf(item), item, patch) : item;
  });
  const existing = new Set(base.map(idOf));
  for (const [id, patch] of Object.entries(patches)) {
    if (!existing.has(id)) result.push(merge(id, undefined, patch));
  }
  return result;
}
