// The unconfined backend: the harness under bare python3, only when the operator sets SANDBOX=none.
import { PYTHON_FLAGS, SYSTEM_PYTHON, harnessPath } from "./runtime.ts";
import type { JailCommand, SandboxBackend } from "./types.ts";

export const UNCONFINED_WARNING =
  "SANDBOX=none: eval code runs UNCONFINED (no namespaces, no seccomp; it can read files and use the network). " +
  "Use this for local development only.";

export function noneBackend(): SandboxBackend {
  return {
    name: "none",
    killSignal: "SIGKILL",
    description: `none — ${UNCONFINED_WARNING}`,
    command(): JailCommand {
      return { argv: [SYSTEM_PYTHON, ...PYTHON_FLAGS, harnessPath("harness.py")], inputs: [] };
    },
  };
}
