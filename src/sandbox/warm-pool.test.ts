// WarmPool: warm reuse per eval version, its bounds, idle eviction, and recovery from bad traces.
import { afterEach, describe, expect, test } from "bun:test";
import { EvalLoadError } from "./types.ts";
import { WarmPool } from "./warm-pool.ts";

/** Each interpreter stamps its results with the moment it loaded the eval, so reuse is visible. */
const stampedEval = (version: string) => `
import datetime
LOADED = datetime.datetime.now().isoformat()
def evaluate(trace):
    if trace.get("hang"):  # swallows the alarm: only the parent's deadline (a kill) ends it
        while True:
            try:
                sum(range(1000))
            except BaseException:
                pass
    return True, "${version} " + LOADED
`;

const pools: WarmPool[] = [];
function pool(options: ConstructorParameters<typeof WarmPool>[0] = {}): WarmPool {
  const created = new WarmPool({ timeoutMs: 300, ...options });
  pools.push(created);
  return created;
}

afterEach(() => {
  for (const created of pools.splice(0)) created.close();
});

async function reason(warm: WarmPool, code: string, trace: unknown = {}): Promise<string> {
  const result = await warm.score(code, trace);
  if (!result.ok) throw new Error(`expected a result, got ${JSON.stringify(result.error)}`);
  return result.reason;
}

describe("WarmPool", () => {
  test("scores on a warm interpreter after the first call", async () => {
    const warm = pool();
    const code = stampedEval("v1");
    const first = await reason(warm, code);
    const started = performance.now();
    const second = await reason(warm, code);
    expect(performance.now() - started).toBeLessThan(20);
    expect(second).toBe(first);
    expect(warm.stats()).toEqual({ live: 1, idle: 1, versions: 1 });
  });

  test("keeps versions apart", async () => {
    const warm = pool();
    expect(await reason(warm, stampedEval("v1"))).toStartWith("v1 ");
    expect(await reason(warm, stampedEval("v2"))).toStartWith("v2 ");
    expect(warm.stats()).toEqual({ live: 2, idle: 2, versions: 2 });
  });

  test("warm() starts an interpreter ahead of the first trace", async () => {
    const warm = pool();
    await warm.warm(stampedEval("v1"));
    expect(warm.stats()).toEqual({ live: 1, idle: 1, versions: 1 });
  });

  test("keeps at most maxIdlePerVersion idle interpreters", async () => {
    const warm = pool({ maxIdlePerVersion: 2 });
    const code = stampedEval("v1");
    await Promise.all(Array.from({ length: 5 }, () => reason(warm, code)));
    expect(warm.stats()).toEqual({ live: 2, idle: 2, versions: 1 });
  });

  test("never runs more than maxTotal interpreters; callers beyond it wait their turn", async () => {
    const warm = pool({ maxTotal: 2 });
    let peak = 0;
    const watcher = setInterval(() => (peak = Math.max(peak, warm.stats().live)), 1);
    try {
      const calls = Array.from({ length: 9 }, (_, index) => reason(warm, stampedEval(`v${index % 3}`)));
      const reasons = await Promise.all(calls);
      expect(reasons.map((text) => text.split(" ")[0])).toEqual(["v0", "v1", "v2", "v0", "v1", "v2", "v0", "v1", "v2"]);
    } finally {
      clearInterval(watcher);
    }
    expect(peak).toBeLessThanOrEqual(2);
    expect(warm.stats().live).toBeLessThanOrEqual(2);
  });

  test("stops interpreters left idle past idleTtlMs", async () => {
    const warm = pool({ idleTtlMs: 100 });
    await reason(warm, stampedEval("v1"));
    expect(warm.stats().live).toBe(1);
    await Bun.sleep(250);
    expect(warm.stats()).toEqual({ live: 0, idle: 0, versions: 0 });
  });

  test("a hanging trace times out and the version is warm again for the next one", async () => {
    const warm = pool();
    const code = stampedEval("v1");
    const before = await reason(warm, code);
    const hung = await warm.score(code, { hang: true });
    expect(hung).toMatchObject({ ok: false, error: { kind: "timeout", message: "no result within 300 ms; the eval's process was killed" } });
    await Bun.sleep(150); // the pool starts a replacement in the background
    const started = performance.now();
    const after = await reason(warm, code);
    expect(performance.now() - started).toBeLessThan(20);
    expect(after).not.toBe(before); // a fresh interpreter: the killed one is gone
    expect(warm.stats()).toEqual({ live: 1, idle: 1, versions: 1 });
  });

  test("an eval the static check rejects fails the call and frees its slot", async () => {
    const warm = pool({ maxTotal: 1 });
    await expect(warm.score("import os\ndef evaluate(t):\n    return True, ''\n", {})).rejects.toBeInstanceOf(EvalLoadError);
    expect(warm.stats().live).toBe(0);
    expect(await reason(warm, stampedEval("v1"))).toStartWith("v1 ");
  });

  test("refuses work once closed", async () => {
    const warm = pool();
    await reason(warm, stampedEval("v1"));
    warm.close();
    expect(warm.stats()).toEqual({ live: 0, idle: 0, versions: 0 });
    await expect(warm.score(stampedEval("v1"), {})).rejects.toThrow("the warm pool is closed");
  });
});
