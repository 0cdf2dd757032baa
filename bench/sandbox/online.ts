// Benchmark: one trace scored on a warm jailed interpreter (WarmPool), latency percentiles over 1,000 calls.
// Run: bun bench/sandbox/online.ts
import { WarmPool } from "../../src/sandbox/warm-pool.ts";
import { BENCH_EVAL, makeTrace } from "./data.ts";
import { percentile, printTable } from "./report.ts";

const CALLS = 1000;
const CONCURRENT_CALLERS = 4;

async function latencies(pool: WarmPool, callers: number): Promise<number[]> {
  const measured: number[] = [];
  let next = 0;
  const lanes = Array.from({ length: callers }, async () => {
    while (next < CALLS) {
      const trace = makeTrace(next++);
      const started = performance.now();
      const result = await pool.score(BENCH_EVAL, trace);
      measured.push(performance.now() - started);
      if (!result.ok) throw new Error(`scoring failed: ${result.error.message}`);
    }
  });
  await Promise.all(lanes);
  return measured.sort((a, b) => a - b);
}

const pool = new WarmPool({ maxIdlePerVersion: CONCURRENT_CALLERS, maxTotal: CONCURRENT_CALLERS });
const coldStarted = performance.now();
await pool.score(BENCH_EVAL, makeTrace(0));
const coldMs = performance.now() - coldStarted;

const rows: string[][] = [];
for (const callers of [1, CONCURRENT_CALLERS]) {
  const sorted = await latencies(pool, callers);
  const ms = (p: number) => percentile(sorted, p).toFixed(2);
  rows.push([`${callers} caller${callers > 1 ? "s" : ""}`, String(CALLS), ms(50), ms(90), ms(99), sorted.at(-1)!.toFixed(2)]);
}
pool.close();

printTable(
  "Online scoring on a warm interpreter (WarmPool.score, one trace per call), milliseconds",
  ["load", "calls", "p50", "p90", "p99", "max"],
  rows,
  [`First call (cold: starts the jail, static check, loads the eval): ${coldMs.toFixed(1)} ms.`, "Target: p99 < 20 ms."],
);
