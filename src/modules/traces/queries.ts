// Database access for traces: keyset-paginated lists, one trace, and idempotent upserts.
import { and, arrayContains, desc, eq, gte, ilike, lt, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client";
import { traces } from "../../db/schema";
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

/** Newest first; fetches one extra row to know whether a next page exists without counting. */
export async function listTraces(db: Db, workspaceId: string, filter: TraceFilter, cursor: TraceCursor | null, limit: number) {
  const conditions: SQL[] = [eq(traces.workspaceId, workspaceId)];
  if (filter.name) conditions.push(ilike(traces.name, `%${escapeLike(filter.name)}%`));
  if (filter.tag) conditions.push(arrayContains(traces.tags, [filter.tag]));
  if (filter.errors) conditions.push(eq(traces.hasErrors, filter.errors === "yes"));
  if (filter.from) conditions.push(gte(traces.timestamp, filter.from));
  if (filter.to) conditions.push(lt(traces.timestamp, new Date(filter.to.getTime() + 86_400_000)));
  if (cursor) {
    conditions.push(or(lt(traces.timestamp, cursor.timestamp), and(eq(traces.timestamp, cursor.timestamp), lt(traces.id, cursor.id)))!);
  }
  const rows = await db
    .select(traceListColumns)
    .from(traces)
    .where(and(...conditions))
    .orderBy(desc(traces.timestamp), desc(traces.id))
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
        updatedAt: sql`now()`,
      },
    });
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
