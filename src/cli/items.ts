// Parsing of the JSON-lines items the CLI reads (`classify` input and labelled `backtest` sets).

import type { GoldLabel, ItemKind } from "../domain/backtest.js";
import type { ChangedFile, ClassifyInput } from "../domain/model.js";

export interface CliItem {
  id: string;
  input: ClassifyInput;
}

export interface GoldItem extends CliItem {
  gold: GoldLabel;
}

export class ItemError extends Error {}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseFiles(value: unknown): ChangedFile[] {
  if (!Array.isArray(value)) throw new ItemError('"files" must be a list of paths or {filename, additions, deletions}');
  return value.map((f, i) => {
    if (typeof f === "string") return { filename: f, additions: 0, deletions: 0 };
    if (!isRecord(f) || typeof f.filename !== "string") {
      throw new ItemError(`"files[${i}]" must be a path or an object with a string "filename"`);
    }
    const count = (key: "additions" | "deletions"): number => {
      const v = f[key];
      if (v === undefined || v === null) return 0;
      if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
        throw new ItemError(`"files[${i}].${key}" must be a non-negative number`);
      }
      return v;
    };
    const file: ChangedFile = { filename: f.filename, additions: count("additions"), deletions: count("deletions") };
    if (typeof f.patch === "string") file.patch = f.patch;
    return file;
  });
}

/** Parses one JSON line into an item to classify; throws ItemError naming the bad field. */
export function parseItemLine(line: string): CliItem {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new ItemError(`invalid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!isRecord(value)) throw new ItemError("expected a JSON object");
  const kind = value.kind;
  if (kind !== "issue" && kind !== "pr") throw new ItemError('"kind" must be "issue" or "pr"');
  if (typeof value.title !== "string") throw new ItemError('"title" must be a string');
  if (value.body !== undefined && value.body !== null && typeof value.body !== "string") {
    throw new ItemError('"body" must be a string');
  }
  const id = value.id;
  if (id !== undefined && typeof id !== "string" && typeof id !== "number") {
    throw new ItemError('"id" must be a string or a number');
  }
  const input: ClassifyInput = { kind: kind satisfies ItemKind, title: value.title, body: value.body ?? "" };
  if (value.files !== undefined && value.files !== null) input.files = parseFiles(value.files);
  if (typeof value.milestone === "string") input.milestone = value.milestone;
  return { id: id === undefined ? "" : String(id), input };
}

/** Parses one labelled line (the ../shared/eval format): an item plus `gold`. */
export function parseGoldLine(line: string): GoldItem {
  const item = parseItemLine(line);
  const value = JSON.parse(line) as Record<string, unknown>;
  const gold = value.gold;
  if (!isRecord(gold) || typeof gold.is_async !== "boolean") {
    throw new ItemError('"gold.is_async" must be a boolean');
  }
  if (gold.subsystem !== undefined && gold.subsystem !== null && typeof gold.subsystem !== "string") {
    throw new ItemError('"gold.subsystem" must be a string');
  }
  return { ...item, gold: { isAsync: gold.is_async, subsystem: gold.subsystem ?? null } };
}
