// Database access for exports: a version's executions in keyset pages with the ground truth joined, and the export history.
import { and, desc, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client";
import { rowsOf } from "../../db/migrate";
import { exportsHistory, users, type Label } from "../../db/schema";
import { groundTruthSelect } from "../matrix/ground-truth";
import type { ExecutionFilter } from "./model";

export interface ExecutionExportRow {
  traceId: string;
  externalId: string;
  source: string;
  name: string | null;
  timestamp: Date;
  label: Label | null;
  votes: Record<string, Label>;
  passed: boolean | null;
  reason: string | null;
  errorKind: string | null;
  errorMessage: string | null;
  durationMs: number | null;
  ranAt: Date;
}

/** Executions of one version in trace-id order after `afterTraceId`: constant memory for any number of rows. */
export async function executionsPage(
  db: Db,
  input: { workspaceId: string; evalSetId: string; versionId: string; filter: ExecutionFilter; afterTraceId: string | null; limit: number },
): Promise<ExecutionExportRow[]> {
  const { workspaceId, filter } = input;
  const conditions: SQL[] = [sql`e.workspace_id = ${workspaceId}`, sql`e.eval_version_id = ${input.versionId}`];
  if (input.afterTraceId) conditions.push(sql`e.trace_id > ${input.afterTraceId}`);
  if (filter.verdict === "pass") conditions.push(sql`e.passed = true`);
  if (filter.verdict === "fail") conditions.push(sql`e.passed = false`);
  if (filter.verdict === "error") conditions.push(sql`e.error_kind is not null`);
  if (filter.error) conditions.push(sql`e.error_kind = ${filter.error}`);
  if (filter.from) conditions.push(sql`e.created_at >= ${filter.from.toISOString()}::timestamptz`);
  if (filter.to) conditions.push(sql`e.created_at < ${filter.to.toISOString()}::timestamptz + interval '1 day'`);
  if (filter.label === "none") conditions.push(sql`gt.label is null`);
  else if (filter.label) conditions.push(sql`gt.label = ${filter.label}`);
  const result = await db.execute(sql`
    select e.trace_id, t.external_id, t.source, t.name, t.timestamp, gt.label, gt.votes,
      e.passed, e.reason, e.error_kind, e.error_message, e.duration_ms, e.created_at
    from executions e
    join traces t on t.id = e.trace_id and t.workspace_id = ${workspaceId}
    left join lateral (${groundTruthSelect(workspaceId, input.evalSetId, { forTrace: sql`e.trace_id` })}) gt on true
    where ${sql.join(conditions, sql` and `)}
    order by e.trace_id
    limit ${input.limit}`);
  return rowsOf<Record<string, unknown>>(result).map((r) => ({
    traceId: String(r.trace_id),
    externalId: String(r.external_id),
    source: String(r.source),
    name: (r.name as string | null) ?? null,
    timestamp: new Date(r.timestamp as string | Date),
    label: (r.label as Label | null) ?? null,
    votes: ((typeof r.votes === "string" ? JSON.parse(r.votes) : r.votes) ?? {}) as Record<string, Label>,
    passed: (r.passed as boolean | null) ?? null,
    reason: (r.reason as string | null) ?? null,
    errorKind: (r.error_kind as string | null) ?? null,
    errorMessage: (r.error_message as string | null) ?? null,
    durationMs: r.duration_ms === null || r.duration_ms === undefined ? null : Number(r.duration_ms),
    ranAt: new Date(r.created_at as string | Date),
  }));
}

export type ExportRecord = typeof exportsHistory.$inferSelect;

export async function insertExport(db: Db, values: typeof exportsHistory.$inferInsert): Promise<ExportRecord> {
  const [row] = await db.insert(exportsHistory).values(values).returning();
  return row!;
}

export async function finishExport(db: Db, id: string, values: { status: "finished" | "failed"; rowCount: number; bytes: number; error?: string | null }) {
  await db
    .update(exportsHistory)
    .set({ ...values, error: values.error ?? null, finishedAt: sql`now()` })
    .where(eq(exportsHistory.id, id));
}

export async function listExports(db: Db, workspaceId: string, limit = 100) {
  return db
    .select({ export: exportsHistory, userName: users.name })
    .from(exportsHistory)
    .leftJoin(users, eq(users.id, exportsHistory.createdBy))
    .where(and(eq(exportsHistory.workspaceId, workspaceId)))
    .orderBy(desc(exportsHistory.createdAt))
    .limit(limit);
}
