// Guards an embedded PGlite data dir against a second process: PGlite is single-process and would corrupt it.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export class DataDirLockedError extends Error {}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes the lock or throws a message saying who holds it and what to do instead; returns the release. */
export function acquireDataDirLock(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const lockPath = join(dir, "iofold.lock");
  if (existsSync(lockPath)) {
    const holder = Number.parseInt(readFileSync(lockPath, "utf8"), 10);
    if (Number.isFinite(holder) && holder !== process.pid && processAlive(holder)) {
      throw new DataDirLockedError(
        `The embedded database in ${dir} is in use by another iofold process (pid ${holder}). ` +
          "PGlite allows one process at a time: stop that process first, use the web UI or API of the running server, " +
          "or run on Postgres (DATABASE_URL) to use the CLI and extra workers beside the server.",
      );
    }
  }
  writeFileSync(lockPath, String(process.pid));
  return () => rmSync(lockPath, { force: true });
}
