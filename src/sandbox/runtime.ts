// Where the jailed Python runtime and the harness live on the host, found once at startup.
import { existsSync, lstatSync, readlinkSync, realpathSync } from "node:fs";
import { basename, join, resolve } from "node:path";

/** The repository's sandbox/ folder: harness.py, static_check.py, the seccomp policy, nsjail.cfg. */
export const SANDBOX_DIR = resolve(import.meta.dir, "../../sandbox");
/** Debian's interpreter: it is the one with python3-seccomp, and the one the jail mounts. */
export const SYSTEM_PYTHON = "/usr/bin/python3";
/** Files of SANDBOX_DIR the jail needs, mounted read-only under /sandbox. */
export const HARNESS_FILES = ["harness.py", "static_check.py"] as const;
export const JAILED_HARNESS = "/sandbox/harness.py";
/** -I: no environment, no user site; -S: no site module; -B: no .pyc writes (the runtime is read-only). */
export const PYTHON_FLAGS = ["-I", "-S", "-B"] as const;

export interface PythonRuntime {
  /** The real interpreter binary, e.g. /usr/bin/python3.11, mounted as SYSTEM_PYTHON. */
  binary: string;
  /** Its standard library, e.g. /usr/lib/python3.11. */
  stdlib: string;
  /** Shared-library folders the interpreter and its C modules load from. */
  libraryDirs: string[];
  /** /lib and /lib64 on merged-/usr systems are symlinks: recreated as such in the jail. */
  rootSymlinks: Array<{ path: string; target: string }>;
}

export function findPythonRuntime(): PythonRuntime | undefined {
  if (!existsSync(SYSTEM_PYTHON)) return undefined;
  const binary = realpathSync(SYSTEM_PYTHON);
  const stdlib = join("/usr/lib", basename(binary));
  if (!existsSync(stdlib)) return undefined;
  const libraryDirs = ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64"].filter(existsSync);
  const rootSymlinks: PythonRuntime["rootSymlinks"] = [];
  for (const path of ["/lib", "/lib64"]) {
    if (!existsSync(path)) continue;
    if (lstatSync(path).isSymbolicLink()) rootSymlinks.push({ path, target: readlinkSync(path) });
    else libraryDirs.push(path);
  }
  return { binary, stdlib, libraryDirs, rootSymlinks };
}

export function harnessPath(file: (typeof HARNESS_FILES)[number]): string {
  return join(SANDBOX_DIR, file);
}
