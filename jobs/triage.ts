// Auto-triage of an issue or PR: gather (stored state, a PR's files, the referenced issue, the
// milestones), decide (src/domain/triage.ts), apply the plan as one resumable step.
import type { ProbotOctokit } from "probot";
import type { TriageConfig } from "../src/config/schema.js";
import type { ResolvedConfig } from "../src/config/resolve.js";
import { classify, type CompiledModel } from "../src/domain/classifier.js";
import type { Item, ItemEvent } from "../src/domain/events.js";
import type { ChangedFile, ClassifyInput } from "../src/domain/model.js";
import { findIssueReferences } from "../src/domain/references.js";
import { isShepherdIssue } from "../src/domain/track.js";
import {
  decideTriage,
  type InheritedTriage,
  labelsKnown,
  type TriageDecision,
  triagePlan,
} from "../src/domain/triage.js";
import { openMilestones } from "../src/github/issues.js";
import type { ItemState } from "../src/state/items.js";
import { codeEvidenceFor } from "./code-index.js";
import { ownFacts } from "./projection.js";
import {
  type Context,
  type HandlerContext,
  type JobDeps,
  listPullFiles,
  loadConfig,
  type RepoRef,
  withItemLock,
} from "./context.js";

/** Events whose PR file list may have changed since it was stored. */
const FILE_CHANGING_ACTIONS = new Set(["opened", "reopened", "synchronize", "ready_for_review"]);

export async function triageEvent(ctx: HandlerContext<ItemEvent>): Promise<void> {
  const { event, deps } = ctx;
  const { repo, item } = event;
  if (item.state !== "open") return;
  const config = await loadConfig(ctx, repo);
  if (config.status !== "ok") return;
  // Shepherd's own issues (the tracking issue, digests) are not roadmap work.
  if (isShepherdIssue(ownFacts(item), { botLogin: deps.botLogin, trackingIssue: config.config.progress?.issue }))
    return;
  const triage = config.config.triage;
  if (!triage || (item.kind === "issue" && !triage.issues) || (item.kind === "pr" && !triage.pullRequests)) return;

  await withItemLock(ctx, repo.id, item.number, async () => {
    await ctx.steps(repo).step("triage", async () => {
      const { decision, labels, files } = await gatherTriage(ctx, repo, config, item, event.action, triage);
      return triagePlan({ number: item.number, kind: item.kind, labels, decision, files });
    });
  });
}

export interface GatheredTriage {
  decision: TriageDecision;
  labels: string[];
  files: ChangedFile[] | undefined;
}

/** Gathers what triage needs (stored state, a PR's files, the referenced issue, milestones) and decides. */
export async function gatherTriage(
  ctx: Context,
  repo: RepoRef,
  config: { config: ResolvedConfig; compiled: CompiledModel },
  item: Item,
  action: string,
  triage: TriageConfig,
): Promise<GatheredTriage> {
  const { deps } = ctx;
  const octokit = await ctx.octokit();
  const state = await deps.items.load(repo.id, item.number);
  const files = item.kind === "pr" ? await changedFiles(ctx, repo, item.number, state, action) : undefined;
  const input: ClassifyInput = {
    kind: item.kind,
    title: item.title,
    body: item.body,
    milestone: item.milestone?.title ?? null,
  };
  if (files) input.files = files;
  const code = await codeEvidenceFor(deps, repo.id, config.compiled, [item.title, item.body]);
  const classification = classify(config.compiled, input, code);
  const inherited = item.kind === "pr" ? await inheritedTriage(octokit, deps, repo, item, triage.labels) : null;
  const milestones =
    triage.milestones && !item.milestone && (classification.roadmap || inherited?.roadmap)
      ? await openMilestones(octokit, deps.redis, deps.keys, repo)
      : null;
  const labels = labelsKnown(item.labels, state.owned);
  const decision = decideTriage({
    kind: item.kind,
    labels,
    milestone: item.milestone,
    classification,
    memory: { owned: state.owned, removed: state.removed },
    settings: triage,
    model: config.config.model,
    milestones,
    inherited,
  });
  ctx.log.info(
    {
      repo: `${repo.owner}/${repo.repo}`,
      item: item.number,
      applies: decision.applies,
      add: decision.add,
      remove: decision.remove,
      confidence: decision.confidence,
    },
    "triage decided",
  );
  return { decision, labels, files };
}

async function changedFiles(
  ctx: Context,
  repo: RepoRef,
  number: number,
  state: ItemState,
  action: string,
): Promise<ChangedFile[]> {
  if (state.files && !FILE_CHANGING_ACTIONS.has(action)) return state.files;
  return listPullFiles(ctx, repo, number);
}

/** The first referenced issue with a known triage; read from Redis, from GitHub only when unknown. */
async function inheritedTriage(
  octokit: ProbotOctokit,
  deps: JobDeps,
  repo: RepoRef,
  item: Item,
  names: { subsystemPrefix: string; roadmapPrefix: string },
): Promise<InheritedTriage | null> {
  for (const reference of findIssueReferences(`${item.title}\n${item.body}`).slice(0, 3)) {
    if (reference.number === item.number) continue;
    const state = await deps.items.load(repo.id, reference.number);
    let labels = state.labels;
    if (labels === null) {
      try {
        const { data } = await octokit.rest.issues.get({
          owner: repo.owner,
          repo: repo.repo,
          issue_number: reference.number,
        });
        labels = data.labels.map((label) => (typeof label === "string" ? label : (label.name ?? "")));
        await deps.items.save(repo.id, reference.number, { labels });
      } catch (error) {
        if ((error as { status?: number }).status === 404) continue;
        throw error;
      }
    }
    const fromLabels = triageFromLabels(labels, names);
    const owned = new Set(state.owned.map((label) => label.toLowerCase()));
    // Labels a person chose are the strongest evidence there is.
    const byPerson = labels.some(
      (label) => label.toLowerCase().startsWith(names.subsystemPrefix.toLowerCase()) && !owned.has(label.toLowerCase()),
    );
    if (fromLabels.subsystems.length > 0) {
      return {
        number: reference.number,
        ...fromLabels,
        confidence: byPerson ? 1 : Math.max(state.triage?.confidence ?? 0, 0.5),
      };
    }
    if (state.triage?.isAsync && state.triage.subsystems.length > 0) {
      return {
        number: reference.number,
        subsystems: state.triage.subsystems,
        roadmap: state.triage.roadmap,
        confidence: state.triage.confidence,
      };
    }
  }
  return null;
}

function triageFromLabels(labels: string[], names: { subsystemPrefix: string; roadmapPrefix: string }) {
  const strip = (prefix: string) =>
    labels
      .filter((label) => label.toLowerCase().startsWith(prefix.toLowerCase()))
      .map((label) => label.slice(prefix.length));
  return { subsystems: strip(names.subsystemPrefix), roadmap: strip(names.roadmapPrefix)[0] ?? null };
}
