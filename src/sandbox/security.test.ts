// Hostile evals against the real jail (bwrap in CI): each attack gets its exact outcome, its neighbours their results.
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { runningHarnesses } from "../../test/support/jail-processes.ts";
import { runBatch } from "./run-batch.ts";
import type { TraceFailed, TracePassed, TraceResult } from "./types.ts";

const FIXTURES = join(import.meta.dir, "../../test/fixtures/hostile");
const HANG_TIMEOUT_MS = 300;
const TEST_TIMEOUT_MS = 10_000;

/** Runs fixture `name` over [before, attack, after]; the static check is skipped so the jail itself is tested. */
async function attack(name: string, attackTrace: Record<string, unknown>): Promise<Map<string, TraceResult>> {
  const code = await Bun.file(join(FIXTURES, `${name}.py`)).text();
  const traces = [
    { id: "before", trace: {} },
    { id: "attack", trace: attackTrace },
    { id: "after", trace: {} },
  ];
  const results = new Map<string, TraceResult>();
  for await (const result of runBatch({ code, traces, timeoutMs: HANG_TIMEOUT_MS, concurrency: 1, staticCheck: false })) {
    expect(results.has(result.id)).toBe(false);
    results.set(result.id, result);
  }
  expect([...results.keys()].sort()).toEqual(["after", "attack", "before"]);
  for (const id of ["before", "after"]) {
    const neighbour = results.get(id)!;
    expect(neighbour.ok).toBe(true);
    expect((neighbour as TracePassed).reason).toMatch(/^(benign|genuine)$/);
  }
  return results;
}

function passed(results: Map<string, TraceResult>): TracePassed {
  const result = results.get("attack")!;
  if (!result.ok) throw new Error(`expected a result, got ${JSON.stringify(result.error)}`);
  return result;
}

function failed(results: Map<string, TraceResult>): TraceFailed {
  const result = results.get("attack")!;
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result)}`);
  return result;
}

describe("network", () => {
  let requests = 0;
  const listener = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: () => {
      requests++;
      return new Response("reached");
    },
  });
  afterAll(() => listener.stop(true));

  test("no socket can be opened, even to a port listening on the host's loopback", async () => {
    const ports = [5432, 80, 3000, Number(listener.port)];
    const outcome = JSON.parse(passed(await attack("network", { attack: true, ports })).reason);
    const refused = "PermissionError errno=1";
    expect(outcome).toEqual({ "5432": refused, "80": refused, "3000": refused, [String(listener.port)]: refused, unix: refused });
    expect(requests).toBe(0);
  }, TEST_TIMEOUT_MS);
});

describe("host files and secrets", () => {
  test("/etc/passwd, the app's source and /proc/self/environ do not exist in the jail", async () => {
    const paths = ["/etc/passwd", join(import.meta.dir, "run-batch.ts"), "/proc/self/environ", "/proc/1/environ"];
    const outcome = JSON.parse(passed(await attack("read_files", { attack: true, paths })).reason);
    for (const path of paths) expect(outcome[path]).toBe("FileNotFoundError errno=2");
  }, TEST_TIMEOUT_MS);

  test("secrets in the parent's environment never reach the eval", async () => {
    const saved = { secret: process.env.SECRET_FOR_TEST, database: process.env.DATABASE_URL };
    process.env.SECRET_FOR_TEST = "xyz-secret";
    process.env.DATABASE_URL = "postgres://app:hunter2@127.0.0.1:5432/iofold";
    try {
      const seen = passed(await attack("environ", { attack: true })).reason;
      expect(JSON.parse(seen)).toEqual({ LANG: "C.UTF-8", PATH: "/usr/bin" });
      expect(seen).not.toContain("xyz-secret");
      expect(seen).not.toContain("hunter2");
    } finally {
      restoreEnv("SECRET_FOR_TEST", saved.secret);
      restoreEnv("DATABASE_URL", saved.database);
    }
  }, TEST_TIMEOUT_MS);
});

describe("file system writes", () => {
  test("everything outside /tmp is read-only", async () => {
    const paths = ["/x", "/usr/lib/python3.11/owned.py", "/sandbox/harness.py", "/tmp/allowed"];
    const outcome = JSON.parse(passed(await attack("write_outside_tmp", { attack: true, paths })).reason);
    expect(outcome).toEqual({
      "/x": "OSError errno=30",
      "/usr/lib/python3.11/owned.py": "OSError errno=30",
      "/sandbox/harness.py": "OSError errno=30",
      "/tmp/allowed": "WRITTEN",
    });
  }, TEST_TIMEOUT_MS);

  test("one huge file in /tmp stops at the file-size limit", async () => {
    const error = failed(await attack("fill_tmp", { attack: "one_file" })).error;
    expect(error).toMatchObject({ kind: "exception", message: "OSError: [Errno 27] File too large" });
  }, TEST_TIMEOUT_MS);

  test("many files in /tmp stop at the tmpfs size", async () => {
    const error = failed(await attack("fill_tmp", { attack: "many_files" })).error;
    expect(error).toMatchObject({ kind: "exception", message: "OSError: [Errno 28] No space left on device" });
  }, TEST_TIMEOUT_MS);
});

describe("processes and resources", () => {
  test("a fork bomb cannot fork once", async () => {
    const error = failed(await attack("fork_bomb", { attack: true })).error;
    expect(error).toMatchObject({ kind: "exception", message: "PermissionError: [Errno 1] Operation not permitted" });
  }, TEST_TIMEOUT_MS);

  test("a thread bomb stops at the thread limit", async () => {
    const error = failed(await attack("thread_bomb", { attack: true })).error;
    expect(error).toMatchObject({ kind: "exception", message: "RuntimeError: can't start new thread" });
  }, TEST_TIMEOUT_MS);

  test("allocating 4 GiB is a memory error", async () => {
    const error = failed(await attack("allocate", { attack: true })).error;
    expect(error).toMatchObject({ kind: "memory", message: "the eval ran out of memory (MemoryError)" });
  }, TEST_TIMEOUT_MS);

  test("an integer power needing gigabytes times out", async () => {
    expect(failed(await attack("huge_power", { attack: true })).error.kind).toBe("timeout");
  }, TEST_TIMEOUT_MS);

  test("catastrophic regex backtracking times out", async () => {
    expect(failed(await attack("catastrophic_regex", { attack: true })).error.kind).toBe("timeout");
  }, TEST_TIMEOUT_MS);
});

describe("hangs", () => {
  test("an infinite loop is stopped by the harness's alarm", async () => {
    const error = failed(await attack("infinite_loop", { attack: true })).error;
    expect(error).toMatchObject({ kind: "timeout", message: "the eval did not finish in time" });
    expect(error.traceback).toContain("while True:");
  }, TEST_TIMEOUT_MS);

  test("sleeping forever is woken by the alarm", async () => {
    const error = failed(await attack("sleep_forever", { attack: "plain" })).error;
    expect(error).toMatchObject({ kind: "timeout", message: "the eval did not finish in time" });
  }, TEST_TIMEOUT_MS);

  const killedByParent = `no result within ${HANG_TIMEOUT_MS} ms; the eval's process was killed`;

  test("a loop that ignores SIGALRM is killed by the parent's deadline", async () => {
    const started = performance.now();
    const error = failed(await attack("ignore_alarm", { attack: true })).error;
    expect(error).toEqual({ kind: "timeout", message: killedByParent, traceback: "" });
    expect(performance.now() - started).toBeLessThan(3000);
  }, TEST_TIMEOUT_MS);

  test("a loop that swallows the alarm's exception is killed by the parent's deadline", async () => {
    expect(failed(await attack("swallow_alarm", { attack: true })).error).toEqual({ kind: "timeout", message: killedByParent, traceback: "" });
  }, TEST_TIMEOUT_MS);

  test("sleeping with SIGALRM blocked is killed by the parent's deadline", async () => {
    expect(failed(await attack("sleep_forever", { attack: "blocked" })).error).toEqual({ kind: "timeout", message: killedByParent, traceback: "" });
  }, TEST_TIMEOUT_MS);

  test("a killed jail leaves no process behind", async () => {
    await attack("ignore_alarm", { attack: true });
    await Bun.sleep(300);
    expect(runningHarnesses()).toEqual([]);
  }, TEST_TIMEOUT_MS);
});

describe("output floods", () => {
  test("printing 1 GiB stops at the output limit", async () => {
    const error = failed(await attack("print_flood", { attack: "print" })).error;
    expect(error).toMatchObject({ kind: "output_limit", message: "the eval printed more than 1048576 characters" });
  }, TEST_TIMEOUT_MS);

  test("writing 1 GiB to the raw stdout fd gets the process killed", async () => {
    const error = failed(await attack("print_flood", { attack: "raw" })).error;
    expect(error).toMatchObject({ kind: "output_limit", message: "the eval wrote more than 1048576 bytes to stdout/stderr; its process was killed" });
  }, TEST_TIMEOUT_MS);
});

describe("the result protocol", () => {
  test("result lines forged for other traces cost only the forger", async () => {
    const results = await attack("forge_results", { attack: "others", victims: ["after", "someone-else"] });
    expect(failed(results).error).toMatchObject({
      kind: "killed",
      message: 'the eval broke the result protocol (a result line names trace "after" while "attack" was in flight); its process was killed',
    });
    expect(results.get("after")).toMatchObject({ ok: true, passed: false, reason: "genuine" });
  }, TEST_TIMEOUT_MS);

  test("an endless garbage line on the result channel costs only the writer", async () => {
    const error = failed(await attack("forge_results", { attack: "garbage" })).error;
    expect(error).toMatchObject({
      kind: "killed",
      message: "the eval broke the result protocol (a line longer than 524288 bytes); its process was killed",
    });
  }, TEST_TIMEOUT_MS);

  test("a trace forging its own result only decides its own result", async () => {
    const results = await attack("forge_results", { attack: "own", self: "attack" });
    expect(passed(results)).toMatchObject({ passed: true, reason: "forged" });
    expect(results.get("after")).toMatchObject({ ok: true, passed: false, reason: "genuine" });
  }, TEST_TIMEOUT_MS);
});

describe("crashes and escapes", () => {
  test("a segfault through ctypes is reported and the batch goes on", async () => {
    const error = failed(await attack("segfault", { attack: true })).error;
    expect(error).toMatchObject({ kind: "killed", message: "the eval's process ended while scoring this trace (exit code 139: SIGSEGV)" });
  }, TEST_TIMEOUT_MS);

  test("os._exit is reported and the batch goes on", async () => {
    const error = failed(await attack("hard_exit", { attack: true })).error;
    expect(error).toMatchObject({ kind: "killed", message: "the eval's process ended while scoring this trace (exit code 0)" });
  }, TEST_TIMEOUT_MS);

  test("killing the parent reaches only the jail's own init, which ignores it", async () => {
    const outcome = JSON.parse(passed(await attack("kill_parent", { attack: true, host_pid: process.pid })).reason);
    expect(outcome).toEqual({
      ppid: 1, // the jail's pid namespace: its parent is the jail's init, not the app
      parent: "sent",
      init: "sent",
      everyone: "ProcessLookupError errno=3",
      host_runner: "ProcessLookupError errno=3",
    });
  }, TEST_TIMEOUT_MS);

  test("namespace, mount, tracing and kernel-surface syscalls are refused", async () => {
    const outcome = JSON.parse(passed(await attack("escape_syscalls", { attack: true })).reason);
    const refused = "errno=1";
    expect(outcome).toEqual({
      socket: refused, unshare_user: refused, unshare_mount: refused, setns: refused, mount: refused, umount2: refused,
      pivot_root: refused, chroot: refused, ptrace: refused, bpf: refused, io_uring_setup: refused, userfaultfd: refused,
      keyctl: refused, fork: refused,
      clone3: "errno=38", // ENOSYS, so that glibc falls back to clone(), whose flags seccomp can check
    });
  }, TEST_TIMEOUT_MS);
});

describe("the parent stays responsive", () => {
  test("timers and an HTTP server keep answering while a hostile batch runs", async () => {
    const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("pong") });
    const code = await Bun.file(join(FIXTURES, "print_flood.py")).text();
    const traces = Array.from({ length: 12 }, (_, index) => ({ id: `t${index}`, trace: { attack: index % 3 === 0 ? "raw" : false } }));
    let last = performance.now();
    let worstGap = 0;
    const ticker = setInterval(() => {
      const now = performance.now();
      worstGap = Math.max(worstGap, now - last);
      last = now;
    }, 5);
    const pings: number[] = [];
    const pinging = (async () => {
      for (let i = 0; i < 10; i++) {
        const started = performance.now();
        expect(await (await fetch(server.url)).text()).toBe("pong");
        pings.push(performance.now() - started);
        await Bun.sleep(10);
      }
    })();
    try {
      let count = 0;
      for await (const _ of runBatch({ code, traces, timeoutMs: HANG_TIMEOUT_MS, concurrency: 2, staticCheck: false })) count++;
      await pinging;
      expect(count).toBe(12);
      expect(worstGap).toBeLessThan(150);
      expect(Math.max(...pings)).toBeLessThan(150);
    } finally {
      clearInterval(ticker);
      server.stop(true);
    }
  }, TEST_TIMEOUT_MS);
});

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
