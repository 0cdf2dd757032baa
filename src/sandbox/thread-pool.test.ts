// The sandbox's worker threads: reused after a run that ended by itself, retired (jails reaped) after one that was stopped, never keeping the process alive.
import { expect, test } from "bun:test";
import { runBatchOnThread, type ThreadBatchOptions } from "./batch-thread.ts";
import { idleThreadIds, prepareThread, takeThread } from "./thread-pool.ts";
import { EvalLoadError, type TraceItem, type TraceResult } from "./types.ts";
import { jailsSized } from "../../test/support/jail-processes.ts";

const PARITY_EVAL = "def evaluate(trace):\n    return trace['n'] % 2 == 0, 'n is %d' % trace['n']\n";

function jsonItems(count: number): TraceItem[] {
  return Array.from({ length: count }, (_, n) => ({ id: `t${n}`, traceJson: JSON.stringify({ n }) }));
}

async function collect(options: ThreadBatchOptions, duringFirstResult?: () => void): Promise<TraceResult[]> {
  const results: TraceResult[] = [];
  for await (const result of runBatchOnThread({ concurrency: 1, ...options })) {
    if (results.length === 0) duringFirstResult?.();
    results.push(result);
  }
  return results;
}

/** Runs a small batch to completion, so that exactly one thread is idle, and returns its id. */
async function oneIdleThread(): Promise<number> {
  await collect({ code: PARITY_EVAL, traces: jsonItems(3) });
  const ids = idleThreadIds();
  expect(ids).toHaveLength(1);
  return ids[0]!;
}

test("a run that ended by itself leaves its thread idle, and the next run takes that thread", async () => {
  const idle = await oneIdleThread();
  let idleDuringRun: number[] = [];
  const results = await collect({ code: PARITY_EVAL, traces: jsonItems(500) }, () => (idleDuringRun = idleThreadIds()));
  expect(results).toHaveLength(500);
  expect(idleDuringRun).toEqual([]);
  expect(idleThreadIds()).toEqual([idle]);
});

test("an eval that fails to load still leaves its thread for the next run", async () => {
  const idle = await oneIdleThread();
  const error = await collect({ code: "import socket\ndef evaluate(t):\n    return True, ''\n", traces: jsonItems(2) }).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(EvalLoadError);
  expect(idleThreadIds()).toEqual([idle]);
});

test("a run stopped early retires its thread: it has exited, its jails reaped, when the iteration ends", async () => {
  const idle = await oneIdleThread();
  const tmpBytes = 16 * 1024 * 1024 + 4096 * 7;
  let consumed = 0;
  for await (const _ of runBatchOnThread({ code: PARITY_EVAL, traces: jsonItems(5000), concurrency: 2, limits: { tmpBytes } })) {
    if (++consumed === 3) break;
  }
  expect(jailsSized(tmpBytes)).toEqual([]);
  expect(idleThreadIds()).toEqual([]);
  // The next run starts a thread of its own, and leaves it idle.
  await collect({ code: PARITY_EVAL, traces: jsonItems(3) });
  expect(idleThreadIds()).toHaveLength(1);
  expect(idleThreadIds()).not.toContain(idle);
});

test("concurrent runs take a thread each; afterwards one stays idle", async () => {
  await oneIdleThread();
  let idleDuringBoth: number[] | undefined;
  let firstStarted: () => void = () => {};
  let secondStarted: () => void = () => {};
  const started = new Promise<void>((resolve) => (firstStarted = resolve));
  const bothStarted = new Promise<void>((resolve) => (secondStarted = resolve));
  // The first run's source holds its last trace back until the second run is under way.
  async function* heldBack(): AsyncGenerator<TraceItem> {
    yield* jsonItems(10);
    await bothStarted;
    yield { id: "last", traceJson: '{"n": 1}' };
  }
  const [a, b] = await Promise.all([
    collect({ code: PARITY_EVAL, traces: heldBack() }, firstStarted),
    started.then(() =>
      collect({ code: PARITY_EVAL, traces: jsonItems(200) }, () => {
        idleDuringBoth = idleThreadIds();
        secondStarted();
      }),
    ),
  ]);
  expect([a.length, b.length]).toEqual([11, 200]);
  expect(idleDuringBoth).toEqual([]);
  expect(idleThreadIds()).toHaveLength(1);
});

test("prepareThread readies one idle thread, and never a second", async () => {
  await takeThread().retire(); // the pool empty, whatever earlier tests left in it
  expect(idleThreadIds()).toEqual([]);
  prepareThread();
  const [prepared] = idleThreadIds();
  expect(prepared).toBeNumber();
  prepareThread();
  expect(idleThreadIds()).toEqual([prepared!]);
  // The first run takes it.
  let idleDuringRun: number[] = [];
  await collect({ code: PARITY_EVAL, traces: jsonItems(3) }, () => (idleDuringRun = idleThreadIds()));
  expect(idleDuringRun).toEqual([]);
  expect(idleThreadIds()).toEqual([prepared!]);
});

test("idle threads, prepared or left by a run, never keep the process alive", async () => {
  const script = `
    import { prepareThread } from ${JSON.stringify(new URL("./thread-pool.ts", import.meta.url).pathname)};
    import { runBatchOnThread } from ${JSON.stringify(new URL("./batch-thread.ts", import.meta.url).pathname)};
    prepareThread();
    let results = 0;
    for await (const _ of runBatchOnThread({ code: ${JSON.stringify(PARITY_EVAL)}, traces: [{ id: "a", traceJson: '{"n": 2}' }], concurrency: 1 })) results++;
    prepareThread();
    console.log("results", results);
  `;
  const child = Bun.spawn(["bun", "-e", script], { stdout: "pipe", stderr: "pipe" });
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  const [exitCode, stdout, stderr] = await Promise.all([child.exited, new Response(child.stdout).text(), new Response(child.stderr).text()]);
  clearTimeout(timer);
  expect({ exitCode, signal: child.signalCode, stdout, stderr }).toEqual({ exitCode: 0, signal: null, stdout: "results 1\n", stderr: "" });
});
