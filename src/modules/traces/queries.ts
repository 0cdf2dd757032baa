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

export type TraceInsert = typeof traces.$inferInsert;

/** Inserts or updates by (workspace, source, external id): re-importing never duplicates. */
export async function upsertTraces(db: Db, rows: TraceInsert[]) {
  if (rows.length === 0) return;
  await db
    .insert(traces)
    .values(rows)
    .onConflictDoUpdate({
      target: [traces.workspaceId, traces.source, traces.externalId],
      set: {
        name: sql`excluded.name`,
        timestamp: sql`excluded.timestamp`,
        normalized: sql`jsonb_set(excluded.normalized, '{id}', to_jsonb(${traces.id}))`,
        raw: sql`excluded.raw`,
        schemaVersion: sql`excluded.schema_version`,
        normalizeError: sql`excluded.normalize_error`,
        hasErrors: sql`excluded.has_errors`,
        tags: sql`excluded.tags`,
        userId: sql`excluded.user_id`,
        sessionId: sql`excluded.session_id`,
        environment: sql`excluded.environment`,
        toolNames: sql`excluded.tool_names`,
        models: sql`excluded.models`,
        latencyMs: sql`excluded.latency_ms`,
        costUsd: sql`excluded.cost_usd`,
        stepCount: sql`excluded.step_count`,
        inputPreview: sql`excluded.input_preview`,
        outputPreview: sql`excluded.output_preview`,
        searchVector: sql`excluded.search_vector`,
        updatedAt: sql`now()`,
      },
    });
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
