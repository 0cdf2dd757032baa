// The matrix page as one SQL statement: rows from the set or a saved filter, filters and any sort in SQL, keyset pages.
import { sql, type SQL } from "drizzle-orm";
import type { TraceFilter } from "../traces/model";
import { filterConditions } from "../traces/queries";
import { votesOf } from "./ground-truth";
import type { MatrixCursor, MatrixFilter, Verdict, VersionColumn } from "./model";

export interface MatrixQuery {
  workspaceId: string;
  evalSetId: string;
  versions: Pick<VersionColumn, "id" | "slot">[];
  filter: MatrixFilter;
  cursor: MatrixCursor | null;
  limit: number;
  /** The rows: the traces of a saved filter, labelled in the set or not; absent = the set's labelled traces. */
  rows?: TraceFilter;
  /** Only this trace, labelled or not (to redraw one row). */
  traceId?: string;
}

/** Verdict codes as set_traces.verdicts stores them, one byte per version slot (migrations/0008_matrix_maintained.sql); also the sort rank. */
const CODE: Record<Verdict, number> = { none: 0, error: 1, fail: 2, pass: 3 };

/**
 * A version's verdict byte on the row: a bytea of length 1, or empty where the bytes are shorter than the slot (no
 * verdict). Slots are inlined so the planner sees constants. Comparing bytes as bytea (no length check, no cast to
 * int) is what keeps a pass over 100k rows computing agreement across several versions in tens of milliseconds.
 */
function byteOf(slot: number): SQL {
  return sql.raw(`substring(g.verdicts from ${Math.trunc(slot) + 1} for 1)`);
}

const byteLiteral = (verdict: Verdict) => sql.raw(`'\\x0${CODE[verdict]}'::bytea`);
const codeIs = (slot: number, verdict: Verdict) =>
  verdict === "none" ? sql`coalesce(${byteOf(slot)}, ''::bytea) in (''::bytea, ${byteLiteral("none")})` : sql`${byteOf(slot)} = ${byteLiteral(verdict)}`;
const anyOf = (parts: SQL[]) => (parts.length ? sql`(${sql.join(parts, sql` or `)})` : sql`false`);
const countOf = (parts: SQL[]) => (parts.length ? sql`(${sql.join(parts.map((p) => sql`(${p})::int`), sql` + `)})` : sql`0`);
const contradicts = (slot: number) => sql`((${codeIs(slot, "pass")} and g.label = 'negative') or (${codeIs(slot, "fail")} and g.label = 'positive'))`;

/**
 * Agreement of the shown versions with the ground truth, as the matrix shows it: 100 × agreeing / comparable, or
 * -1 with nothing to compare. A pass agrees with "positive", a fail with "negative"; only one of the two counts runs.
 */
function agreementOf(versions: MatrixQuery["versions"]): SQL {
  const count = (verdict: Verdict) => countOf(versions.map((v) => codeIs(v.slot, verdict)));
  const compared = countOf(versions.map((v) => sql`${byteOf(v.slot)} >= ${byteLiteral("fail")}`));
  return sql`coalesce(100 * (case g.label when 'positive' then ${count("pass")} when 'negative' then ${count("fail")} end) / nullif(${compared}, 0), -1)`;
}

interface SortKey {
  expr: SQL;
  cast: (v: string | number) => SQL;
  /** Walks a traces index in this order (a page reads about a page of rows); else one pass over the rows, top-N sorted. */
  indexOrdered: boolean;
}

function sortKey(sort: MatrixFilter["sort"], versions: MatrixQuery["versions"]): SortKey {
  const asInt = (v: string | number) => sql`${Number(v) || 0}::int`;
  if (sort === "time") return { expr: sql`traces.timestamp`, cast: (v) => sql`${String(v)}::timestamptz`, indexOrdered: true };
  if (sort === "trace") return { expr: sql`traces.id`, cast: (v) => sql`${String(v)}::text`, indexOrdered: true };
  if (sort === "source") return { expr: sql`traces.source`, cast: (v) => sql`${String(v)}::text`, indexOrdered: true };
  if (sort === "label") return { expr: sql`(case g.label when 'positive' then 3 when 'neutral' then 2 when 'negative' then 1 else 0 end)`, cast: asInt, indexOrdered: false };
  if (sort === "agreement") return { expr: agreementOf(versions), cast: asInt, indexOrdered: false };
  const version = versions.find((v) => v.id === sort.slice(2));
  // A sort on a version not shown falls back to time order rather than failing the page.
  if (!version) return sortKey("time", versions);
  return { expr: sql`coalesce(get_byte(nullif(${byteOf(version.slot)}, ''::bytea), 0), 0)`, cast: asInt, indexOrdered: false };
}

/**
 * Which rows pass the filter, and in what order: the inner select of the page. Labels and every version's verdict
 * are one narrow row per (set, trace) kept by triggers (`g`, set_traces), so a filter or sort on labels, verdicts or
 * agreement never joins executions once per version. Time, trace id and source walk a traces index and look `g` up
 * per row, stopping after a page. Label, agreement and a version's verdict read the set's rows once (no trace unless a
 * trace filter needs it) and keep the top page: tens of milliseconds at 100k traces, for any page, since the keyset
 * condition is part of that pass.
 */
function candidatesSql(query: MatrixQuery): { sql: SQL; direction: SQL } {
  const { workspaceId, evalSetId, versions, filter, cursor } = query;
  const sort = sortKey(filter.sort, versions);
  const focus = versions.find((v) => v.id === filter.focus);
  const targeted = focus ? [focus] : versions;
  const traceFilter = query.rows !== undefined || filter.source !== undefined || filter.from !== undefined || filter.to !== undefined;
  // Rows come from the traces table when it is walked in order, filtered, or the rows are a saved filter's traces.
  const fromTraces = sort.indexOrdered || traceFilter || query.traceId !== undefined;
  const labelledOnly = query.rows === undefined && query.traceId === undefined;
  const id = fromTraces ? sql`traces.id` : sql`g.trace_id`;

  const conditions: SQL[] = fromTraces
    ? query.rows
      ? filterConditions(workspaceId, query.rows)
      : [sql`traces.workspace_id = ${workspaceId}`]
    : [sql`g.workspace_id = ${workspaceId}`, sql`g.eval_set_id = ${evalSetId}`, sql`g.reviewers > 0`];
  if (query.traceId) conditions.push(sql`traces.id = ${query.traceId}`);
  if (filter.source) conditions.push(sql`traces.source = ${filter.source}`);
  if (filter.from) conditions.push(sql`traces.timestamp >= ${filter.from.toISOString()}::timestamptz`);
  if (filter.to) conditions.push(sql`traces.timestamp < ${filter.to.toISOString()}::timestamptz + interval '1 day'`);
  if (filter.label === "unlabeled") conditions.push(sql`coalesce(g.reviewers, 0) = 0`);
  else if (filter.label === "none") conditions.push(sql`g.reviewers > 0 and g.label is null`);
  else if (filter.label) conditions.push(sql`g.label = ${filter.label}`);
  if (filter.only === "contradictions") conditions.push(anyOf(targeted.map((v) => contradicts(v.slot))));
  if (filter.only === "disagreements") {
    conditions.push(sql`(${anyOf(versions.map((v) => codeIs(v.slot, "pass")))} and ${anyOf(versions.map((v) => codeIs(v.slot, "fail")))})`);
  }
  if (filter.verdict) conditions.push(anyOf(targeted.map((v) => codeIs(v.slot, filter.verdict!))));
  if (filter.error) {
    // The bytes say "errored"; the kind is read from the execution itself, only for the rows that errored.
    const ofKind = (v: { id: string; slot: number }) => sql`(${codeIs(v.slot, "error")} and exists (select 1 from executions e
      where e.eval_version_id = ${v.id} and e.trace_id = ${id} and e.workspace_id = ${workspaceId} and e.error_kind = ${filter.error}))`;
    conditions.push(anyOf(targeted.map(ofKind)));
  }
  if (cursor) {
    const op = filter.dir === "asc" ? sql`>` : sql`<`;
    conditions.push(sql`(${sort.expr}, ${id}) ${op} (${sort.cast(cursor.value)}, ${cursor.id})`);
  }
  // Spelled as traces_list_idx stores it (DESC NULLS LAST), so time order walks the index; sort values are never null.
  const direction = filter.dir === "asc" ? sql`asc nulls first` : sql`desc nulls last`;

  const labelled = labelledOnly ? sql` and g0.reviewers > 0` : sql``;
  const join = labelledOnly ? sql`join` : sql`left join`;
  // Walking an index: one lookup per row, stopping after a page. OFFSET 0 keeps the lookup a lookup: flattened into a
  // join, the planner cannot estimate filters on the verdict bytes, guesses they match almost nothing, and hashes the
  // whole set instead of walking. One pass over all rows: a plain (hashed) join.
  const from = !fromTraces
    ? sql`set_traces g${traceFilter ? sql` join traces on traces.id = g.trace_id` : sql``}`
    : sort.indexOrdered
      ? sql`traces ${join} lateral (select g0.* from set_traces g0 where g0.eval_set_id = ${evalSetId} and g0.trace_id = traces.id${labelled} offset 0) g on true`
      : sql`traces ${join} set_traces g on g.eval_set_id = ${evalSetId} and g.trace_id = traces.id${labelledOnly ? sql` and g.reviewers > 0` : sql``}`;
  return {
    direction,
    sql: sql`
      select ${id} as id, ${sort.expr} as sort_key, (${sort.expr})::text as sort_value, g.label as truth, coalesce(g.reviewers, 0) as reviewers
      from ${from}
      where ${sql.join(conditions, sql` and `)}
      order by ${sort.expr} ${direction}, ${id} ${direction}
      limit ${query.limit}`,
  };
}

/**
 * The page: the chosen rows in order, then per row its trace, its reviewers' labels, and one lookup per shown version
 * on the (version, trace) unique index for what the cells show (verdict, error kind, duration; reason and message for
 * exports). LIMIT 1 (there is at most one row anyway) keeps each lookup a lookup: flattened, an export page of 1,000
 * rows was planned as a hash join over all of each version's executions.
 */
export function matrixSql(query: MatrixQuery, select: "rows" | "ids" | "export"): SQL {
  const candidates = candidatesSql(query);
  if (select === "ids") return sql`select c.id from (${candidates.sql}) c order by c.sort_key ${candidates.direction}, c.id ${candidates.direction}`;
  const laterals = query.versions.map(
    (v, i) => sql`left join lateral (
      select e.passed, e.error_kind, e.duration_ms${select === "export" ? sql`, e.reason, e.error_message, e.created_at` : sql``} from executions e
      where e.eval_version_id = ${v.id} and e.trace_id = c.id and e.workspace_id = ${query.workspaceId}
      limit 1
    ) ${sql.raw(`v${i}`)} on true`,
  );
  const cellColumns = query.versions.map((_, i) =>
    sql.raw(`, v${i}.passed as v${i}_passed, v${i}.error_kind as v${i}_error, v${i}.duration_ms as v${i}_ms` + (select === "export" ? `, v${i}.reason as v${i}_reason, v${i}.error_message as v${i}_message, v${i}.created_at as v${i}_at` : "")),
  );
  return sql`
    select c.id, t.source, t.external_id, t.name, t.timestamp, c.truth, c.reviewers, ${votesOf(sql`${query.evalSetId}`, sql`c.id`)} as votes, c.sort_value
      ${sql.join(cellColumns, sql``)}
    from (${candidates.sql}) c
    join traces t on t.id = c.id
    ${sql.join(laterals, sql` `)}
    order by c.sort_key ${candidates.direction}, c.id ${candidates.direction}`;
}
