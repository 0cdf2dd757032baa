// Agreement figures from confusion counts: each ratio with its count and Wilson interval, kappa with its interval, F1 by bootstrap.
import { cohensKappa, kappaInterval, wilsonInterval, type ConfusionMatrix } from "../metrics/agreement";
import type { AgreementFigures, Figure, SplitCounts } from "./model";

export function proportion(numerator: number, denominator: number): Figure {
  const interval = wilsonInterval(numerator, denominator);
  return { value: denominator === 0 ? null : numerator / denominator, numerator, denominator, ...interval };
}

function f1Of(tp: number, fp: number, fn: number): number | null {
  const denominator = 2 * tp + fp + fn;
  return denominator === 0 ? null : (2 * tp) / denominator;
}

/** mulberry32: a small seeded generator, so the same counts always give the same interval. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Binomial draw: geometric skips when few successes are expected (exact), else the normal approximation. */
function binomial(n: number, p: number, random: () => number): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  const flipped = p > 0.5;
  const q = flipped ? 1 - p : p;
  let successes = 0;
  if (n * q < 30) {
    const logFail = Math.log(1 - q);
    let position = 0;
    while (true) {
      position += Math.floor(Math.log(1 - random()) / logFail) + 1;
      if (position > n) break;
      successes++;
    }
  } else {
    const gaussian = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    successes = Math.min(n, Math.max(0, Math.round(n * q + Math.sqrt(n * q * (1 - q)) * gaussian)));
  }
  return flipped ? n - successes : successes;
}

const BOOTSTRAP_REPLICATES = 1000;

/**
 * 95% percentile interval for F1 by a parametric bootstrap of the confusion matrix (a multinomial with the
 * observed cell shares): F1 is no simple proportion, and only the counts are at hand, not the rows.
 */
export function f1Interval(m: ConfusionMatrix, forClass: "fail" | "pass"): { low: number; high: number } {
  const n = m.failCaught + m.failMissed + m.falseFailure + m.passAgreed;
  if (n === 0) return { low: 0, high: 1 };
  const random = seeded(n * 7919 + m.failCaught * 31 + m.falseFailure * 17 + m.failMissed);
  const values: number[] = [];
  for (let i = 0; i < BOOTSTRAP_REPLICATES; i++) {
    // Multinomial as a chain of conditional binomials.
    let left = n;
    const a = binomial(left, m.failCaught / n, random);
    left -= a;
    const b = binomial(left, m.failMissed / Math.max(1e-12, n - m.failCaught), random);
    left -= b;
    const c = binomial(left, m.falseFailure / Math.max(1e-12, m.falseFailure + m.passAgreed), random);
    const d = left - c;
    const value = forClass === "fail" ? f1Of(a, c, b) : f1Of(d, b, c);
    values.push(value ?? 0);
  }
  values.sort((x, y) => x - y);
  return { low: values[Math.floor(0.025 * (values.length - 1))]!, high: values[Math.ceil(0.975 * (values.length - 1))]! };
}

export function agreementFigures(counts: SplitCounts): AgreementFigures {
  const m: ConfusionMatrix = { failCaught: counts.failCaught, failMissed: counts.failMissed, falseFailure: counts.falseFailure, passAgreed: counts.passAgreed };
  const n = m.failCaught + m.failMissed + m.falseFailure + m.passAgreed;
  const f1Fail = f1Of(m.failCaught, m.falseFailure, m.failMissed);
  const f1Pass = f1Of(m.passAgreed, m.failMissed, m.falseFailure);
  const recallFail = proportion(m.failCaught, m.failCaught + m.failMissed);
  return {
    n,
    confusion: m,
    accuracy: proportion(m.failCaught + m.passAgreed, n),
    precisionFail: proportion(m.failCaught, m.failCaught + m.falseFailure),
    recallFail,
    f1Fail: { value: f1Fail, numerator: 2 * m.failCaught, denominator: 2 * m.failCaught + m.falseFailure + m.failMissed, ...f1Interval(m, "fail") },
    precisionPass: proportion(m.passAgreed, m.passAgreed + m.failMissed),
    recallPass: proportion(m.passAgreed, m.passAgreed + m.falseFailure),
    f1Pass: { value: f1Pass, numerator: 2 * m.passAgreed, denominator: 2 * m.passAgreed + m.failMissed + m.falseFailure, ...f1Interval(m, "pass") },
    kappa: { value: n === 0 ? null : cohensKappa(m), numerator: m.failCaught + m.passAgreed, denominator: n, ...kappaInterval(m) },
    coverage: recallFail,
    falseFailureRate: proportion(m.falseFailure, m.falseFailure + m.passAgreed),
    verdictRate: proportion(n, counts.labeled),
  };
}

export function addCounts(a: SplitCounts, b: SplitCounts): SplitCounts {
  return {
    failCaught: a.failCaught + b.failCaught,
    failMissed: a.failMissed + b.failMissed,
    falseFailure: a.falseFailure + b.falseFailure,
    passAgreed: a.passAgreed + b.passAgreed,
    labeled: a.labeled + b.labeled,
    errored: a.errored + b.errored,
    notRun: a.notRun + b.notRun,
  };
}
