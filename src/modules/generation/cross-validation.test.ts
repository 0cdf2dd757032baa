// Tests of stratified folds and the cross-validation driver.
import { describe, expect, test } from "bun:test";
import { crossValidate, seededRandom, stratifiedFolds } from "./cross-validation";

const labels = Array.from({ length: 50 }, (_, i) => i % 5 !== 0); // 10 fails, 40 passes

describe("stratifiedFolds", () => {
  test("every example lands in exactly one fold and each fold keeps the class balance", () => {
    const folds = stratifiedFolds(labels, 5, 7);
    expect(folds.flat().sort((a, b) => a - b)).toEqual(labels.map((_, i) => i));
    for (const fold of folds) {
      expect(fold.length).toBe(10);
      expect(fold.filter((i) => !labels[i]).length).toBe(2);
    }
  });

  test("is reproducible for a seed and differs across seeds", () => {
    expect(stratifiedFolds(labels, 5, 1)).toEqual(stratifiedFolds(labels, 5, 1));
    expect(stratifiedFolds(labels, 5, 1)).not.toEqual(stratifiedFolds(labels, 5, 2));
  });

  test("drops empty folds when there are fewer examples than folds", () => {
    expect(stratifiedFolds([true, false, true], 5, 3).length).toBe(3);
  });
});

describe("crossValidate", () => {
  test("never shows a held-out example to the fit", () => {
    const seen: number[][] = [];
    crossValidate(labels, 5, 3, (train, heldOut) => {
      seen.push(train);
      for (const i of heldOut) expect(train).not.toContain(i);
      return heldOut.map(() => true);
    });
    expect(seen.length).toBe(5);
  });

  test("an oracle scores kappa 1 and a constant scores kappa 0", () => {
    expect(crossValidate(labels, 5, 3, (_, heldOut) => heldOut.map((i) => labels[i])).metrics.kappa).toBe(1);
    expect(crossValidate(labels, 5, 3, (_, heldOut) => heldOut.map(() => true)).metrics.kappa).toBe(0);
  });

  test("a majority-of-train predictor cannot see the held-out labels", () => {
    const result = crossValidate(labels, 5, 3, (train, heldOut) => {
      const passRate = train.filter((i) => labels[i]).length / train.length;
      return heldOut.map(() => passRate >= 0.5);
    });
    expect(result.heldOutPassed.every((p) => p)).toBe(true);
  });
});

test("seededRandom is deterministic and in [0, 1)", () => {
  const a = seededRandom(42);
  const b = seededRandom(42);
  for (let i = 0; i < 100; i++) {
    const x = a();
    expect(x).toBe(b());
    expect(x).toBeGreaterThanOrEqual(0);
    expect(x).toBeLessThan(1);
  }
});
