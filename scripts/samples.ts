// Sample comments rendered by the domain functions (welcome, triage explanation, summary, digest),
// as one markdown document for screenshots and reviews: `npm run build && node dist/scripts/samples.js`.
import { fileURLToPath } from "node:url";
import { djangoAsyncPreset } from "../src/config/presets/django-async.js";
import { TriageConfig } from "../src/config/schema.js";
import { classify, compileModel } from "../src/domain/classifier.js";
import { renderDigest } from "../src/domain/digest.js";
import { isoWeek, type TrackedItem } from "../src/domain/projection.js";
import { renderSummary } from "../src/domain/summary.js";
import { decideTriage } from "../src/domain/triage.js";
import { renderWelcome } from "../src/domain/welcome.js";

const DAY_MS = 86_400_000;

/** Every sample under a heading, from fixed inputs and the given clock. */
export function renderSamples(now: number): string {
  const model = djangoAsyncPreset;
  const compiled = compileModel(model);
  const classification = classify(compiled, {
    kind: "pr",
    title: "Add QuerySet.aget()",
    body: "Fixes #12",
    files: [{ filename: "django/db/models/query.py", additions: 80, deletions: 4 }],
  });
  const explanation = decideTriage({
    kind: "pr",
    labels: [],
    milestone: null,
    classification,
    memory: { owned: [], removed: [] },
    // The defaults a repository gets with `triage: {}`.
    settings: TriageConfig.parse({}),
    model,
    milestones: null,
    inherited: null,
  }).explanation;
  const welcome = renderWelcome({
    newcomer: "newbie",
    kind: "issue",
    template: null,
    contributingUrl: "https://docs.djangoproject.com/en/dev/internals/contributing/",
    testsUrl: null,
    suggestions: [{ number: 12, title: "`QuerySet.aget()` is slow" }],
    subsystemName: "ORM and database layer",
    mentor: { login: "bob", explanation: ["**bob** mentors ORM work and has room."] },
    waitlistPosition: null,
    botSlug: "shepherd",
  });
  const items = sampleItems(now);
  const summary = renderSummary({
    items,
    model,
    mentorships: [{ newcomer: "newbie", mentor: "bob" }],
    now,
    labels: { goodFirst: ["good first issue"] },
  });
  const week = isoWeek(now, "UTC");
  const digest = renderDigest({
    repo: "django/django",
    week,
    timeZone: "UTC",
    items,
    snapshots: [],
    welcomed: [{ newcomer: "newbie", mentor: "bob", at: now - DAY_MS }],
    stale: [],
    model,
    now,
  });
  return [
    "# Shepherd's comments, rendered from the domain functions",
    "## Welcome",
    welcome,
    "## Triage explanation",
    explanation ?? "(explanations off)",
    "## Progress summary",
    summary,
    `## Digest: ${digest.title}`,
    digest.body,
  ].join("\n\n");
}

function sampleItems(now: number): TrackedItem[] {
  const item = (number: number, title: string, extra: Partial<TrackedItem>): TrackedItem => ({
    number,
    kind: "issue",
    title,
    subsystem: "orm",
    roadmap: "4.1",
    state: "open",
    claimant: null,
    mentor: null,
    goodFirst: false,
    openedAt: now - 30 * DAY_MS,
    claimedAt: null,
    inProgressAt: null,
    doneAt: null,
    updatedAt: now,
    linked: null,
    ...extra,
  });
  return [
    item(12, "`QuerySet.aget()` is slow | for @someone", { goodFirst: true }),
    item(13, "Async `QuerySet.acount()`", { state: "claimed", claimant: "newbie", claimedAt: now - DAY_MS }),
    item(14, "Async `Model.asave()`", { state: "done", doneAt: now - DAY_MS }),
    item(15, "Async cache `get_many()`", { subsystem: "cache", roadmap: "5.0" }),
    item(16, "ASGI handler streaming", { subsystem: "handlers", roadmap: "5.0", state: "done", doneAt: now - DAY_MS }),
  ];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.stdout.write(`${renderSamples(Date.now())}\n`);
}
