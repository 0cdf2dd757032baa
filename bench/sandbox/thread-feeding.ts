// Benchmark: runBatch (jail fed from the main thread) vs runBatchOnThread (fed from a worker), with the main thread idle or blocked.
// Run: flock /tmp/iofold-bench.lock bun bench/sandbox/thread-feeding.ts
import { runBatchOnThread } from "../../src/sandbox/batch-thread.ts";
import { runBatch } from "../../src/sandbox/run-batch.ts";
import type { TraceItem, TraceResult } from "../../src/sandbox/types.ts";
import { BENCH_EVAL, traceItems } from "./data.ts";
import { median, printTable } from "./report.ts";

const TRACES = 20_000;
const REPEATS = 3;
/** Like PGlite running statements back to back: the main thread is blocked 40 ms out of every 50 ms. */
const BLOCK_MS = 40;
const PERIOD_MS = 50;

// Serialized up front, as the database returns traces: the figures measure the feeding, not JSON.stringify.
const items: TraceItem[] = [...traceItems(TRACES)].map(({ id, trace }) => ({ id, traceJson: JSON.stringify(trace) }));

type Runner = (options: { code: string; traces: TraceItem[] }) => AsyncGenerator<TraceResult>;

async function runMs(run: Runner, busy: boolean): Promise<number> {
  const blocker = busy
    ? setInterval(() => {
        const until = performance.now() + BLOCK_MS;
        while (performance.now() < until);
      }, PERIOD_MS)
    : undefined;
  const started = performance.now();
  let count = 0;
  try {
    for await (const result of run({ code: BENCH_EVAL, traces: items })) {
      if (!result.ok) throw new Error(`trace ${result.id} failed: ${result.error.message}`);
      count++;
    }
  } finally {
    clearInterval(blocker);
  }
  if (count !== TRACES) throw new Error(`expected ${TRACES} results, got ${count}`);
  return performance.now() - started;
}

const runners: Array<[string, Runner]> = [
  ["runBatch (main thread)", runBatch],
  ["runBatchOnThread (worker)", runBatchOnThread],
];
await runMs(runBatch, false); // warm-up: JIT, page cache, the seccomp filter compile
const rows: string[][] = [];
for (const busy of [false, true]) {
  for (const [label, run] of runners) {
    const runs: number[] = [];
    for (let repeat = 0; repeat < REPEATS; repeat++) runs.push(await runMs(run, busy));
    const ms = median(runs);
    rows.push([label, busy ? `blocked ${BLOCK_MS}/${PERIOD_MS} ms` : "idle", (ms / 1000).toFixed(2), Math.round((TRACES / ms) * 1000).toLocaleString("en-US")]);
  }
}
printTable(
  `Feeding the jail: ${TRACES.toLocaleString("en-US")} pre-serialized traces, median of ${REPEATS} runs`,
  ["runner", "main thread", "seconds", "traces/s"],
  rows,
);
