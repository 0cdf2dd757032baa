// Receives OTLP spans: merges them into their trace's stored spans (a trace's spans arrive over many exports) and re-normalizes it.
import { and, eq, sql } from "drizzle-orm";
import type { Database, Db } from "../../db/client";
import { traces } from "../../db/schema";
import { toTraceRow } from "../traces/service";
import { upsertTraces } from "../traces/queries";
import { replaceUnstorableChars } from "./normalize/json-values";
import { flattenOtlpRequest, normalizeOtelTrace, type OtelSpan } from "./normalize/otel";
import { describeError } from "./store";

export const OTEL_SOURCE = "otel";

export interface OtlpIngestResult {
  traces: number;
  spans: number;
  /** Traces stored without a normalized form, with why. */
  notNormalized: Array<{ traceId: string; error: string }>;
}

/**
 * One transaction per export: each touched trace is locked (advisory, by workspace + trace id, in sorted order
 * so concurrent exports cannot deadlock), its stored spans read, the new ones merged by span id, and the trace
 * re-normalized and upserted. A retried export therefore changes nothing.
 */
export async function ingestOtlpRequest(database: Database, workspaceId: string, body: unknown): Promise<OtlpIngestResult> {
  const spans = flattenOtlpRequest(body);
  const byTrace = new Map<string, OtelSpan[]>();
  for (const span of spans) byTrace.set(span.traceId, [...(byTrace.get(span.traceId) ?? []), span]);
  const notNormalized: OtlpIngestResult["notNormalized"] = [];

  await database.db.transaction(async (tx) => {
    const db = tx as unknown as Db;
    for (const traceId of [...byTrace.keys()].sort()) {
      await db.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`otel:${workspaceId}:${traceId}`}, 0))`);
      const [existing] = await db
        .select({ raw: traces.raw })
        .from(traces)
        .where(and(eq(traces.workspaceId, workspaceId), eq(traces.source, OTEL_SOURCE), eq(traces.externalId, traceId)));
      const merged = new Map<string, OtelSpan>();
      for (const span of storedSpans(existing?.raw)) merged.set(span.spanId, span);
      for (const span of byTrace.get(traceId)!) merged.set(span.spanId, replaceUnstorableChars(span));
      const all = [...merged.values()];
      let row;
      try {
        const { normalized } = normalizeOtelTrace(all);
        row = toTraceRow({ workspaceId, source: OTEL_SOURCE, externalId: traceId, raw: { spans: all }, normalized });
      } catch (error) {
        notNormalized.push({ traceId, error: describeError(error) });
        const first = all.reduce((a, b) => (a.startTimeMs <= b.startTimeMs ? a : b));
        row = toTraceRow({ workspaceId, source: OTEL_SOURCE, externalId: traceId, raw: { spans: all }, normalized: null, normalizeError: describeError(error), name: first.name, timestamp: new Date(first.startTimeMs) });
      }
      await upsertTraces(db, [row]);
    }
  });
  return { traces: byTrace.size, spans: spans.length, notNormalized };
}

function storedSpans(raw: unknown): OtelSpan[] {
  const spans = (raw as { spans?: unknown } | undefined)?.spans;
  return Array.isArray(spans) ? (spans as OtelSpan[]) : [];
}
