// Stores ingested traces: normalized or failed (error + raw kept), NUL-free, one row per (source, external id) per batch.
import type { Database } from "../../db/client";
import { storeTraces, type StoredTraceInput } from "../traces/service";
import type { NormalizedTrace } from "../traces/normalized-schema";
import { replaceNulChars } from "./normalize/json-values";

export interface IngestedTrace {
  source: string;
  externalId: string;
  raw: unknown;
  normalized: NormalizedTrace | null;
  /** Why normalization failed; the trace is still stored, with its raw payload, and shown as "not normalized". */
  normalizeError?: string | null;
  /** Fallbacks for a failed trace, so it lists under a sensible name and time. */
  name?: string | null;
  timestamp?: Date;
  integrationId?: string | null;
}

/**
 * Upserts a batch. Postgres refuses to update one row twice in a statement, so a batch that holds the same
 * trace twice keeps the later copy (a re-export or an OTLP retry), which is also what a second batch would do.
 */
export async function storeIngested(database: Database, workspaceId: string, batch: readonly IngestedTrace[]): Promise<void> {
  const latest = new Map<string, IngestedTrace>();
  for (const item of batch) latest.set(`${item.source}\u0000${item.externalId}`, item);
  const rows: StoredTraceInput[] = [...latest.values()].map((item) => ({
    workspaceId,
    source: item.source,
    externalId: item.externalId,
    raw: replaceNulChars(item.raw ?? null),
    normalized: item.normalized,
    normalizeError: item.normalizeError ?? null,
    name: item.name ?? null,
    timestamp: item.timestamp,
    integrationId: item.integrationId ?? null,
  }));
  await storeTraces(database, rows);
}

/** A normalizer's error as one line for the trace row and the job log. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
