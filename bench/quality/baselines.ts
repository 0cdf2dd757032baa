// The floors the synthesizer must beat: the train majority verdict and the README's best generic single-feature stump.
import { TraceView } from "../../src/modules/generation/synthesizer/trace-view.ts";
import type { BenchLabel, BenchTask } from "./load-task.ts";

export function majorityPassed(train: readonly BenchLabel[]): boolean {
  return train.filter((l) => l.label === "positive").length * 2 >= train.length;
}

const FAILURE_WORDS = /\b(sorry|unfortunately|unable|cannot|can't|error|failed|apolog)/i;

/** The README's stump features: any failed step, output length, number of tool calls, a failure/apology word. */
function stumpFeatures(view: TraceView): number[] {
  return [view.steps.some((s) => s.failed) ? 1 : 0, view.output.length, view.tools.length, FAILURE_WORDS.test(view.output) ? 1 : 0];
}

/** Best single threshold (either direction) over the stump features, chosen on train accuracy. */
export function bestStump(task: BenchTask, train: readonly BenchLabel[]): (traceId: string) => boolean {
  const features = new Map(task.traces.map((t) => [t.id, stumpFeatures(new TraceView(t))]));
  let best = { accuracy: -1, feature: 0, threshold: 0, failAbove: true };
  for (let feature = 0; feature < 4; feature++) {
    const values = [...new Set(train.map((l) => features.get(l.traceId)![feature]))].sort((a, b) => a - b);
    for (const threshold of values) {
      for (const failAbove of [true, false]) {
        const correct = train.filter((l) => {
          const fails = (features.get(l.traceId)![feature] >= threshold) === failAbove;
          return fails === (l.label === "negative");
        }).length;
        if (correct / train.length > best.accuracy) best = { accuracy: correct / train.length, feature, threshold, failAbove };
      }
    }
  }
  return (traceId) => (features.get(traceId)![best.feature] >= best.threshold) !== best.failAbove;
}
