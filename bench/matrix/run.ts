// Matrix bench: first pages p50/p95 for every filter and sort (vs loading every row into JS), one version's metrics, what keeping set_traces costs writes, and 100k-row exports' time and peak RSS.
// Run: bun bench/matrix/run.ts (Postgres) · bun bench/matrix/run.ts --pglite (on-disk PGlite; no exports: they run in child processes)
import { cpus, totalmem } from "node:os";
import { rowsOf } from "../../src/db/migrate";
import { sql } from "drizzle-orm";
import { agreementMetrics } from "../../src/modules/metrics/agreement";
import { versionReport } from "../../src/modules/eval-metrics/service";
import { defaultMatrixFilter, matrixFilterInput } from "../../src/modules/matrix/model";
import { loadMatrix } from "../../src/modules/matrix/service";
import { saveFilter } from "../../src/modules/saved-filters/service";
import { createBenchData, dropBenchData } from "./data";

const TRACES = Number(process.env.TRACES ?? 100_000);
const RUNS = Number(process.env.RUNS ?? 40);
const KIND = process.argv.includes("--pglite") ? "pglite" : "postgres";

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

async function time(runs: number, fn: () => Promise<unknown>) {
  await fn(); // warm the plan and the cache once
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    samples.push(performance.now() - started);
  }
  return { p50: percentile(samples, 50), p95: percentile(samples, 95) };
}

console.log(`generating ${TRACES.toLocaleString("en-US")} labelled traces × 5 versions on ${KIND}…`);
const generated = performance.now();
const data = await createBenchData(TRACES, KIND);
console.log(`generated in ${((performance.now() - generated) / 1000).toFixed(1)} s`);
const { database, workspaceId, evalSetId, versionIds } = data;
const results: { case: string; p50: string; p95: string; target: string }[] = [];
const ms = (n: number) => `${n.toFixed(1)} ms`;
const fmt = (r: { p50: number; p95: number }) => ({ p50: ms(r.p50), p95: ms(r.p95) });
const add = (name: string, r: { p50: number; p95: number }, target = "") => results.push({ case: name, ...fmt(r), target });

const page = (query: Record<string, string> = {}) => ({ filter: matrixFilterInput.parse(query), versionIds });
const matrix = (query: Record<string, string> = {}) => () => loadMatrix(database, workspaceId, evalSetId, page(query));
/** The second page's query: the cursor after the first `rows` rows in that order. */
async function after(rows: number, query: Record<string, string> = {}) {
  const first = await loadMatrix(database, workspaceId, evalSetId, page({ ...query, limit: String(rows) }));
  return { ...query, cursor: first.nextCursor! };
}
const saved = await saveFilter(database, { workspaceId, userId: data.userId, canManage: true }, { name: "Langfuse traces", filter: "source=langfuse" });

add("matrix first page (newest first, 5 versions)", await time(RUNS, matrix()), "p95 < 100 ms");
add("matrix first page, only contradictions", await time(RUNS, matrix({ only: "contradictions" })));
add("matrix first page, versions disagree", await time(RUNS, matrix({ only: "disagreements" })));
add("matrix first page, label=negative, source=langfuse", await time(RUNS, matrix({ label: "negative", source: "langfuse" })));
add("matrix page after 500 rows (keyset)", await time(RUNS, matrix(await after(500))));
add("matrix first page sorted by label", await time(RUNS, matrix({ sort: "label" })), "p95 < 100 ms");
add("matrix first page sorted by a version's verdict", await time(RUNS, matrix({ sort: `v:${versionIds[2]}` })), "p95 < 100 ms");
add("matrix first page sorted by agreement", await time(RUNS, matrix({ sort: "agreement" })), "p95 < 100 ms");
add("matrix sorted by agreement, page after 500 rows", await time(RUNS, matrix(await after(500, { sort: "agreement" }))));
add("matrix sorted by agreement, ascending, contradictions", await time(RUNS, matrix({ sort: "agreement", dir: "asc", only: "contradictions" })));
add("matrix sorted by agreement, source=langfuse", await time(RUNS, matrix({ sort: "agreement", source: "langfuse" })));
add("matrix rows from a saved filter (source=langfuse), newest first", await time(RUNS, matrix({ rows: saved.id })));
add("matrix rows from a saved filter, sorted by agreement", await time(RUNS, matrix({ rows: saved.id, sort: "agreement" })));

/** The naive way: every trace with its labels and five verdicts into JS, then filter, sort and slice there. */
async function naiveFirstPage() {
  const result = await database.db.execute(sql`
    select t.id, t.timestamp, f.user_id, f.label, e.eval_version_id, e.passed, e.error_kind
    from traces t join feedback f on f.trace_id = t.id and f.eval_set_id = ${evalSetId}
    left join executions e on e.trace_id = t.id and e.eval_version_id in ${versionIds}
    where t.workspace_id = ${workspaceId}`);
  const byTrace = new Map<string, { ts: number; labels: Set<string>; verdicts: Map<string, boolean | null> }>();
  for (const r of rowsOf<Record<string, unknown>>(result)) {
    const id = String(r.id);
    const entry = byTrace.get(id) ?? { ts: new Date(r.timestamp as string).getTime(), labels: new Set<string>(), verdicts: new Map() };
    entry.labels.add(String(r.label));
    if (r.eval_version_id) entry.verdicts.set(String(r.eval_version_id), r.error_kind ? null : (r.passed as boolean));
    byTrace.set(id, entry);
  }
  return [...byTrace.entries()]
    .filter(([, e]) => e.labels.size === 1 && !e.labels.has("neutral"))
    .filter(([, e]) => [...e.verdicts.values()].some((v) => v !== null && v !== e.labels.has("positive")))
    .sort((a, b) => b[1].ts - a[1].ts)
    .slice(0, 50);
}
add("naive: all rows into JS, filter contradictions, sort, slice", await time(3, naiveFirstPage));

add("metrics of one version (SQL aggregates + snapshot check)", await time(20, () => versionReport(database, workspaceId, versionIds[2]!)), "< 200 ms");
async function naiveMetrics() {
  const result = await database.db.execute(sql`
    select f.trace_id, f.label, e.passed, e.error_kind from feedback f
    left join executions e on e.trace_id = f.trace_id and e.eval_version_id = ${versionIds[2]!}
    where f.eval_set_id = ${evalSetId}`);
  const byTrace = new Map<string, { labels: Set<string>; passed: boolean | null }>();
  for (const r of rowsOf<Record<string, unknown>>(result)) {
    const entry = byTrace.get(String(r.trace_id)) ?? { labels: new Set<string>(), passed: r.error_kind ? null : ((r.passed as boolean | null) ?? null) };
    entry.labels.add(String(r.label));
    byTrace.set(String(r.trace_id), entry);
  }
  const verdicts = [...byTrace.values()]
    .filter((e) => e.labels.size === 1 && !e.labels.has("neutral") && e.passed !== null)
    .map((e) => ({ humanPassed: e.labels.has("positive"), evalPassed: e.passed! }));
  return agreementMetrics(verdicts);
}
add("naive metrics: rows into JS, agreementMetrics()", await time(3, naiveMetrics));

/**
 * What keeping set_traces costs the writes, against the same writes with its triggers disabled: a run's batch of
 * 1,000 results (a new version, so fresh rows) and one reviewer's label on a trace (a new reviewer, so a new row).
 */
const writes: typeof results = [];
await database.db.execute(sql`insert into users (id, email, name, password_hash) values ('u-cy', 'cy@bench', 'Cy', 'x')`);
await database.db.execute(sql`insert into eval_versions (id, workspace_id, eval_id, version, origin, code) values ('ver-w', ${workspaceId}, 'eval-bench', 99, 'manual', '')`);
let batchNo = 0;
let labelNo = 0;
const runBatch = () => {
  const first = batchNo++ * 1000 + 1;
  return database.db.execute(sql`
    insert into executions (id, workspace_id, eval_version_id, trace_id, passed, reason, duration_ms)
    select 'w-' || i, ${workspaceId}, 'ver-w', 'tr' || lpad(i::text, 7, '0'), i % 3 > 0, 'because ' || i, 12.5
    from generate_series(${first}::int, ${first + 999}::int) i
    on conflict (eval_version_id, trace_id) do update set passed = excluded.passed`);
};
const oneLabel = () => {
  const i = ++labelNo * 7;
  return database.db.execute(sql`
    insert into feedback (id, workspace_id, eval_set_id, trace_id, user_id, label)
    values (${`fc${i}`}, ${workspaceId}, 'set-bench', ${`tr${String(i).padStart(7, "0")}`}, 'u-cy', 'positive')`);
};
const setTriggers = async (on: boolean) => {
  const verb = sql.raw(on ? "enable" : "disable");
  for (const trigger of ["executions_set_verdicts_insert", "executions_set_verdicts_update"]) await database.db.execute(sql`alter table executions ${verb} trigger ${sql.raw(trigger)}`);
  await database.db.execute(sql`alter table feedback ${verb} trigger feedback_set_labels_insert`);
};
const writeRuns = Math.min(20, Math.floor(TRACES / 4000));
writes.push({ case: "upsert 1,000 results of a run, set_traces kept", ...fmt(await time(writeRuns, runBatch)), target: "" });
writes.push({ case: "save one label (insert), set_traces kept", ...fmt(await time(RUNS, oneLabel)), target: "" });
await setTriggers(false);
writes.push({ case: "naive: upsert 1,000 results, no set_traces", ...fmt(await time(writeRuns, runBatch)), target: "" });
writes.push({ case: "naive: save one label (insert), no set_traces", ...fmt(await time(RUNS, oneLabel)), target: "" });
await setTriggers(true);

const exports: { case: string; rows: number; size: string; seconds: string; peakRss: string }[] = [];
for (const format of KIND === "postgres" ? (["csv", "xlsx"] as const) : []) {
  for (const mode of ["stream", "naive"] as const) {
    const child = Bun.spawn(["bun", `${import.meta.dir}/export-child.ts`, format, mode], { env: { ...process.env, VERSION_IDS: versionIds.join(",") }, stdout: "pipe", stderr: "inherit" });
    const out = JSON.parse((await new Response(child.stdout).text()).trim()) as { rows: number; bytes: number; seconds: number; baselineMb: number; peakMb: number };
    await child.exited;
    exports.push({
      case: `${format} ${mode === "stream" ? "streamed (the app)" : "naive (all in memory)"}`,
      rows: out.rows,
      size: `${(out.bytes / 1024 / 1024).toFixed(1)} MiB`,
      seconds: `${out.seconds.toFixed(2)} s`,
      peakRss: `${out.peakMb.toFixed(0)} MiB (start ${out.baselineMb.toFixed(0)})`,
    });
  }
}

const [engine] = rowsOf<{ version: string }>(await database.db.execute(sql`select version()`));
const [size] = rowsOf<{ size: string }>(await database.db.execute(sql`select pg_size_pretty(pg_total_relation_size('set_traces')) as size`));
console.log(`\nmachine: ${cpus().length} × ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, bun ${Bun.version}`);
console.log(`database: ${engine?.version.split(",")[0]}${KIND === "pglite" ? " (on disk)" : ""}`);
console.log(`data: ${TRACES.toLocaleString("en-US")} traces, ${(TRACES * 1.1).toLocaleString("en-US")} labels (2 reviewers), 5 versions × ${TRACES.toLocaleString("en-US")} executions, set_traces ${size?.size}; default filter ${JSON.stringify(defaultMatrixFilter().sort)}`);
console.table(results);
console.table(writes.map(({ target: _, ...w }) => w));
if (exports.length) console.table(exports);
await dropBenchData(data);
