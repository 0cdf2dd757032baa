// synthesizeEval: labelled traces in, a readable Python eval out, with held-out agreement and a confidence flag.
import { agreementMetrics, type AgreementMetrics } from "../../metrics/agreement";
import { crossValidate } from "../cross-validation";
import { emitPython, ruleReason } from "./emit-python";
import { describeCondition, firingRule, type LearnParams, type RuleList } from "./learner";
import { prepareDataset, selectModel } from "./model-selection";
import { type TraceDict, TraceView } from "./trace-view";

export type { TraceDict } from "./trace-view";

export interface SynthesisLabel {
  traceId: string;
  label: "positive" | "negative" | "neutral";
  note?: string;
}

export interface SynthesisInput {
  /** Normalized traces (DESIGN.md "Normalized trace"); only labelled ones are learned from. */
  traces: readonly TraceDict[];
  labels: readonly SynthesisLabel[];
  rubric?: string;
  seed?: number;
  /** Outer CV folds as indices into the usable (non-neutral, known-trace) labels in input order; default: 5 stratified folds. */
  folds?: number[][];
}

export interface Prediction {
  traceId: string;
  passed: boolean;
  reason: string;
}

export interface SynthesisSummary {
  /** "FAIL: … (rule 1)" style descriptions, in order. */
  rules: string[];
  verdict: RuleList["verdict"];
  params: LearnParams;
  innerCvKappa: number;
  trainingTraces: number;
  negatives: number;
  positives: number;
  /** Neutral labels are not learned from; they are counted here. */
  neutralExcluded: number;
  /** Labels whose trace was not among `traces`. */
  labelsWithoutTrace: number;
}

export interface LowConfidence {
  reason: string;
  suggestion: string;
}

export interface SynthesisResult {
  code: string;
  summary: SynthesisSummary;
  /** The learner's verdict on each training trace; the emitted Python gives the same. */
  trainPredictions: Prediction[];
  trainMetrics: AgreementMetrics;
  /** Agreement of held-out verdicts under k-fold CV of the whole procedure (settings chosen inside each fold). */
  cvMetrics: AgreementMetrics;
  /** Each usable label's held-out verdict under that CV, in input order. */
  cvHeldOutPassed: boolean[];
  lowConfidence?: LowConfidence;
  /** Applies the learned rules to any normalized trace, as the emitted Python would. */
  predict(trace: TraceDict): Prediction;
}

const OUTER_FOLDS = 5;
const MIN_LABELS = 20;
const MIN_PER_CLASS = 5;
/** Below this lower 95% bound on held-out kappa we do not vouch for the eval. */
const MIN_KAPPA_LOWER_BOUND = 0.4;

/** The trace as the sandbox will see it: JSON in, JSON out, so both sides read identical values. */
function asSandboxSees(trace: TraceDict): TraceDict {
  return JSON.parse(JSON.stringify(trace)) as TraceDict;
}

function predictWith(model: RuleList, view: TraceView): Prediction {
  const rule = firingRule(model, (feature) => feature.compute(view));
  const fired = rule >= 0;
  return { traceId: String(view.trace.id ?? ""), passed: model.verdict === "fail" ? !fired : fired, reason: ruleReason(model, rule) };
}

/** Whether to vouch for an eval with these label counts and held-out agreement; if not, why and what to label next. */
export function assessConfidence(negatives: number, positives: number, cv: AgreementMetrics, disagreements: string[]): LowConfidence | undefined {
  const n = negatives + positives;
  const examples = disagreements.slice(0, 5).join(", ");
  if (n < MIN_LABELS) {
    return { reason: `only ${n} positive/negative labels (at least ${MIN_LABELS} needed)`, suggestion: `label ${MIN_LABELS - n} or more traces, including at least ${Math.max(0, MIN_PER_CLASS - negatives)} that should fail` };
  }
  if (negatives < MIN_PER_CLASS || positives < MIN_PER_CLASS) {
    const scarce = negatives < positives ? "negative" : "positive";
    return { reason: `labels are one-sided: ${negatives} negative vs ${positives} positive`, suggestion: `label more traces you judge ${scarce} — look for ones that differ from those already labelled` };
  }
  if (cv.kappaInterval.low < MIN_KAPPA_LOWER_BOUND) {
    return {
      reason: `held-out kappa ${cv.kappa.toFixed(2)} has a 95% lower bound of ${cv.kappaInterval.low.toFixed(2)} (< ${MIN_KAPPA_LOWER_BOUND})`,
      suggestion: `label more traces like those the held-out rules got wrong${examples ? ` (${examples})` : ""}, and add a note saying what decided each label`,
    };
  }
  return undefined;
}

/** The labels learned from, in input order: not neutral, and with a trace. Fold indices refer to this list. */
export function usableLabels<L extends SynthesisLabel>(labels: readonly L[], traces: ReadonlyMap<string, unknown>): L[] {
  return labels.filter((l) => l.label !== "neutral" && traces.has(l.traceId));
}

export function synthesizeEval(input: SynthesisInput): SynthesisResult {
  const seed = input.seed ?? 1;
  const byId = new Map(input.traces.map((t) => [String(t.id), t]));
  const usable = usableLabels(input.labels, byId);
  const views = usable.map((l) => new TraceView(asSandboxSees(byId.get(l.traceId)!)));
  const failed = usable.map((l) => l.label === "negative");
  const data = prepareDataset(views, failed, input.rubric);
  const all = usable.map((_, i) => i);

  const selection = selectModel(data, all, seed);
  const model = selection.model;
  const trainPredictions = views.map((v, i) => ({ ...predictWith(model, v), traceId: usable[i].traceId }));
  const trainMetrics = agreementMetrics(trainPredictions.map((p, i) => ({ humanPassed: !failed[i], evalPassed: p.passed })));

  const passedLabels = failed.map((f) => !f);
  const cv = crossValidate(passedLabels, OUTER_FOLDS, seed + 101, (train, heldOut) => {
    const foldModel = selectModel(data, train, seed).model;
    return heldOut.map((i) => predictWith(foldModel, views[i]).passed);
  }, input.folds);
  const disagreements = usable.filter((_, i) => cv.heldOutPassed[i] !== passedLabels[i]).map((l) => l.traceId);

  const negatives = failed.filter(Boolean).length;
  const summary: SynthesisSummary = {
    rules: model.rules.map((rule, r) => `${rule.map(describeCondition).join(" and ")} (rule ${r + 1})`),
    verdict: model.verdict,
    params: selection.params,
    innerCvKappa: selection.innerKappa,
    trainingTraces: usable.length,
    negatives,
    positives: usable.length - negatives,
    neutralExcluded: input.labels.filter((l) => l.label === "neutral").length,
    labelsWithoutTrace: input.labels.filter((l) => !byId.has(l.traceId)).length,
  };
  const code = emitPython(model, { trainingTraces: usable.length, source: `held-out kappa ${cv.metrics.kappa.toFixed(2)} under ${cv.folds}-fold CV` });
  return {
    code,
    summary,
    trainPredictions,
    trainMetrics,
    cvMetrics: cv.metrics,
    cvHeldOutPassed: cv.heldOutPassed,
    lowConfidence: assessConfidence(negatives, usable.length - negatives, cv.metrics, disagreements),
    predict: (trace) => predictWith(model, new TraceView(asSandboxSees(trace))),
  };
}
