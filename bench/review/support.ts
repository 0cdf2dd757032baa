// Shared by the review benchmarks: machine info, percentiles, a throwaway Postgres database with a workspace, reviewers and many traces.
import { sql } from "drizzle-orm";
import { createApp } from "../../src/app";
import { loadConfig } from "../../src/config";
import { createJobEventHub } from "../../src/jobs/event-hub";
import { createMemoryLogger } from "../../src/logger";
import { WarmPool } from "../../src/sandbox";
import { testSecrets } from "../../test/support/app";
import { availableParallelism, cpus, release, totalmem } from "node:os";
import { openDatabase, type Database } from "../../src/db/client";
import { migrate } from "../../src/db/migrate";
import { rowsOf } from "../../src/db/migrate";
import { createUser } from "../../src/modules/auth/service";
import { createEvalSet } from "../../src/modules/eval-sets/service";
import { addTracesToQueue } from "../../src/modules/review/service";
import { createPostgresDatabase } from "../../test/support/database";
import { makeTrace } from "../../test/support/traces";

export const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export async function machineInfo(database?: Database): Promise<string[]> {
  const lines = [`cpu: ${cpus()[0]?.model ?? "unknown"} × ${availableParallelism()}`, `memory: ${(totalmem() / 2 ** 30).toFixed(1)} GiB, kernel ${release()}`, `bun ${Bun.version}`];
  if (database) lines.push(String(rowsOf<{ version: string }>(await database.db.execute(sql`select version()`))[0]?.version).split(" on ")[0]!);
  return lines;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

export const ms = (value: number) => `${value.toFixed(2)} ms`;

export function printTable(title: string, info: string[], header: string[], rows: string[][], notes: string[] = []) {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => row[column]?.length ?? 0)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join("  ");
  console.log(`\n${title}`);
  for (const item of info) console.log(`  ${item}`);
  console.log(`\n${line(header)}\n${widths.map((w) => "-".repeat(w)).join("  ")}`);
  for (const row of rows) console.log(line(row));
  for (const note of notes) console.log(`\n${note}`);
}

export interface BenchWorld {
  database: Database;
  url: string;
  workspaceId: string;
  reviewerIds: string[];
  evalSetId: string;
  drop(): Promise<void>;
}

/**
 * A fresh Postgres database (dropped by `drop`) holding one workspace, `reviewers` users, `traces` traces (each
 * the same small normalized agent run, inserted in SQL for speed) and one eval set whose queue holds them all.
 */
export async function createWorld(options: { traces: number; reviewers: number; labelsPerTrace?: number }): Promise<BenchWorld> {
  const created = await createPostgresDatabase(POSTGRES_URL);
  const database = await openDatabase({ kind: "postgres", url: created.url, max: 20 });
  await migrate(database);
  const owner = await createUser(database, { name: "Owner", email: "owner@bench.local", password: "bench password", workspaceName: "Bench" });
  const workspaceId = owner.workspaceId;
  const reviewerIds = [owner.user.id];
  for (let i = 1; i < options.reviewers; i++) {
    reviewerIds.push((await createUser(database, { name: `Reviewer ${i}`, email: `r${i}@bench.local`, password: "bench password", workspaceId, role: "reviewer" })).user.id);
  }
  const normalized = makeTrace({ id: "bench" });
  await database.db.execute(sql`
    insert into traces (id, workspace_id, source, external_id, name, timestamp, normalized, raw, schema_version, step_count, input_preview, output_preview)
    select gen_random_uuid()::text, ${workspaceId}, 'bench', 'bench-' || g, 'support-agent', timestamp '2026-01-01' + g * interval '1 second',
      ${JSON.stringify(normalized)}::jsonb, '{}'::jsonb, 1, 3, 'Where is my order 42?', 'Your order 42 ships tomorrow.'
    from generate_series(1, ${options.traces}) as g`);
  await database.db.execute(sql`analyze traces`);
  const set = await createEvalSet(database, workspaceId, owner.user.id, { name: "Bench", rubric: "Is it right?", labels_per_trace: options.labelsPerTrace ?? 1 });
  const ids = rowsOf<{ id: string }>(await database.db.execute(sql`select id from traces where workspace_id = ${workspaceId}`)).map((r) => r.id);
  await addTracesToQueue(database, workspaceId, set.id, ids);
  await database.db.execute(sql`analyze queue_items`);
  return {
    database,
    url: created.url,
    workspaceId,
    reviewerIds,
    evalSetId: set.id,
    drop: async () => {
      await database.close();
      await created.drop();
    },
  };
}

/** The real app on the bench database (not listening); `close` releases its job event hub. */
export async function benchApp(database: Database) {
  const config = loadConfig({ DATA_DIR: "/tmp/iofold-bench-unused", IOFOLD_DEMO_DATA: "false", LOG_LEVEL: "warn" });
  const jobEvents = await createJobEventHub(database);
  const app = createApp({ config, secrets: testSecrets, database, logger: createMemoryLogger(), jobEvents, jobDefinitions: [], scoringPool: new WarmPool({ maxTotal: 1 }) });
  return { app, close: () => jobEvents.close() };
}
