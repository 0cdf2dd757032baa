// Backend choice and settings, the jail's command line, the policy kept in sync, and nsjail where it exists.
import { describe, expect, test } from "bun:test";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { describeSandbox, detectBackend, nsjailAvailable, selectBackend } from "./backend.ts";
import { DEFAULT_LIMITS } from "./limits.ts";
import { runBatch } from "./run-batch.ts";
import { SANDBOX_DIR, SYSTEM_PYTHON } from "./runtime.ts";
import { readSandboxSettings } from "./settings.ts";
import { SandboxUnavailableError, type TraceResult } from "./types.ts";

const nothingInstalled = () => null;

describe("readSandboxSettings", () => {
  test("defaults to auto-detection, 2 s per trace and one interpreter per core", () => {
    const settings = readSandboxSettings({});
    expect(settings.backend).toBe("auto");
    expect(settings.timeoutMs).toBe(2000);
    expect(settings.concurrency).toBeGreaterThanOrEqual(1);
  });

  test("reads SANDBOX, SANDBOX_TIMEOUT_MS and SANDBOX_CONCURRENCY", () => {
    expect(readSandboxSettings({ SANDBOX: "bwrap", SANDBOX_TIMEOUT_MS: "500", SANDBOX_CONCURRENCY: "3" })).toEqual({
      backend: "bwrap",
      timeoutMs: 500,
      concurrency: 3,
    });
  });

  test("leaves the cores a caller keeps busy out of the default concurrency, never below one, unless it is set", () => {
    const cores = availableParallelism();
    expect(readSandboxSettings({}).concurrency).toBe(cores);
    expect(readSandboxSettings({}, { coresTaken: 1 }).concurrency).toBe(Math.max(1, cores - 1));
    expect(readSandboxSettings({}, { coresTaken: cores + 4 }).concurrency).toBe(1);
    expect(readSandboxSettings({ SANDBOX_CONCURRENCY: "5" }, { coresTaken: 1 }).concurrency).toBe(5);
  });

  test("names the bad variable and value", () => {
    expect(() => readSandboxSettings({ SANDBOX: "docker" })).toThrow('SANDBOX must be one of auto, nsjail, bwrap, none; got "docker"');
    expect(() => readSandboxSettings({ SANDBOX_TIMEOUT_MS: "soon" })).toThrow('SANDBOX_TIMEOUT_MS must be a whole number from 1 to 600000; got "soon"');
  });
});

describe("backend selection", () => {
  test("without nsjail or bwrap, says what to install", () => {
    expect(() => detectBackend("auto", nothingInstalled)).toThrow(SandboxUnavailableError);
    expect(() => detectBackend("auto", nothingInstalled)).toThrow("apt install bubblewrap python3-seccomp");
  });

  test("an explicit backend that is missing is an error, not a fallback", () => {
    expect(() => detectBackend("nsjail", nothingInstalled)).toThrow("SANDBOX=nsjail but nsjail is not on PATH");
    expect(() => detectBackend("bwrap", (tool) => (tool === "nsjail" ? "/usr/bin/nsjail" : null))).toThrow(
      "SANDBOX=bwrap but bwrap is not on PATH",
    );
  });

  test("auto prefers nsjail, then bwrap", () => {
    const onlyNsjail = (tool: string) => (tool === "nsjail" ? "/usr/local/bin/nsjail" : null);
    expect(detectBackend("auto", onlyNsjail).name).toBe("nsjail");
    expect(detectBackend("auto", (tool) => (tool === "nsjail" ? null : Bun.which(tool))).name).toBe("bwrap");
  });

  test("none is used only when asked for, and says it is unconfined", () => {
    expect(detectBackend("none", nothingInstalled).description).toContain("UNCONFINED");
  });

  test("describeSandbox names the backend in use, or why there is none", () => {
    expect(describeSandbox("bwrap")).toStartWith("sandbox: bwrap ");
    expect(describeSandbox("none")).toContain("UNCONFINED");
  });
});

describe("the bwrap command", () => {
  const command = selectBackend("bwrap").command(DEFAULT_LIMITS);
  const args = command.argv;

  test("isolates every namespace, clears the environment and loads the seccomp filter", () => {
    for (const flag of ["--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--new-session", "--clearenv", "--remount-ro"]) {
      expect(args).toContain(flag);
    }
    expect(args.slice(args.indexOf("--seccomp"), args.indexOf("--seccomp") + 2)).toEqual(["--seccomp", "4"]);
    expect(command.inputs).toHaveLength(1);
    expect(command.inputs[0]!.length % 8).toBe(0); // whole BPF instructions
  });

  test("mounts no /proc, no /dev, and /tmp as a size-capped tmpfs", () => {
    expect(args).not.toContain("--proc");
    expect(args).not.toContain("--dev");
    const tmp = args.indexOf("--tmpfs");
    expect(args.slice(tmp - 2, tmp + 2)).toEqual(["--size", String(DEFAULT_LIMITS.tmpBytes), "--tmpfs", "/tmp"]);
  });

  test("started as root, drops to uid 65534 before bwrap", () => {
    const dropRoot = process.getuid?.() === 0 ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"] : [];
    expect(args.slice(0, dropRoot.length + 1)).toEqual([...dropRoot, Bun.which("bwrap")!]);
  });
});

describe("the seccomp policy", () => {
  test("sandbox/policy.kafel (nsjail) is what sandbox/seccomp_bpf.py generates (bwrap's BPF)", async () => {
    const generated = Bun.spawnSync([SYSTEM_PYTHON, join(SANDBOX_DIR, "seccomp_bpf.py"), "--kafel"]);
    expect(generated.exitCode).toBe(0);
    expect(generated.stdout.toString()).toBe(await Bun.file(join(SANDBOX_DIR, "policy.kafel")).text());
  });
});

describe("nsjail", () => {
  test.skipIf(!nsjailAvailable())("runs a batch with sandbox/nsjail.cfg", async () => {
    const code = "def evaluate(trace):\n    return trace['n'] > 0, 'n=%d' % trace['n']\n";
    const results: TraceResult[] = [];
    const traces = [{ id: "a", trace: { n: 1 } }, { id: "b", trace: { n: 0 } }];
    for await (const result of runBatch({ code, traces, backend: selectBackend("nsjail"), concurrency: 1 })) results.push(result);
    expect(results).toMatchObject([
      { id: "a", ok: true, passed: true, reason: "n=1" },
      { id: "b", ok: true, passed: false, reason: "n=0" },
    ]);
  });

  test.skipIf(!nsjailAvailable())("a hanging trace is stopped with SIGTERM and the next one still runs", async () => {
    const code = "import signal\ndef evaluate(trace):\n    signal.signal(signal.SIGALRM, signal.SIG_IGN)\n    while trace['hang']:\n        pass\n    return True, 'done'\n";
    const results: TraceResult[] = [];
    const traces = [{ id: "hang", trace: { hang: true } }, { id: "next", trace: { hang: false } }];
    const options = { code, traces, backend: selectBackend("nsjail"), concurrency: 1, timeoutMs: 300, staticCheck: false };
    for await (const result of runBatch(options)) results.push(result);
    expect(results).toMatchObject([
      { id: "hang", ok: false, error: { kind: "timeout" } },
      { id: "next", ok: true, reason: "done" },
    ]);
  });
});
