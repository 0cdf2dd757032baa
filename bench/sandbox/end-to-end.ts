// Benchmark: traces in the database → jail → execution rows, through the real eval-run job, on PGlite and Postgres.
// Compares with the jailed batch over traces from memory (the sandbox's own limit), shows how busy both cores were,
// and how fast the database work alone goes (the ceiling when the jail cost nothing). Samples peak RSS.
// Every row is measured --repeat times (default 5) and reports the median, with the range: a run of 10k traces
// lasts under a second, and on a shared VM the same row moves by ±25% between runs. The first sample, cold (code
// not yet compiled, PGlite's WebAssembly included), is shown on its own.
// Run: bun bench/sandbox/end-to-end.ts [--sizes 10000,100000] [--databases pglite,postgres] [--repeat 5]
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
import { median, printTable } from "./report.ts";

const args = new Map(process.argv.slice(2).map((arg, i, all) => [arg, all[i + 1] ?? ""]));
const sizes = (args.get("--sizes") || "10000,100000").split(",").map(Number);
const databases = (args.get("--databases") || "pglite,postgres").split(",");
const repeat = Math.max(1, Number(args.get("--repeat") || 5));
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

interface Sample {
  rate: number;
  seconds: number;
  busy: number | null;
  peakMb: number | null;
  /** RSS once the run is over and garbage collected: what it left behind, where the peak is mostly garbage not yet collected. */
  afterMb: number | null;
}

/** The median sample by rate, the range of rates, the first sample's rate, and the highest RSS figures of all. */
function summarize(samples: Sample[]) {
  const middle = samples.find(({ rate }) => rate === median(samples.map((sample) => sample.rate)))!;
  const rates = samples.map(({ rate }) => rate);
  const highest = (values: (number | null)[]) => (values.some((value) => value !== null) ? Math.max(...values.map((value) => value ?? 0)) : null);
  const peakMb = highest(samples.map((sample) => sample.peakMb));
  const afterMb = highest(samples.map((sample) => sample.afterMb));
  return { ...middle, low: Math.min(...rates), high: Math.max(...rates), first: samples[0]!.rate, peakMb, afterMb };
}

async function repeated(run: () => Promise<Sample>): Promise<ReturnType<typeof summarize>> {
  const samples: Sample[] = [];
  for (let index = 0; index < repeat; index++) samples.push(await run());
  return summarize(samples);
}

async function batchSample(items: () => Iterable<TraceItem>, count: number): Promise<Sample> {
  const started = performance.now();
  const { value: rate, busy } = await measured(() => batchRate(items(), count));
  return { rate, seconds: (performance.now() - started) / 1000, busy, peakMb: null, afterMb: null };
}

/** One eval.run job over every trace, on a new version of a new eval set (so every run takes a first version's path). */
async function jobSample(database: Database, workspaceId: string, size: number): Promise<Sample> {
  const { version } = await createEvalVersion(database, workspaceId, BENCH_EVAL);
  Bun.gc(true);
  const run = await measured(async () => {
    const job = await startEvalRun(database, { workspaceId, evalVersionId: version.id, scope: { kind: "all" } });
    while (true) {
      const [row] = await database.db.select().from(jobs).where(eq(jobs.id, job.id));
      if (row!.status === "succeeded") return (row!.finishedAt!.getTime() - row!.startedAt!.getTime()) / 1000;
      if (row!.status === "failed") throw new Error(row!.error ?? "job failed");
      await Bun.sleep(20);
    }
  });
  Bun.gc(true);
  return { rate: size / run.value, seconds: run.value, busy: run.busy, peakMb: run.peakMb, afterMb: process.memoryUsage().rss / 2 ** 20 };
}

/** The database work alone, on a version of its own: the tables are fuller than the runs found them, so if anything low. */
async function databaseSample(database: Database, workspaceId: string): Promise<Sample> {
  const { version } = await createEvalVersion(database, workspaceId, BENCH_EVAL);
  const started = performance.now();
  // No RSS: back-to-back statements leave the collector no idle moment, so it measures garbage not yet collected.
  const work = await measured(() => databaseWorkAlone(database, workspaceId, version.id));
  const seconds = (performance.now() - started) / 1000;
  return { rate: work.value / seconds, seconds, busy: work.busy, peakMb: null, afterMb: null };
}

const megabytes = (value: number | null) => (value === null ? "—" : value.toFixed(0));
const percent = (value: number | null) => (value === null ? "—" : `${Math.round(value * 100)}%`);
const rows: string[][] = [];
const logger = createLogger("warn");
const prepared = Array.from({ length: PREPARED }, (_, index) => makeTrace(index));
for (const size of sizes) {
  const traces = size.toLocaleString("en-US");
  const limit = await repeated(() => batchSample(() => traceItems(size), size));
  const alone = await repeated(() => batchSample(() => preparedItems(size, prepared), size));
  const row = (path: string, sample: ReturnType<typeof summarize>, showSeconds = true) => [
    path, traces, showSeconds ? sample.seconds.toFixed(2) : "—", sample.rate.toFixed(0), `${sample.low.toFixed(0)}–${sample.high.toFixed(0)}`,
    sample.first.toFixed(0), percent(sample.busy), megabytes(sample.peakMb), megabytes(sample.afterMb),
    percent(sample.rate / limit.rate), percent(sample.rate / alone.rate),
  ];
  rows.push(row("jailed batch, traces made during the run (the limit)", limit, false));
  rows.push(row("jailed batch, traces made beforehand (sandbox alone)", alone, false));
  for (const kind of databases) {
    await withDatabase(kind, async (database) => {
      const [workspace] = await database.db.insert(workspaces).values({ name: "bench" }).returning();
      await seed(database, workspace!.id, size);
      // What the worker does after the import job that would have stored them (on PGlite; Postgres has autovacuum).
      await vacuumWhereDue(database);
      // Started as the server starts it; its first run is the first of the rows' samples.
      const worker = await startWorker({ database, definitions: [runEvalJob], logger, concurrency: 1, pollMs: 20 });
      const run = await repeated(() => jobSample(database, workspace!.id, size));
      await worker.stop();
      rows.push(row(`database → jail → executions (${kind})`, run));
      rows.push(row(`  database work alone, no jail (${kind})`, await repeated(() => databaseSample(database, workspace!.id))));
    });
  }
}

printTable(`End to end: one eval version over every trace, as the eval.run job (median of ${repeat})`, ["path", "traces", "seconds", "traces/s", "range", "first", "CPU busy", "peak RSS MB", "RSS after MB", "vs limit", "vs sandbox alone"], rows, [
  "Target: ≥ 50% of the jailed-batch throughput, memory flat in the number of traces.",
  "CPU busy: both cores of the whole machine (/proc/stat) while the row ran; what the jailed batch leaves idle is all the database can use.\n" +
    "Database work alone: the run's page reads and result upserts in the job's sizes on one connection, every result made up. PGlite\n" +
    "runs them on the job's own thread (the jail is fed from a worker thread meanwhile), so there it bounds the end-to-end rate.",
  "Peak RSS is the whole bench process (for PGlite it includes the embedded database itself); RSS after is the same once the\n" +
    "run is over and garbage collected (the peak is mostly garbage not yet collected). Both the highest of the samples.",
  "Each cell is the median sample (its seconds and CPU too); range is the lowest and highest rate, first the first sample's.\n" +
    "The job rows' samples are one server's consecutive runs, each on a new eval set: the first finds the sandbox's thread\n" +
    "started by the job worker at start and the run's statements not yet compiled by PGlite's WebAssembly tiers; later runs\n" +
    "find both warm, and the executions table a run's results fuller each time.",
]);
