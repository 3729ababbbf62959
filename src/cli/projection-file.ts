// The exported projection of one repository (`shepherd export`), read back by
// `shepherd digest --dry-run --from FILE`: JSON lines, each a record with its schema version `v`.
// The first line is the header (repo, repo id, when it was exported); then one line per tracked
// item, weekly snapshot and welcome. Every line is checked with zod on the way in: a bad line is
// reported with its number and skipped, the good ones are still used.
import { readFile } from "node:fs/promises";
import { z } from "zod";
import type { DigestState } from "../domain/digest.js";
import type { TrackedItem, WeeklySnapshot } from "../domain/projection.js";

export const PROJECTION_FILE_VERSION = 1;

const Version = z.literal(PROJECTION_FILE_VERSION);
const Timestamp = z.number().int().nonnegative();
const Login = z.string().min(1);

const Counts = z.object({
  open: z.number().int().nonnegative(),
  claimed: z.number().int().nonnegative(),
  inProgress: z.number().int().nonnegative(),
  done: z.number().int().nonnegative(),
});

const Item = z.object({
  number: z.number().int().positive(),
  kind: z.union([z.literal("issue"), z.literal("pr")]),
  title: z.string(),
  subsystem: z.string().nullable(),
  roadmap: z.string().nullable(),
  state: z.union([z.literal("open"), z.literal("claimed"), z.literal("in-progress"), z.literal("done")]),
  claimant: Login.nullable(),
  mentor: Login.nullable(),
  goodFirst: z.boolean(),
  openedAt: Timestamp,
  claimedAt: Timestamp.nullable(),
  inProgressAt: Timestamp.nullable(),
  doneAt: Timestamp.nullable(),
  updatedAt: Timestamp,
  linked: z.number().int().positive().nullable(),
}) satisfies z.ZodType<TrackedItem>;

const Snapshot = z.object({
  week: z.string().regex(/^\d{4}-W\d{2}$/),
  takenAt: Timestamp,
  total: Counts,
  byVersion: z.record(z.string(), Counts),
  bySubsystem: z.record(z.string(), Counts),
}) satisfies z.ZodType<WeeklySnapshot>;

const Welcome = z.object({ newcomer: Login, mentor: Login.nullable(), at: Timestamp });

const Header = z.object({
  v: Version,
  type: z.literal("header"),
  repo: z.string().regex(/^[^/\s]+\/[^/\s]+$/),
  repoId: z.number().int().positive(),
  exportedAt: z.iso.datetime(),
});

const Entry = z.discriminatedUnion("type", [
  z.object({ v: Version, type: z.literal("item"), item: Item }),
  z.object({ v: Version, type: z.literal("snapshot"), snapshot: Snapshot }),
  z.object({ v: Version, type: z.literal("welcome"), welcome: Welcome }),
]);

export type ProjectionHeader = z.infer<typeof Header>;

export interface ProjectionFile {
  header: ProjectionHeader | null;
  state: DigestState;
  /** Lines that were not records of this format, 1-based. */
  problems: Array<{ line: number; message: string }>;
}

/** The file's lines for one repository's state, header first. */
export function projectionLines(header: Omit<ProjectionHeader, "v" | "type">, state: DigestState): string[] {
  const v = PROJECTION_FILE_VERSION;
  return [
    JSON.stringify({ v, type: "header", ...header }),
    ...state.items.map((item) => JSON.stringify({ v, type: "item", item })),
    ...state.snapshots.map((snapshot) => JSON.stringify({ v, type: "snapshot", snapshot })),
    ...state.welcomes.map((welcome) => JSON.stringify({ v, type: "welcome", welcome })),
  ];
}

/** Parses a file's text; never throws on content, only on a file that cannot be read. */
export function parseProjectionText(text: string): ProjectionFile {
  const file: ProjectionFile = { header: null, state: { items: [], snapshots: [], welcomes: [] }, problems: [] };
  let first = true;
  text.split("\n").forEach((raw, index) => {
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "") return;
    const problem = (message: string) => file.problems.push({ line: index + 1, message });
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      problem("not JSON");
      return;
    }
    if (first) {
      first = false;
      const header = Header.safeParse(value);
      if (header.success) file.header = header.data;
      else problem(`not a Shepherd projection header (version ${PROJECTION_FILE_VERSION}): ${issues(header.error)}`);
      return;
    }
    const entry = Entry.safeParse(value);
    if (!entry.success) {
      problem(issues(entry.error));
      return;
    }
    const record = entry.data;
    if (record.type === "item") file.state.items.push(record.item);
    else if (record.type === "snapshot") file.state.snapshots.push(record.snapshot);
    else file.state.welcomes.push(record.welcome);
  });
  if (first) file.problems.push({ line: 1, message: "empty file: no header" });
  return file;
}

export async function readProjectionFile(path: string): Promise<ProjectionFile> {
  return parseProjectionText(await readFile(path, "utf8"));
}

function issues(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message))
    .join("; ");
}
