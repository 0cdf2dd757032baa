// Stores ingested traces: normalized or failed (error + raw kept), NUL-free, one row per (source, external id) per batch.
import type { Database } from "../../db/client";
import { encodeTraces, encodingFor, storeEncodedTraces, type EncodedTraces, type StoredTraceInput, type TraceEncoding } from "../traces/service";

/** A trace as an importer hands it over: normalized, or failed with its error (and raw payload) kept. */
export type IngestedTrace = Omit<StoredTraceInput, "workspaceId" | "isDemo">;

/**
 * Upserts a batch. Postgres refuses to update one row twice in a statement, so a batch that holds the same
 * trace twice keeps the later copy (a re-export or an OTLP retry), which is also what a second batch would do.
 */
export async function storeIngested(database: Database, workspaceId: string, batch: readonly IngestedTrace[]): Promise<void> {
  await storeEncodedTraces(database, encodeIngested(workspaceId, batch, encodingFor(database)));
}

/** The batch deduplicated and encoded for storeEncodedTraces; pure, so it can run on a worker thread. */
export function encodeIngested(workspaceId: string, batch: readonly IngestedTrace[], format: TraceEncoding): EncodedTraces {
  const latest = new Map<string, IngestedTrace>();
  for (const item of batch) latest.set(`${item.source}\u0000${item.externalId}`, item);
  // Characters Postgres refuses are replaced when the row is built (toTraceRow), for every source alike.
  const rows: StoredTraceInput[] = [...latest.values()].map((item) => ({ ...item, workspaceId }));
  return encodeTraces(rows, format);
}

/** A normalizer's error as one line for the trace row and the job log. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
