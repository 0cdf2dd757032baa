// Tests of the rule-list learner on small hand-made feature tables.
import { describe, expect, test } from "bun:test";
import type { Feature } from "./features";
import { buildLiterals, describeCondition, learnRuleList, predictPassed } from "./learner";

function boolFeature(name: string): Feature {
  return { key: name, name, kind: "boolean", integer: false, label: `${name} holds`, negatedLabel: `${name} does not hold`, compute: () => false, python: "False", detectors: [] };
}

const [a, b, c] = ["a", "b", "c"].map(boolFeature);
const length: Feature = { key: "len", name: "len", kind: "number", integer: true, label: "length", negatedLabel: "length", compute: () => 0, python: "0", detectors: [] };

// 40 rows covering every combination of a, b, c (5 times each); fail exactly when a and not b.
const rows = Array.from({ length: 40 }, (_, i) => [(i & 1) === 1, (i & 2) === 2, (i & 4) === 4, i % 10]);
const failed = rows.map(([x, y]) => x === true && y === false);
const all = rows.map((_, i) => i);
const params = { verdict: "fail" as const, maxConditions: 2, minSupport: 2, minPrecision: 0.6, minSignificance: 0, maxRules: 5, heuristic: "foil" as const };

describe("learnRuleList", () => {
  test("finds a two-condition rule and predicts the training labels", () => {
    const literals = buildLiterals([a, b, c, length], rows, all);
    const model = learnRuleList(literals, failed, all, params);
    expect(model.rules.length).toBe(1);
    expect(model.rules[0].map(describeCondition).sort()).toEqual(["a holds", "b does not hold"]);
    rows.forEach((row, i) => {
      const value = (f: Feature) => row[[a, b, c, length].indexOf(f)];
      expect(predictPassed(model, value)).toBe(!failed[i]);
    });
  });

  test("one condition at most cannot express the conjunction, so precision limits what it keeps", () => {
    const literals = buildLiterals([a, b, c], rows, all);
    const model = learnRuleList(literals, failed, all, { ...params, maxConditions: 1, minPrecision: 0.9 });
    expect(model.rules).toEqual([]);
  });

  test("a rule must match at least minSupport traces of its verdict", () => {
    const literals = buildLiterals([a, b, c], rows, all);
    expect(learnRuleList(literals, failed, all, { ...params, minSupport: 11 }).rules).toEqual([]);
  });

  test("numeric cuts use only the training rows", () => {
    const train = all.filter((i) => (rows[i][3] as number) < 5);
    const thresholds = buildLiterals([length], rows, train).map((l) => l.condition.threshold);
    expect(Math.max(...thresholds)).toBeLessThan(5);
  });

  test("a pass-verdict list passes what its rules match and fails the rest", () => {
    const literals = buildLiterals([a, b, c], rows, all);
    const model = learnRuleList(literals, failed, all, { ...params, verdict: "pass" });
    rows.forEach((row, i) => expect(predictPassed(model, (f) => row[[a, b, c].indexOf(f)])).toBe(!failed[i]));
  });
});
