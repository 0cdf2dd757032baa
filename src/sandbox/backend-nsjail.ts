// The nsjail backend (production container): sandbox/nsjail.cfg plus this checkout's paths.
import { join } from "node:path";
import { HARNESS_FILES, SANDBOX_DIR, harnessPath } from "./runtime.ts";
import type { JailCommand, SandboxBackend } from "./types.ts";

export function nsjailBackend(nsjail: string): SandboxBackend {
  const argv = [
    nsjail,
    "--config", join(SANDBOX_DIR, "nsjail.cfg"), // first: flags after it add to / override the file
    "--seccomp_policy", join(SANDBOX_DIR, "policy.kafel"),
    ...HARNESS_FILES.flatMap((file) => ["--bindmount_ro", `${harnessPath(file)}:/sandbox/${file}`]),
  ];
  return {
    name: "nsjail",
    killSignal: "SIGTERM",
    description: `nsjail ${nsjail} (sandbox/nsjail.cfg: uid 65534, all namespaces, cgroup memory/pids, Kafel seccomp)`,
    // Limits the harness applies itself (rlimits, timeouts) are the same for every backend; the cgroup
    // ceilings and the /tmp size live in nsjail.cfg.
    command(): JailCommand {
      return { argv, inputs: [] };
    },
  };
}
