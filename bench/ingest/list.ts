// Bench: the trace list at N traces (default 200,000) — first page, filtered, searched, deep keyset page, capped count — p50/p95, vs naive OFFSET/count(*)/ILIKE.
// Run: bun bench/ingest/list.ts [--count 200000] [--db postgres|pglite]
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { sql } from "drizzle-orm";
import { openDatabase, type Database } from "../../src/db/client";
import { migrate } from "../../src/db/migrate";
import { createUser } from "../../src/modules/auth/service";
import { detectAndNormalize } from "../../src/modules/ingest/normalize/detect";
import { traceFilterInput } from "../../src/modules/traces/model";
import { countMatching } from "../../src/modules/traces/queries";
import { listTracePage } from "../../src/modules/traces/service";
import { storeTraces } from "../../src/modules/traces/service";
import type { NormalizedTrace } from "../../src/modules/traces/normalized-schema";
import { benchTrace } from "./data";

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1]! : fallback);
const count = Number(flag("count", "200000"));
const kind = flag("db", "postgres") as "postgres" | "pglite";
const RUNS = 40;
const PG_BASE = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

const { database, cleanup } = await open(kind);
await migrate(database);
const { workspaceId } = await createUser(database, { name: "bench", email: "bench@example.com", password: "bench-password", workspaceName: "bench", role: "owner" });

// 1,000 normalized runs replicated under fresh ids and times; raw is a stub (the list never reads it).
const base = Array.from({ length: 1000 }, (_, i) => detectAndNormalize(benchTrace(i)).normalized);
const loadStarted = performance.now();
for (let start = 0; start < count; start += 1000) {
  const batch = Array.from({ length: Math.min(1000, count - start) }, (_, k) => {
    const i = start + k;
    const n = base[i % 1000]!;
    const normalized: NormalizedTrace = { ...n, id: `t${i}`, external_id: `t${i}`, timestamp: new Date(Date.parse("2026-11-01T00:00:00Z") - i * 30_000).toISOString() };
    return { workspaceId, source: i % 3 === 0 ? "otel" : "langfuse", externalId: `t${i}`, raw: { bench: i }, normalized };
  });
  await storeTraces(database, batch);
}
await database.db.execute(sql`analyze traces`);
const loadSeconds = (performance.now() - loadStarted) / 1000;

const filter = (query: Record<string, string>) => traceFilterInput.parse(query);
const firstPage = await listTracePage(database, workspaceId, filter({}));
let cursor = firstPage.nextCursor!;
for (let i = 0; i < 20; i++) cursor = (await listTracePage(database, workspaceId, filter({ cursor })).catch(() => firstPage)).nextCursor ?? cursor;
const sampleTool = (base.find((n) => n.tool_calls.length > 0)?.tool_calls[0]?.name) ?? "refund";

const cases: Array<[string, () => Promise<unknown>]> = [
  ["first page", () => listTracePage(database, workspaceId, filter({}))],
  ["page 21 (keyset cursor)", () => listTracePage(database, workspaceId, filter({ cursor }))],
  ["errors + tool filter", () => listTracePage(database, workspaceId, filter({ errors: "yes", tool: sampleTool }))],
  ["source + latency range", () => listTracePage(database, workspaceId, filter({ source: "otel", latency_min: "2000", latency_max: "6000" }))],
  ["search 'refund'", () => listTracePage(database, workspaceId, filter({ q: "refund" }))],
  ["search 'damaged tent' + errors", () => listTracePage(database, workspaceId, filter({ q: "damaged tent", errors: "no" }))],
  ["search, no match", () => listTracePage(database, workspaceId, filter({ q: "zzyzx" }))],
  ["capped count (≤10,001), search", () => countMatching(database.db, workspaceId, filter({ q: "refund" }), 10_001)],
  ["naive: count(*) unfiltered", () => database.db.execute(sql`select count(*) from traces where workspace_id = ${workspaceId}`)],
  ["naive: OFFSET 1000 page", () => database.db.execute(sql`select id, name from traces where workspace_id = ${workspaceId} order by timestamp desc, id desc offset 1000 limit 50`)],
  ["naive: ILIKE search on JSON text", () => database.db.execute(sql`select id from traces where workspace_id = ${workspaceId} and normalized::text ilike '%damaged tent%' order by timestamp desc limit 50`)],
];

const results: Array<{ name: string; p50: number; p95: number }> = [];
for (const [name, run] of cases) {
  const runs = name.startsWith("naive") ? Math.max(5, RUNS / 4) : RUNS;
  await run();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await run();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  results.push({ name, p50: times[Math.floor(times.length * 0.5)]!, p95: times[Math.min(times.length - 1, Math.floor(times.length * 0.95))]! });
}
await database.close();
await cleanup();

console.log(`\nTrace list bench — ${count.toLocaleString("en-US")} traces on ${kind} (loaded in ${loadSeconds.toFixed(0)} s); ${cpus().length}× ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 1024 ** 3).toFixed(1)} GB, Bun ${Bun.version}, ${new Date().toISOString()}`);
console.log("query                                   p50 ms    p95 ms");
for (const r of results) console.log(`${r.name.padEnd(38)} ${r.p50.toFixed(1).padStart(8)} ${r.p95.toFixed(1).padStart(9)}`);

async function open(which: "postgres" | "pglite"): Promise<{ database: Database; cleanup: () => Promise<void> }> {
  if (which === "pglite") {
    const dir = mkdtempSync(join(tmpdir(), "iofold-bench-list-"));
    return { database: await openDatabase({ kind: "pglite", dir }), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `iofold_bench_list_${process.pid}`;
  const admin = postgres(PG_BASE, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_BASE);
  url.pathname = `/${name}`;
  return {
    database: await openDatabase({ kind: "postgres", url: url.toString(), max: 5 }),
    cleanup: async () => {
      const drop = postgres(PG_BASE, { max: 1, onnotice: () => {} });
      await drop.unsafe(`drop database if exists ${name} with (force)`);
      await drop.end();
    },
  };
}
