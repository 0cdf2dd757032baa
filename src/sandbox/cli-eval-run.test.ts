// `eval run` as a user runs it: a separate process, JSON lines on stdout, a summary on stderr, exit codes.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const workdir = mkdtempSync(join(tmpdir(), "iofold-cli-eval-"));
afterAll(() => rmSync(workdir, { recursive: true, force: true }));

const runner = join(workdir, "run.ts");
writeFileSync(
  runner,
  `import { evalRunCommand } from ${JSON.stringify(join(import.meta.dir, "cli-eval-run.ts"))};\n` +
    "process.exitCode = await evalRunCommand(process.argv.slice(2));\n",
);

function file(name: string, text: string): string {
  const path = join(workdir, name);
  writeFileSync(path, text);
  return path;
}

function evalRun(...args: string[]): { code: number; stdout: string; stderr: string } {
  const run = Bun.spawnSync(["bun", runner, ...args], { stdout: "pipe", stderr: "pipe" });
  return { code: run.exitCode ?? -1, stdout: run.stdout.toString(), stderr: run.stderr.toString() };
}

const TRACES = file(
  "traces.jsonl",
  [
    JSON.stringify({ id: "wrapped", trace: { output: "all good" } }),
    "",
    JSON.stringify({ id: "normalized", output: "an error happened" }),
    JSON.stringify({ output: "no id here" }), // no trailing newline on the last line
  ].join("\n"),
);

describe("eval run", () => {
  test("prints one JSON result per trace and a summary on stderr", () => {
    const evalPath = file("ok.py", "def evaluate(trace):\n    return 'error' not in trace['output'], trace['output']\n");
    const { code, stdout, stderr } = evalRun(evalPath, TRACES);
    expect(code).toBe(0);
    const results = stdout.trim().split("\n").map((line) => JSON.parse(line));
    results.sort((a, b) => a.id.localeCompare(b.id)); // interpreters run in parallel: order is interleaved
    expect(results).toMatchObject([
      { id: "line-4", ok: true, passed: true, reason: "no id here" },
      { id: "normalized", ok: true, passed: false, reason: "an error happened" },
      { id: "wrapped", ok: true, passed: true, reason: "all good" },
    ]);
    expect(stderr).toContain("sandbox: ");
    expect(stderr).toMatch(/3 traces in [\d.]+ s: 2 passed, 1 failed, 0 errors\n/);
  });

  test("stops with exit code 1 and the offending lines when the static check rejects the eval", () => {
    const evalPath = file("bad.py", "import os\ndef evaluate(trace):\n    return True, os.getcwd()\n");
    const { code, stdout, stderr } = evalRun(evalPath, TRACES);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toContain("eval could not run (static_check)");
    expect(stderr).toContain("line 1: import of 'os' is not allowed");
  });

  test("--skip-static-check sends the code straight to the jail", () => {
    const evalPath = file("unchecked.py", "import os\ndef evaluate(trace):\n    return True, os.getcwd()\n");
    const { code, stdout, stderr } = evalRun(evalPath, TRACES, "--skip-static-check");
    expect(code).toBe(0);
    expect(stderr).toContain("static check skipped");
    expect(JSON.parse(stdout.split("\n")[0]!)).toMatchObject({ ok: true, reason: "/tmp" });
  });

  test("exits 2 with the usage on bad arguments", () => {
    expect(evalRun("only-one.py")).toMatchObject({ code: 2, stderr: expect.stringContaining("usage: eval run") });
    expect(evalRun(join(workdir, "missing.py"), TRACES).stderr).toContain("no such file");
    expect(evalRun("a.py", "b.jsonl", "--timeout-ms", "soon").stderr).toContain("--timeout-ms needs a positive whole number");
  });
});
