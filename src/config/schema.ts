// The `.github/shepherd.yml` schema. One section per feature: a section that is absent turns its
// feature off. Every object is strict, so a misspelt key is an error that names the key instead
// of a setting that silently does nothing.
import { CronExpressionParser } from "cron-parser";
import { z } from "zod";

const Id = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, "use lower-case letters, digits, '.', '_' or '-'");

const LabelName = z.string().min(1).max(50);

const Color = z
  .string()
  .regex(/^#?[0-9a-fA-F]{6}$/, "a colour is six hex digits, e.g. 5319e7")
  .transform((value) => value.replace(/^#/, "").toLowerCase());

/** One subsystem. In a file that uses a preset, only the fields given replace the preset's. */
export const SubsystemConfig = z.strictObject({
  name: z.string().min(1).optional().describe("Human name; defaults to the id."),
  description: z.string().optional().describe("One line on what the subsystem covers."),
  paths: z
    .array(z.string().min(1))
    .optional()
    .describe(
      "Globs (picomatch) over repository paths that belong to the subsystem: PRs are sorted by them, and the source folder a glob names (`lib/widgets/**`) is a word cue of the subsystem too.",
    ),
  cues: z
    .array(z.string().min(1))
    .optional()
    .describe("Words and identifiers in issue text that point at the subsystem."),
});
export type SubsystemConfig = z.infer<typeof SubsystemConfig>;

/** One roadmap version. */
export const RoadmapVersionConfig = z.strictObject({
  title: z.string().min(1).optional().describe("Short name of the version; defaults to the version."),
  delivers: z.string().optional().describe("What the version delivers, one or two sentences."),
  subsystems: z
    .array(Id)
    .optional()
    .describe("Subsystem ids this version covers; an item in one of them lands on this version."),
});
export type RoadmapVersionConfig = z.infer<typeof RoadmapVersionConfig>;

/** Names, colours and descriptions of the labels triage applies. */
export const TriageLabels = z.strictObject({
  async: LabelName.default("async").describe("Marks async-conversion work."),
  subsystemPrefix: z
    .string()
    .min(1)
    .max(40)
    .default("subsystem:")
    .describe("Prefix of subsystem labels: `subsystem:orm`."),
  roadmapPrefix: z.string().min(1).max(40).default("roadmap:").describe("Prefix of roadmap labels: `roadmap:3.0`."),
  needsTriage: LabelName.default("needs-triage").describe(
    "Applied instead of a guess when confidence is below `minConfidence`.",
  ),
  asyncColor: Color.default("5319e7").describe("Colour of the async label."),
  subsystemColor: Color.default("1d76db").describe("Colour of subsystem labels."),
  roadmapColor: Color.default("0e8a16").describe("Colour of roadmap labels."),
  needsTriageColor: Color.default("fbca04").describe("Colour of the needs-triage label."),
});
export type TriageLabels = z.infer<typeof TriageLabels>;

/** Auto-triage of async-conversion issues and PRs. */
export const TriageConfig = z.strictObject({
  labels: TriageLabels.default(TriageLabels.parse({})).describe(
    "Names, colours and descriptions of the labels triage applies.",
  ),
  minConfidence: z
    .number()
    .min(0)
    .max(1)
    .default(0.5)
    .describe("Below this confidence the item gets `needs-triage` instead of a subsystem guess."),
  explain: z
    .enum(["comment", "low-confidence", "none"])
    .default("comment")
    .describe(
      "`comment`: one bot comment, collapsed to a line naming the word or path that decided, edited in place; `low-confidence`: " +
        "only for items below `explainBelow` or marked `needs-triage`; `none`: labels only. `/why` explains on demand.",
    ),
  explainBelow: z
    .number()
    .min(0)
    .max(1)
    .default(0.8)
    .describe("With `explain: low-confidence`, items whose confidence is below this get the explanation."),
  milestones: z
    .boolean()
    .default(true)
    .describe("Set the milestone named like the roadmap version, when the repo has one."),
  maxSubsystems: z
    .number()
    .int()
    .min(1)
    .max(5)
    .default(1)
    .describe("How many subsystem labels an item may get (the strongest first)."),
  backlog: z
    .boolean()
    .default(true)
    .describe(
      "When installed (or a repo is added), triage the open issues and PRs already there: labels only, " +
        "in the write budget left after live work, with progress on the tracking issue.",
    ),
  issues: z.boolean().default(true).describe("Triage issues."),
  pullRequests: z.boolean().default(true).describe("Triage pull requests."),
  syncLabels: z.boolean().default(true).describe("Create and update the labels this section defines in each repo."),
});
export type TriageConfig = z.infer<typeof TriageConfig>;

const Login = z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/, "a GitHub login");
const TeamSlug = z.string().regex(/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/, "a team as org/team-slug");

/** Who counts as a triager besides people with triage access or more on the repository. */
export const TriagersConfig = z.strictObject({
  users: z.array(Login).default([]).describe("GitHub logins treated as triagers."),
  teams: z.array(TeamSlug).default([]).describe("Teams (`org/team-slug`) whose members are triagers."),
});
export type TriagersConfig = z.infer<typeof TriagersConfig>;

/** Comment commands. */
export const CommandsConfig = z.strictObject({
  triagers: TriagersConfig.default(TriagersConfig.parse({})).describe(
    "Extra triagers; people with triage, write, maintain or admin permission always are.",
  ),
  anyoneLabels: z
    .array(LabelName)
    .default([])
    .describe("Labels anyone may add or remove with `/label` and `/unlabel`."),
});
export type CommandsConfig = z.infer<typeof CommandsConfig>;

/** `/claim` and `/release`. */
export const ClaimsConfig = z.strictObject({
  maxPerUser: z.number().int().min(1).max(100).default(3).describe("Open claims one person may hold in a repo."),
  maxPerNewcomer: z
    .number()
    .int()
    .min(1)
    .max(100)
    .default(1)
    .describe("Open claims a newcomer (first-time contributor) may hold."),
  notClaimable: z.array(LabelName).default([]).describe("Issues with any of these labels cannot be claimed."),
});
export type ClaimsConfig = z.infer<typeof ClaimsConfig>;

const TimeZone = z.string().refine((zone) => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, "an IANA time zone such as Europe/Paris");

/** One mentor (a login) or a team whose members all mentor (`@org/team`), with a capacity. */
export const MentorEntry = z.union([
  z.string().regex(/^@?[A-Za-z0-9-]+(\/[A-Za-z0-9._-]+)?$/, "a login or @org/team"),
  z.strictObject({
    login: z
      .string()
      .regex(/^@?[A-Za-z0-9-]+(\/[A-Za-z0-9._-]+)?$/, "a login or @org/team")
      .describe("Login, or `@org/team`."),
    capacity: z
      .number()
      .int()
      .min(1)
      .max(50)
      .optional()
      .describe("Active mentees at most (default `defaultCapacity`)."),
    timezone: TimeZone.optional().describe("IANA time zone, shown when explaining the match."),
  }),
]);
export type MentorEntry = z.infer<typeof MentorEntry>;

/** Newcomer onboarding: welcome comments with next steps. */
export const OnboardingConfig = z.strictObject({
  maxMergedPrs: z
    .number()
    .int()
    .min(1)
    .max(50)
    .default(1)
    .describe("Someone with fewer merged PRs in the repo than this is a newcomer (checked with GitHub's search)."),
  welcome: z
    .string()
    .max(10000)
    .optional()
    .describe("Welcome template; `{{newcomer}}`, `{{mentor}}`, `{{nextSteps}}`, `{{issues}}` expand."),
  contributingUrl: z.string().url().optional().describe("Link to the contributing guide."),
  testsUrl: z.string().url().optional().describe("Link to how to run the tests."),
  goodFirstLabels: z
    .array(LabelName)
    .default(["good first issue"])
    .describe("Labels of issues suggested to newcomers (any of them)."),
  suggestions: z.number().int().min(0).max(10).default(3).describe("How many open issues to suggest."),
});
export type OnboardingConfig = z.infer<typeof OnboardingConfig>;

/** Mentor matching. */
export const MentorsConfig = z.strictObject({
  subsystems: z.record(Id, z.array(MentorEntry)).default({}).describe("Subsystem id → its mentors."),
  fallback: z.array(MentorEntry).default([]).describe("Mentors for items no subsystem mentor covers."),
  defaultCapacity: z.number().int().min(1).max(50).default(2).describe("Capacity of mentors who do not give one."),
  awayReassignDays: z
    .number()
    .int()
    .min(1)
    .max(90)
    .default(7)
    .describe("Mentees of a mentor away this long are offered another mentor."),
  idleDays: z.number().int().min(1).max(365).default(30).describe("A mentorship with no activity this long ends."),
  needsMentorLabel: LabelName.default("needs-mentor").describe("Label of items whose newcomer waits for a mentor."),
});
export type MentorsConfig = z.infer<typeof MentorsConfig>;

/** The live progress summary. */
export const ProgressConfig = z.strictObject({
  issue: z
    .number()
    .int()
    .positive()
    .optional()
    .describe("Issue that carries the summary (as a bot comment); absent: Shepherd opens one and pins it."),
  label: LabelName.default("roadmap-progress").describe("Label of the tracking issue Shepherd opens."),
  title: z.string().min(1).max(200).default("Async roadmap progress").describe("Title of that issue."),
  coalesceSeconds: z
    .number()
    .int()
    .min(1)
    .max(3600)
    .default(30)
    .describe("Events within this window update the summary once."),
});
export type ProgressConfig = z.infer<typeof ProgressConfig>;

/** The weekly digest. */
export const DigestConfig = z.strictObject({
  cron: z
    .string()
    .refine((cron) => {
      try {
        CronExpressionParser.parse(cron);
        return true;
      } catch {
        return false;
      }
    }, "a cron expression such as `0 9 * * 1` (Mondays 09:00)")
    .default("0 9 * * 1")
    .describe("When to post (cron: minute hour day-of-month month day-of-week)."),
  timeZone: TimeZone.default("UTC").describe("Time zone of `cron` and of the digest's week."),
  discussionCategory: z
    .string()
    .min(1)
    .optional()
    .describe("Post as a Discussion in this category; absent (or Discussions off): as an issue."),
  label: LabelName.default("weekly-digest").describe("Label of digest issues."),
});
export type DigestConfig = z.infer<typeof DigestConfig>;

/** Reminders about, and release of, claims nobody works on. */
export const StaleClaimsConfig = z.strictObject({
  remindAfterDays: z
    .number()
    .int()
    .min(1)
    .max(365)
    .default(14)
    .describe("Days without a linked PR or a comment by the claimant before a reminder."),
  releaseAfterDays: z.number().int().min(1).max(365).default(7).describe("Days after the reminder before release."),
  exemptLabels: z.array(LabelName).default([]).describe("Claims on issues with these labels never go stale."),
});
export type StaleClaimsConfig = z.infer<typeof StaleClaimsConfig>;

/** The whole file as written. Feature sections stay optional: absent means off. */
export const ShepherdConfig = z.strictObject({
  preset: z
    .enum(["django-async"])
    .optional()
    .describe("A built-in vocabulary to start from; keys in this file override it."),
  subsystems: z
    .record(Id, SubsystemConfig)
    .optional()
    .describe("Subsystem id → subsystem. Merged over the preset's, field by field."),
  roadmap: z
    .record(z.string().min(1), RoadmapVersionConfig)
    .optional()
    .describe("Version → roadmap entry, in roadmap order. Merged over the preset's, field by field."),
  asyncCues: z
    .array(z.string().min(1))
    .optional()
    .describe("Extra words or identifiers that mark async-conversion work (added to the preset's)."),
  asyncTwins: z
    .boolean()
    .optional()
    .describe(
      "Read `aX` as async work when the code defines a function `X` and names other async twins so (`aget`/`get`); " +
        "needs the code index. On in the django-async preset.",
    ),
  fallbackSubsystem: Id.optional().describe(
    "Subsystem given to async work with no subsystem evidence at all (always below `minConfidence`, so it gets `needs-triage`).",
  ),
  triage: TriageConfig.optional().describe("Auto-triage of async-conversion issues and PRs. Absent: off."),
  commands: CommandsConfig.optional().describe("Comment commands (`/help` lists them). Absent: commands are ignored."),
  claims: ClaimsConfig.optional().describe("`/claim` and `/release` (needs `commands`). Absent: off."),
  onboarding: OnboardingConfig.optional().describe("Welcome newcomers. Absent: off."),
  mentors: MentorsConfig.optional().describe("Match newcomers with mentors (needs `onboarding`). Absent: off."),
  progress: ProgressConfig.optional().describe(
    "A live progress summary on a tracking issue (needs `triage`). Absent: off.",
  ),
  digest: DigestConfig.optional().describe("A weekly digest (needs `triage`). Absent: off."),
  staleClaims: StaleClaimsConfig.optional().describe(
    "Remind, then release, idle claims (needs `claims`). Absent: off.",
  ),
});
export type ShepherdConfig = z.infer<typeof ShepherdConfig>;

export type ConfigParseResult = { ok: true; config: ShepherdConfig } | { ok: false; errors: string[] };

/** Parses a config object, naming each bad key with its path (`triage.minConfidence: ...`). */
export function parseShepherdConfig(input: unknown): ConfigParseResult {
  // Probot's config loader consumes `_extends`; drop it anyway so a raw file parses the same.
  const body = isRecord(input)
    ? Object.fromEntries(Object.entries(input).filter(([key]) => key !== "_extends"))
    : input;
  const result = ShepherdConfig.safeParse(body);
  if (result.success) return { ok: true, config: result.data };
  return { ok: false, errors: result.error.issues.map(formatIssue) };
}

function formatIssue(issue: z.core.$ZodIssue): string {
  const at = issue.path.length > 0 ? issue.path.map(String).join(".") : "(file)";
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys.map((key) => (at === "(file)" ? key : `${at}.${key}`));
    return `${keys.join(", ")}: unknown key${keys.length > 1 ? "s" : ""}`;
  }
  return `${at}: ${issue.message}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
