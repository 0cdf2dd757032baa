// Tests of the agreement metrics against values computed by hand.
import { describe, expect, test } from "bun:test";
import { agreementMetrics, cohensKappa, confusionMatrix, kappaInterval, wilsonInterval, type Verdict } from "./agreement";

function verdicts(failCaught: number, failMissed: number, falseFailure: number, passAgreed: number): Verdict[] {
  const rows: Verdict[] = [];
  for (let i = 0; i < failCaught; i++) rows.push({ humanPassed: false, evalPassed: false });
  for (let i = 0; i < failMissed; i++) rows.push({ humanPassed: false, evalPassed: true });
  for (let i = 0; i < falseFailure; i++) rows.push({ humanPassed: true, evalPassed: false });
  for (let i = 0; i < passAgreed; i++) rows.push({ humanPassed: true, evalPassed: true });
  return rows;
}

describe("agreementMetrics", () => {
  test("matches hand-computed values on a 20/10/5/65 matrix", () => {
    const m = agreementMetrics(verdicts(20, 10, 5, 65));
    expect(m.confusion).toEqual({ failCaught: 20, failMissed: 10, falseFailure: 5, passAgreed: 65 });
    expect(m.n).toBe(100);
    expect(m.accuracy).toBeCloseTo(0.85, 10);
    // po = 0.85, pe = 0.3*0.25 + 0.7*0.75 = 0.6
    expect(m.kappa).toBeCloseTo(0.625, 10);
    expect(m.precisionFail).toBeCloseTo(0.8, 10);
    expect(m.recallFail).toBeCloseTo(2 / 3, 10);
    expect(m.f1Fail).toBeCloseTo(0.727273, 5);
    expect(m.precisionPass).toBeCloseTo(65 / 75, 10);
    expect(m.recallPass).toBeCloseTo(65 / 70, 10);
    expect(m.f1Pass).toBeCloseTo(0.896552, 5);
    expect(m.coverage).toBeCloseTo(2 / 3, 10);
    expect(m.falseFailureRate).toBeCloseTo(5 / 70, 10);
    // se = sqrt(0.85*0.15 / (100 * 0.4^2)) = 0.0892679
    expect(m.kappaInterval.low).toBeCloseTo(0.625 - 1.959964 * 0.0892679, 4);
    expect(m.kappaInterval.high).toBeCloseTo(0.625 + 1.959964 * 0.0892679, 4);
    expect(m.accuracyInterval.low).toBeCloseTo(0.7672, 3);
    expect(m.accuracyInterval.high).toBeCloseTo(0.9069, 3);
  });

  test("no human failures and no eval failures: perfect agreement, kappa 1, fail scores 0", () => {
    const m = agreementMetrics(verdicts(0, 0, 0, 10));
    expect(m.kappa).toBe(1);
    expect(m.accuracy).toBe(1);
    expect(m.precisionFail).toBe(0);
    expect(m.recallFail).toBe(0);
    expect(m.f1Fail).toBe(0);
    expect(m.falseFailureRate).toBe(0);
    expect(m.kappaInterval).toEqual({ low: -1, high: 1 });
  });

  test("no human failures but some eval failures: kappa 0", () => {
    const m = agreementMetrics(verdicts(0, 0, 3, 7));
    expect(m.kappa).toBeCloseTo(0, 12);
    expect(m.falseFailureRate).toBeCloseTo(0.3, 12);
    expect(m.coverage).toBe(0);
  });

  test("eval predicts one class for everything: kappa 0 whatever the accuracy", () => {
    const allPass = agreementMetrics(verdicts(0, 30, 0, 70));
    expect(allPass.accuracy).toBeCloseTo(0.7, 12);
    expect(allPass.kappa).toBeCloseTo(0, 12);
    const allFail = agreementMetrics(verdicts(30, 0, 70, 0));
    expect(allFail.kappa).toBeCloseTo(0, 12);
    expect(allFail.recallFail).toBe(1);
    expect(allFail.falseFailureRate).toBe(1);
  });

  test("a single label", () => {
    expect(agreementMetrics(verdicts(1, 0, 0, 0)).kappa).toBe(1);
    expect(agreementMetrics(verdicts(0, 1, 0, 0)).kappa).toBe(0);
  });

  test("perfect disagreement is kappa -1", () => {
    expect(cohensKappa(confusionMatrix(verdicts(0, 5, 5, 0)))).toBeCloseTo(-1, 12);
  });

  test("empty input", () => {
    const m = agreementMetrics([]);
    expect(m.n).toBe(0);
    expect(m.kappa).toBe(0);
    expect(m.accuracyInterval).toEqual({ low: 0, high: 1 });
  });
});

describe("intervals", () => {
  test("Wilson interval of 0/10 starts at 0 and is not degenerate", () => {
    const i = wilsonInterval(0, 10);
    expect(i.low).toBe(0);
    expect(i.high).toBeCloseTo(0.2775, 3);
  });

  test("kappa interval narrows with more data", () => {
    const small = kappaInterval(confusionMatrix(verdicts(4, 2, 1, 13)));
    const large = kappaInterval(confusionMatrix(verdicts(40, 20, 10, 130)));
    expect(large.high - large.low).toBeLessThan(small.high - small.low);
  });
});
