// Picks the jail backend (SANDBOX=nsjail|bwrap|none, auto: nsjail then bwrap) and describes it for the log.
import { bwrapBackend } from "./backend-bwrap.ts";
import { noneBackend } from "./backend-none.ts";
import { nsjailBackend } from "./backend-nsjail.ts";
import { findPythonRuntime } from "./runtime.ts";
import { readSandboxSettings, type BackendChoice } from "./settings.ts";
import { SandboxUnavailableError, type SandboxBackend } from "./types.ts";

const INSTALL_HINT =
  "Evals run only inside a jail: use the iofold container image (it ships nsjail), or install bubblewrap " +
  "(apt install bubblewrap python3-seccomp). SANDBOX=none runs evals unconfined, for local development only.";

const selected = new Map<BackendChoice, SandboxBackend>();

/** The backend for `choice` (default: the SANDBOX setting); throws SandboxUnavailableError with what to install. */
export function selectBackend(choice: BackendChoice = readSandboxSettings().backend): SandboxBackend {
  const cached = selected.get(choice);
  if (cached) return cached;
  const backend = detectBackend(choice);
  selected.set(choice, backend);
  return backend;
}

/** One line for the startup log: the backend in use, or why evals cannot run. */
export function describeSandbox(choice?: BackendChoice): string {
  try {
    return `sandbox: ${selectBackend(choice).description}`;
  } catch (error) {
    if (error instanceof SandboxUnavailableError) return `sandbox: UNAVAILABLE — ${error.message}`;
    throw error;
  }
}

export function nsjailAvailable(): boolean {
  return Bun.which("nsjail") !== null;
}

/** Finds the tools `choice` needs on PATH (`which` is replaceable for tests); throws with what to install. */
export function detectBackend(choice: BackendChoice, which: (tool: string) => string | null = Bun.which): SandboxBackend {
  if (choice === "none") return noneBackend();
  const runtime = findPythonRuntime();
  if (!runtime) {
    throw new SandboxUnavailableError(`Debian's python3 (/usr/bin/python3 and its /usr/lib/python3.X) is missing. ${INSTALL_HINT}`);
  }
  const nsjail = which("nsjail");
  if (choice === "nsjail" || (choice === "auto" && nsjail)) {
    if (!nsjail) throw new SandboxUnavailableError(`SANDBOX=nsjail but nsjail is not on PATH. ${INSTALL_HINT}`);
    return nsjailBackend(nsjail);
  }
  const bwrap = which("bwrap");
  if (!bwrap) {
    const asked = choice === "bwrap" ? "SANDBOX=bwrap but bwrap is not on PATH. " : "No sandbox found (neither nsjail nor bwrap). ";
    throw new SandboxUnavailableError(asked + INSTALL_HINT);
  }
  if (process.getuid?.() === 0 && !which("setpriv")) {
    throw new SandboxUnavailableError("bwrap as root needs setpriv (util-linux) to drop to uid 65534: apt install util-linux");
  }
  return bwrapBackend(bwrap, runtime, bwrapVersion(bwrap));
}

function bwrapVersion(bwrap: string): string {
  const run = Bun.spawnSync([bwrap, "--version"], { stdout: "pipe", stderr: "pipe" });
  return run.stdout.toString().trim().replace(/^bubblewrap\s*/, "") || "(unknown version)";
}
