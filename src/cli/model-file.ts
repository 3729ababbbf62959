// Loads a `.github/shepherd.yml` for the command line exactly as the app reads it: the same YAML
// parsing as Probot's config loader, the same schema, the same preset merge.
import { parse } from "yaml";
import { resolveConfigInput } from "../config/resolve.js";
import type { ClassifierModel } from "../domain/model.js";

export class ModelFileError extends Error {}

export function loadModelFromYamlText(text: string): ClassifierModel {
  let doc: unknown;
  try {
    doc = parse(text, { logLevel: "error" }) ?? {};
  } catch (error) {
    throw new ModelFileError(`invalid YAML: ${error instanceof Error ? error.message : String(error)}`);
  }
  const result = resolveConfigInput(doc);
  if (!result.ok) throw new ModelFileError(result.errors.join("; "));
  if (result.config.model.subsystems.length === 0) {
    throw new ModelFileError('nothing to classify with: set "preset" or define "subsystems"');
  }
  return result.config.model;
}
