// Auto-triage of an issue or PR: classify, decide (src/domain/triage.ts), apply with as few calls
// as the decision allows, and remember what Shepherd owns.
import { createHash } from "node:crypto";
import type { ProbotOctokit } from "probot";
import { classify } from "../src/domain/classifier.js";
import type { ChangedFile, ClassifyInput } from "../src/domain/model.js";
import { findIssueReferences } from "../src/domain/references.js";
import { decideTriage, type InheritedTriage, type Milestone } from "../src/domain/triage.js";
import { ensureComment } from "../src/github/comments.js";
import { openMilestones, removeLabel } from "../src/github/issues.js";
import type { ItemState } from "../src/state/items.js";
import { type EventJob, type JobDeps, loadConfig, type RepoRef, repoOf, withItemLock } from "./context.js";

/** The fields of an issue or pull request payload that triage reads. */
export interface ItemPayload {
  kind: "issue" | "pr";
  number: number;
  title: string;
  body: string;
  labels: string[];
  milestone: Milestone | null;
  state: string;
}

export function itemOf(payload: Record<string, unknown>): ItemPayload | null {
  const pr = payload.pull_request as RawItem | undefined;
  const issue = payload.issue as RawItem | undefined;
  const raw = pr ?? issue;
  if (!raw || typeof raw.number !== "number") return null;
  return {
    kind: pr || issue?.pull_request ? "pr" : "issue",
    number: raw.number,
    title: raw.title ?? "",
    body: raw.body ?? "",
    labels: (raw.labels ?? []).map((label) => (typeof label === "string" ? label : (label.name ?? ""))).filter(Boolean),
    milestone: raw.milestone ? { number: raw.milestone.number, title: raw.milestone.title } : null,
    state: raw.state ?? "open",
  };
}

interface RawItem {
  number?: number;
  title?: string;
  body?: string | null;
  state?: string;
  labels?: Array<string | { name?: string }>;
  milestone?: { number: number; title: string } | null;
  pull_request?: unknown;
}

/** Events whose PR file list may have changed since it was stored. */
const FILE_CHANGING_ACTIONS = new Set(["opened", "reopened", "synchronize", "ready_for_review"]);

export async function triageEvent(event: EventJob, deps: JobDeps): Promise<void> {
  const repo = repoOf(event.payload);
  const item = itemOf(event.payload);
  if (!repo || !item || item.state !== "open") return;
  const config = await loadConfig(event, deps, repo);
  if (config.status !== "ok") return;
  const triage = config.config.triage;
  if (!triage || (item.kind === "issue" && !triage.issues) || (item.kind === "pr" && !triage.pullRequests)) return;

  await withItemLock(deps, repo.id, item.number, async () => {
    const octokit = await event.octokit();
    const state = await deps.items.load(repo.id, item.number);
    const files = item.kind === "pr" ? await changedFiles(octokit, repo, item, state, event.action) : undefined;
    const input: ClassifyInput = {
      kind: item.kind,
      title: item.title,
      body: item.body,
      milestone: item.milestone?.title ?? null,
    };
    if (files) input.files = files;
    const classification = classify(config.compiled, input);
    const inherited = item.kind === "pr" ? await inheritedTriage(octokit, deps, repo, item, triage.labels) : null;
    const milestones =
      triage.milestones && !item.milestone && (classification.roadmap || inherited?.roadmap)
        ? await openMilestones(octokit, deps.redis, deps.keys, repo)
        : null;

    const decision = decideTriage({
      kind: item.kind,
      labels: item.labels,
      milestone: item.milestone,
      classification,
      memory: { owned: state.owned, removed: state.removed },
      settings: triage,
      model: config.config.model,
      milestones,
      inherited,
    });
    const stored = {
      isAsync: decision.applies,
      subsystems: decision.subsystems,
      roadmap: decision.roadmap,
      confidence: decision.confidence,
    };
    const log = event.log.child({ repo: `${repo.owner}/${repo.repo}`, item: item.number });
    if (!decision.applies) {
      await deps.items.save(repo.id, item.number, {
        kind: item.kind,
        triage: stored,
        labels: item.labels,
        ...(files ? { files } : {}),
      });
      log.info({ confidence: decision.confidence }, "not async work, left alone");
      return;
    }

    const issue = { owner: repo.owner, repo: repo.repo, issue_number: item.number };
    if (decision.add.length > 0) await octokit.rest.issues.addLabels({ ...issue, labels: decision.add });
    for (const name of decision.remove) await removeLabel(octokit, { ...issue, name });
    if (decision.milestone !== null) await octokit.rest.issues.update({ ...issue, milestone: decision.milestone });
    const labels = applyLabelChange(item.labels, decision.add, decision.remove);
    event.itemLabels.set(item.number, labels);
    await deps.items.save(repo.id, item.number, {
      kind: item.kind,
      owned: decision.owned,
      triage: stored,
      labels,
      ...(files ? { files } : {}),
    });
    if (decision.explanation !== null) await explain(octokit, deps, repo, item, state, decision.explanation, event);
    log.info({ add: decision.add, remove: decision.remove, milestone: decision.milestone }, "labels applied");
  });
}

async function changedFiles(
  octokit: ProbotOctokit,
  repo: RepoRef,
  item: ItemPayload,
  state: ItemState,
  action: string | undefined,
): Promise<ChangedFile[]> {
  if (state.files && !FILE_CHANGING_ACTIONS.has(action ?? "")) return state.files;
  // GitHub lists at most 3,000 files; 100 per page is the cheapest way there.
  const files = await octokit.paginate(octokit.rest.pulls.listFiles, {
    owner: repo.owner,
    repo: repo.repo,
    pull_number: item.number,
    per_page: 100,
  });
  return files.map((file) => {
    const changed: ChangedFile = { filename: file.filename, additions: file.additions, deletions: file.deletions };
    if (file.patch) changed.patch = file.patch;
    return changed;
  });
}

/** The first referenced issue with a known triage; read from Redis, from GitHub only when unknown. */
async function inheritedTriage(
  octokit: ProbotOctokit,
  deps: JobDeps,
  repo: RepoRef,
  item: ItemPayload,
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

async function explain(
  octokit: ProbotOctokit,
  deps: JobDeps,
  repo: RepoRef,
  item: ItemPayload,
  state: ItemState,
  body: string,
  event: EventJob,
): Promise<void> {
  const hash = createHash("sha1").update(body).digest("hex");
  if (state.commentHash === hash && state.commentId !== null) return;
  if (state.commentHash === "deleted-by-person") return;
  // Without a recorded id, a comment can only exist if an earlier try died after posting it (the
  // pending flag says so) or Redis lost its state on an item that is not new.
  const mayExist =
    state.commentPending || (state.kind !== null && state.commentId === null) || event.action !== "opened";
  if (state.commentId === null) await deps.items.save(repo.id, item.number, { commentPending: true });
  const result = await ensureComment(octokit, {
    owner: repo.owner,
    repo: repo.repo,
    issueNumber: item.number,
    kind: "triage",
    body,
    knownId: state.commentId,
    mayExist,
  });
  await deps.items.save(repo.id, item.number, {
    commentId: result.id,
    commentHash: result.action === "deleted-by-person" ? "deleted-by-person" : hash,
    commentPending: false,
  });
}

function applyLabelChange(labels: string[], add: string[], remove: string[]): string[] {
  const removed = new Set(remove.map((label) => label.toLowerCase()));
  return [...labels.filter((label) => !removed.has(label.toLowerCase())), ...add];
}
