// Benchmark: traces in the database → jail → execution rows, through the real eval-run job, on PGlite and Postgres.
// Compares with the jailed batch over traces from memory (the sandbox's own limit), shows how busy both cores were,
// and how fast the database work alone goes (the ceiling when the jail cost nothing). Samples peak RSS.
// Run: bun bench/sandbox/end-to-end.ts [--sizes 10000,100000] [--databases pglite,postgres]
import { eq } from "drizzle-orm";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase, type Database } from "../../src/db/client.ts";
import { migrate } from "../../src/db/migrate.ts";
import { vacuumWhereDue } from "../../src/db/pglite-vacuum.ts";
import { jobs, workspaces } from "../../src/db/schema/index.ts";
import { RESULTS_PER_WRITE, runEvalJob, TRACES_PER_PAGE } from "../../src/jobs/definitions/run-eval.ts";
import { startWorker } from "../../src/jobs/worker.ts";
import { createLogger } from "../../src/logger.ts";
import { pendingTracesPage, upsertExecutions } from "../../src/modules/executions/queries.ts";
import { startEvalRun } from "../../src/modules/executions/service.ts";
import { storeTraces } from "../../src/modules/traces/service.ts";
import type { NormalizedTrace } from "../../src/modules/traces/normalized-schema.ts";
import { runBatch } from "../../src/sandbox/run-batch.ts";
import type { TraceItem } from "../../src/sandbox/types.ts";
import { createEvalVersion } from "../../test/support/evals.ts";
import { createPostgresDatabase } from "../../test/support/database.ts";
import { BENCH_EVAL, makeTrace, traceItems } from "./data.ts";
import { printTable } from "./report.ts";

const args = new Map(process.argv.slice(2).map((arg, i, all) => [arg, all[i + 1] ?? ""]));
const sizes = (args.get("--sizes") || "10000,100000").split(",").map(Number);
const databases = (args.get("--databases") || "pglite,postgres").split(",");
const POSTGRES = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
/** Distinct traces made before the "sandbox alone" batch, reused under new ids: generating them is not timed. */
const PREPARED = 5_000;

/** Busy and total jiffies of all cores (Linux); null elsewhere. */
function cpuTicks(): { busy: number; total: number } | null {
  try {
    const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((sum, n) => sum + n, 0);
    return { busy: total - fields[3]! - fields[4]!, total };
  } catch {
    return null;
  }
}

/** Runs `work`, sampling this process's peak RSS and how busy the whole machine's cores were meanwhile. */
async function measured<T>(work: () => Promise<T>): Promise<{ value: T; peakMb: number; busy: number | null }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const before = cpuTicks();
  try {
    const value = await work();
    const after = cpuTicks();
    const busy = before && after ? (after.busy - before.busy) / (after.total - before.total) : null;
    return { value, peakMb: Math.max(peak, process.memoryUsage().rss) / 2 ** 20, busy };
  } finally {
    clearInterval(timer);
  }
}

async function batchRate(items: Iterable<TraceItem>, count: number): Promise<number> {
  const started = performance.now();
  let results = 0;
  for await (const _ of runBatch({ code: BENCH_EVAL, traces: items })) results++;
  if (results !== count) throw new Error(`expected ${count} results, got ${results}`);
  return count / ((performance.now() - started) / 1000);
}

function* preparedItems(count: number, prepared: unknown[]): Generator<TraceItem> {
  for (let index = 0; index < count; index++) yield { id: `trace-${index}`, trace: prepared[index % prepared.length] };
}

async function withDatabase(kind: string, use: (database: Database) => Promise<void>) {
  if (kind === "pglite") {
    // On disk, as iofold runs it: an in-memory PGlite would count the whole data set as this process's RSS.
    const dir = mkdtempSync(join(tmpdir(), "iofold-e2e-"));
    const database = await openDatabase({ kind: "pglite", dir });
    try {
      await use(database);
    } finally {
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    }
    return;
  }
  const { url, drop } = await createPostgresDatabase(POSTGRES);
  const database = await openDatabase({ kind: "postgres", url, max: 5 });
  try {
    await migrate(database);
    await use(database);
  } finally {
    await database.close();
    await drop();
  }
}

async function seed(database: Database, workspaceId: string, count: number) {
  const BATCH = 1000;
  for (let offset = 0; offset < count; offset += BATCH) {
    const rows = [];
    for (let i = offset; i < Math.min(count, offset + BATCH); i++) {
      const normalized = makeTrace(i) as unknown as NormalizedTrace;
      rows.push({ workspaceId, source: "bench", externalId: `ext-${i}`, raw: { bench: i }, normalized });
    }
    await storeTraces(database, rows);
  }
}

/** The run's reads and writes (a version's first run) in the job's page and batch sizes, on one connection, with a made-up result per trace. */
async function databaseWorkAlone(database: Database, workspaceId: string, evalVersionId: string): Promise<number> {
  const selection = { workspaceId, scope: { kind: "all" as const }, evalVersionId, since: new Date(), onlyMissing: false, fresh: true };
  let afterId: string | null = null;
  let count = 0;
  while (true) {
    const page = await pendingTracesPage(database, selection, afterId, TRACES_PER_PAGE);
    for (let start = 0; start < page.rows.length; start += RESULTS_PER_WRITE) {
      const results = page.rows.slice(start, start + RESULTS_PER_WRITE).map((row) => ({ id: row.id, ok: true as const, passed: true, reason: "2 steps, 1 tool calls", duration_ms: 0.05, stdout: "" }));
      await upsertExecutions(database.db, { workspaceId, evalVersionId, ranAt: new Date() }, results, { allNew: true });
    }
    count += page.rows.length;
    afterId = page.lastId;
    if (page.exhausted) return count;
  }
}

const percent = (value: number | null) => (value === null ? "—" : `${Math.round(value * 100)}%`);
const rows: string[][] = [];
const logger = createLogger("warn");
const prepared = Array.from({ length: PREPARED }, (_, index) => makeTrace(index));
for (const size of sizes) {
  const traces = size.toLocaleString("en-US");
  const limit = await measured(() => batchRate(traceItems(size), size));
  const alone = await measured(() => batchRate(preparedItems(size, prepared), size));
  const row = (path: string, seconds: string, rate: number, busy: number | null, peakMb: string) => [
    path, traces, seconds, rate.toFixed(0), percent(busy), peakMb, percent(rate / limit.value), percent(rate / alone.value),
  ];
  rows.push(row("jailed batch, traces made during the run (the limit)", "—", limit.value, limit.busy, "—"));
  rows.push(row("jailed batch, traces made beforehand (sandbox alone)", "—", alone.value, alone.busy, "—"));
  for (const kind of databases) {
    await withDatabase(kind, async (database) => {
      const [workspace] = await database.db.insert(workspaces).values({ name: "bench" }).returning();
      await seed(database, workspace!.id, size);
      // What the worker does after the import job that would have stored them (on PGlite; Postgres has autovacuum).
      await vacuumWhereDue(database);
      const { version } = await createEvalVersion(database, workspace!.id, BENCH_EVAL);
      Bun.gc(true);
      const worker = await startWorker({ database, definitions: [runEvalJob], logger, concurrency: 1, pollMs: 20 });
      const run = await measured(async () => {
        const job = await startEvalRun(database, { workspaceId: workspace!.id, evalVersionId: version.id, scope: { kind: "all" } });
        while (true) {
          const [row] = await database.db.select().from(jobs).where(eq(jobs.id, job.id));
          if (row!.status === "succeeded") return (row!.finishedAt!.getTime() - row!.startedAt!.getTime()) / 1000;
          if (row!.status === "failed") throw new Error(row!.error ?? "job failed");
          await Bun.sleep(20);
        }
      });
      await worker.stop();
      rows.push(row(`database → jail → executions (${kind})`, run.value.toFixed(2), size / run.value, run.busy, run.peakMb.toFixed(0)));
      // After the run, on a second version: its tables are fuller than the run found them, so this ceiling is if anything low.
      const { version: second } = await createEvalVersion(database, workspace!.id, BENCH_EVAL);
      // No RSS: back-to-back statements leave the collector no idle moment, so it measures garbage not yet collected.
      const started = performance.now();
      const work = await measured(() => databaseWorkAlone(database, workspace!.id, second.id));
      const seconds = (performance.now() - started) / 1000;
      rows.push(row(`  database work alone, no jail (${kind})`, seconds.toFixed(2), work.value / seconds, work.busy, "—"));
    });
  }
}

printTable("End to end: one eval version over every trace, as the eval.run job", ["path", "traces", "seconds", "traces/s", "CPU busy", "peak RSS MB", "vs limit", "vs sandbox alone"], rows, [
  "Target: ≥ 50% of the jailed-batch throughput, memory flat in the number of traces.",
  "CPU busy: both cores of the whole machine (/proc/stat) while the row ran; what the jailed batch leaves idle is all the database can use.\n" +
    "Database work alone: the run's page reads and result upserts in the job's sizes on one connection, every result made up. PGlite\n" +
    "runs them on the job's own thread (the jail is fed from a worker thread meanwhile), so there it bounds the end-to-end rate.",
  "Peak RSS is the whole bench process (for PGlite it includes the embedded database itself).",
]);
