// Startup bench: time from `bun start` to /readyz OK, on an empty data dir (first run) and an existing one, plus idle RSS.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir, cpus, totalmem } from "node:os";
import { join } from "node:path";

const RUNS = Number(process.env.RUNS ?? 5);
const root = join(import.meta.dir, "..", "..");

async function startOnce(dataDir: string, port: number): Promise<{ readyMs: number; idleRssMb: number }> {
  const started = performance.now();
  const child = Bun.spawn(["bun", "src/main.ts"], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: "warn", IOFOLD_DEMO_DATA: "true" },
    stdout: "ignore",
    stderr: "ignore",
  });
  let readyMs = NaN;
  for (let i = 0; i < 3000; i++) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (response.ok) {
        readyMs = performance.now() - started;
        break;
      }
    } catch {
      // not listening yet
    }
    await Bun.sleep(5);
  }
  await Bun.sleep(2000);
  const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
  const idleRssMb = Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
  child.kill("SIGTERM");
  await child.exited;
  return { readyMs, idleRssMb };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const cold: { readyMs: number; idleRssMb: number }[] = [];
const warm: { readyMs: number; idleRssMb: number }[] = [];
for (let i = 0; i < RUNS; i++) {
  const dir = mkdtempSync(join(tmpdir(), "iofold-startup-"));
  cold.push(await startOnce(dir, 3400 + i));
  warm.push(await startOnce(dir, 3400 + i));
  rmSync(dir, { recursive: true, force: true });
}

/** The naive first run, for comparison: PGlite's own initdb in an empty dir, before any app code or migrations. */
async function naiveInitdbMs(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "iofold-initdb-"));
  const child = Bun.spawn(["bun", "-e", `const { PGlite } = await import("@electric-sql/pglite"); const t = performance.now(); const pg = await PGlite.create(${JSON.stringify(dir)}); console.log(performance.now() - t); await pg.close();`], { cwd: root, stdout: "pipe" });
  const ms = Number((await new Response(child.stdout).text()).trim());
  rmSync(dir, { recursive: true, force: true });
  return ms;
}
const naive: number[] = [];
for (let i = 0; i < RUNS; i++) naive.push(await naiveInitdbMs());

console.log(`iofold startup bench — ${RUNS} runs, ${cpus().length} cores (${cpus()[0]?.model}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, bun ${Bun.version}`);
console.log("| start | ready p50 (ms) | ready max (ms) | idle RSS p50 (MB) |");
console.log("|---|---|---|---|");
for (const [name, rows] of [["empty data dir (first run: PGlite init + migrations)", cold], ["existing data dir", warm]] as const) {
  const ready = rows.map((r) => r.readyMs);
  console.log(`| ${name} | ${median(ready).toFixed(0)} | ${Math.max(...ready).toFixed(0)} | ${median(rows.map((r) => r.idleRssMb)).toFixed(0)} |`);
}
console.log(`| naive first run, PGlite initdb alone (no app, no migrations) | ${median(naive).toFixed(0)} | ${Math.max(...naive).toFixed(0)} | — |`);
console.log("Target: ready in under 3000 ms on an empty data dir.");
