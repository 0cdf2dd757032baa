// Stratified k-fold cross-validation of any "fit on these examples, predict those" procedure.
import { agreementMetrics, type AgreementMetrics } from "../metrics/agreement";

/** Fits on the examples at `trainIndices` and returns a pass/fail verdict for each of `heldOutIndices`, in order. */
export type FitPredict = (trainIndices: number[], heldOutIndices: number[]) => boolean[];

export interface CrossValidationResult {
  /** Held-out verdict of every example (each example is held out exactly once). */
  heldOutPassed: boolean[];
  metrics: AgreementMetrics;
  folds: number;
}

/** mulberry32: a tiny seeded PRNG, so fold assignment is reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(items: T[], random: () => number): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * Splits example indices into `k` folds keeping each class's share about equal in every fold. Each class
 * is shuffled and dealt round-robin, continuing where the previous class stopped so fold sizes stay even.
 */
export function stratifiedFolds(passed: readonly boolean[], k: number, seed: number): number[][] {
  const folds: number[][] = Array.from({ length: k }, () => []);
  const random = seededRandom(seed);
  let next = 0;
  for (const cls of [false, true]) {
    const members = passed.flatMap((p, i) => (p === cls ? [i] : []));
    for (const index of shuffled(members, random)) {
      folds[next % k].push(index);
      next++;
    }
  }
  return folds.map((fold) => fold.sort((a, b) => a - b)).filter((fold) => fold.length > 0);
}

/** The folds `crossValidate` uses for these labels, k and seed: callers scoring several candidates share them. */
export function foldsFor(passed: readonly boolean[], k: number, seed: number): number[][] {
  return stratifiedFolds(passed, Math.max(2, Math.min(k, passed.length)), seed);
}

/**
 * Runs `fitPredict` once per fold and scores the pooled held-out verdicts against the labels. `folds` (from
 * `foldsFor`) makes several candidates face exactly the same held-out splits.
 */
export function crossValidate(passed: readonly boolean[], k: number, seed: number, fitPredict: FitPredict, folds = foldsFor(passed, k, seed)): CrossValidationResult {
  const heldOutPassed = new Array<boolean>(passed.length).fill(true);
  for (const heldOut of folds) {
    const inFold = new Set(heldOut);
    const train = passed.flatMap((_, i) => (inFold.has(i) ? [] : [i]));
    const verdicts = fitPredict(train, heldOut);
    heldOut.forEach((index, j) => (heldOutPassed[index] = verdicts[j]));
  }
  const metrics = agreementMetrics(passed.map((humanPassed, i) => ({ humanPassed, evalPassed: heldOutPassed[i] })));
  return { heldOutPassed, metrics, folds: folds.length };
}
