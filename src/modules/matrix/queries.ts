// Database access for the matrix: keyset pages of traces × versions (SQL in matrix-sql.ts), versions and reviewers, and the drill-down reads.
import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { rowsOf } from "../../db/migrate";
import { evals, evalSets, evalVersions, executions, feedback, queueItems, traces, users, type Label } from "../../db/schema";
import { matrixSql, type MatrixQuery } from "./matrix-sql";
import { defaultMatrixFilter, type MatrixRow, type Reviewer, type Verdict, type VersionColumn } from "./model";

export type { MatrixQuery } from "./matrix-sql";

export async function findEvalSet(db: Db, workspaceId: string, id: string) {
  const [row] = await db.select().from(evalSets).where(and(eq(evalSets.workspaceId, workspaceId), eq(evalSets.id, id)));
  return row ?? null;
}

/** Every version of every eval of the set, newest first within each eval. */
export async function versionsOfSet(db: Db, workspaceId: string, evalSetId: string): Promise<VersionColumn[]> {
  const rows = await db
    .select({ id: evalVersions.id, evalId: evals.id, evalName: evals.name, version: evalVersions.version, slot: evalVersions.setSlot, activeVersionId: evals.activeVersionId })
    .from(evalVersions)
    .innerJoin(evals, eq(evals.id, evalVersions.evalId))
    .where(and(eq(evalVersions.workspaceId, workspaceId), eq(evals.workspaceId, workspaceId), eq(evals.evalSetId, evalSetId)))
    .orderBy(asc(evals.name), desc(evalVersions.version));
  return rows.map((r) => ({ id: r.id, evalId: r.evalId, evalName: r.evalName, version: r.version, slot: r.slot, active: r.activeVersionId === r.id }));
}

/** Reviewers who labelled traces in the set, with how many. */
export async function reviewersOfSet(db: Db, workspaceId: string, evalSetId: string): Promise<Reviewer[]> {
  const rows = await db
    .select({ id: feedback.userId, name: users.name, labels: sql<number>`count(*)::int`.mapWith(Number) })
    .from(feedback)
    .innerJoin(users, eq(users.id, feedback.userId))
    .where(and(eq(feedback.workspaceId, workspaceId), eq(feedback.evalSetId, evalSetId)))
    .groupBy(feedback.userId, users.name)
    .orderBy(desc(sql`count(*)`));
  return rows;
}

/** Distinct trace sources, by a loose index scan on (workspace_id, source, …): fast however many traces. */
export async function sourcesOfWorkspace(db: Db, workspaceId: string): Promise<string[]> {
  const result = await db.execute(sql`
    with recursive s as (
      select min(source) as source from traces where workspace_id = ${workspaceId}
      union all
      select (select min(source) from traces where workspace_id = ${workspaceId} and source > s.source) from s where s.source is not null
    )
    select source from s where source is not null limit 100`);
  return rowsOf<{ source: string }>(result).map((r) => r.source);
}

/** Reviewers by id, in the given order (unknown ids dropped). */
export async function reviewersByIds(db: Db, ids: string[]): Promise<Reviewer[]> {
  if (ids.length === 0) return [];
  const rows = await db.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, ids));
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id)).filter((r): r is { id: string; name: string } => r !== undefined).map((r) => ({ ...r, labels: 0 }));
}

type RawRow = Record<string, unknown>;

function toMatrixRow(raw: RawRow, versions: MatrixQuery["versions"]): MatrixRow & { sortValue: string } {
  const truth = (raw.truth as Label | null) ?? null;
  const cells = versions.map(({ id: versionId }, i) => {
    const passed = raw[`v${i}_passed`] as boolean | null;
    const errorKind = (raw[`v${i}_error`] as string | null) ?? null;
    const verdict: Verdict = errorKind ? "error" : passed === null || passed === undefined ? "none" : passed ? "pass" : "fail";
    const decisive = truth === "positive" || truth === "negative";
    const agrees = decisive && (verdict === "pass" || verdict === "fail") ? (verdict === "pass") === (truth === "positive") : null;
    const ms = raw[`v${i}_ms`];
    return { versionId, verdict, errorKind, durationMs: ms === null || ms === undefined ? null : Number(ms), agrees };
  });
  // As text from SQL: a timestamp keeps its microseconds, so the cursor never skips a row.
  const sortValue = String(raw.sort_value);
  const timestamp = raw.timestamp instanceof Date ? raw.timestamp : new Date(String(raw.timestamp));
  return {
    traceId: String(raw.id),
    source: String(raw.source),
    externalId: String(raw.external_id),
    name: (raw.name as string | null) ?? null,
    timestamp,
    truth,
    reviewers: Number(raw.reviewers),
    votes: ((typeof raw.votes === "string" ? JSON.parse(raw.votes) : raw.votes) ?? {}) as Record<string, Label>,
    cells,
    agreeing: cells.filter((c) => c.agrees === true).length,
    comparable: cells.filter((c) => c.agrees !== null).length,
    sortValue,
  };
}

export async function matrixPage(db: Db, query: MatrixQuery) {
  const result = await db.execute(matrixSql(query, "rows"));
  return rowsOf<RawRow>(result).map((raw) => toMatrixRow(raw, query.versions));
}

/** A page of the matrix with each version's reason, error message and run time too, for exports. */
export async function matrixExportPage(db: Db, query: MatrixQuery) {
  return rowsOf<RawRow>(await db.execute(matrixSql(query, "export"))).map((raw) => ({
    row: toMatrixRow(raw, query.versions),
    details: query.versions.map((_, i) => ({
      reason: (raw[`v${i}_reason`] as string | null) ?? null,
      errorMessage: (raw[`v${i}_message`] as string | null) ?? null,
      ranAt: raw[`v${i}_at`] ? new Date(raw[`v${i}_at`] as string | Date) : null,
    })),
  }));
}

export async function matrixTraceIds(db: Db, query: MatrixQuery): Promise<string[]> {
  const result = await db.execute(matrixSql(query, "ids"));
  return rowsOf<{ id: string }>(result).map((r) => r.id);
}

/** The version, with its eval, when it belongs to this workspace. */
export async function findVersion(db: Db, workspaceId: string, versionId: string) {
  const [row] = await db
    .select({ version: evalVersions, evalName: evals.name, evalSetId: evals.evalSetId })
    .from(evalVersions)
    .innerJoin(evals, eq(evals.id, evalVersions.evalId))
    .where(and(eq(evalVersions.workspaceId, workspaceId), eq(evalVersions.id, versionId)));
  return row ?? null;
}

export async function findExecution(db: Db, workspaceId: string, versionId: string, traceId: string) {
  const [row] = await db
    .select()
    .from(executions)
    .where(and(eq(executions.workspaceId, workspaceId), eq(executions.evalVersionId, versionId), eq(executions.traceId, traceId)));
  return row ?? null;
}

export async function findTrace(db: Db, workspaceId: string, traceId: string) {
  const [row] = await db.select().from(traces).where(and(eq(traces.workspaceId, workspaceId), eq(traces.id, traceId)));
  return row ?? null;
}

/** Every reviewer's label and note on one trace of the set. */
export async function votesOnTrace(db: Db, workspaceId: string, evalSetId: string, traceId: string) {
  return db
    .select({ userId: feedback.userId, name: users.name, label: feedback.label, note: feedback.note, updatedAt: feedback.updatedAt })
    .from(feedback)
    .innerJoin(users, eq(users.id, feedback.userId))
    .where(and(eq(feedback.workspaceId, workspaceId), eq(feedback.evalSetId, evalSetId), eq(feedback.traceId, traceId)))
    .orderBy(asc(users.name));
}

/** One row of the matrix by trace id (after a relabel), whatever the page's filters, labelled or not. */
export async function matrixRowFor(db: Db, workspaceId: string, evalSetId: string, versions: MatrixQuery["versions"], traceId: string) {
  const query: MatrixQuery = { workspaceId, evalSetId, versions, filter: defaultMatrixFilter(), cursor: null, limit: 1, traceId };
  const rows = rowsOf<RawRow>(await db.execute(matrixSql(query, "rows")));
  return rows[0] ? toMatrixRow(rows[0], versions) : null;
}

export async function queueItemFor(db: Db, workspaceId: string, evalSetId: string, traceId: string) {
  const [row] = await db
    .select({ id: queueItems.id })
    .from(queueItems)
    .where(and(eq(queueItems.workspaceId, workspaceId), eq(queueItems.evalSetId, evalSetId), eq(queueItems.traceId, traceId)));
  return row ?? null;
}

export async function traceIdsInWorkspace(db: Db, workspaceId: string, ids: string[]) {
  if (ids.length === 0) return [];
  const rows = await db.select({ id: traces.id }).from(traces).where(and(eq(traces.workspaceId, workspaceId), inArray(traces.id, ids)));
  return rows.map((r) => r.id);
}
