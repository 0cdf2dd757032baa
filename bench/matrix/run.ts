// Matrix bench on Postgres: first page p50/p95 (vs loading every row into JS), one version's metrics, and 100k-row exports' time and peak RSS.
import { cpus, totalmem } from "node:os";
import { rowsOf } from "../../src/db/migrate";
import { sql } from "drizzle-orm";
import { agreementMetrics } from "../../src/modules/metrics/agreement";
import { versionReport } from "../../src/modules/eval-metrics/service";
import { defaultMatrixFilter, matrixFilterInput } from "../../src/modules/matrix/model";
import { loadMatrix } from "../../src/modules/matrix/service";
import { createBenchData, dropBenchData } from "./data";

const TRACES = Number(process.env.TRACES ?? 100_000);
const RUNS = Number(process.env.RUNS ?? 40);

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

console.log(`generating ${TRACES.toLocaleString("en-US")} labelled traces × 5 versions…`);
const generated = performance.now();
const data = await createBenchData(TRACES);
console.log(`generated in ${((performance.now() - generated) / 1000).toFixed(1)} s`);
const { database, workspaceId, evalSetId, versionIds } = data;
const results: { case: string; p50: string; p95: string; target: string }[] = [];
const ms = (n: number) => `${n.toFixed(1)} ms`;
const add = (name: string, r: { p50: number; p95: number }, target = "") => results.push({ case: name, p50: ms(r.p50), p95: ms(r.p95), target });

const page = (query: Record<string, string> = {}) => ({ filter: matrixFilterInput.parse(query), versionIds });
add("matrix first page (newest first, 5 versions)", await time(RUNS, () => loadMatrix(database, workspaceId, evalSetId, page())), "p95 < 100 ms");
add("matrix first page, only contradictions", await time(RUNS, () => loadMatrix(database, workspaceId, evalSetId, page({ only: "contradictions" }))));
add("matrix first page, versions disagree", await time(RUNS, () => loadMatrix(database, workspaceId, evalSetId, page({ only: "disagreements" }))));
add("matrix first page, label=negative, source=langfuse", await time(RUNS, () => loadMatrix(database, workspaceId, evalSetId, page({ label: "negative", source: "langfuse" }))));
const deep = await loadMatrix(database, workspaceId, evalSetId, page({ limit: "500" }));
add("matrix page after 500 rows (keyset)", await time(RUNS, () => loadMatrix(database, workspaceId, evalSetId, page({ cursor: deep.nextCursor! }))));
add("matrix first page sorted by a version's verdict", await time(10, () => loadMatrix(database, workspaceId, evalSetId, page({ sort: `v:${versionIds[2]}` }))));
add("matrix first page sorted by agreement", await time(10, () => loadMatrix(database, workspaceId, evalSetId, page({ sort: "agreement" }))));

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

const exports: { case: string; rows: number; size: string; seconds: string; peakRss: string }[] = [];
for (const format of ["csv", "xlsx"] as const) {
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

const [pg] = rowsOf<{ version: string }>(await database.db.execute(sql`select version()`));
console.log(`\nmachine: ${cpus().length} × ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, bun ${Bun.version}`);
console.log(`postgres: ${pg?.version.split(",")[0]}`);
console.log(`data: ${TRACES.toLocaleString("en-US")} traces, ${(TRACES * 1.1).toLocaleString("en-US")} labels (2 reviewers), 5 versions × ${TRACES.toLocaleString("en-US")} executions; default filter ${JSON.stringify(defaultMatrixFilter().sort)}`);
console.table(results);
console.table(exports);
await dropBenchData(database);
