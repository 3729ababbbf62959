// Replay of missed deliveries: which of the app's recent webhook deliveries to ask GitHub to send
// again. GitHub never redelivers by itself, so a delivery that failed while Shepherd was down (no
// answer, a 503) is lost unless asked for. Pure: the listing, the checkpoint, the GUIDs Shepherd
// processed and the GUIDs already asked for come in, the plan comes out.
import { isHandledAction } from "./events.js";

/** One entry of `GET /app/hook/deliveries` (one attempt; a GUID may have several). */
export interface ListedDelivery {
  id: number;
  guid: string;
  /** Epoch ms, by GitHub's clock. */
  deliveredAt: number;
  /** 0 when nothing answered (refused connection, timeout). */
  statusCode: number;
  event: string;
  action: string | null;
  redelivery: boolean;
}

/** How far back the very first run looks, when no checkpoint is stored yet. */
export const FIRST_LOOKBACK_MS = 60 * 60_000;
/**
 * Each run looks this far behind the checkpoint: an attempt that was still running (GitHub waits
 * 10 s for an answer) when the last run listed may show up afterwards with an older time.
 */
export const OVERLAP_MS = 2 * 60_000;
/** GitHub redelivers only deliveries of the past 3 days; an hour's margin for clocks and queues. */
export const MAX_AGE_MS = 3 * 24 * 3_600_000 - 3_600_000;

export interface ReplayInput {
  /** As listed, newest first (any order works). */
  deliveries: readonly ListedDelivery[];
  /** Every delivery before this (epoch ms) was decided by an earlier run; null before the first run. */
  checkpoint: number | null;
  now: number;
  /** GUIDs Shepherd has processed (its delivery markers). */
  processed: ReadonlySet<string>;
  /** GUIDs a run already asked GitHub to redeliver: each is asked for once. */
  asked: ReadonlySet<string>;
  /** Redeliveries per run. */
  max: number;
}

export interface Redelivery {
  /** The failed attempt to redeliver. */
  id: number;
  guid: string;
  event: string;
  action: string | null;
}

export interface ReplayPlan {
  since: number;
  /** Oldest first: GitHub sends them again in the order the changes happened. */
  redeliver: Redelivery[];
  /** The checkpoint to store once the redeliveries are asked for. */
  checkpoint: number;
  /** GUIDs in the window, by why they are (not) redelivered. */
  counts: {
    ok: number;
    unhandled: number;
    processed: number;
    asked: number;
    redeliver: number;
    /** Over `max`: left for the next run (the checkpoint stays before them). */
    deferred: number;
  };
}

/** Where a run's window starts: behind the checkpoint, else the first run's bound; never past what GitHub keeps. */
export function replayWindowStart(checkpoint: number | null, now: number): number {
  const start = checkpoint === null ? now - FIRST_LOOKBACK_MS : checkpoint - OVERLAP_MS;
  return Math.max(start, now - MAX_AGE_MS);
}

export function succeeded(delivery: Pick<ListedDelivery, "statusCode">): boolean {
  return delivery.statusCode >= 200 && delivery.statusCode < 300;
}

/** The GUIDs that failed in the window and never succeeded: the only ones worth looking up in Redis. */
export function failedGuids(deliveries: readonly ListedDelivery[], since: number): string[] {
  const ok = new Set(deliveries.filter(succeeded).map((delivery) => delivery.guid));
  const failed = deliveries.filter(
    (delivery) => delivery.deliveredAt >= since && !succeeded(delivery) && !ok.has(delivery.guid),
  );
  return [...new Set(failed.map((delivery) => delivery.guid))];
}

export function planReplay(input: ReplayInput): ReplayPlan {
  const since = replayWindowStart(input.checkpoint, input.now);
  const inWindow = input.deliveries.filter((delivery) => delivery.deliveredAt >= since);
  // Any attempt that got an answer means Shepherd has the delivery (a later redelivery, say).
  const ok = new Set(input.deliveries.filter(succeeded).map((delivery) => delivery.guid));
  // Per GUID: its newest attempt (the one asked for) and its oldest (which orders it).
  const newestAttempt = new Map<string, ListedDelivery>();
  const firstSeen = new Map<string, number>();
  for (const delivery of inWindow) {
    const seen = newestAttempt.get(delivery.guid);
    if (!seen || later(delivery, seen)) newestAttempt.set(delivery.guid, delivery);
    firstSeen.set(delivery.guid, Math.min(firstSeen.get(delivery.guid) ?? Infinity, delivery.deliveredAt));
  }
  const counts = { ok: 0, unhandled: 0, processed: 0, asked: 0, redeliver: 0, deferred: 0 };
  const candidates: ListedDelivery[] = [];
  for (const [guid, delivery] of newestAttempt) {
    if (ok.has(guid)) counts.ok += 1;
    else if (!isHandledAction(delivery.event, delivery.action ?? undefined)) counts.unhandled += 1;
    else if (input.processed.has(guid)) counts.processed += 1;
    else if (input.asked.has(guid)) counts.asked += 1;
    else candidates.push(delivery);
  }
  const order = (delivery: ListedDelivery) => firstSeen.get(delivery.guid) ?? delivery.deliveredAt;
  candidates.sort((a, b) => order(a) - order(b) || a.id - b.id);
  const taken = candidates.slice(0, Math.max(input.max, 0));
  const left = candidates.slice(taken.length);
  counts.redeliver = taken.length;
  counts.deferred = left.length;
  const newest = Math.max(...inWindow.map((delivery) => delivery.deliveredAt), input.checkpoint ?? since);
  const oldestLeft = left[0] && order(left[0]);
  return {
    since,
    redeliver: taken.map(({ id, guid, event, action }) => ({ id, guid, event, action })),
    // Deferred deliveries must be seen again: the checkpoint stops at the oldest of them.
    checkpoint: oldestLeft === undefined ? newest : oldestLeft,
    counts,
  };
}

function later(a: ListedDelivery, b: ListedDelivery): boolean {
  return a.deliveredAt > b.deliveredAt || (a.deliveredAt === b.deliveredAt && a.id > b.id);
}
