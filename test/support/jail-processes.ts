// Which jails are running now, seen from the host's /proc: for tests of when jails start and stop.
import { readdirSync, readFileSync } from "node:fs";

/** Command lines of live processes whose command line contains `fragment`. */
export function processesMatching(fragment: string): string[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        return [readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ")];
      } catch {
        return []; // exited while we looked
      }
    })
    .filter((commandLine) => commandLine.includes(fragment));
}

/** Live jailed harnesses, any test's. */
export const runningHarnesses = () => processesMatching("/sandbox/harness.py");

/** The jails started with `tmpBytes` as their /tmp size: an odd size marks one test's own jails. */
export const jailsSized = (tmpBytes: number) => processesMatching(` --size ${tmpBytes} `);
