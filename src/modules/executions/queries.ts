// Database access for eval runs: the traces in scope (streamed in id order) and idempotent execution upserts.
import { and, asc, count, eq, gt, inArray, sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client";
import { evalVersions, executions, feedback, traces } from "../../db/schema";
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

/** Which traces still need a result: none yet, one older than this run, or (for reruns) an errored one. */
function pendingCondition(evalVersionId: string, since: Date | null, onlyMissing: boolean): SQL {
  const finished = onlyMissing
    ? sql`${executions.errorKind} is null`
    : sql`${executions.createdAt} >= ${(since ?? new Date(0)).toISOString()}::timestamptz`;
  return sql`not exists (select 1 from ${executions} where ${executions.traceId} = ${traces.id} and ${executions.evalVersionId} = ${evalVersionId} and ${finished})`;
}

const normalizedOnly = sql`${traces.normalized} is not null`;

export async function countPending(db: Db, workspaceId: string, scope: RunScope, evalVersionId: string, since: Date | null, onlyMissing: boolean) {
  const [row] = await db
    .select({ n: count() })
    .from(traces)
    .where(and(scopeCondition(workspaceId, scope), normalizedOnly, pendingCondition(evalVersionId, since, onlyMissing)));
  return row?.n ?? 0;
}

/**
 * The next page of the run: up to `limit` traces in scope after `afterId` (id order, constant memory), minus those
 * already finished. Done-ness is probed by id against the (version, trace) index rather than planned as an anti-join,
 * whose plan degrades while the run itself keeps adding executions.
 */
export async function pendingTracesPage(
  db: Db,
  workspaceId: string,
  scope: RunScope,
  evalVersionId: string,
  since: Date | null,
  onlyMissing: boolean,
  afterId: string | null,
  limit: number,
): Promise<{ rows: { id: string; normalizedJson: string }[]; lastId: string | null; exhausted: boolean }> {
  const candidates = await db
    .select({ id: traces.id })
    .from(traces)
    .where(and(scopeCondition(workspaceId, scope), normalizedOnly, afterId ? gt(traces.id, afterId) : undefined))
    .orderBy(asc(traces.workspaceId), asc(traces.id))
    .limit(limit);
  const ids = candidates.map((c) => c.id);
  if (ids.length === 0) return { rows: [], lastId: afterId, exhausted: true };
  const finished = onlyMissing
    ? sql`${executions.errorKind} is null`
    : sql`${executions.createdAt} >= ${(since ?? new Date(0)).toISOString()}::timestamptz`;
  const done = await db
    .select({ traceId: executions.traceId })
    .from(executions)
    .where(and(eq(executions.evalVersionId, evalVersionId), inArray(executions.traceId, ids), finished));
  const doneIds = new Set(done.map((d) => d.traceId));
  const pendingIds = ids.filter((id) => !doneIds.has(id));
  const rows = pendingIds.length
    ? await db
        .select({ id: traces.id, normalizedJson: sql<string>`${traces.normalized}::text` })
        .from(traces)
        .where(inArray(traces.id, pendingIds))
        .orderBy(asc(traces.id))
    : [];
  return { rows, lastId: ids.at(-1)!, exhausted: ids.length < limit };
}

/**
 * Refreshes the planner's statistics of the two tables a run reads. Right after a bulk import (or while a run
 * fills executions) they are stale, and the page query then sorts the whole workspace instead of walking an index.
 */
export async function refreshPlannerStatistics(db: Db) {
  await db.execute(sql`analyze ${traces}, ${executions}`);
}

export type ExecutionInsert = typeof executions.$inferInsert;

/**
 * One row per (version, trace): a rerun replaces the old result and stamps the time it ran. The batch travels as
 * one JSON parameter expanded by Postgres (jsonb_to_recordset), not thousands of bound parameters: measurably
 * less CPU on both sides of the connection for the run's hottest write.
 */
export async function upsertExecutions(db: Db, rows: ExecutionInsert[]) {
  if (rows.length === 0) return;
  const batch = JSON.stringify(
    rows.map((r) => ({
      id: r.id ?? Bun.randomUUIDv7(),
      workspace_id: r.workspaceId,
      eval_version_id: r.evalVersionId,
      trace_id: r.traceId,
      passed: r.passed ?? null,
      reason: r.reason ?? null,
      error_kind: r.errorKind ?? null,
      error_message: r.errorMessage ?? null,
      traceback: r.traceback ?? null,
      stdout: r.stdout ?? null,
      duration_ms: r.durationMs ?? null,
      created_at: (r.createdAt ?? new Date()).toISOString(),
    })),
  );
  await db.execute(sql`
    insert into ${executions} (id, workspace_id, eval_version_id, trace_id, passed, reason, error_kind, error_message, traceback, stdout, duration_ms, created_at)
    select id, workspace_id, eval_version_id, trace_id, passed, reason, error_kind, error_message, traceback, stdout, duration_ms, created_at
    from jsonb_to_recordset(${batch}::jsonb) as r(id text, workspace_id text, eval_version_id text, trace_id text, passed boolean, reason text,
      error_kind text, error_message text, traceback text, stdout text, duration_ms double precision, created_at timestamptz)
    on conflict (eval_version_id, trace_id) do update set
      passed = excluded.passed, reason = excluded.reason, error_kind = excluded.error_kind, error_message = excluded.error_message,
      traceback = excluded.traceback, stdout = excluded.stdout, duration_ms = excluded.duration_ms, created_at = excluded.created_at`);
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

