// Compiles sandbox/seccomp_bpf.py's policy to BPF once per process and keeps it in memory, for bwrap's --seccomp FD.
import { join } from "node:path";
import { SANDBOX_DIR, SYSTEM_PYTHON } from "./runtime.ts";
import { SandboxUnavailableError } from "./types.ts";

let compiled: Uint8Array | undefined;

export function seccompBpf(): Uint8Array {
  if (compiled) return compiled;
  const compile = Bun.spawnSync([SYSTEM_PYTHON, join(SANDBOX_DIR, "seccomp_bpf.py"), "--bpf", "-"], {
    env: { LANG: "C.UTF-8", PATH: "/usr/bin:/bin" },
    stdout: "pipe",
    stderr: "pipe",
  });
  // A BPF program is a whole number of 8-byte instructions; anything else is a broken compile.
  if (compile.exitCode !== 0 || compile.stdout.length === 0 || compile.stdout.length % 8 !== 0) {
    throw new SandboxUnavailableError(
      `compiling the seccomp policy for bwrap failed: ${compile.stderr.toString().trim() || "no output"}. ` +
        "The bwrap backend needs Debian's python3-seccomp: apt install python3-seccomp",
    );
  }
  compiled = new Uint8Array(compile.stdout);
  return compiled;
}
