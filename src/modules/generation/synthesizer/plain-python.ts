// Runs one eval over many traces in a single unjailed python3, for tests and the offline bench only (production runs evals in src/sandbox).
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface PlainPythonResult {
  id: string;
  passed?: boolean;
  reason?: string;
  error?: string;
}

const DRIVER = String.raw`
import json, sys
namespace = {}
with open(sys.argv[1], encoding="utf-8") as f:
    exec(compile(f.read(), "eval.py", "exec"), namespace)
evaluate = namespace["evaluate"]
for line in sys.stdin:
    trace = json.loads(line)
    try:
        passed, reason = evaluate(trace)
        result = {"id": trace.get("id"), "passed": passed is True, "reason": str(reason)}
    except Exception as error:
        result = {"id": trace.get("id"), "error": f"{type(error).__name__}: {error}"}
    sys.stdout.write(json.dumps(result) + "\n")
`;

export function pythonBinary(): string {
  return existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

export function runPlainPython(code: string, traces: readonly unknown[]): PlainPythonResult[] {
  const dir = mkdtempSync(join(tmpdir(), "iofold-eval-"));
  try {
    const path = join(dir, "eval.py");
    writeFileSync(path, code);
    const stdin = Buffer.from(traces.map((t) => JSON.stringify(t)).join("\n") + "\n");
    const run = Bun.spawnSync([pythonBinary(), "-I", "-c", DRIVER, path], { stdin, stdout: "pipe", stderr: "pipe" });
    if (run.exitCode !== 0) throw new Error(`python3 exited with ${run.exitCode}: ${run.stderr.toString().slice(-2000)}`);
    return run.stdout
      .toString()
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as PlainPythonResult);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
