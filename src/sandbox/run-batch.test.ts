// runBatch: results and errors per trace, load failures, concurrency, laziness, cancellation and recycling.
import { describe, expect, spyOn, test } from "bun:test";
import { selectBackend } from "./backend.ts";
import { runBatch, type RunBatchOptions } from "./run-batch.ts";
import { EvalLoadError, type TraceItem, type TraceResult } from "./types.ts";

const PARITY_EVAL = `
def evaluate(trace):
    print("scoring", trace["n"])
    return trace["n"] % 2 == 0, "n is %d" % trace["n"]
`;

function items(count: number, make: (index: number) => unknown = (n) => ({ n })): TraceItem[] {
  return Array.from({ length: count }, (_, index) => ({ id: `t${index}`, trace: make(index) }));
}

async function collect(options: RunBatchOptions): Promise<TraceResult[]> {
  const results: TraceResult[] = [];
  for await (const result of runBatch({ concurrency: 1, ...options })) results.push(result);
  return results;
}

async function loadError(options: RunBatchOptions): Promise<EvalLoadError> {
  try {
    await collect(options);
  } catch (error) {
    if (error instanceof EvalLoadError) return error;
    throw error;
  }
  throw new Error("expected an EvalLoadError");
}

describe("results", () => {
  test("scores every trace in order, with what it printed", async () => {
    const results = await collect({ code: PARITY_EVAL, traces: items(3) });
    expect(results.map(({ id }) => id)).toEqual(["t0", "t1", "t2"]);
    expect(results[1]).toMatchObject({ id: "t1", ok: true, passed: false, reason: "n is 1", stdout: "scoring 1\n" });
    expect(results[2]).toMatchObject({ ok: true, passed: true, reason: "n is 2" });
    for (const result of results) expect(result.ok && result.duration_ms >= 0).toBe(true);
  });

  test("an exception fails its trace with a traceback into the eval's code", async () => {
    const code = "def evaluate(trace):\n    ratio = 1 / trace['n']\n    return True, str(ratio)\n";
    const [broken, fine] = await collect({ code, traces: items(2) });
    expect(broken).toMatchObject({ ok: false, error: { kind: "exception", message: "ZeroDivisionError: division by zero" } });
    expect(!broken!.ok && broken!.error.traceback).toContain(`File "<eval>", line 2, in evaluate\n    ratio = 1 / trace['n']`);
    expect(fine).toMatchObject({ ok: true, reason: "1.0" });
  });

  test.each([
    ["1", "evaluate must return a (passed: bool, reason: str) tuple, got a value of type int"],
    ["(True,)", "evaluate must return a (passed: bool, reason: str) tuple, got a tuple of length 1"],
    ["(1, 'x')", "evaluate returned a value of type int as `passed`; it must be True or False"],
    ["(True, 3)", "evaluate returned a value of type int as `reason`; it must be a str"],
  ])("returning %s is an invalid_return", async (value, message) => {
    const [result] = await collect({ code: `def evaluate(trace):\n    return ${value}\n`, traces: items(1) });
    expect(result).toEqual({ id: "t0", ok: false, error: { kind: "invalid_return", message, traceback: "" } });
  });

  test("caps the reason and the captured stdout", async () => {
    const code = "def evaluate(trace):\n    print('y' * 20000)\n    return True, 'x' * 5000\n";
    const [result] = await collect({ code, traces: items(1) });
    if (!result?.ok) throw new Error("expected a result");
    expect(result.reason).toBe(`${"x".repeat(2000)}…[3000 more chars]`);
    expect(result.stdout).toStartWith("y".repeat(8192));
    expect(result.stdout).toEndWith("…[11809 more chars not kept]");
  });

  test("a trace that cannot be sent as JSON fails alone", async () => {
    const traces: TraceItem[] = [{ id: "big", trace: { n: 10n } }, { id: "fine", trace: { n: 2 } }];
    const results = await collect({ code: PARITY_EVAL, traces });
    expect(results.find(({ id }) => id === "big")).toMatchObject({ ok: false, error: { kind: "exception" } });
    expect(results.find(({ id }) => id === "fine")).toMatchObject({ ok: true, passed: true });
  });
});

describe("an eval that cannot load", () => {
  test("is rejected by the static check before anything runs", async () => {
    const error = await loadError({ code: "import os\ndef evaluate(t):\n    return True, ''\n", traces: items(2) });
    expect(error.kind).toBe("static_check");
    expect(error.staticErrors[0]).toMatchObject({ line: 1 });
    expect(error.staticErrors[0]!.message).toStartWith("line 1: import of 'os' is not allowed");
  });

  test("reports a module-level exception", async () => {
    const error = await loadError({ code: "LIMIT = 1 / 0\ndef evaluate(t):\n    return True, ''\n", traces: items(1) });
    expect(error).toMatchObject({ kind: "exception", message: "loading the eval failed: ZeroDivisionError: division by zero" });
    expect(error.traceback).toContain('File "<eval>", line 1');
  });

  test("reports a missing evaluate when the static check is skipped", async () => {
    const error = await loadError({ code: "x = 1\n", traces: items(1), staticCheck: false });
    expect(error).toMatchObject({ kind: "exception", message: "the eval defines no callable `evaluate(trace)`" });
  });

  test("reports module-level code that never finishes", async () => {
    const error = await loadError({ code: "while True:\n    pass\n", traces: items(1), staticCheck: false, timeoutMs: 300 });
    expect(error).toMatchObject({ kind: "timeout", message: "loading the eval failed: the eval did not finish in time" });
  });
});

describe("streaming", () => {
  test("spreads a large run over several interpreters, one result per trace despite crashes", async () => {
    const code = "import os\ndef evaluate(trace):\n    if trace['n'] % 50 == 7:\n        os._exit(1)\n    return True, 'ok'\n";
    const results = await collect({ code, traces: items(400), concurrency: 3, staticCheck: false });
    expect(results.map(({ id }) => id).sort()).toEqual(items(400).map(({ id }) => id).sort());
    const crashed = results.filter((result) => !result.ok).map(({ id }) => id).sort();
    expect(crashed).toEqual(["t107", "t157", "t207", "t257", "t307", "t357", "t57", "t7"]);
  });

  test("pulls traces lazily and closes the source when the consumer stops", async () => {
    let pulled = 0;
    let closed = false;
    async function* source(): AsyncGenerator<TraceItem> {
      try {
        for (let n = 0; n < 100_000; n++) {
          pulled++;
          yield { id: `t${n}`, trace: { n } };
        }
      } finally {
        closed = true;
      }
    }
    let consumed = 0;
    for await (const _ of runBatch({ code: PARITY_EVAL, traces: source(), concurrency: 1 })) {
      if (++consumed === 1) await Bun.sleep(200); // a slow consumer: the workers must stop pulling
      if (consumed === 5) break;
    }
    expect(pulled).toBeLessThan(500); // one window (128) plus the output buffer (256), not 100,000
    expect(closed).toBe(true);
  });

  test("sends large traces ahead by size, not by count: a few hundred KB at most wait in an interpreter's window", async () => {
    let pulled = 0;
    const big = JSON.stringify({ text: "x".repeat(200_000) });
    async function* source(): AsyncGenerator<TraceItem> {
      for (let n = 0; n < 50; n++) {
        pulled++;
        yield { id: `t${n}`, traceJson: big };
      }
    }
    const code = "import time\ndef evaluate(trace):\n    time.sleep(0.5)\n    return True, 'ok'\n";
    for await (const _ of runBatch({ code, traces: source(), concurrency: 1, staticCheck: false })) {
      // While the first trace sleeps, only what fits in 512 KiB (three of these) was sent after it, not 50.
      expect(pulled).toBeLessThanOrEqual(4);
      break;
    }
  });

  test("a scored trace's result is handed over while the source is still waiting for the next trace", async () => {
    let firstResultSeen: () => void = () => {};
    const firstResult = new Promise<void>((resolve) => (firstResultSeen = resolve));
    let sourceGaveUp = false;
    async function* waitsForTheFirstResult(): AsyncGenerator<TraceItem> {
      yield { id: "t0", trace: { n: 0 } };
      const gaveUp = Bun.sleep(3_000).then(() => (sourceGaveUp = true));
      await Promise.race([firstResult, gaveUp]);
      yield { id: "t1", trace: { n: 1 } };
    }
    const ids: string[] = [];
    for await (const result of runBatch({ code: PARITY_EVAL, traces: waitsForTheFirstResult(), concurrency: 1 })) {
      ids.push(result.id);
      firstResultSeen();
    }
    expect({ ids, sourceGaveUp }).toEqual({ ids: ["t0", "t1"], sourceGaveUp: false });
  });

  test("startAtOnce starts the interpreters while the first trace is still being read; by default they wait for it", async () => {
    const jailsStartedWhileReading = async (startAtOnce: boolean, waitMs: number) => {
      const real = selectBackend();
      let started = 0;
      const backend = { ...real, command: (limits: Parameters<typeof real.command>[0]) => (started++, real.command(limits)) };
      let startedBeforeFirstTrace = 0;
      async function* slowFirstRead(): AsyncGenerator<TraceItem> {
        for (const deadline = performance.now() + waitMs; performance.now() < deadline && started < 2; ) await Bun.sleep(20);
        startedBeforeFirstTrace = started;
        yield* items(3);
      }
      const results = await collect({ code: PARITY_EVAL, traces: slowFirstRead(), concurrency: 2, startAtOnce, backend });
      expect(results).toHaveLength(3);
      return startedBeforeFirstTrace;
    };
    expect(await jailsStartedWhileReading(true, 5_000)).toBe(2);
    expect(await jailsStartedWhileReading(false, 300)).toBe(0);
  });

  test("an error from the trace source ends the run with that error", async () => {
    async function* failing(): AsyncGenerator<TraceItem> {
      yield { id: "t0", trace: { n: 0 } };
      throw new Error("database went away");
    }
    await expect(collect({ code: PARITY_EVAL, traces: failing() })).rejects.toThrow("database went away");
  });

  test("an abort signal stops a run stuck on hanging traces", async () => {
    const code = "import time\ndef evaluate(trace):\n    time.sleep(60)\n    return True, ''\n";
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("cancelled by the user")), 200);
    const started = performance.now();
    const run = collect({ code, traces: items(5), staticCheck: false, timeoutMs: 60_000, signal: controller.signal });
    await expect(run).rejects.toThrow("cancelled by the user");
    expect(performance.now() - started).toBeLessThan(2000);
  });

  test("replaces interpreters older than maxProcessAgeMs without losing traces", async () => {
    const code = "import datetime, time\nLOADED = datetime.datetime.now().isoformat()\ndef evaluate(trace):\n    time.sleep(0.002)\n    return True, LOADED\n";
    // The first interpreter gets a full window at once, then ages out and another one takes the rest.
    const results = await collect({ code, traces: items(300), staticCheck: false, limits: { maxProcessAgeMs: 60 } });
    expect(results).toHaveLength(300);
    expect(results.every((result) => result.ok)).toBe(true);
    const interpreters = new Set(results.map((result) => (result.ok ? result.reason : "")));
    expect(interpreters.size).toBeGreaterThan(1);
  });
});

describe("SANDBOX=none", () => {
  test("runs unconfined and warns on every run", async () => {
    const warn = spyOn(console, "warn").mockImplementation(() => {});
    try {
      const results = await collect({ code: PARITY_EVAL, traces: items(2), backend: selectBackend("none") });
      expect(results.map((result) => result.ok)).toEqual([true, true]);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]?.[0])).toContain("UNCONFINED");
    } finally {
      warn.mockRestore();
    }
  });
});
