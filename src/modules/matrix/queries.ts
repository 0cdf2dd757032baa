// Database access for the matrix: one keyset page of traces × versions with filters and sort in SQL, and the drill-down reads.
import { and, asc, desc, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client";
import { rowsOf } from "../../db/migrate";
import { evals, evalSets, evalVersions, executions, feedback, queueItems, traces, users, type Label } from "../../db/schema";
import { groundTruthSelect } from "./ground-truth";
import { defaultMatrixFilter, type MatrixCursor, type MatrixFilter, type MatrixRow, type Reviewer, type Verdict, type VersionColumn } from "./model";

export async function findEvalSet(db: Db, workspaceId: string, id: string) {
  const [row] = await db.select().from(evalSets).where(and(eq(evalSets.workspaceId, workspaceId), eq(evalSets.id, id)));
  return row ?? null;
}

/** Every version of every eval of the set, newest first within each eval. */
export async function versionsOfSet(db: Db, workspaceId: string, evalSetId: string): Promise<VersionColumn[]> {
  const rows = await db
    .select({ id: evalVersions.id, evalId: evals.id, evalName: evals.name, version: evalVersions.version, activeVersionId: evals.activeVersionId })
    .from(evalVersions)
    .innerJoin(evals, eq(evals.id, evalVersions.evalId))
    .where(and(eq(evalVersions.workspaceId, workspaceId), eq(evals.workspaceId, workspaceId), eq(evals.evalSetId, evalSetId)))
    .orderBy(asc(evals.name), desc(evalVersions.version));
  return rows.map((r) => ({ id: r.id, evalId: r.evalId, evalName: r.evalName, version: r.version, active: r.activeVersionId === r.id }));
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

export interface MatrixQuery {
  workspaceId: string;
  evalSetId: string;
  versionIds: string[];
  filter: MatrixFilter;
  cursor: MatrixCursor | null;
  limit: number;
  /** Only this trace (to redraw one row). */
  traceId?: string;
}

const VERDICT_RANK: Record<Verdict, number> = { none: 0, error: 1, fail: 2, pass: 3 };

/** SQL expressions over one version's lateral alias `v<i>` and the ground truth alias `gt`. */
function versionExpressions(i: number) {
  const v = sql.raw(`v${i}`);
  return {
    verdict: sql`(case when ${v}.error_kind is not null then 'error' when ${v}.passed is null then 'none' when ${v}.passed then 'pass' else 'fail' end)`,
    // Constants inlined: untyped parameters in a CASE would make it text.
    rank: sql.raw(`(case when v${i}.error_kind is not null then ${VERDICT_RANK.error} when v${i}.passed is null then ${VERDICT_RANK.none} when v${i}.passed then ${VERDICT_RANK.pass} else ${VERDICT_RANK.fail} end)`),
    agrees: sql`((${v}.passed and gt.label = 'positive') or (not ${v}.passed and gt.label = 'negative'))`,
    contradicts: sql`((${v}.passed and gt.label = 'negative') or (not ${v}.passed and gt.label = 'positive'))`,
    comparable: sql`(${v}.passed is not null and gt.label in ('positive', 'negative'))`,
    errorKind: sql`${v}.error_kind`,
    passed: sql`${v}.passed`,
  };
}

const anyOf = (parts: SQL[]) => (parts.length ? sql`(${sql.join(parts, sql` or `)})` : sql`false`);
const sumOf = (parts: SQL[]) => (parts.length ? sql`(${sql.join(parts.map((p) => sql`coalesce(${p}, false)::int`), sql` + `)})` : sql`0`);

/**
 * The matrix as one statement: traces of the set in keyset order, the ground truth joined per row, and one
 * lateral lookup per version on the (version, trace) unique index. Filters and the sort are SQL on those
 * columns, so a page reads only the rows it shows (plus the ones a selective filter skips), never the set.
 */
export function matrixSql(query: MatrixQuery, select: "rows" | "ids" | "export"): SQL {
  const { workspaceId, evalSetId, versionIds, filter, cursor } = query;
  const exprs = versionIds.map((_, i) => versionExpressions(i));
  const focusIndex = filter.focus ? versionIds.indexOf(filter.focus) : -1;
  const targeted = focusIndex >= 0 ? [exprs[focusIndex]!] : exprs;
  const agreeing = sumOf(exprs.map((e) => e.agrees));
  const comparable = sumOf(exprs.map((e) => e.comparable));

  const conditions: SQL[] = [sql`t.workspace_id = ${workspaceId}`];
  if (query.traceId) conditions.push(sql`t.id = ${query.traceId}`);
  if (filter.source) conditions.push(sql`t.source = ${filter.source}`);
  if (filter.from) conditions.push(sql`t.timestamp >= ${filter.from.toISOString()}::timestamptz`);
  if (filter.to) conditions.push(sql`t.timestamp < ${filter.to.toISOString()}::timestamptz + interval '1 day'`);
  if (filter.label === "none") conditions.push(sql`gt.label is null`);
  else if (filter.label) conditions.push(sql`gt.label = ${filter.label}`);
  if (filter.only === "contradictions") conditions.push(anyOf(targeted.map((e) => e.contradicts)));
  if (filter.only === "disagreements") {
    conditions.push(sql`(${anyOf(exprs.map((e) => sql`${e.passed} is true`))} and ${anyOf(exprs.map((e) => sql`${e.passed} is false`))})`);
  }
  if (filter.verdict) conditions.push(anyOf(targeted.map((e) => sql`${e.verdict} = ${filter.verdict}`)));
  if (filter.error) conditions.push(anyOf(targeted.map((e) => sql`${e.errorKind} = ${filter.error}`)));

  const sort = sortExpression(filter.sort, versionIds, exprs, agreeing, comparable);
  if (cursor) {
    const op = filter.dir === "asc" ? sql`>` : sql`<`;
    conditions.push(sql`(${sort.expr}, t.id) ${op} (${sort.cast(cursor.value)}, ${cursor.id})`);
  }
  // Spelled as traces_list_idx stores it (DESC NULLS LAST), so time order walks the index; sort values are never null.
  const direction = filter.dir === "asc" ? sql`asc nulls first` : sql`desc nulls last`;

  // Index-ordered sorts stop after one page: the ground truth is looked up per row. A computed sort reads
  // every row anyway, and then one hashed aggregate over the set's labels beats 100k lookups.
  const indexOrdered = filter.sort === "time" || filter.sort === "trace" || filter.sort === "source" || query.traceId !== undefined;
  const groundTruthJoin = indexOrdered
    ? sql`join lateral (${groundTruthSelect(workspaceId, evalSetId, { forTrace: sql`t.id`, detail: true })}) gt on true`
    : sql`join (${groundTruthSelect(workspaceId, evalSetId, { detail: true })}) gt on gt.trace_id = t.id`;
  const laterals = versionIds.map(
    (id, i) => sql`left join lateral (
      select e.passed, e.error_kind, e.duration_ms${select === "export" ? sql`, e.reason, e.error_message, e.created_at` : sql``} from executions e
      where e.eval_version_id = ${id} and e.trace_id = t.id and e.workspace_id = ${workspaceId}
    ) ${sql.raw(`v${i}`)} on true`,
  );
  const columns =
    select === "ids"
      ? sql`t.id`
      : sql`t.id, t.source, t.external_id, t.name, t.timestamp, gt.label as truth, gt.reviewers, gt.votes,
          (${sort.expr})::text as sort_value, ${agreeing} as agreeing, ${comparable} as comparable
          ${sql.join(versionIds.map((_, i) => sql.raw(`, v${i}.passed as v${i}_passed, v${i}.error_kind as v${i}_error, v${i}.duration_ms as v${i}_ms`)), sql``)}
          ${select === "export" ? sql.join(versionIds.map((_, i) => sql.raw(`, v${i}.reason as v${i}_reason, v${i}.error_message as v${i}_message, v${i}.created_at as v${i}_at`)), sql``) : sql``}`;
  return sql`
    select ${columns}
    from traces t
    ${groundTruthJoin}
    ${sql.join(laterals, sql` `)}
    where ${sql.join(conditions, sql` and `)}
    order by ${sort.expr} ${direction}, t.id ${direction}
    limit ${query.limit}`;
}

function sortExpression(sort: MatrixFilter["sort"], versionIds: string[], exprs: ReturnType<typeof versionExpressions>[], agreeing: SQL, comparable: SQL) {
  const asInt = (v: string | number) => sql`${Number(v) || 0}::int`;
  if (sort === "time") return { expr: sql`t.timestamp`, cast: (v: string | number) => sql`${String(v)}::timestamptz` };
  if (sort === "trace") return { expr: sql`t.id`, cast: (v: string | number) => sql`${String(v)}::text` };
  if (sort === "source") return { expr: sql`t.source`, cast: (v: string | number) => sql`${String(v)}::text` };
  if (sort === "label") {
    return { expr: sql`(case gt.label when 'positive' then 3 when 'neutral' then 2 when 'negative' then 1 else 0 end)`, cast: asInt };
  }
  if (sort === "agreement") return { expr: sql`(case when ${comparable} = 0 then -1 else (100 * ${agreeing}) / ${comparable} end)`, cast: asInt };
  const index = versionIds.indexOf(sort.slice(2));
  // A sort on a version not shown falls back to time order rather than failing the page.
  if (index < 0) return sortExpression("time", versionIds, exprs, agreeing, comparable);
  return { expr: exprs[index]!.rank, cast: asInt };
}

type RawRow = Record<string, unknown>;

function toMatrixRow(raw: RawRow, versionIds: string[]): MatrixRow & { sortValue: string } {
  const truth = (raw.truth as Label | null) ?? null;
  const cells = versionIds.map((versionId, i) => {
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
    votes: (typeof raw.votes === "string" ? JSON.parse(raw.votes) : raw.votes) as Record<string, Label>,
    cells,
    agreeing: Number(raw.agreeing),
    comparable: Number(raw.comparable),
    sortValue,
  };
}

export async function matrixPage(db: Db, query: MatrixQuery) {
  const result = await db.execute(matrixSql(query, "rows"));
  return rowsOf<RawRow>(result).map((raw) => toMatrixRow(raw, query.versionIds));
}

/** A page of the matrix with each version's reason, error message and run time too, for exports. */
export async function matrixExportPage(db: Db, query: MatrixQuery) {
  return rowsOf<RawRow>(await db.execute(matrixSql(query, "export"))).map((raw) => ({
    row: toMatrixRow(raw, query.versionIds),
    details: query.versionIds.map((_, i) => ({
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

/** One row of the matrix by trace id (after a relabel), whatever the page's filters. */
export async function matrixRowFor(db: Db, workspaceId: string, evalSetId: string, versionIds: string[], traceId: string) {
  const query: MatrixQuery = { workspaceId, evalSetId, versionIds, filter: defaultMatrixFilter(), cursor: null, limit: 1, traceId };
  const rows = rowsOf<RawRow>(await db.execute(matrixSql(query, "rows")));
  return rows[0] ? toMatrixRow(rows[0], versionIds) : null;
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
