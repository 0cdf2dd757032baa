// Runs candidate eval code on labelled traces in the jail and turns the results into verdicts and problems to repair.
import { checkEvalCode, EvalLoadError, runBatch, type TraceItem } from "../../sandbox";

export interface SandboxVerdicts {
  /** Per trace id: the verdict, or the error that stopped the eval on it. */
  results: Map<string, { passed: boolean; reason: string } | { error: string }>;
  /** Set when the code could not load at all (static check, syntax, module-level error). */
  loadError: string | null;
  /** Traces on which the eval raised, timed out or returned something invalid. */
  errorCount: number;
}

function describeLoadError(error: EvalLoadError): string {
  const details = error.staticErrors.map((e) => `line ${e.line}: ${e.message}`).join("\n");
  return `${error.kind}: ${details || error.message}${error.traceback ? `\n${error.traceback}` : ""}`;
}

/** The static check alone: null when the code passes, else every problem on one line each. */
export async function staticProblems(code: string): Promise<string | null> {
  const check = await checkEvalCode(code);
  return check.ok ? null : check.errors.map((e) => `line ${e.line}: ${e.message}`).join("\n");
}

export async function runInSandbox(code: string, traces: readonly TraceItem[], options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<SandboxVerdicts> {
  const results: SandboxVerdicts["results"] = new Map();
  let errorCount = 0;
  if (traces.length === 0) return { results, loadError: null, errorCount };
  try {
    for await (const result of runBatch({ code, traces, timeoutMs: options.timeoutMs, signal: options.signal })) {
      if (result.ok) results.set(result.id, { passed: result.passed, reason: result.reason });
      else {
        errorCount++;
        results.set(result.id, { error: `${result.error.kind}: ${result.error.message}${result.error.traceback ? `\n${result.error.traceback}` : ""}` });
      }
    }
  } catch (error) {
    if (error instanceof EvalLoadError) return { results, loadError: describeLoadError(error), errorCount };
    throw error;
  }
  return { results, loadError: null, errorCount };
}

/** A failing eval counts as "did not pass": an eval that cannot decide must not silently approve. */
export function verdictOf(verdicts: SandboxVerdicts, traceId: string): boolean {
  const result = verdicts.results.get(traceId);
  return result !== undefined && "passed" in result ? result.passed : false;
}

/** How `problemsOf` starts when the code loaded but raised on some traces. */
export const RUNTIME_FAILURE = "The eval failed on";

/** What a repair round is told: the load error, or the first few runtime errors with their traces' ids. */
export function problemsOf(verdicts: SandboxVerdicts): string | null {
  if (verdicts.loadError) return verdicts.loadError;
  if (verdicts.errorCount === 0) return null;
  // Sorted: results arrive interleaved across interpreters, and the repair prompt must be stable to be cached.
  const failing = [...verdicts.results.entries()].filter(([, r]) => "error" in r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const examples = failing.slice(0, 3).map(([id, r]) => `trace ${id}: ${"error" in r ? r.error.slice(0, 1500) : ""}`);
  return `${RUNTIME_FAILURE} ${verdicts.errorCount} of ${verdicts.results.size} labelled traces:\n${examples.join("\n\n")}`;
}
