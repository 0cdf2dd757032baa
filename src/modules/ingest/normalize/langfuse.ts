// Langfuse v1 payloads → normalized trace: a trace list item with its v1 observations, or a trace detail with them inline.
import {
  LangfuseObservationSchema,
  LangfuseTraceDetailSchema,
  LangfuseTraceSchema,
  fromV1Observation,
  parseLangfuse,
  type LangfuseTrace,
} from "./langfuse-shapes.ts";
import { normalizeLangfuseRun, type LangfuseTraceFields } from "./langfuse-run.ts";
import { NormalizeError, type NormalizeResult } from "./normalize-error.ts";
import { z } from "zod";

/**
 * `trace` is an item of GET /api/public/traces (its `observations` are ids and are ignored);
 * `observations` are all pages of GET /api/public/observations?traceId=…, in any order.
 * raw = { trace, observations } exactly as given.
 */
export function normalizeLangfuseTrace(trace: unknown, observations: readonly unknown[]): NormalizeResult {
  const parsedTrace = parseLangfuse(LangfuseTraceSchema, trace, "trace");
  const parsedObservations = parseLangfuse(z.array(LangfuseObservationSchema), observations, "observation list");
  assertSameTrace(parsedTrace.id, parsedObservations);
  return normalizeLangfuseRun(traceFields(parsedTrace), parsedObservations.map(fromV1Observation), { trace, observations });
}

/** `detail` is GET /api/public/traces/{id}: observations inline as full objects (also the bench traces.jsonl shape). raw = detail. */
export function normalizeLangfuseTraceDetail(detail: unknown): NormalizeResult {
  const parsed = parseLangfuse(LangfuseTraceDetailSchema, detail, "trace detail");
  assertSameTrace(parsed.id, parsed.observations);
  return normalizeLangfuseRun(traceFields(parsed), parsed.observations.map(fromV1Observation), detail);
}

export function traceFields(trace: LangfuseTrace): LangfuseTraceFields {
  return {
    id: trace.id,
    timestamp: trace.timestamp,
    name: trace.name,
    input: trace.input,
    output: trace.output,
    metadata: trace.metadata,
    tags: trace.tags ?? [],
    userId: trace.userId,
    sessionId: trace.sessionId,
    environment: trace.environment,
    release: trace.release,
    version: trace.version,
  };
}

export function assertSameTrace(traceId: string, observations: ReadonlyArray<{ id: string; traceId?: unknown }>): void {
  const foreign = observations.filter((o) => typeof o.traceId === "string" && o.traceId !== traceId);
  if (foreign.length > 0) {
    throw new NormalizeError(
      "invalid_langfuse",
      `Observations belong to another trace than ${traceId}`,
      foreign.slice(0, 5).map((o) => `observation ${o.id}: traceId ${String(o.traceId)}`),
    );
  }
}
