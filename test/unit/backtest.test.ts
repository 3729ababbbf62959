import { describe, expect, it } from "vitest";
import {
  hasGoldSubsystem,
  prf,
  scoreBacktest,
  type BacktestItem,
  type BacktestPrediction,
} from "../../src/domain/backtest.js";

function item(kind: "issue" | "pr", isAsync: boolean, subsystem?: string): BacktestItem {
  return { kind, gold: subsystem === undefined ? { isAsync } : { isAsync, subsystem } };
}

function pred(isAsync: boolean, primary: string | null): BacktestPrediction {
  return { isAsync, primary };
}

describe("prf", () => {
  it.each([
    { tp: 0, fp: 0, fn: 0, precision: 0, recall: 0, f1: 0 },
    { tp: 3, fp: 1, fn: 0, precision: 0.75, recall: 1, f1: 6 / 7 },
    { tp: 1, fp: 0, fn: 3, precision: 1, recall: 0.25, f1: 0.4 },
    { tp: 0, fp: 2, fn: 2, precision: 0, recall: 0, f1: 0 },
  ])("tp=$tp fp=$fp fn=$fn", ({ tp, fp, fn, precision, recall, f1 }) => {
    const r = prf(tp, fp, fn);
    expect(r.precision).toBeCloseTo(precision, 10);
    expect(r.recall).toBeCloseTo(recall, 10);
    expect(r.f1).toBeCloseTo(f1, 10);
  });
});

describe("hasGoldSubsystem", () => {
  it.each([
    { gold: { isAsync: true, subsystem: "orm" }, expected: true },
    { gold: { isAsync: true, subsystem: "unknown" }, expected: false },
    { gold: { isAsync: true, subsystem: null }, expected: false },
    { gold: { isAsync: true }, expected: false },
    { gold: { isAsync: false, subsystem: "orm" }, expected: false },
  ])("$gold → $expected", ({ gold, expected }) => {
    expect(hasGoldSubsystem(gold)).toBe(expected);
  });
});

describe("scoreBacktest", () => {
  const items: BacktestItem[] = [
    item("pr", true, "orm"), // correct
    item("pr", true, "orm"), // predicted cache
    item("pr", true, "cache"), // correct
    item("pr", true, "unknown"), // excluded from subsystem scoring
    item("pr", false), // false positive async, excluded from subsystem scoring
    item("pr", false), // true negative
    item("issue", true, "handlers"), // missed async, predicted no subsystem
    item("issue", true, "handlers"), // correct
  ];
  const predictions: BacktestPrediction[] = [
    pred(true, "orm"),
    pred(true, "cache"),
    pred(true, "cache"),
    pred(true, "orm"),
    pred(true, "orm"),
    pred(false, null),
    pred(false, null),
    pred(true, "handlers"),
  ];
  const report = scoreBacktest(items, predictions);

  it("scores async detection per kind", () => {
    expect(report.kinds.pr.async).toMatchObject({ tp: 4, fp: 1, fn: 0, precision: 0.8, recall: 1 });
    expect(report.kinds.issue.async).toMatchObject({ tp: 1, fp: 0, fn: 1, precision: 1, recall: 0.5 });
    expect(report.kinds.pr.items).toBe(6);
    expect(report.kinds.issue.items).toBe(2);
  });

  it("computes top-1 accuracy only over async items with a known subsystem", () => {
    expect(report.kinds.pr.top1).toEqual({ correct: 2, total: 3, accuracy: 2 / 3 });
    expect(report.kinds.issue.top1).toEqual({ correct: 1, total: 2, accuracy: 0.5 });
  });

  it("computes per-label precision and recall of the primary subsystem", () => {
    expect(report.kinds.pr.labels.orm).toMatchObject({ tp: 1, fp: 0, fn: 1, support: 2, precision: 1, recall: 0.5 });
    expect(report.kinds.pr.labels.cache).toMatchObject({ tp: 1, fp: 1, fn: 0, support: 1, precision: 0.5, recall: 1 });
    // A missing prediction is a false negative and no label's false positive.
    expect(report.kinds.issue.labels.handlers).toMatchObject({ tp: 1, fp: 0, fn: 1, support: 2 });
    expect(Object.keys(report.kinds.issue.labels)).toEqual(["handlers"]);
  });

  it("counts predicted labels that never occur in the gold set", () => {
    const r = scoreBacktest([item("issue", true, "orm")], [pred(true, "mail")]);
    expect(r.kinds.issue.labels.mail).toMatchObject({ tp: 0, fp: 1, fn: 0, support: 0, precision: 0 });
    expect(r.kinds.issue.labels.orm).toMatchObject({ tp: 0, fp: 0, fn: 1, support: 1, recall: 0 });
  });

  it("handles an empty set", () => {
    const r = scoreBacktest([], []);
    expect(r.kinds.pr.top1.accuracy).toBe(0);
    expect(r.kinds.issue.async.f1).toBe(0);
  });

  it("rejects misaligned predictions", () => {
    expect(() => scoreBacktest([item("pr", false)], [])).toThrow(RangeError);
  });
});
