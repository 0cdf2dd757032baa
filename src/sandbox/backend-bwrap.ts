// The bubblewrap backend (dev/CI): namespaces, read-only runtime binds, seccomp from BPF, uid 65534.
import { HARNESS_FILES, JAILED_HARNESS, PYTHON_FLAGS, SYSTEM_PYTHON, harnessPath, type PythonRuntime } from "./runtime.ts";
import { seccompBpf } from "./seccomp-bpf.ts";
import type { JailCommand, SandboxBackend, SandboxLimits } from "./types.ts";

const NOBODY = "65534";
/** The compiled filter reaches bwrap on the child's fd 4 (fd 3 is the result channel). */
const SECCOMP_CHILD_FD = 4;

export function bwrapBackend(bwrap: string, runtime: PythonRuntime, version: string): SandboxBackend {
  const filter = seccompBpf();
  // bwrap started as root cannot choose its outside uid; setpriv drops to nobody first.
  const dropRoot = process.getuid?.() === 0 ? ["setpriv", `--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", "--"] : [];
  const fixedArgs = [
    ...dropRoot,
    bwrap,
    "--unshare-all", // net, pid, ipc, uts, cgroup, user
    "--unshare-user",
    "--disable-userns", // no nested user namespaces (seccomp also refuses unshare/clone flags)
    "--die-with-parent",
    "--new-session",
    "--cap-drop", "ALL",
    "--clearenv", "--setenv", "LANG", "C.UTF-8", "--setenv", "PATH", "/usr/bin",
    "--hostname", "jail",
    "--ro-bind", runtime.binary, SYSTEM_PYTHON,
    "--ro-bind", runtime.stdlib, runtime.stdlib,
    ...runtime.libraryDirs.flatMap((dir) => ["--ro-bind", dir, dir]),
    ...runtime.rootSymlinks.flatMap(({ path, target }) => ["--symlink", target, path]),
    ...HARNESS_FILES.flatMap((file) => ["--ro-bind", harnessPath(file), `/sandbox/${file}`]),
  ];
  return {
    name: "bwrap",
    killSignal: "SIGKILL", // the outer bwrap; --die-with-parent and the pid namespace take the rest down
    description:
      `bwrap ${version} (uid ${dropRoot.length ? NOBODY : process.getuid?.()}, unshared net/pid/ipc/uts/user, ` +
      `no nested userns, seccomp deny-list, read-only ${runtime.binary} + ${runtime.stdlib}, no /proc, no /dev)`,
    command(limits: SandboxLimits): JailCommand {
      const argv = [
        ...fixedArgs,
        "--size", String(limits.tmpBytes), "--tmpfs", "/tmp",
        "--chdir", "/tmp",
        "--remount-ro", "/", // otherwise the root tmpfs bwrap builds is writable and unbounded
        "--seccomp", String(SECCOMP_CHILD_FD),
        "--", SYSTEM_PYTHON, ...PYTHON_FLAGS, JAILED_HARNESS,
      ];
      return { argv, inputs: [filter] };
    },
  };
}
