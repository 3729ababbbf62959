// Backlog triage's progress: what is stored while the open items a repo already had are triaged,
// and the line the tracking issue shows for it, with an expected finish from the pace so far.

export interface BacklogProgress {
  v: 1;
  /** Open issues and PRs found when the backlog was listed. */
  total: number;
  /** Of those, how many are triaged (by the backlog or by a live event). */
  done: number;
  startedAt: number;
  updatedAt: number;
  finishedAt: number | null;
}

/** When the backlog should be done, at the pace kept since it started; null before there is a pace. */
export function expectedFinish(progress: BacklogProgress): number | null {
  if (progress.finishedAt !== null) return progress.finishedAt;
  const elapsed = progress.updatedAt - progress.startedAt;
  if (progress.done === 0 || elapsed <= 0) return null;
  return progress.updatedAt + ((progress.total - progress.done) * elapsed) / progress.done;
}

function when(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** The summary's line for the backlog; empty once it has been finished for a day. */
export function renderBacklog(progress: BacklogProgress | null, now: number): string {
  if (!progress || progress.total === 0) return "";
  if (progress.finishedAt !== null) {
    if (now - progress.finishedAt > 86_400_000) return "";
    return `Backlog triage finished: the ${progress.total} items open at installation were read by ${when(progress.finishedAt)}.`;
  }
  const finish = expectedFinish(progress);
  const eta = finish === null ? "" : `; expected to finish around ${when(finish)}`;
  return `Backlog triage: ${progress.done} of ${progress.total} open items so far${eta}.`;
}
