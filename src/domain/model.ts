// Plain data the pure core works on. The zod schemas in src/config produce these shapes; the
// domain never imports zod, Octokit, Redis or BullMQ.

/** One area of the codebase that work is sorted into (`orm`, `handlers`, ...). */
export interface Subsystem {
  id: string;
  /** Human name, shown in explanations and reports. */
  name: string;
  description: string;
  /** Globs over repository paths (picomatch syntax) that belong to this subsystem. */
  paths: string[];
  /**
   * Words and identifiers in issue text that point at this subsystem. A cue that contains an
   * upper-case letter, `_`, `.` or `(` is matched case-sensitively as written (`QuerySet`,
   * `sync_to_async`); an all-lower-case cue matches a whole word in any case (plural `-s`/`-es`
   * included). A `*` stands for any identifier characters (`*Middleware`, `Async*`).
   */
  cues: string[];
}

/** One release on the roadmap and the subsystems it covers. */
export interface RoadmapVersion {
  version: string;
  title: string;
  /** What the version delivers, in a sentence or two. */
  delivers: string;
  subsystems: string[];
}

/** Everything the classifier needs: the vocabulary of one project. */
export interface ClassifierModel {
  subsystems: Subsystem[];
  roadmap: RoadmapVersion[];
  /** Extra words or identifiers that mark an item as async-conversion work. */
  asyncCues: string[];
  /**
   * Subsystem id that async work with no subsystem evidence at all falls back to (with low
   * confidence), e.g. the request handlers for Django. Absent: such items get no subsystem.
   */
  fallbackSubsystem?: string;
  /**
   * With a code index: `aX`, where the code defines a function `X` and names other async twins
   * that way, is async-conversion evidence (`aget_object_or_404` beside `get_object_or_404`).
   */
  asyncTwins?: boolean;
}

export interface ChangedFile {
  filename: string;
  additions: number;
  deletions: number;
  /** Unified diff hunk text as GitHub returns it; absent for large or binary files. */
  patch?: string;
}

export interface ClassifyInput {
  kind: "issue" | "pr";
  title: string;
  body: string;
  /** PRs only. */
  files?: ChangedFile[];
  /** Title of the milestone the item already has, if any. */
  milestone?: string | null;
}

export interface SubsystemScore {
  id: string;
  score: number;
}

export interface Classification {
  isAsync: boolean;
  /** Ordered, strongest first; empty when nothing decides it. */
  subsystems: SubsystemScore[];
  roadmap: string | null;
  /** 0..1: how sure the classifier is of the primary subsystem (and of async-ness). */
  confidence: number;
  /** Human-readable evidence, shown in the triage explanation. */
  reasons: string[];
  /** The single strongest piece of evidence for the primary subsystem, named in the explanation's summary line. */
  decidedBy?: Decider;
}

/** A changed or named file path, or a word (a cue) in the title or body. */
export interface Decider {
  kind: "path" | "word";
  text: string;
}
