// Bench: import N traces from a JSONL file and from the fake Langfuse, on PGlite and Postgres — traces/s and peak RSS, vs the naive way.
// Run: bun bench/ingest/import.ts [--count 50000] [--quick] [--sources file,naive-file,langfuse,naive-langfuse]
// (each case runs in its own process so peak RSS is its own; --quick skips PGlite)
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { openDatabase, type Database } from "../../src/db/client";
import { migrate } from "../../src/db/migrate";
import { createUser } from "../../src/modules/auth/service";
import { runFileImport, type FileImportPayload } from "../../src/modules/ingest/file-import";
import { runLangfuseImport } from "../../src/modules/ingest/langfuse-import";
import { detectAndNormalize } from "../../src/modules/ingest/normalize/detect";
import { fakeJobContext } from "../../test/support/job-context";
import { createIntegration, type LangfuseImportPayload } from "../../src/modules/integrations/service";
import { upsertTraces } from "../../src/modules/traces/queries";
import { toTraceRow } from "../../src/modules/traces/service";
import { writeJsonl } from "./data";

const PG_BASE = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const KEY = Buffer.alloc(32, 3);

type Case = { source: "file" | "langfuse" | "naive-file" | "naive-langfuse"; db: "postgres" | "pglite"; count: number };
type Outcome = Case & { seconds: number; rate: number; peakRssMb: number; stored: number };

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? undefined : args[i + 1];
};

if (flag("child")) await child(JSON.parse(flag("child")!) as Case & { file: string });
else await parent();

async function parent() {
  const count = Number(flag("count") ?? 50_000);
  const quick = args.includes("--quick");
  const small = Math.max(1000, Math.round(count / 5));
  const dir = mkdtempSync(join(tmpdir(), "iofold-bench-ingest-"));
  const files = new Map<number, string>();
  const fileFor = async (n: number) => {
    if (!files.has(n)) {
      const path = join(dir, `traces-${n}.jsonl`);
      const bytes = await writeJsonl(path, n);
      console.error(`wrote ${path}: ${n} traces, ${(bytes / 1024 / 1024).toFixed(0)} MB`);
      files.set(n, path);
    }
    return files.get(n)!;
  };
  const cases: Case[] = [
    { source: "file", db: "postgres", count: small },
    { source: "file", db: "postgres", count },
    { source: "naive-file", db: "postgres", count: small },
    { source: "langfuse", db: "postgres", count },
    { source: "naive-langfuse", db: "postgres", count: Math.min(2000, small) },
    ...(quick ? [] : ([{ source: "file", db: "pglite", count }, { source: "langfuse", db: "pglite", count }] as Case[])),
  ];
  const sources = flag("sources")?.split(",");
  const outcomes: Outcome[] = [];
  for (const c of cases.filter((c) => !sources || sources.includes(c.source))) {
    const file = c.source.endsWith("file") ? await fileFor(c.count) : "";
    console.error(`running ${c.source} → ${c.db}, ${c.count} traces…`);
    const proc = Bun.spawn(["bun", import.meta.path, "--child", JSON.stringify({ ...c, file })], { stdout: "pipe", stderr: "inherit" });
    const out = await new Response(proc.stdout).text();
    if ((await proc.exited) !== 0) throw new Error(`case failed: ${JSON.stringify(c)}`);
    outcomes.push(JSON.parse(out.trim().split("\n").at(-1)!));
    console.error(JSON.stringify(outcomes.at(-1)));
  }
  rmSync(dir, { recursive: true, force: true });
  console.log(`\nTrace import bench — ${cpus().length}× ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 1024 ** 3).toFixed(1)} GB RAM, Bun ${Bun.version}, ${new Date().toISOString()}`);
  console.log("source          db        traces   seconds   traces/s   peak RSS MB   stored");
  for (const o of outcomes) {
    console.log(`${o.source.padEnd(15)} ${o.db.padEnd(9)} ${String(o.count).padStart(6)} ${o.seconds.toFixed(1).padStart(9)} ${Math.round(o.rate).toString().padStart(10)} ${Math.round(o.peakRssMb).toString().padStart(13)} ${String(o.stored).padStart(8)}`);
  }
  console.log("naive-file: whole file read into memory, one INSERT per trace. naive-langfuse: one trace at a time, one INSERT per trace.");
}

async function child(c: Case & { file: string }) {
  const { database, cleanup } = await openBenchDatabase(c.db);
  await migrate(database);
  const { workspaceId } = await createUser(database, { name: "bench", email: "bench@example.com", password: "bench-password", workspaceName: "bench", role: "owner" });
  const started = performance.now();
  if (c.source === "file") {
    const payload: FileImportPayload = { path: c.file, filename: "bench.jsonl", bytes: Bun.file(c.file).size };
    // The job deletes its upload when done: give it a copy.
    const copy = `${c.file}.${process.pid}`;
    await Bun.write(copy, Bun.file(c.file));
    const run = fakeJobContext(database, { workspaceId, payload: { ...payload, path: copy } });
    await runFileImport(run.ctx);
  } else if (c.source === "naive-file") {
    const lines = (await Bun.file(c.file).text()).split("\n").filter(Boolean);
    for (const line of lines) {
      const { normalized, raw } = detectAndNormalize(JSON.parse(line));
      await upsertTraces(database.db, [toTraceRow({ workspaceId, source: normalized.source, externalId: normalized.external_id ?? normalized.id, raw, normalized })]);
    }
  } else {
    const server = Bun.spawn(["bun", join(import.meta.dir, "fake-server.ts"), String(c.count)], { stdout: "pipe", stderr: "inherit" });
    const reader = server.stdout.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    const fake = JSON.parse(first.trim().split("\n")[0]!) as { url: string; publicKey: string; secretKey: string };
    const integration = await createIntegration(database, KEY, workspaceId, { name: "bench", baseUrl: fake.url, publicKey: fake.publicKey, secretKey: fake.secretKey, syncIntervalMinutes: null });
    const payload: LangfuseImportPayload = { integrationId: integration.id, mode: "import", filter: {} };
    const run = fakeJobContext(database, { workspaceId, payload, createdAt: new Date("2027-01-01T00:00:00Z") });
    const naive = c.source === "naive-langfuse";
    // The naive run stops after `count` traces of the server's larger set: it is only timed.
    if (naive) await runLangfuseImport(run.ctx, { encryptionKey: () => KEY, concurrency: 1, batchSize: 1, readerOptions: {} }).catch(() => {});
    else await runLangfuseImport(run.ctx, { encryptionKey: () => KEY });
    server.kill();
  }
  const seconds = (performance.now() - started) / 1000;
  const stored = await countTraces(database);
  const outcome: Outcome = { source: c.source, db: c.db, count: c.count, seconds, rate: stored / seconds, peakRssMb: process.resourceUsage().maxRSS / 1024, stored };
  await database.close();
  await cleanup();
  console.log(JSON.stringify(outcome));
  process.exit(0);
}

async function countTraces(database: Database): Promise<number> {
  const result = await database.db.execute("select count(*)::int as n from traces" as never);
  const rows = Array.isArray(result) ? result : (result as { rows: Array<{ n: number }> }).rows;
  return Number((rows[0] as { n: number }).n);
}

async function openBenchDatabase(kind: "postgres" | "pglite"): Promise<{ database: Database; cleanup: () => Promise<void> }> {
  if (kind === "pglite") {
    const dir = mkdtempSync(join(tmpdir(), "iofold-bench-pglite-"));
    const database = await openDatabase({ kind: "pglite", dir });
    return { database, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `iofold_bench_ingest_${process.pid}`;
  const admin = postgres(PG_BASE, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${name}`);
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_BASE);
  url.pathname = `/${name}`;
  const database = await openDatabase({ kind: "postgres", url: url.toString(), max: 10 });
  return {
    database,
    cleanup: async () => {
      const drop = postgres(PG_BASE, { max: 1, onnotice: () => {} });
      await drop.unsafe(`drop database if exists ${name} with (force)`);
      await drop.end();
    },
  };
}
