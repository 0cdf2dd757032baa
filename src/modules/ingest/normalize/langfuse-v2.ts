// Langfuse v2 observation rows (GET /api/public/v2/observations, the v4 read API) → normalized trace, with or without a trace object.
import { z } from "zod";
import { LangfuseTraceSchema, LangfuseV2ObservationSchema, fromV2Row, parseLangfuse, type LangfuseV2Row } from "./langfuse-shapes.ts";
import { assertSameTrace, traceFields } from "./langfuse.ts";
import { normalizeLangfuseRun, type LangfuseTraceFields } from "./langfuse-run.ts";
import { NormalizeError, type NormalizeResult } from "./normalize-error.ts";
import { parseJsonIfJson } from "./json-values.ts";

/**
 * `rows` are all cursor pages for one traceId, requested with at least the fields
 * core,basic,time,io,metadata,model,usage (+ trace_context when `trace` is null).
 * With a trace list item the result equals the v1 result for the same run. Without one (Langfuse v4 has
 * no trace read API), trace fields come from the rows: name/tags/release from trace_context, user/session
 * from the rows, input/output from the single root observation, timestamp = earliest start.
 * raw = { trace, observations: rows } exactly as given.
 */
export function normalizeLangfuseV2Observations(trace: unknown | null, rows: readonly unknown[]): NormalizeResult {
  const parsedRows = parseLangfuse(z.array(LangfuseV2ObservationSchema), rows, "v2 observation list");
  const fields = trace === null || trace === undefined ? traceFieldsFromRows(parsedRows) : traceFields(parseLangfuse(LangfuseTraceSchema, trace, "trace"));
  assertSameTrace(fields.id, parsedRows);
  return normalizeLangfuseRun(fields, parsedRows.map(fromV2Row), { trace: trace ?? null, observations: rows });
}

function traceFieldsFromRows(rows: readonly LangfuseV2Row[]): LangfuseTraceFields {
  const first = rows[0];
  if (!first) throw new NormalizeError("invalid_langfuse", "Cannot build a trace from zero v2 observations without the trace object");
  const roots = rows.filter((row) => row.isRootObservation === true || row.parentObservationId === null);
  const root = roots.length === 1 ? roots[0] : undefined;
  const earliest = rows.reduce((min, row) => (Date.parse(row.startTime) < Date.parse(min.startTime) ? row : min));
  return {
    id: first.traceId,
    timestamp: earliest.startTime,
    name: first.traceName,
    input: root && typeof root.input === "string" ? parseJsonIfJson(root.input) : null,
    output: root && typeof root.output === "string" ? parseJsonIfJson(root.output) : null,
    metadata: {},
    tags: first.tags ?? [],
    userId: first.userId,
    sessionId: first.sessionId,
    environment: first.environment,
    release: first.release,
    version: null,
  };
}
