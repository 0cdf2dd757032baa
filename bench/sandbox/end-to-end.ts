// Benchmark: traces in the database → jail → execution rows, through the real eval-run job, on PGlite and Postgres.
// Compares with the jailed batch over the same traces held in memory (the sandbox's own limit), and samples peak RSS.
// Run: bun bench/sandbox/end-to-end.ts [--sizes 10000,100000] [--databases pglite,postgres]
import { eq } from "drizzle-orm";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase, type Database } from "../../src/db/client.ts";
import { migrate } from "../../src/db/migrate.ts";
import { jobs, workspaces } from "../../src/db/schema/index.ts";
import { runEvalJob } from "../../src/jobs/definitions/run-eval.ts";
import { startWorker } from "../../src/jobs/worker.ts";
import { createLogger } from "../../src/logger.ts";
import { startEvalRun } from "../../src/modules/executions/service.ts";
import { storeTraces } from "../../src/modules/traces/service.ts";
import type { NormalizedTrace } from "../../src/modules/traces/normalized-schema.ts";
import { runBatch } from "../../src/sandbox/run-batch.ts";
import { createEvalVersion } from "../../test/support/evals.ts";
import { createPostgresDatabase } from "../../test/support/database.ts";
import { BENCH_EVAL, makeTrace, traceItems } from "./data.ts";
import { printTable } from "./report.ts";

const args = new Map(process.argv.slice(2).map((arg, i, all) => [arg, all[i + 1] ?? ""]));
const sizes = (args.get("--sizes") || "10000,100000").split(",").map(Number);
const databases = (args.get("--databases") || "pglite,postgres").split(",");
const POSTGRES = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** Samples this process's RSS while `work` runs; returns the peak in MB. */
async function peakRss<T>(work: () => Promise<T>): Promise<{ value: T; peakMb: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  try {
    const value = await work();
    return { value, peakMb: Math.max(peak, process.memoryUsage().rss) / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

async function inMemoryBatch(count: number): Promise<number> {
  const started = performance.now();
  let results = 0;
  for await (const _ of runBatch({ code: BENCH_EVAL, traces: traceItems(count) })) results++;
  if (results !== count) throw new Error(`expected ${count} results, got ${results}`);
  return count / ((performance.now() - started) / 1000);
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

const rows: string[][] = [];
const logger = createLogger("warn");
for (const size of sizes) {
  const baseline = await inMemoryBatch(size);
  rows.push([`jailed batch from memory (the limit)`, size.toLocaleString("en-US"), "—", baseline.toFixed(0), "—", "100%"]);
  for (const kind of databases) {
    await withDatabase(kind, async (database) => {
      const [workspace] = await database.db.insert(workspaces).values({ name: "bench" }).returning();
      await seed(database, workspace!.id, size);
      const { version } = await createEvalVersion(database, workspace!.id, BENCH_EVAL);
      Bun.gc(true);
      const worker = await startWorker({ database, definitions: [runEvalJob], logger, concurrency: 1, pollMs: 20 });
      const { value: seconds, peakMb } = await peakRss(async () => {
        const job = await startEvalRun(database, { workspaceId: workspace!.id, evalVersionId: version.id, scope: { kind: "all" } });
        while (true) {
          const [row] = await database.db.select().from(jobs).where(eq(jobs.id, job.id));
          if (row!.status === "succeeded") return (row!.finishedAt!.getTime() - row!.startedAt!.getTime()) / 1000;
          if (row!.status === "failed") throw new Error(row!.error ?? "job failed");
          await Bun.sleep(20);
        }
      });
      await worker.stop();
      const rate = size / seconds;
      rows.push([`database → jail → executions (${kind})`, size.toLocaleString("en-US"), seconds.toFixed(2), rate.toFixed(0), peakMb.toFixed(0), `${Math.round((rate / baseline) * 100)}%`]);
    });
  }
}

printTable("End to end: one eval version over every trace, as the eval.run job", ["path", "traces", "seconds", "traces/s", "peak RSS MB", "vs limit"], rows, [
  "Target: ≥ 50% of the jailed-batch throughput, memory flat in the number of traces.",
  "Peak RSS is the whole bench process (for PGlite it includes the embedded database itself).",
]);
