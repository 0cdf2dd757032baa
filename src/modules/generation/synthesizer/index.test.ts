// End-to-end tests of synthesizeEval on a generated support-agent dataset with known failure causes.
import { describe, expect, test } from "bun:test";
import { agreementMetrics } from "../../metrics/agreement";
import { synthesizeEval, type SynthesisLabel } from "./index";
import { runBatch, type TraceItem, type TraceResult } from "../../../sandbox";
import { supportDataset } from "./test-traces";
import { TraceView } from "./trace-view";

const train = supportDataset(160, 11, 0.04);
const heldOut = supportDataset(300, 99).map((d, k) => ({ ...d, trace: { ...d.trace, id: `h${k}` } }));
const labelsOf = (rows: typeof train): SynthesisLabel[] => rows.map((d) => ({ traceId: d.trace.id, label: d.failed ? "negative" : "positive" }));
const result = synthesizeEval({ traces: train.map((d) => d.trace), labels: labelsOf(train), seed: 3 });

/** Runs the emitted eval in the real jail, results in input order. */
async function inJail(code: string, traces: TraceItem["trace"][]): Promise<TraceResult[]> {
  const results: TraceResult[] = [];
  for await (const row of runBatch({ code, traces: traces.map((trace, i) => ({ id: String(i), trace })), concurrency: 1 })) results.push(row);
  return results;
}

function heldOutKappa(passed: (index: number) => boolean): number {
  return agreementMetrics(heldOut.map((d, i) => ({ humanPassed: !d.failed, evalPassed: passed(i) }))).kappa;
}

/** The README-style floor: the best single threshold on a generic feature, chosen on the training labels. */
function bestStumpKappa(): number {
  const features = (t: (typeof train)[number]["trace"]) => {
    const v = new TraceView(t);
    return [v.output.length, v.tools.length, v.tools.some((c) => c.failed) ? 1 : 0, /sorry/i.test(v.output) ? 1 : 0];
  };
  let best = { accuracy: -1, f: 0, threshold: 0, failAbove: true };
  for (let f = 0; f < 4; f++) {
    for (const threshold of new Set(train.map((d) => features(d.trace)[f]))) {
      for (const failAbove of [true, false]) {
        const accuracy = train.filter((d) => ((features(d.trace)[f] >= threshold) === failAbove) === d.failed).length;
        if (accuracy > best.accuracy) best = { accuracy, f, threshold, failAbove };
      }
    }
  }
  return heldOutKappa((i) => (features(heldOut[i].trace)[best.f] >= best.threshold) !== best.failAbove);
}

describe("synthesizeEval", () => {
  test("the emitted Python, in the jail, gives exactly the learner's verdict and reason on every training trace", async () => {
    const python = await inJail(result.code, train.map((d) => d.trace));
    expect(python.length).toBe(train.length);
    python.forEach((row, i) => {
      if (!row.ok) throw new Error(row.error.message);
      expect({ passed: row.passed, reason: row.reason }).toEqual({ passed: result.trainPredictions[i].passed, reason: result.trainPredictions[i].reason });
    });
  }, 30_000);

  test("the emitted Python agrees with predict() on unseen traces too", async () => {
    const python = await inJail(result.code, heldOut.map((d) => d.trace));
    python.forEach((row, i) => expect(row.ok && row.passed).toBe(result.predict(heldOut[i].trace).passed));
  }, 30_000);

  test("beats the majority verdict and the best generic stump on held-out traces", () => {
    const kappa = heldOutKappa((i) => result.predict(heldOut[i].trace).passed);
    expect(heldOutKappa(() => true)).toBe(0);
    expect(kappa).toBeGreaterThan(0.7);
    expect(kappa).toBeGreaterThan(bestStumpKappa() + 0.2);
  });

  test("reports held-out CV agreement close to what unseen traces show", () => {
    const kappa = heldOutKappa((i) => result.predict(heldOut[i].trace).passed);
    expect(result.cvMetrics.n).toBe(160);
    expect(Math.abs(result.cvMetrics.kappa - kappa)).toBeLessThan(0.2);
    expect(result.lowConfidence).toBeUndefined();
  });

  test("failing reasons name the rule that fired, and the code is standard library only", () => {
    const failing = result.trainPredictions.filter((p) => !p.passed);
    expect(failing.length).toBeGreaterThan(0);
    for (const p of failing) expect(p.reason).toMatch(/^FAIL: .+ \(rule \d+\)$/);
    const imports = [...result.code.matchAll(/^import (\w+)/gm)].map((m) => m[1]);
    expect(imports.every((m) => ["collections", "re", "json"].includes(m))).toBe(true);
    expect(result.summary.rules.join("\n")).toMatch(/refund|placeholder|escalate/);
  });

  test("neutral labels are excluded and counted", () => {
    const labels: SynthesisLabel[] = [...labelsOf(train.slice(0, 40)), ...train.slice(40, 50).map((d) => ({ traceId: d.trace.id, label: "neutral" as const }))];
    const r = synthesizeEval({ traces: train.map((d) => d.trace), labels });
    expect(r.summary.neutralExcluded).toBe(10);
    expect(r.summary.trainingTraces).toBe(40);
    expect(r.trainPredictions.length).toBe(40);
  });

  test("flags low confidence when labels are too few or one-sided, saying what to label", () => {
    const few = synthesizeEval({ traces: train.map((d) => d.trace), labels: labelsOf(train.slice(0, 8)) });
    expect(few.lowConfidence?.reason).toContain("only 8");
    const passesOnly = train.filter((d) => !d.failed).slice(0, 40);
    const oneSided = synthesizeEval({ traces: passesOnly.map((d) => d.trace), labels: labelsOf(passesOnly) });
    expect(oneSided.lowConfidence?.reason).toContain("one-sided");
    expect(oneSided.lowConfidence?.suggestion).toContain("negative");
    expect(oneSided.trainPredictions.every((p) => p.passed)).toBe(true);
  });
});
