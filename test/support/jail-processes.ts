// Which jailed harnesses are running now, seen from the host's /proc: for tests of when jails start and stop.
import { readdirSync, readFileSync } from "node:fs";

/** Command lines of live processes running the jailed harness. */
export function runningHarnesses(): string[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        return [readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ")];
      } catch {
        return []; // exited while we looked
      }
    })
    .filter((commandLine) => commandLine.includes("/sandbox/harness.py"));
}
