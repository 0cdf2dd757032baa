// Agreement between human labels and eval verdicts: confusion matrix, kappa, F1, coverage and confidence intervals.

/** One labelled trace: did the human pass it, and did the eval pass it. */
export interface Verdict {
  humanPassed: boolean;
  evalPassed: boolean;
}

/** "Fail" (a negative human label) is the class an eval exists to catch, so it is the positive class here. */
export interface ConfusionMatrix {
  /** human fail, eval fail */
  failCaught: number;
  /** human fail, eval pass */
  failMissed: number;
  /** human pass, eval fail */
  falseFailure: number;
  /** human pass, eval pass */
  passAgreed: number;
}

export interface Interval {
  low: number;
  high: number;
}

export interface AgreementMetrics {
  n: number;
  confusion: ConfusionMatrix;
  accuracy: number;
  accuracyInterval: Interval;
  precisionFail: number;
  recallFail: number;
  f1Fail: number;
  precisionPass: number;
  recallPass: number;
  f1Pass: number;
  /** Cohen's kappa; see `cohensKappa` for the degenerate cases. */
  kappa: number;
  kappaInterval: Interval;
  /** EvalGen's coverage: share of human-failed traces the eval fails (recall of fail). */
  coverage: number;
  /** EvalGen's false-failure rate: share of human-passed traces the eval fails. */
  falseFailureRate: number;
}

const Z_95 = 1.959963984540054;

export function confusionMatrix(verdicts: readonly Verdict[]): ConfusionMatrix {
  const m: ConfusionMatrix = { failCaught: 0, failMissed: 0, falseFailure: 0, passAgreed: 0 };
  for (const { humanPassed, evalPassed } of verdicts) {
    if (!humanPassed && !evalPassed) m.failCaught++;
    else if (!humanPassed) m.failMissed++;
    else if (!evalPassed) m.falseFailure++;
    else m.passAgreed++;
  }
  return m;
}

/** A ratio whose empty denominator means "nothing to measure": reported as 0, as the bench's score.py does. */
function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

function f1(precision: number, recall: number): number {
  return ratio(2 * precision * recall, precision + recall);
}

function total(m: ConfusionMatrix): number {
  return m.failCaught + m.failMissed + m.falseFailure + m.passAgreed;
}

/**
 * Cohen's kappa for two raters over pass/fail. When chance agreement is 1 (both raters used one and the
 * same class only) kappa is undefined; like the bench's score.py we report 1 for perfect agreement, else 0.
 */
export function cohensKappa(m: ConfusionMatrix): number {
  const n = total(m);
  if (n === 0) return 0;
  // The 2x2 closed form 2(ad - bc) / ((a+b)(b+d) + (a+c)(c+d)) stays exact in integers (a constant
  // verdict gives exactly 0, not -3e-16); its denominator is 0 exactly when chance agreement is 1.
  const { failCaught: a, failMissed: b, falseFailure: c, passAgreed: d } = m;
  const denominator = (a + b) * (b + d) + (a + c) * (c + d);
  if (denominator === 0) return a + d === n ? 1 : 0;
  return (2 * (a * d - b * c)) / denominator;
}

function chanceAgreement(m: ConfusionMatrix): number {
  const n = total(m);
  const humanFail = (m.failCaught + m.failMissed) / n;
  const evalFail = (m.failCaught + m.falseFailure) / n;
  return humanFail * evalFail + (1 - humanFail) * (1 - evalFail);
}

/**
 * 95% interval for kappa from Cohen's (1960) large-sample standard error sqrt(po(1-po) / (n (1-pe)^2)),
 * clipped to [-1, 1]. With no data, or a degenerate chance agreement, the interval is the whole range.
 */
export function kappaInterval(m: ConfusionMatrix, z = Z_95): Interval {
  const n = total(m);
  const chance = n === 0 ? 1 : chanceAgreement(m);
  if (n === 0 || chance >= 1) return { low: -1, high: 1 };
  const observed = (m.failCaught + m.passAgreed) / n;
  const kappa = cohensKappa(m);
  const se = Math.sqrt((observed * (1 - observed)) / (n * (1 - chance) ** 2));
  return { low: Math.max(-1, kappa - z * se), high: Math.min(1, kappa + z * se) };
}

/** Wilson score interval for a proportion; with n = 0 nothing is known, so it spans [0, 1]. */
export function wilsonInterval(successes: number, n: number, z = Z_95): Interval {
  if (n === 0) return { low: 0, high: 1 };
  const p = successes / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const halfWidth = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - halfWidth), high: Math.min(1, centre + halfWidth) };
}

export function agreementMetrics(verdicts: readonly Verdict[]): AgreementMetrics {
  const m = confusionMatrix(verdicts);
  const n = total(m);
  const agreed = m.failCaught + m.passAgreed;
  const precisionFail = ratio(m.failCaught, m.failCaught + m.falseFailure);
  const recallFail = ratio(m.failCaught, m.failCaught + m.failMissed);
  const precisionPass = ratio(m.passAgreed, m.passAgreed + m.failMissed);
  const recallPass = ratio(m.passAgreed, m.passAgreed + m.falseFailure);
  return {
    n,
    confusion: m,
    accuracy: ratio(agreed, n),
    accuracyInterval: wilsonInterval(agreed, n),
    precisionFail,
    recallFail,
    f1Fail: f1(precisionFail, recallFail),
    precisionPass,
    recallPass,
    f1Pass: f1(precisionPass, recallPass),
    kappa: cohensKappa(m),
    kappaInterval: kappaInterval(m),
    coverage: recallFail,
    falseFailureRate: ratio(m.falseFailure, m.falseFailure + m.passAgreed),
  };
}
