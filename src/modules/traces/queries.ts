// Database access for traces: keyset-paginated lists, one trace, and idempotent upserts.
import { and, arrayContains, eq, gte, ilike, inArray, lt, lte, sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client";
import { feedback, traces } from "../../db/schema";
import type { TraceCursor, TraceFilter } from "./model";

export const traceListColumns = {
  id: traces.id,
  source: traces.source,
  externalId: traces.externalId,
  name: traces.name,
  timestamp: traces.timestamp,
  hasErrors: traces.hasErrors,
  tags: traces.tags,
  latencyMs: traces.latencyMs,
  costUsd: traces.costUsd,
  stepCount: traces.stepCount,
  inputPreview: traces.inputPreview,
  outputPreview: traces.outputPreview,
  normalizeError: traces.normalizeError,
  isDemo: traces.isDemo,
};

export type TraceListRow = { [K in keyof typeof traceListColumns]: (typeof traces.$inferSelect)[K] };

/** Words of a search box as a prefix tsquery ("refund order" → refund:* & order:*); null when it holds no word. */
export function searchQuery(text: string): string | null {
  const words = text.toLowerCase().match(/[\p{L}\p{N}_]+/gu);
  return words && words.length > 0 ? words.slice(0, 16).map((word) => `${word}:*`).join(" & ") : null;
}

/** The WHERE conditions of a trace filter; always scoped to the workspace. Shared by the list, counts and bulk selections. */
export function filterConditions(workspaceId: string, filter: TraceFilter): SQL[] {
  const conditions: SQL[] = [eq(traces.workspaceId, workspaceId)];
  if (filter.q) {
    const query = searchQuery(filter.q);
    if (query) conditions.push(sql`${traces.searchVector} @@ to_tsquery('simple', ${query})`);
  }
  if (filter.source) conditions.push(eq(traces.source, filter.source));
  if (filter.name) conditions.push(ilike(traces.name, `%${escapeLike(filter.name)}%`));
  if (filter.tag) conditions.push(arrayContains(traces.tags, filter.tag.split(",").map((t) => t.trim()).filter(Boolean)));
  if (filter.user) conditions.push(eq(traces.userId, filter.user));
  if (filter.session) conditions.push(eq(traces.sessionId, filter.session));
  if (filter.environment) conditions.push(eq(traces.environment, filter.environment));
  if (filter.tool) conditions.push(arrayContains(traces.toolNames, [filter.tool]));
  if (filter.model) conditions.push(arrayContains(traces.models, [filter.model]));
  if (filter.errors) conditions.push(eq(traces.hasErrors, filter.errors === "yes"));
  if (filter.latency_min !== undefined) conditions.push(gte(traces.latencyMs, filter.latency_min));
  if (filter.latency_max !== undefined) conditions.push(lte(traces.latencyMs, filter.latency_max));
  if (filter.cost_min !== undefined) conditions.push(gte(traces.costUsd, filter.cost_min));
  if (filter.cost_max !== undefined) conditions.push(lte(traces.costUsd, filter.cost_max));
  if (filter.eval_set && filter.labeled) {
    const labeled = sql`exists (select 1 from ${feedback} where ${feedback.workspaceId} = ${workspaceId} and ${feedback.evalSetId} = ${filter.eval_set} and ${feedback.traceId} = ${traces.id})`;
    conditions.push(filter.labeled === "yes" ? labeled : sql`not ${labeled}`);
  }
  if (filter.from) conditions.push(gte(traces.timestamp, filter.from));
  if (filter.to) conditions.push(lt(traces.timestamp, new Date(filter.to.getTime() + 86_400_000)));
  return conditions;
}

/** Newest first; fetches one extra row to know whether a next page exists without counting. */
export async function listTraces(db: Db, workspaceId: string, filter: TraceFilter, cursor: TraceCursor | null, limit: number) {
  const conditions = filterConditions(workspaceId, filter);
  if (cursor) {
    // A row comparison is one index range (the OR form makes deep pages filter from the top).
    conditions.push(sql`(${traces.timestamp}, ${traces.id}) < (${cursor.timestamp.toISOString()}::timestamptz, ${cursor.id})`);
  }
  const rows = await db
    .select(traceListColumns)
    .from(traces)
    .where(and(...conditions))
    // NULLS LAST as the index is declared: with the default (NULLS FIRST) Postgres cannot walk traces_list_idx and sorts the whole workspace instead.
    .orderBy(sql`${traces.timestamp} desc nulls last`, sql`${traces.id} desc nulls last`)
    .limit(limit + 1);
  return { rows: rows.slice(0, limit), hasMore: rows.length > limit };
}

export async function findTrace(db: Db, workspaceId: string, id: string) {
  const [row] = await db.select().from(traces).where(and(eq(traces.workspaceId, workspaceId), eq(traces.id, id)));
  return row ?? null;
}

/** A trace row ready for the bulk upsert: raw and normalized are already JSON text, the search vector is built from `searchText` in SQL. */
export interface TraceRow {
  id: string;
  workspaceId: string;
  source: string;
  externalId: string;
  integrationId: string | null;
  name: string | null;
  timestamp: Date;
  normalizedJson: string | null;
  rawJson: string;
  schemaVersion: number;
  normalizeError: string | null;
  hasErrors: boolean;
  tags: string[];
  userId: string | null;
  sessionId: string | null;
  environment: string | null;
  toolNames: string[];
  models: string[];
  latencyMs: number | null;
  costUsd: number | null;
  stepCount: number;
  inputPreview: string | null;
  outputPreview: string | null;
  isDemo: boolean;
  searchText: string | null;
}

/** The columns a trace row writes, in order; `search_text` becomes the stored `search_vector`. */
export const TRACE_ROW_COLUMNS = [
  "id", "workspace_id", "source", "external_id", "integration_id", "name", "timestamp", "normalized", "raw", "schema_version", "normalize_error",
  "has_errors", "tags", "user_id", "session_id", "environment", "tool_names", "models", "latency_ms", "cost_usd", "step_count", "input_preview",
  "output_preview", "is_demo", "search_text",
] as const;

/** The Postgres type of each of TRACE_ROW_COLUMNS, for a recordset or a staging table. */
export const TRACE_ROW_TYPES = `id text, workspace_id text, source text, external_id text, integration_id text, name text, timestamp timestamptz,
  normalized json, raw json, schema_version integer, normalize_error text, has_errors boolean, tags text[], user_id text, session_id text,
  environment text, tool_names text[], models text[], latency_ms double precision, cost_usd double precision, step_count integer,
  input_preview text, output_preview text, is_demo boolean, search_text text`;

const STORED_COLUMNS = TRACE_ROW_COLUMNS.map((c) => (c === "search_text" ? "search_vector" : c)).join(", ");
const SELECTED_COLUMNS = TRACE_ROW_COLUMNS.map((c) => (c === "search_text" ? "to_tsvector('simple', search_text)" : c)).join(", ");

/**
 * Moves rows from `rowSource` (a recordset or a staging table holding TRACE_ROW_COLUMNS) into traces, inserting or
 * updating by (workspace, source, external id): re-importing never duplicates, and a re-imported trace keeps its row id.
 */
export function traceUpsertStatement(rowSource: SQL): SQL {
  return sql`
    insert into ${traces} (${sql.raw(STORED_COLUMNS)})
    select ${sql.raw(SELECTED_COLUMNS)} from ${rowSource}
    on conflict (workspace_id, source, external_id) do update set
      name = excluded.name, timestamp = excluded.timestamp,
      normalized = jsonb_set(excluded.normalized::jsonb, '{id}', to_jsonb(${traces}.id))::json,
      raw = excluded.raw, schema_version = excluded.schema_version, normalize_error = excluded.normalize_error, has_errors = excluded.has_errors,
      tags = excluded.tags, user_id = excluded.user_id, session_id = excluded.session_id, environment = excluded.environment,
      tool_names = excluded.tool_names, models = excluded.models, latency_ms = excluded.latency_ms, cost_usd = excluded.cost_usd,
      step_count = excluded.step_count, input_preview = excluded.input_preview, output_preview = excluded.output_preview,
      search_vector = excluded.search_vector, updated_at = now()`;
}

/** One recordset element: the scalar columns serialized, the two JSON documents spliced in as they are (never parsed and re-serialized). */
function recordsetElement(row: TraceRow): string {
  const { normalizedJson, rawJson, ...columns } = row;
  const scalars = JSON.stringify({
    id: columns.id, workspace_id: columns.workspaceId, source: columns.source, external_id: columns.externalId, integration_id: columns.integrationId,
    name: columns.name, timestamp: columns.timestamp, schema_version: columns.schemaVersion, normalize_error: columns.normalizeError,
    has_errors: columns.hasErrors, tags: columns.tags, user_id: columns.userId, session_id: columns.sessionId, environment: columns.environment,
    tool_names: columns.toolNames, models: columns.models, latency_ms: columns.latencyMs, cost_usd: columns.costUsd, step_count: columns.stepCount,
    input_preview: columns.inputPreview, output_preview: columns.outputPreview, is_demo: columns.isDemo, search_text: columns.searchText,
  });
  return `${scalars.slice(0, -1)},"normalized":${normalizedJson ?? "null"},"raw":${rawJson}}`;
}

/** Rows as one JSON array for upsertTraceRecordset. */
export function encodeRecordset(rows: TraceRow[]): string {
  return `[${rows.map(recordsetElement).join(",")}]`;
}

/**
 * Upserts a batch with the rows as one JSON parameter expanded by the server (json_to_recordset), not 25 bound
 * parameters per trace. Works on any connection, inside a transaction too; bulk imports into Postgres use COPY (copy-upsert.ts).
 */
export async function upsertTraceRecordset(db: Db, recordset: string) {
  if (recordset === "[]") return;
  await db.execute(traceUpsertStatement(sql`json_to_recordset(${recordset}::json) as r(${sql.raw(TRACE_ROW_TYPES)})`));
}

export async function upsertTraces(db: Db, rows: TraceRow[]) {
  await upsertTraceRecordset(db, encodeRecordset(rows));
}

/** How many traces match, counting no further than `cap` (a capped count stays fast on any table size). */
export async function countMatching(db: Db, workspaceId: string, filter: TraceFilter, cap: number): Promise<number> {
  const limited = db.select({ one: sql`1` }).from(traces).where(and(...filterConditions(workspaceId, filter))).limit(cap).as("limited");
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(limited);
  return Number(row?.n ?? 0);
}

/** Which of these ids are traces of this workspace (bulk actions never touch another workspace's rows). */
export async function ownedTraceIds(db: Db, workspaceId: string, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db.select({ id: traces.id }).from(traces).where(and(eq(traces.workspaceId, workspaceId), inArray(traces.id, ids)));
  return rows.map((row) => row.id);
}

export async function deleteTraceIds(db: Db, workspaceId: string, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const rows = await db.delete(traces).where(and(eq(traces.workspaceId, workspaceId), inArray(traces.id, ids))).returning({ id: traces.id });
  return rows.length;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
