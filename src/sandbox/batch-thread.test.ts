// runBatchOnThread: runBatch's contract across the worker thread — results, timeouts, load errors, abort, early stop, source errors.
import { describe, expect, test } from "bun:test";
import { nsjailAvailable } from "./backend.ts";
import { runBatchOnThread, type ThreadBatchOptions } from "./batch-thread.ts";
import { EvalLoadError, SandboxUnavailableError, type TraceItem, type TraceResult } from "./types.ts";
import { jailsSized } from "../../test/support/jail-processes.ts";

const PARITY_EVAL = `
def evaluate(trace):
    return trace["n"] % 2 == 0, "n is %d" % trace["n"]
`;
const HANGING_EVAL = "import time\ndef evaluate(trace):\n    time.sleep(60)\n    return True, ''\n";

function jsonItems(count: number): TraceItem[] {
  return Array.from({ length: count }, (_, n) => ({ id: `t${n}`, traceJson: JSON.stringify({ n }) }));
}

async function collect(options: ThreadBatchOptions): Promise<TraceResult[]> {
  const results: TraceResult[] = [];
  for await (const result of runBatchOnThread({ concurrency: 2, ...options })) results.push(result);
  return results;
}

describe("results", () => {
  test("scores a few thousand pre-serialized traces, one result per id with its verdict", async () => {
    const results = await collect({ code: PARITY_EVAL, traces: jsonItems(3000) });
    expect(results).toHaveLength(3000);
    const byId = new Map(results.map((result) => [result.id, result]));
    expect(byId.size).toBe(3000);
    for (let n = 0; n < 3000; n++) {
      expect(byId.get(`t${n}`)).toMatchObject({ ok: true, passed: n % 2 === 0, reason: `n is ${n}` });
    }
  });

  test("trace objects work too, and one JSON cannot express fails alone", async () => {
    const traces: TraceItem[] = [{ id: "big", trace: { n: 10n } }, { id: "fine", trace: { n: 2 } }];
    const results = await collect({ code: PARITY_EVAL, traces });
    expect(results.find(({ id }) => id === "big")).toMatchObject({ ok: false, error: { kind: "exception" } });
    expect(results.find(({ id }) => id === "fine")).toMatchObject({ ok: true, passed: true });
  });

  test("a hanging trace times out and the others still get their results", async () => {
    const code = "import time\ndef evaluate(trace):\n    if trace['n'] == 3:\n        time.sleep(60)\n    return True, 'ok'\n";
    const results = await collect({ code, traces: jsonItems(40), staticCheck: false, timeoutMs: 300 });
    expect(results.map(({ id }) => id).sort()).toEqual(jsonItems(40).map(({ id }) => id).sort());
    const failed = results.filter((result) => !result.ok);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ id: "t3", ok: false, error: { kind: "timeout" } });
  });

  test("neither traces nor results wait for a full chunk", async () => {
    // 100 traces (under a chunk either way), then the source waits for the first result. runBatch reads results
    // once an interpreter's window is full: held back on either side, they would never arrive.
    let arrived: (() => void) | undefined;
    const firstResult = new Promise<void>((resolve) => (arrived = resolve));
    async function* gated(): AsyncGenerator<TraceItem> {
      for (let n = 0; n < 200; n++) {
        if (n === 100) await firstResult;
        yield { id: `t${n}`, traceJson: JSON.stringify({ n }) };
      }
    }
    const ids: string[] = [];
    for await (const result of runBatchOnThread({ code: PARITY_EVAL, traces: gated(), concurrency: 1 })) {
      ids.push(result.id);
      arrived?.();
    }
    expect(ids).toEqual(jsonItems(200).map(({ id }) => id));
  });
});

describe("errors and stopping", () => {
  test("a static-check failure arrives as EvalLoadError with its static errors", async () => {
    const code = "import socket\ndef evaluate(t):\n    return True, ''\n";
    const error = await collect({ code, traces: jsonItems(2) }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EvalLoadError);
    expect(error).toMatchObject({ kind: "static_check", message: "the eval was rejected by the static check" });
    expect((error as EvalLoadError).staticErrors[0]).toMatchObject({ line: 1 });
    expect((error as EvalLoadError).staticErrors[0]!.message).toStartWith("line 1: import of 'socket' is not allowed");
  });

  test("an unavailable backend arrives as SandboxUnavailableError, saying what to install; another is run as chosen", async () => {
    const nsjail = await collect({ code: PARITY_EVAL, traces: jsonItems(2), backendName: "nsjail" }).catch((caught: unknown) => caught);
    if (nsjailAvailable()) expect(nsjail).toHaveLength(2);
    else {
      expect(nsjail).toBeInstanceOf(SandboxUnavailableError);
      expect((nsjail as Error).message).toContain("SANDBOX=nsjail but nsjail is not on PATH");
    }
    // Prepared on this thread, run by the worker as prepared: unconfined, the harness still answers.
    expect((await collect({ code: PARITY_EVAL, traces: jsonItems(2), backendName: "none" })).map((r) => r.ok)).toEqual([true, true]);
  });

  test("a module-level exception keeps its kind and traceback", async () => {
    const error = await collect({ code: "LIMIT = 1 / 0\ndef evaluate(t):\n    return True, ''\n", traces: jsonItems(1) }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EvalLoadError);
    expect(error).toMatchObject({ kind: "exception", message: "loading the eval failed: ZeroDivisionError: division by zero" });
    expect((error as EvalLoadError).traceback).toContain('File "<eval>", line 1');
  });

  test("an abort throws its reason and leaves no jail process behind", async () => {
    const tmpBytes = 16 * 1024 * 1024 + 4096 * 3;
    const controller = new AbortController();
    // Abort once both interpreters are running their hanging traces.
    const watch = setInterval(() => jailsSized(tmpBytes).length >= 2 && controller.abort(new Error("cancelled by the user")), 20);
    try {
      const options = { code: HANGING_EVAL, traces: jsonItems(5), staticCheck: false, timeoutMs: 60_000, limits: { tmpBytes } };
      await expect(collect({ ...options, signal: controller.signal })).rejects.toThrow("cancelled by the user");
    } finally {
      clearInterval(watch);
    }
    expect(jailsSized(tmpBytes)).toEqual([]);
  });

  test("stopping early closes the source, having pulled a bounded number of traces", async () => {
    let pulled = 0;
    let closed = false;
    async function* source(): AsyncGenerator<TraceItem> {
      try {
        for (let n = 0; n < 100_000; n++) {
          pulled++;
          yield { id: `t${n}`, traceJson: JSON.stringify({ n }) };
        }
      } finally {
        closed = true;
      }
    }
    let consumed = 0;
    const tmpBytes = 16 * 1024 * 1024 + 4096 * 5;
    for await (const _ of runBatchOnThread({ code: PARITY_EVAL, traces: source(), concurrency: 2, limits: { tmpBytes } })) {
      if (++consumed === 1) await Bun.sleep(300); // a slow consumer: the feeding must pause
      if (consumed === 5) break;
    }
    expect(closed).toBe(true);
    expect(pulled).toBeLessThan(5000); // in flight (2,048) plus buffered results (1,024) plus a chunk, not 100,000
    expect(jailsSized(tmpBytes)).toEqual([]);
  });

  test("an error from the trace source ends the run with that error", async () => {
    async function* failing(): AsyncGenerator<TraceItem> {
      yield { id: "t0", traceJson: '{"n": 0}' };
      throw new Error("database went away");
    }
    await expect(collect({ code: PARITY_EVAL, traces: failing() })).rejects.toThrow("database went away");
  });
});
