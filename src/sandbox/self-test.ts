// Boot-time proof that the chosen jail can start here: a container without the privileges it needs fails now, loudly.
import { selectBackend } from "./backend.ts";
import type { BackendChoice } from "./settings.ts";
import { runBatch } from "./run-batch.ts";

const PROBE = "def evaluate(trace):\n    return True, 'jail works'\n";

/** Runs one trivial eval in the jail; resolves null when it works, else what went wrong. */
export async function sandboxSelfTest(choice?: BackendChoice): Promise<string | null> {
  try {
    const backend = selectBackend(choice);
    for await (const result of runBatch({ code: PROBE, traces: [{ id: "probe", trace: {} }], backend, concurrency: 1 })) {
      if (result.ok && result.passed) return null;
      return result.ok ? "the probe eval returned an unexpected verdict" : `${result.error.kind}: ${result.error.message}`;
    }
    return "the jail returned no result";
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
