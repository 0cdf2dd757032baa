// A readable rule-list learner: sequential covering of one verdict with short conjunctions of feature tests.
import type { Feature, FeatureValue } from "./features";
import { numberText } from "./trace-view";

export type Test = "is_true" | "is_false" | "at_least" | "below";

export interface Condition {
  feature: Feature;
  test: Test;
  threshold: number;
}

/** Rules are checked in order; the first that matches gives `verdict`, none gives the opposite. */
export interface RuleList {
  verdict: "fail" | "pass";
  rules: Condition[][];
}

export interface LearnParams {
  verdict: "fail" | "pass";
  maxConditions: number;
  /** A rule (and every condition added to it) must match at least this many traces of its verdict. */
  minSupport: number;
  /** Laplace-corrected precision a rule needs to be kept. */
  minPrecision: number;
  /**
   * Likelihood-ratio statistic (chi-squared, 1 df) a condition must reach to be added: its matches must
   * differ from what the rule matched before it by more than chance. 0 accepts any gain.
   */
  minSignificance: number;
  maxRules: number;
  /**
   * How a candidate condition is scored while growing a rule: FOIL gain (favours covering many traces)
   * or the m-estimate of precision (favours clean conditions, e.g. a detector over a length proxy).
   */
  heuristic: "foil" | "precision";
}

export function conditionHolds(condition: Condition, value: FeatureValue): boolean {
  switch (condition.test) {
    case "is_true":
      return value === true;
    case "is_false":
      return value === false;
    case "at_least":
      return (value as number) >= condition.threshold;
    case "below":
      return (value as number) < condition.threshold;
  }
}

export function describeCondition({ feature, test, threshold }: Condition): string {
  if (test === "is_true") return feature.label;
  if (test === "is_false") return feature.negatedLabel ?? `not (${feature.label})`;
  return `${feature.label} ${test === "at_least" ? ">=" : "<"} ${numberText(threshold)}`;
}

/** Which rule fires for a trace whose feature values `valueOf` gives (-1: none). */
export function firingRule(model: RuleList, valueOf: (feature: Feature) => FeatureValue): number {
  return model.rules.findIndex((rule) => rule.every((c) => conditionHolds(c, valueOf(c.feature))));
}

export function predictPassed(model: RuleList, valueOf: (feature: Feature) => FeatureValue): boolean {
  const fired = firingRule(model, valueOf) >= 0;
  return model.verdict === "fail" ? !fired : fired;
}

// ---- bitsets over examples, so scoring thousands of candidate conditions stays cheap ----

type Bits = Uint32Array;

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

function bitsOf(n: number, member: (i: number) => boolean): Bits {
  const bits = new Uint32Array((n + 31) >>> 5);
  for (let i = 0; i < n; i++) if (member(i)) bits[i >>> 5] |= 1 << (i & 31);
  return bits;
}

function countAnd(a: Bits, b: Bits, c: Bits): number {
  let n = 0;
  for (let w = 0; w < a.length; w++) n += popcount(a[w] & b[w] & c[w]);
  return n;
}

function and(a: Bits, b: Bits): Bits {
  return a.map((word, w) => word & b[w]);
}

function andNot(a: Bits, b: Bits): Bits {
  return a.map((word, w) => word & ~b[w]);
}

/** A candidate condition with the examples it holds for. */
export interface Literal {
  condition: Condition;
  bits: Bits;
}

const MAX_CUTS = 12;

/** Cut points of a numeric column: between consecutive distinct values, thinned to at most MAX_CUTS. */
function cutPoints(values: number[], integer: boolean): number[] {
  const distinct = [...new Set(values)].sort((a, b) => a - b);
  const cuts: number[] = [];
  for (let i = 1; i < distinct.length; i++) cuts.push(integer ? distinct[i] : (distinct[i - 1] + distinct[i]) / 2);
  if (cuts.length <= MAX_CUTS) return cuts;
  return Array.from({ length: MAX_CUTS }, (_, k) => cuts[Math.floor(((k + 0.5) * cuts.length) / MAX_CUTS)]);
}

/**
 * Every condition worth trying over the examples: both polarities of each boolean feature and both sides
 * of each numeric cut. Cuts come from the training examples' values only; conditions true for all or
 * none of them are dropped.
 */
export function buildLiterals(features: readonly Feature[], values: readonly FeatureValue[][], train: readonly number[]): Literal[] {
  const n = values.length;
  const literals: Literal[] = [];
  features.forEach((feature, f) => {
    const conditions: Condition[] =
      feature.kind === "boolean"
        ? [{ feature, test: "is_true" as const, threshold: 0 }, ...(feature.negatedLabel === null ? [] : [{ feature, test: "is_false" as const, threshold: 0 }])]
        : cutPoints(train.map((i) => values[i][f] as number), feature.integer).flatMap((threshold) => [
            { feature, test: "at_least" as const, threshold },
            { feature, test: "below" as const, threshold },
          ]);
    for (const condition of conditions) {
      const holdsInTrain = train.filter((i) => conditionHolds(condition, values[i][f])).length;
      if (holdsInTrain === 0 || holdsInTrain === train.length) continue;
      literals.push({ condition, bits: bitsOf(n, (i) => conditionHolds(condition, values[i][f])) });
    }
  });
  return literals;
}

const xLogRatio = (x: number, expected: number) => (x === 0 ? 0 : x * Math.log(x / expected));

/** CN2's likelihood-ratio statistic of a (p1, n1) subset against the (p0, n0) set it was cut from. */
function significance(p0: number, n0: number, p1: number, n1: number): number {
  const share = p0 / (p0 + n0);
  return 2 * (xLogRatio(p1, (p1 + n1) * share) + xLogRatio(n1, (p1 + n1) * (1 - share)));
}

function foilGain(p0: number, n0: number, p1: number, n1: number): number {
  if (p1 === 0) return -Infinity;
  return p1 * (Math.log2(p1 / (p1 + n1)) - Math.log2(p0 / (p0 + n0)));
}

const M_ESTIMATE = 4;

/** Precision shrunk towards the prior of the set it was cut from; a gain only if it beats that prior. */
function precisionGain(p0: number, n0: number, p1: number, n1: number): number {
  const prior = p0 / (p0 + n0);
  return (p1 + M_ESTIMATE * prior) / (p1 + n1 + M_ESTIMATE) - prior;
}

/**
 * Sequential covering: grow a rule by adding the condition with the best FOIL gain on the traces no
 * earlier rule matched, keep it if precise enough, remove what it matches, repeat. Stops at `maxRules`
 * or when no rule qualifies; shorter prefixes of the result are the simpler models CV chooses between.
 */
export function learnRuleList(literals: readonly Literal[], failed: readonly boolean[], train: readonly number[], params: LearnParams): RuleList {
  const n = failed.length;
  const target = bitsOf(n, (i) => failed[i] === (params.verdict === "fail"));
  const other = bitsOf(n, (i) => failed[i] !== (params.verdict === "fail"));
  let remaining = bitsOf(n, () => false);
  for (const i of train) remaining[i >>> 5] |= 1 << (i & 31);
  const rules: Condition[][] = [];
  while (rules.length < params.maxRules) {
    let covered = remaining;
    const rule: Condition[] = [];
    let p = countAnd(covered, target, covered);
    let q = countAnd(covered, other, covered);
    while (rule.length < params.maxConditions && q > 0) {
      let best: Literal | undefined;
      let bestGain = 0;
      for (const literal of literals) {
        const p1 = countAnd(covered, literal.bits, target);
        if (p1 < params.minSupport) continue;
        const n1 = countAnd(covered, literal.bits, other);
        if (params.minSignificance > 0 && significance(p, q, p1, n1) < params.minSignificance) continue;
        const gain = params.heuristic === "foil" ? foilGain(p, q, p1, n1) : precisionGain(p, q, p1, n1);
        if (gain > bestGain + 1e-12) [best, bestGain] = [literal, gain];
      }
      if (!best) break;
      rule.push(best.condition);
      covered = and(covered, best.bits);
      p = countAnd(covered, target, covered);
      q = countAnd(covered, other, covered);
    }
    if (rule.length === 0 || p < params.minSupport || (p + 1) / (p + q + 2) < params.minPrecision) break;
    rules.push(rule);
    remaining = andNot(remaining, covered);
  }
  return { verdict: params.verdict, rules };
}
