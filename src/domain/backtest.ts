// Scoring of classifier predictions against labelled items. Pure: items and predictions in,
// metrics out.

export type ItemKind = "issue" | "pr";

export interface GoldLabel {
  isAsync: boolean;
  /** Primary subsystem of async items; `unknown` or absent when nothing decides it. */
  subsystem?: string | null;
}

export interface BacktestItem {
  kind: ItemKind;
  gold: GoldLabel;
}

export interface BacktestPrediction {
  isAsync: boolean;
  /** Predicted primary subsystem, null when the classifier gave none. */
  primary: string | null;
}

export interface Prf {
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface LabelMetrics extends Prf {
  /** Items whose gold primary subsystem is this label. */
  support: number;
}

export interface KindMetrics {
  items: number;
  async: Prf;
  /** Top-1 subsystem accuracy over async items with a known gold subsystem. */
  top1: { correct: number; total: number; accuracy: number };
  /** Per subsystem label, counting the primary subsystem of each scored item. */
  labels: Record<string, LabelMetrics>;
}

export interface BacktestReport {
  kinds: Record<ItemKind, KindMetrics>;
}

export const UNKNOWN_SUBSYSTEM = "unknown";

export function prf(tp: number, fp: number, fn: number): Prf {
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { tp, fp, fn, precision, recall, f1 };
}

/** Whether an item takes part in subsystem scoring: async work with a decided gold subsystem. */
export function hasGoldSubsystem(gold: GoldLabel): gold is GoldLabel & { subsystem: string } {
  return (
    gold.isAsync && typeof gold.subsystem === "string" && gold.subsystem !== "" && gold.subsystem !== UNKNOWN_SUBSYSTEM
  );
}

function scoreKind(pairs: Array<[BacktestItem, BacktestPrediction]>): KindMetrics {
  let atp = 0;
  let afp = 0;
  let afn = 0;
  let correct = 0;
  let total = 0;
  const counts = new Map<string, { tp: number; fp: number; fn: number; support: number }>();
  const bump = (label: string, field: "tp" | "fp" | "fn" | "support"): void => {
    const c = counts.get(label) ?? { tp: 0, fp: 0, fn: 0, support: 0 };
    c[field] += 1;
    counts.set(label, c);
  };
  for (const [item, pred] of pairs) {
    if (item.gold.isAsync && pred.isAsync) atp += 1;
    else if (pred.isAsync) afp += 1;
    else if (item.gold.isAsync) afn += 1;

    if (!hasGoldSubsystem(item.gold)) continue;
    const gold = item.gold.subsystem;
    total += 1;
    bump(gold, "support");
    if (pred.primary === gold) {
      correct += 1;
      bump(gold, "tp");
      continue;
    }
    bump(gold, "fn");
    if (pred.primary !== null) bump(pred.primary, "fp");
  }
  const labels: Record<string, LabelMetrics> = {};
  for (const label of [...counts.keys()].sort()) {
    const c = counts.get(label);
    if (c === undefined) continue;
    labels[label] = { ...prf(c.tp, c.fp, c.fn), support: c.support };
  }
  return {
    items: pairs.length,
    async: prf(atp, afp, afn),
    top1: { correct, total, accuracy: total === 0 ? 0 : correct / total },
    labels,
  };
}

/** Scores predictions (index-aligned with items) per item kind. */
export function scoreBacktest(items: BacktestItem[], predictions: BacktestPrediction[]): BacktestReport {
  if (items.length !== predictions.length) {
    throw new RangeError(`got ${predictions.length} predictions for ${items.length} items`);
  }
  const byKind: Record<ItemKind, Array<[BacktestItem, BacktestPrediction]>> = { issue: [], pr: [] };
  items.forEach((item, i) => {
    const pred = predictions[i];
    if (pred !== undefined) byKind[item.kind].push([item, pred]);
  });
  return { kinds: { issue: scoreKind(byKind.issue), pr: scoreKind(byKind.pr) } };
}
