// Database access for eval runs: the traces in scope (streamed in id order) and idempotent execution upserts.
import { and, count, eq, gt, inArray, sql, type SQL } from "drizzle-orm";
import type { Database, Db } from "../../db/client";
import { rawRows } from "../../db/pglite-raw-rows";
import { rowsOf } from "../../db/migrate";
import { evalVersions, executions, feedback, traces } from "../../db/schema";
import type { TraceResult } from "../../sandbox";
import type { RunScope } from "./model";

export async function findEvalVersion(db: Db, workspaceId: string, id: string) {
  const [row] = await db.select().from(evalVersions).where(and(eq(evalVersions.workspaceId, workspaceId), eq(evalVersions.id, id)));
  return row ?? null;
}

function scopeCondition(workspaceId: string, scope: RunScope): SQL {
  const inWorkspace = eq(traces.workspaceId, workspaceId);
  if (scope.kind === "all") return inWorkspace;
  if (scope.kind === "traces") return and(inWorkspace, inArray(traces.id, scope.traceIds))!;
  // An eval set covers the traces someone labeled for it.
  return and(
    inWorkspace,
    sql`exists (select 1 from ${feedback} where ${feedback.traceId} = ${traces.id} and ${feedback.evalSetId} = ${scope.evalSetId})`,
  )!;
}

/**
 * The traces a run still has to score: those in scope with a normalized document and no finished result, that is,
 * none newer than the run's start (`since`) or, for reruns (`onlyMissing`), none without an error. A `fresh` run (just
 * started, nothing to resume) can have finished nothing yet, so its count and pages skip the check.
 */
export interface PendingSelection {
  workspaceId: string;
  scope: RunScope;
  evalVersionId: string;
  since: Date;
  onlyMissing: boolean;
  fresh: boolean;
}

function finishedExecution(selection: PendingSelection): SQL {
  const finished = selection.onlyMissing
    ? sql`${executions.errorKind} is null`
    : sql`${executions.createdAt} >= ${selection.since.toISOString()}::timestamptz`;
  return sql`select 1 as one from ${executions} where ${executions.evalVersionId} = ${selection.evalVersionId} and ${executions.traceId} = ${traces.id} and ${finished}`;
}

const normalizedOnly = sql`${traces.normalized} is not null`;
const decoder = new TextDecoder();

/** A trace a run still has to score, with its normalized document as JSON: text, or UTF-8 bytes (from PGlite). */
export interface PendingTrace {
  id: string;
  json: string | Uint8Array;
}

export async function countPending(db: Db, selection: PendingSelection) {
  const [row] = await db
    .select({ n: count() })
    .from(traces)
    .where(and(scopeCondition(selection.workspaceId, selection.scope), normalizedOnly, selection.fresh ? undefined : sql`not exists (${finishedExecution(selection)})`));
  return row?.n ?? 0;
}

/**
 * The next page of the run: up to `limit` traces in scope after `afterId` (id order, constant memory) with their
 * normalized JSON, minus those finished. One statement walks the (workspace, id) index and probes each trace's
 * done-ness by its (version, trace) key in a LATERAL subquery: never planned as an anti-join or a hashed subplan, whose
 * plans degrade while the run itself keeps adding executions. Only unfinished traces have their document read, so a
 * rerun of the few errored traces does not read every document.
 */
export async function pendingTracesPage(
  database: Database,
  selection: PendingSelection,
  afterId: string | null,
  limit: number,
): Promise<{ rows: PendingTrace[]; lastId: string | null; exhausted: boolean }> {
  const inScope = and(scopeCondition(selection.workspaceId, selection.scope), normalizedOnly, afterId ? gt(traces.id, afterId) : undefined);
  const document = sql`${traces.normalized}::text`;
  const query = selection.fresh
    ? sql`select ${traces.id} as id, ${document} as json from ${traces} where ${inScope} order by ${traces.workspaceId}, ${traces.id} limit ${limit}`
    : sql`
        select ${traces.id} as id, case when finished.one is null then ${document} end as json
        from ${traces} left join lateral (${finishedExecution(selection)} limit 1) as finished on true
        where ${inScope}
        order by ${traces.workspaceId}, ${traces.id}
        limit ${limit}`;
  // PGlite's bytes go to the jail as they are; decoding them into strings only to encode them again cost its thread.
  const page: { id: string; json: string | Uint8Array | null }[] = database.pglite
    ? (await rawRows(database.pglite, query)).map(([id, json]) => ({ id: decoder.decode(id!), json: json ?? null }))
    : rowsOf(await database.db.execute(query));
  const rows: PendingTrace[] = [];
  for (const row of page) if (row.json !== null) rows.push({ id: row.id, json: row.json });
  return { rows, lastId: page.at(-1)?.id ?? afterId, exhausted: page.length < limit };
}

/**
 * Refreshes the planner's statistics of the columns a run's statements filter on. Right after a bulk import (or while
 * a run fills executions) they are stale, and the page query then sorts the whole workspace instead of walking an
 * index. Only those columns: sampling every column, documents included, took 0.9–1.2 s at 100k traces instead of 0.2 s.
 */
export async function refreshPlannerStatistics(db: Db) {
  await db.execute(sql`analyze ${traces} (workspace_id, id, normalized), ${executions} (eval_version_id, trace_id, created_at, error_kind)`);
}

/** Where a batch of results goes: one eval version of one workspace, stamped with the time the batch ran. */
export interface ResultTarget {
  workspaceId: string;
  evalVersionId: string;
  ranAt: Date;
}

/**
 * One row per (version, trace): a rerun replaces the old result and stamps the time it ran. The batch travels as
 * one JSON parameter expanded by Postgres (jsonb_to_recordset), not thousands of bound parameters, and carries only
 * what differs per row: the shared columns are parameters and null fields are left out (measured: ~10% less server
 * CPU per row than every column in every element, and less to build and send).
 *
 * `allNew`: the caller knows none of these results has a row yet (a version's first run). A plain INSERT then skips
 * the conflict checks (PGlite, 100k results: 46.6-48.1 → 40.5-41.4 µs each); should a row exist after all (a second
 * run of the version started meanwhile), the statement fails as a whole and the batch is written again as an upsert
 * (so never inside a transaction, which that failure would abort).
 */
export async function upsertExecutions(db: Db, target: ResultTarget, results: TraceResult[], { allNew = false } = {}) {
  if (results.length === 0) return;
  const batch = JSON.stringify(results.map(resultElement));
  const insert = sql`
    insert into ${executions} (workspace_id, eval_version_id, trace_id, passed, reason, error_kind, error_message, traceback, stdout, duration_ms, created_at)
    select ${target.workspaceId}, ${target.evalVersionId}, trace_id, passed, reason, error_kind, error_message, traceback, stdout, duration_ms,
      ${target.ranAt.toISOString()}::timestamptz
    from jsonb_to_recordset(${batch}::jsonb) as r(trace_id text, passed boolean, reason text, error_kind text, error_message text,
      traceback text, stdout text, duration_ms double precision)`;
  const upsert = sql`${insert}
    on conflict (eval_version_id, trace_id) do update set
      passed = excluded.passed, reason = excluded.reason, error_kind = excluded.error_kind, error_message = excluded.error_message,
      traceback = excluded.traceback, stdout = excluded.stdout, duration_ms = excluded.duration_ms, created_at = excluded.created_at`;
  if (!allNew) return void (await db.execute(upsert));
  try {
    await db.execute(insert);
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    await db.execute(upsert);
  }
}

/** Whether the version has any result at all: its first run writes only new rows. */
export async function hasExecutions(db: Db, evalVersionId: string): Promise<boolean> {
  const [row] = await db.select({ one: sql<number>`1` }).from(executions).where(eq(executions.evalVersionId, evalVersionId)).limit(1);
  return row !== undefined;
}

/** Postgres' unique_violation, as PGlite and postgres.js report it (drizzle wraps it as the cause). */
function isUniqueViolation(error: unknown): boolean {
  const { code, cause } = error as { code?: string; cause?: { code?: string } };
  return (cause?.code ?? code) === "23505";
}

/** A result as one recordset element. JSON.stringify leaves out undefined keys, and an absent key is a null column. */
function resultElement(result: TraceResult) {
  if (result.ok) return { trace_id: result.id, passed: result.passed, reason: result.reason, duration_ms: result.duration_ms, stdout: result.stdout || undefined };
  const { kind, message, traceback } = result.error;
  return { trace_id: result.id, error_kind: kind, error_message: message, traceback: traceback || undefined };
}

export async function executionSummary(db: Db, workspaceId: string, evalVersionId: string) {
  const [row] = await db
    .select({
      total: count(),
      passed: sql<number>`count(*) filter (where ${executions.passed} = true)`.mapWith(Number),
      failed: sql<number>`count(*) filter (where ${executions.passed} = false)`.mapWith(Number),
      errored: sql<number>`count(*) filter (where ${executions.errorKind} is not null)`.mapWith(Number),
    })
    .from(executions)
    .where(and(eq(executions.workspaceId, workspaceId), eq(executions.evalVersionId, evalVersionId)));
  return row!;
}

