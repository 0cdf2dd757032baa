// Quality bench: trains the offline synthesizer on each task's train labels, runs its Python on the rest, scores it.
// Usage: bun bench/quality/run.ts [task-dir…] [--out bench/results]   (default: every task in /work/shared/bench)
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { agreementMetrics, type AgreementMetrics } from "../../src/modules/metrics/agreement.ts";
import { synthesizeEval } from "../../src/modules/generation/synthesizer/index.ts";
import { runPlainPython } from "../../src/modules/generation/synthesizer/plain-python.ts";
import { type BenchTask, loadTask } from "./load-task.ts";
import { bestStump, majorityPassed } from "./baselines.ts";

const DEFAULT_BENCH = "/work/shared/bench";

function parseArgs(argv: string[]): { tasks: string[]; out: string } {
  let out = "bench/results";
  const tasks: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--out") out = argv[++i];
    else tasks.push(argv[i]);
  }
  if (tasks.length === 0) {
    for (const entry of readdirSync(DEFAULT_BENCH, { withFileTypes: true })) {
      if (entry.isDirectory() && existsSync(join(DEFAULT_BENCH, entry.name, "labels.jsonl"))) tasks.push(join(DEFAULT_BENCH, entry.name));
    }
  }
  return { tasks: tasks.sort(), out };
}

interface TaskReport {
  task: string;
  test: AgreementMetrics;
  train: AgreementMetrics;
  cv: AgreementMetrics;
  majorityKappa: number;
  stumpKappa: number;
  rules: string[];
  seconds: number;
}

function runTask(task: BenchTask, out: string): TaskReport {
  const started = performance.now();
  const train = task.labels.filter((l) => l.split === "train");
  const trainIds = new Set(train.map((l) => l.traceId));
  // Only train labels reach the synthesizer; test labels are read below, for scoring only.
  const result = synthesizeEval({ traces: task.traces.filter((t) => trainIds.has(t.id)), labels: train, rubric: task.rubric });
  const unseen = task.traces.filter((t) => !trainIds.has(t.id));
  const python = runPlainPython(result.code, unseen);
  const failures = python.filter((p) => p.error);
  if (failures.length) throw new Error(`${task.name}: ${failures.length} traces raised in Python, e.g. ${failures[0].error}`);

  const dir = join(out, task.name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "predictions.jsonl"), python.map((p) => JSON.stringify({ traceId: p.id, passed: p.passed, reason: p.reason })).join("\n") + "\n");
  writeFileSync(join(dir, "eval.py"), result.code);

  const passedById = new Map(python.map((p) => [p.id, p.passed === true]));
  const test = task.labels.filter((l) => l.split === "test");
  const humanPassed = (l: { label: string }) => l.label === "positive";
  const testMetrics = agreementMetrics(test.map((l) => ({ humanPassed: humanPassed(l), evalPassed: passedById.get(l.traceId) ?? true })));
  const majority = majorityPassed(train);
  const stump = bestStump(task, train);
  return {
    task: task.name,
    test: testMetrics,
    train: result.trainMetrics,
    cv: result.cvMetrics,
    majorityKappa: agreementMetrics(test.map((l) => ({ humanPassed: humanPassed(l), evalPassed: majority }))).kappa,
    stumpKappa: agreementMetrics(test.map((l) => ({ humanPassed: humanPassed(l), evalPassed: stump(l.traceId) }))).kappa,
    rules: result.summary.rules,
    seconds: (performance.now() - started) / 1000,
  };
}

const f = (x: number) => x.toFixed(3);

function main(): void {
  const { tasks, out } = parseArgs(Bun.argv.slice(2));
  const reports = tasks.map((dir) => runTask(loadTask(dir), out));
  console.log("task                  test κ   acc     F1(fail)  CV κ    train κ  gap(train-test)  majority κ  stump κ  secs");
  for (const r of reports) {
    console.log(
      `${r.task.padEnd(20)}  ${f(r.test.kappa)}   ${f(r.test.accuracy)}   ${f(r.test.f1Fail)}     ${f(r.cv.kappa)}   ${f(r.train.kappa)}    ${f(r.train.kappa - r.test.kappa).padStart(6)}           ${f(r.majorityKappa)}       ${f(r.stumpKappa)}    ${r.seconds.toFixed(1)}`,
    );
  }
  const mean = (pick: (r: TaskReport) => number) => reports.reduce((s, r) => s + pick(r), 0) / Math.max(1, reports.length);
  console.log(`${"mean".padEnd(20)}  ${f(mean((r) => r.test.kappa))}   ${f(mean((r) => r.test.accuracy))}   ${f(mean((r) => r.test.f1Fail))}     ${f(mean((r) => r.cv.kappa))}   ${f(mean((r) => r.train.kappa))}    ${f(mean((r) => r.train.kappa - r.test.kappa)).padStart(6)}           ${f(mean((r) => r.majorityKappa))}       ${f(mean((r) => r.stumpKappa))}`);
  for (const r of reports) {
    const beats = r.test.kappa > r.majorityKappa && r.test.kappa > r.stumpKappa;
    console.log(`\n${r.task}: ${beats ? "beats" : "DOES NOT beat"} majority and stump; rules:\n  ${r.rules.join("\n  ") || "(none)"}`);
  }
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "quality-summary.json"), JSON.stringify(reports.map(({ task, test, train, cv, majorityKappa, stumpKappa, rules }) => ({ task, test, train, cv, majorityKappa, stumpKappa, rules })), null, 2) + "\n");
}

main();
