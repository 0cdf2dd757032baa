// Stores ingested traces: normalized or failed (error + raw kept), NUL-free, one row per (source, external id) per batch.
import type { Database } from "../../db/client";
import { storeTraces, type StoredTraceInput } from "../traces/service";

/** A trace as an importer hands it over: normalized, or failed with its error (and raw payload) kept. */
export type IngestedTrace = Omit<StoredTraceInput, "workspaceId" | "isDemo">;

/**
 * Upserts a batch. Postgres refuses to update one row twice in a statement, so a batch that holds the same
 * trace twice keeps the later copy (a re-export or an OTLP retry), which is also what a second batch would do.
 */
export async function storeIngested(database: Database, workspaceId: string, batch: readonly IngestedTrace[]): Promise<void> {
  const latest = new Map<string, IngestedTrace>();
  for (const item of batch) latest.set(`${item.source}\u0000${item.externalId}`, item);
  // NUL characters are replaced when the row is built (toTraceRow), for every source alike.
  const rows: StoredTraceInput[] = [...latest.values()].map((item) => ({ ...item, workspaceId }));
  await storeTraces(database, rows);
}

/** A normalizer's error as one line for the trace row and the job log. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
