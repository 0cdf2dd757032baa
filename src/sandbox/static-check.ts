// The static check of eval code (sandbox/static_check.py), run in its own short-lived jail.
import { selectBackend } from "./backend.ts";
import { JailProcess } from "./jail-process.ts";
import { MAX_CODE_CHARS, harnessLimits, resolveLimits } from "./limits.ts";
import { parseCheckLine } from "./result-protocol.ts";
import type { SandboxBackend, StaticCheckError } from "./types.ts";

export type StaticCheckResult = { ok: true } | { ok: false; errors: StaticCheckError[] };

/** Parses eval code with Python's `ast` inside the jail and lists what the fence rejects, line by line. */
export async function checkEvalCode(code: string, backend: SandboxBackend = selectBackend()): Promise<StaticCheckResult> {
  if (code.length > MAX_CODE_CHARS) {
    return { ok: false, errors: [{ line: 1, message: `line 1: the eval is ${code.length} characters long; the limit is ${MAX_CODE_CHARS}` }] };
  }
  const limits = resolveLimits();
  const jail = new JailProcess(backend, limits, { onOutput: () => {} });
  const deadline = setTimeout(() => jail.kill(), limits.startupMs + limits.timeoutMs);
  try {
    jail.write(JSON.stringify({ mode: "check", code, limits: harnessLimits(limits) }) + "\n");
    for await (const line of jail.resultLines()) {
      const parsed = parseCheckLine(line, limits);
      if ("violation" in parsed) break;
      return parsed.check.ok ? { ok: true } : { ok: false, errors: parsed.check.errors };
    }
    await jail.finished;
    throw new Error(`the static check did not answer (${jail.exitDescription()})`);
  } finally {
    clearTimeout(deadline);
    jail.kill();
  }
}
