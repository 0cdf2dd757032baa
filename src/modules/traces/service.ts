// Trace logic: turning a normalized trace into a stored row with list columns, listing, and reading.
import type { Database } from "../../db/client";
import { NotFoundError } from "../../http/errors";
import { NORMALIZED_SCHEMA_VERSION, type NormalizedTrace } from "./normalized-schema";
import { replaceNulChars } from "../ingest/normalize/json-values";
import { decodeCursor, encodeCursor, type TraceFilter } from "./model";
import * as q from "./queries";

const PREVIEW_CHARS = 160;

/** Plain text of a JSON value for previews: strings as they are, the last message's content, else compact JSON. */
export function previewText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  let text: string;
  if (typeof value === "string") text = value;
  else if (Array.isArray(value) && value.length && typeof value.at(-1) === "object") return previewText((value.at(-1) as { content?: unknown }).content ?? value.at(-1));
  else if (typeof value === "object" && value && "messages" in value) return previewText((value as { messages: unknown }).messages);
  else if (typeof value === "object" && value && "content" in value) return previewText((value as { content: unknown }).content);
  else text = JSON.stringify(value);
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > PREVIEW_CHARS ? flat.slice(0, PREVIEW_CHARS - 1) + "…" : flat;
}

export interface StoredTraceInput {
  workspaceId: string;
  source: string;
  externalId: string;
  raw: unknown;
  normalized: NormalizedTrace | null;
  normalizeError?: string | null;
  /** Fallbacks for a trace that failed to normalize, so it still lists sensibly. */
  name?: string | null;
  timestamp?: Date;
  integrationId?: string | null;
  isDemo?: boolean;
}

export function toTraceRow(input: StoredTraceInput): q.TraceInsert {
  // The row id is chosen here so the stored normalized trace carries it as its `id` (what an eval sees);
  // on a re-import the upsert keeps the existing row's id in both places.
  const id = Bun.randomUUIDv7();
  const n = input.normalized;
  return {
    id,
    workspaceId: input.workspaceId,
    source: input.source,
    externalId: input.externalId,
    integrationId: input.integrationId ?? null,
    name: n?.name ?? input.name ?? null,
    timestamp: n ? new Date(n.timestamp) : (input.timestamp ?? new Date()),
    normalized: n ? ({ ...n, id } as unknown as Record<string, unknown>) : null,
    // Postgres text and jsonb cannot hold U+0000; it becomes U+FFFD, as in the normalized trace.
    raw: replaceNulChars(input.raw ?? null),
    schemaVersion: NORMALIZED_SCHEMA_VERSION,
    normalizeError: input.normalizeError ?? null,
    hasErrors: n?.has_errors ?? false,
    tags: n?.tags ?? [],
    userId: n?.user_id ?? null,
    sessionId: n?.session_id ?? null,
    environment: typeof n?.metadata?.langfuse === "object" && n.metadata.langfuse ? ((n.metadata.langfuse as { environment?: string }).environment ?? null) : null,
    toolNames: n ? [...new Set(n.tool_calls.map((c) => c.name))] : [],
    models: n ? [...new Set(n.steps.map((s) => s.model).filter((m): m is string => !!m))] : [],
    latencyMs: n?.latency_ms ?? null,
    costUsd: n?.cost_usd ?? null,
    stepCount: n?.steps.length ?? 0,
    inputPreview: n ? previewText(n.input) : null,
    outputPreview: n ? previewText(n.output) : null,
    isDemo: input.isDemo ?? false,
  };
}

export async function storeTraces(database: Database, inputs: StoredTraceInput[]) {
  await q.upsertTraces(database.db, inputs.map(toTraceRow));
}

export async function listTracePage(database: Database, workspaceId: string, filter: TraceFilter) {
  const limit = filter.limit ?? 50;
  const { rows, hasMore } = await q.listTraces(database.db, workspaceId, filter, decodeCursor(filter.cursor), limit);
  const last = rows.at(-1);
  return { rows, nextCursor: hasMore && last ? encodeCursor({ timestamp: last.timestamp, id: last.id }) : null };
}

export async function getTrace(database: Database, workspaceId: string, id: string) {
  const trace = await q.findTrace(database.db, workspaceId, id);
  if (!trace) throw new NotFoundError("Trace");
  return trace;
}
