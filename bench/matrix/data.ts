// Bench data for the matrix: N labelled traces, two reviewers and 5 eval versions × N executions, made in SQL, in a fresh Postgres database or an on-disk PGlite.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { openDatabase, type Database } from "../../src/db/client";
import { migrate } from "../../src/db/migrate";

export const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
export const BENCH_DB = "iofold_bench_matrix";
export const VERSIONS = 5;

export function benchUrl(): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${BENCH_DB}`;
  return url.toString();
}

export interface BenchData {
  database: Database;
  workspaceId: string;
  evalSetId: string;
  versionIds: string[];
  userId: string;
  /** The PGlite data dir, removed by dropBenchData. */
  dir?: string;
}

async function openBenchDatabase(kind: "postgres" | "pglite"): Promise<{ database: Database; dir?: string }> {
  if (kind === "pglite") {
    const dir = mkdtempSync(join(tmpdir(), "iofold-bench-matrix-"));
    return { database: await openDatabase({ kind: "pglite", dir }), dir };
  }
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${BENCH_DB} with (force)`);
  await admin.unsafe(`create database ${BENCH_DB}`);
  await admin.end();
  const database = await openDatabase({ kind: "postgres", url: benchUrl(), max: 4 });
  await migrate(database);
  return { database };
}

/** A fresh database (Postgres: dropped and recreated; PGlite: a new data dir), migrated and filled; the ids the bench needs. */
export async function createBenchData(traceCount: number, kind: "postgres" | "pglite" = "postgres"): Promise<BenchData> {
  const { database, dir } = await openBenchDatabase(kind);
  const run = (query: ReturnType<typeof sql>) => database.db.execute(query);
  const workspaceId = "ws-bench";
  await run(sql`insert into workspaces (id, name) values (${workspaceId}, 'Bench')`);
  await run(sql`insert into users (id, email, name, password_hash) values ('u-ada', 'ada@bench', 'Ada', 'x'), ('u-bea', 'bea@bench', 'Bea', 'x')`);
  await run(sql`insert into eval_sets (id, workspace_id, name, rubric, labels_per_trace) values ('set-bench', ${workspaceId}, 'Resolved?', 'Did the agent resolve it?', 2)`);
  await run(sql`insert into evals (id, workspace_id, eval_set_id, name) values ('eval-bench', ${workspaceId}, 'set-bench', 'resolved')`);
  // Traces: ids sort like time; a small normalized body; two sources.
  await run(sql`
    insert into traces (id, workspace_id, source, external_id, name, timestamp, normalized, raw, schema_version, input_preview, output_preview)
    select 'tr' || lpad(i::text, 7, '0'), ${workspaceId}, case when i % 3 = 0 then 'langfuse' else 'file' end, 'ext-' || i, 'run ' || i,
      timestamptz '2026-01-01' + make_interval(secs => i * 37),
      jsonb_build_object('input', 'question ' || i, 'output', 'answer ' || i, 'steps', '[]'::jsonb),
      '{}'::jsonb, 1, 'question ' || i, 'answer ' || i
    from generate_series(1, ${traceCount}::int) i`);
  // Ada labels every trace (60% pass, 35% fail, 5% neutral); Bea labels 10%, agreeing 85% of the time.
  await run(sql`
    insert into feedback (id, workspace_id, eval_set_id, trace_id, user_id, label)
    select 'fa' || lpad(i::text, 7, '0'), ${workspaceId}, 'set-bench', 'tr' || lpad(i::text, 7, '0'), 'u-ada',
      case when (i * 7919) % 100 < 60 then 'positive' when (i * 7919) % 100 < 95 then 'negative' else 'neutral' end
    from generate_series(1, ${traceCount}::int) i`);
  await run(sql`
    insert into feedback (id, workspace_id, eval_set_id, trace_id, user_id, label)
    select 'fb' || lpad(i::text, 7, '0'), ${workspaceId}, 'set-bench', 'tr' || lpad(i::text, 7, '0'), 'u-bea',
      case when (i * 31) % 100 < 85 then a.label else (case a.label when 'positive' then 'negative' else 'positive' end) end
    from generate_series(10, ${traceCount}::int, 10) i join feedback a on a.id = 'fa' || lpad(i::text, 7, '0')`);
  const versionIds: string[] = [];
  for (let v = 1; v <= VERSIONS; v++) {
    const id = `ver-${v}`;
    versionIds.push(id);
    // Each version was made from 200 × v of Ada's labels.
    await run(sql`
      insert into eval_versions (id, workspace_id, eval_id, version, origin, code, training_feedback_ids)
      values (${id}, ${workspaceId}, 'eval-bench', ${v}, 'manual', 'def evaluate(trace):\n    return True, "ok"\n',
        (select jsonb_agg(id) from (select id from feedback where user_id = 'u-ada' order by id limit ${200 * v}) f))`);
    // Later versions agree with Ada more often; 2% errors of mixed kinds.
    await run(sql`
      insert into executions (id, workspace_id, eval_version_id, trace_id, passed, reason, error_kind, error_message, duration_ms, created_at)
      select ${id} || '-' || i, ${workspaceId}, ${id}, 'tr' || lpad(i::text, 7, '0'),
        case when (i * 131 + ${v}::int * 17) % 100 < 2 then null
             when (i * 977 + ${v}::int) % 100 < 70 + ${v}::int * 4 then (f.label <> 'negative') else (f.label = 'negative') end,
        case when (i * 131 + ${v}::int * 17) % 100 < 2 then null else 'because ' || i end,
        case when (i * 131 + ${v}::int * 17) % 100 < 1 then 'timeout' when (i * 131 + ${v}::int * 17) % 100 < 2 then 'exception' end,
        case when (i * 131 + ${v}::int * 17) % 100 < 2 then 'failed on ' || i end,
        ((i * 13) % 400) / 10.0, timestamptz '2026-06-01' + make_interval(secs => i)
      from generate_series(1, ${traceCount}::int) i join feedback f on f.id = 'fa' || lpad(i::text, 7, '0')`);
    // Each run rewrites every set_traces row (its verdict byte); autovacuum would reclaim the old rows between runs.
    await run(sql`vacuum set_traces`);
  }
  await run(sql`vacuum analyze`);
  return { database, workspaceId, evalSetId: "set-bench", versionIds, userId: "u-ada", dir };
}

export async function dropBenchData(data: BenchData) {
  await data.database.close();
  if (data.dir) {
    rmSync(data.dir, { recursive: true, force: true });
    return;
  }
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${BENCH_DB} with (force)`);
  await admin.end();
}
