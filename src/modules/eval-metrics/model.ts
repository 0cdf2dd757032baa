// Metric shapes: the counts SQL returns, each figure with its count and interval, and one version's full report.
import type { ConfusionMatrix } from "../metrics/agreement";

/** One split's counts: the confusion matrix ("fail" is the positive class), labelled traces, errors and missing runs. */
export interface SplitCounts extends ConfusionMatrix {
  /** Traces with a pass or fail ground truth in this split. */
  labeled: number;
  /** Of those, runs that errored (no verdict). */
  errored: number;
  /** Of those, traces the version never ran on. */
  notRun: number;
}

export interface RunStats {
  total: number;
  errors: number;
  timeouts: number;
  byKind: Record<string, number>;
  p50Ms: number | null;
  p95Ms: number | null;
}

/** A figure with what it was computed from: `numerator` of `denominator` (for ratios), and a 95% interval. */
export interface Figure {
  /** null when there is nothing to measure (empty denominator). */
  value: number | null;
  numerator: number;
  denominator: number;
  low: number;
  high: number;
}

export interface AgreementFigures {
  n: number;
  confusion: ConfusionMatrix;
  accuracy: Figure;
  precisionFail: Figure;
  recallFail: Figure;
  f1Fail: Figure;
  precisionPass: Figure;
  recallPass: Figure;
  f1Pass: Figure;
  kappa: Figure;
  /** Share of human-failed traces the eval fails (EvalGen's coverage, = recall of fail). */
  coverage: Figure;
  /** Share of human-passed traces the eval fails. */
  falseFailureRate: Figure;
  /** Share of labelled traces the version gave a verdict on (not errored, not missing). */
  verdictRate: Figure;
}

export interface SplitReport {
  counts: SplitCounts;
  figures: AgreementFigures;
}

export interface VersionReport {
  versionId: string;
  evalId: string;
  evalName: string;
  version: number;
  active: boolean;
  createdAt: Date;
  /** Labels the version never saw: the honest estimate, shown first. */
  unseen: SplitReport;
  /** Labels it was made from: optimistic, since the eval was fitted to them. */
  training: SplitReport;
  all: SplitReport;
  runs: RunStats & { errorRate: Figure; timeoutRate: Figure };
}

/** What a snapshot stores: counts only; every figure is recomputed from them. */
export interface SnapshotCounts {
  unseen: SplitCounts;
  training: SplitCounts;
  runs: { total: number; errors: number; timeouts: number };
}
