// Benchmark: one eval over 10,000 traces of ~2.5 KB — bare python vs the jail vs one jailed process per trace.
// Run: bun bench/sandbox/throughput.ts
import { availableParallelism } from "node:os";
import { selectBackend } from "../../src/sandbox/backend.ts";
import { runBatch } from "../../src/sandbox/run-batch.ts";
import type { SandboxBackend } from "../../src/sandbox/types.ts";
import { BENCH_EVAL, traceItems } from "./data.ts";
import { median, printTable } from "./report.ts";

const TRACES = 10_000;
const NAIVE_SAMPLE = 200;
const REPEATS = 5;
const cores = availableParallelism();

// Generated up front, so the figures measure the sandbox, not the data generator.
const traces = [...traceItems(TRACES)];
const averageBytes = traces.reduce((sum, item) => sum + JSON.stringify(item.trace).length, 0) / TRACES;

async function batchMs(backend: SandboxBackend, items: typeof traces, concurrency: number): Promise<number> {
  const started = performance.now();
  let count = 0;
  for await (const result of runBatch({ code: BENCH_EVAL, traces: items, backend, concurrency })) {
    if (!result.ok) throw new Error(`trace ${result.id} failed: ${result.error.message}`);
    count++;
  }
  if (count !== items.length) throw new Error(`expected ${items.length} results, got ${count}`);
  return performance.now() - started;
}

async function medianBatchMs(backend: SandboxBackend, concurrency: number): Promise<number> {
  const runs: number[] = [];
  for (let repeat = 0; repeat < REPEATS; repeat++) runs.push(await batchMs(backend, traces, concurrency));
  return median(runs);
}

/** One jailed process per trace: `parallel` single-trace batches at a time over the sample. */
async function naivePerTraceMs(backend: SandboxBackend, parallel: number): Promise<number> {
  const sample = traces.slice(0, NAIVE_SAMPLE);
  const started = performance.now();
  let next = 0;
  const lanes = Array.from({ length: parallel }, async () => {
    while (next < sample.length) {
      const item = sample[next++]!;
      await batchMs(backend, [item], 1);
    }
  });
  await Promise.all(lanes);
  return ((performance.now() - started) / NAIVE_SAMPLE) * TRACES; // extrapolated to the full run
}

const silenceUnconfinedWarning = console.warn;
console.warn = () => {}; // the bare baseline runs SANDBOX=none on purpose; its warning would drown the table
const bare = selectBackend("none");
const jail = selectBackend();
await batchMs(jail, traces.slice(0, 2000), cores); // warm-up: JIT, page cache, the seccomp filter compile
const figures: Array<{ label: string; concurrency: number; ms: number }> = [];
for (const concurrency of [1, cores]) {
  figures.push({ label: "bare python3 batch (same harness, no jail)", concurrency, ms: await medianBatchMs(bare, concurrency) });
  figures.push({ label: `jailed batch (${jail.name})`, concurrency, ms: await medianBatchMs(jail, concurrency) });
}
const naiveSequential = await naivePerTraceMs(jail, 1);
const naiveParallel = await naivePerTraceMs(jail, cores);
console.warn = silenceUnconfinedWarning;

const perSecond = (ms: number) => Math.round((TRACES / ms) * 1000).toLocaleString("en-US");
const bareAt = (concurrency: number) => figures.find((figure) => figure.concurrency === concurrency && figure.label.startsWith("bare"))!.ms;
const rows = figures.map(({ label, concurrency, ms }) => [
  label,
  String(concurrency),
  (ms / 1000).toFixed(2),
  perSecond(ms),
  label.startsWith("jailed") ? `${Math.round((bareAt(concurrency) / ms) * 100)}% of bare` : "",
  label.startsWith("jailed") ? `${Math.round((concurrency === 1 ? naiveSequential : naiveParallel) / ms)}× naive` : "",
]);
rows.push(["naive: one jailed process per trace *", "1", (naiveSequential / 1000).toFixed(1), perSecond(naiveSequential), "", ""]);
rows.push(["naive: one jailed process per trace *", String(cores), (naiveParallel / 1000).toFixed(1), perSecond(naiveParallel), "", ""]);

printTable(
  `Eval throughput: ${TRACES.toLocaleString("en-US")} traces, ${Math.round(averageBytes)} bytes of JSON on average, median of ${REPEATS} runs`,
  ["mode", "parallel", "seconds", "traces/s", "vs bare", "vs naive (same parallelism)"],
  rows,
  [
    `* naive: ${NAIVE_SAMPLE} traces measured, extrapolated to ${TRACES.toLocaleString("en-US")}.`,
    "Targets: jailed ≥ 80% of bare; jailed batch ≥ 500× the naive way.",
  ],
);
