// Trace logic: turning a normalized trace into a stored row with list columns, listing, and reading.
import type { Database } from "../../db/client";
import { NotFoundError } from "../../http/errors";
import { NORMALIZED_SCHEMA_VERSION, type NormalizedTrace } from "./normalized-schema";
import { mayHoldUnstorableChars, replaceUnstorableChars, storableString } from "../ingest/normalize/json-values";
import { addTracesToQueue } from "../review/service";
import { decodeCursor, encodeCursor, filterToQuery, type TraceCursor, type TraceFilter } from "./model";
import { copyUpsertTraces, encodeCopyRows } from "./copy-upsert";
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

const SEARCH_TEXT_CHARS = 64_000;

/** The string leaves of the trace's input and output, capped, for the full-text index (JSON keys stay out of it). */
export function searchText(n: NormalizedTrace): string {
  const parts: string[] = [];
  let length = 0;
  const visit = (value: unknown) => {
    if (length >= SEARCH_TEXT_CHARS) return;
    if (typeof value === "string") {
      parts.push(value);
      length += value.length + 1;
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === "object") Object.values(value).forEach(visit);
  };
  visit(n.input);
  visit(n.output);
  return parts.join(" ").slice(0, SEARCH_TEXT_CHARS);
}

/** Environment as the source recorded it: Langfuse's metadata.langfuse.environment, else a plain metadata.environment. */
function environmentOf(n: NormalizedTrace): string | null {
  const langfuse = n.metadata.langfuse;
  const fromLangfuse = langfuse && typeof langfuse === "object" && !Array.isArray(langfuse) ? (langfuse as { environment?: unknown }).environment : undefined;
  const value = fromLangfuse ?? n.metadata.environment;
  return typeof value === "string" ? value : null;
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
  /** The exact JSON text `raw` was parsed from, when the caller has it: stored as read instead of serialized again. */
  rawText?: string;
}

export function toTraceRow(input: StoredTraceInput): q.TraceRow {
  // The row id is chosen here so the stored normalized trace carries it as its `id` (what an eval sees);
  // on a re-import the upsert keeps the existing row's id in both places.
  const id = Bun.randomUUIDv7();
  const n = input.normalized;
  return {
    id,
    workspaceId: input.workspaceId,
    source: storableString(input.source),
    externalId: storableString(input.externalId),
    integrationId: input.integrationId ?? null,
    name: n?.name ?? (input.name ? storableString(input.name) : null),
    timestamp: n ? new Date(n.timestamp) : (input.timestamp ?? new Date()),
    normalizedJson: n ? JSON.stringify({ ...n, id }) : null,
    rawJson: rawJson(input),
    schemaVersion: NORMALIZED_SCHEMA_VERSION,
    normalizeError: input.normalizeError ? storableString(input.normalizeError) : null,
    hasErrors: n?.has_errors ?? false,
    tags: n?.tags ?? [],
    userId: n?.user_id ?? null,
    sessionId: n?.session_id ?? null,
    environment: n ? environmentOf(n) : null,
    toolNames: n ? [...new Set(n.tool_calls.map((c) => c.name))] : [],
    models: n ? [...new Set(n.steps.map((s) => s.model).filter((m): m is string => !!m))] : [],
    latencyMs: n?.latency_ms ?? null,
    costUsd: n?.cost_usd ?? null,
    stepCount: n?.steps.length ?? 0,
    inputPreview: n ? previewText(n.input) : null,
    outputPreview: n ? previewText(n.output) : null,
    isDemo: input.isDemo ?? false,
    searchText: n ? searchText(n) : null,
  };
}

/**
 * The raw payload as JSON text, with what Postgres refuses (NUL, lone surrogates) replaced as in the normalized trace.
 * Only text that may hold such a character pays for the deep copy; any other is stored as given (a file line as read).
 */
function rawJson(input: StoredTraceInput): string {
  const text = input.rawText ?? JSON.stringify(input.raw ?? null);
  return mayHoldUnstorableChars(text) ? JSON.stringify(replaceUnstorableChars(input.raw ?? null)) : text;
}

/** Trace rows encoded for a database's fastest bulk write: COPY text for Postgres, a JSON recordset for PGlite. */
export type EncodedTraces = { format: "copy"; data: Uint8Array } | { format: "recordset"; json: string };
export type TraceEncoding = EncodedTraces["format"];

export function encodingFor(database: Database): TraceEncoding {
  return database.postgres ? "copy" : "recordset";
}

/** Pure, so importers can run it on a worker thread and hand the result to storeEncodedTraces. */
export function encodeTraces(inputs: StoredTraceInput[], format: TraceEncoding): EncodedTraces {
  const rows = inputs.map(toTraceRow);
  return format === "copy" ? { format, data: encodeCopyRows(rows) } : { format, json: q.encodeRecordset(rows) };
}

export async function storeEncodedTraces(database: Database, encoded: EncodedTraces) {
  if (encoded.format === "recordset") await q.upsertTraceRecordset(database.db, encoded.json);
  else if (database.postgres) await copyUpsertTraces(database.postgres, encoded.data);
  else throw new Error("COPY-encoded traces need a Postgres database");
}

export async function storeTraces(database: Database, inputs: StoredTraceInput[]) {
  await storeEncodedTraces(database, encodeTraces(inputs, encodingFor(database)));
}

export async function listTracePage(database: Database, workspaceId: string, filter: TraceFilter) {
  const limit = filter.limit ?? 50;
  const { rows, hasMore } = await q.listTraces(database.db, workspaceId, filter, decodeCursor(filter.cursor), limit);
  const last = rows.at(-1);
  return { rows, nextCursor: hasMore && last ? encodeCursor({ timestamp: last.timestamp, id: last.id }) : null };
}

/** Counts stop here: "10,000+" tells a person as much as an exact figure, and never scans a large table. */
export const COUNT_CAP = 10_000;
const COUNT_TTL_MS = 30_000;
const countCache = new Map<string, { at: number; count: number }>();

/**
 * How many traces match a filter, capped at COUNT_CAP and cached for 30 s per workspace and filter: the list
 * asks once per filter (first page only), and paging or re-rendering the same filter reuses the figure.
 */
export async function countTraces(database: Database, workspaceId: string, filter: TraceFilter, now = Date.now()): Promise<{ count: number; capped: boolean }> {
  const key = `${workspaceId}?${filterToQuery({ ...filter, limit: undefined, cursor: undefined })}`;
  const cached = countCache.get(key);
  let count = cached && now - cached.at < COUNT_TTL_MS ? cached.count : null;
  if (count === null) {
    count = await q.countMatching(database.db, workspaceId, filter, COUNT_CAP + 1);
    if (countCache.size > 1000) countCache.clear();
    countCache.set(key, { at: now, count });
  }
  return { count: Math.min(count, COUNT_CAP), capped: count > COUNT_CAP };
}

/** A bulk action's target: the checked rows, or everything the filter matches (all pages). */
export type TraceSelection = { ids: string[] } | { filter: TraceFilter };

/** The selected trace ids of this workspace, in batches, newest first for a filter; ids of other workspaces are dropped. */
export async function* selectTraceIds(database: Database, workspaceId: string, selection: TraceSelection, batchSize = 1000): AsyncGenerator<string[]> {
  if ("ids" in selection) {
    for (let i = 0; i < selection.ids.length; i += batchSize) {
      const owned = await q.ownedTraceIds(database.db, workspaceId, selection.ids.slice(i, i + batchSize));
      if (owned.length > 0) yield owned;
    }
    return;
  }
  const filter = { ...selection.filter, cursor: undefined, limit: undefined };
  let cursor: TraceCursor | null = null;
  for (;;) {
    const page = await q.listTraces(database.db, workspaceId, filter, cursor, batchSize);
    if (page.rows.length > 0) yield page.rows.map((row) => row.id);
    const last = page.rows.at(-1);
    if (!page.hasMore || !last) return;
    cursor = { timestamp: last.timestamp, id: last.id };
  }
}

/** Deletes the selection (labels and results cascade). For a filter, the next batch is re-read after each delete. */
export async function deleteTraces(database: Database, workspaceId: string, selection: TraceSelection): Promise<number> {
  let deleted = 0;
  if ("ids" in selection) {
    for await (const ids of selectTraceIds(database, workspaceId, selection)) deleted += await q.deleteTraceIds(database.db, workspaceId, ids);
  } else {
    for (;;) {
      const page = await q.listTraces(database.db, workspaceId, { ...selection.filter, cursor: undefined }, null, 1000);
      if (page.rows.length === 0) break;
      deleted += await q.deleteTraceIds(database.db, workspaceId, page.rows.map((row) => row.id));
    }
  }
  countCache.clear();
  return deleted;
}

/** Adds the selection to an eval set's review queue (the review module owns the queue; it skips traces already in it). */
export async function addTracesToEvalSet(database: Database, workspaceId: string, evalSetId: string, selection: TraceSelection, userId: string | null) {
  const ids = (async function* () {
    for await (const batch of selectTraceIds(database, workspaceId, selection)) yield* batch;
  })();
  return addTracesToQueue(database, workspaceId, evalSetId, ids, userId);
}

export async function getTrace(database: Database, workspaceId: string, id: string) {
  const trace = await q.findTrace(database.db, workspaceId, id);
  if (!trace) throw new NotFoundError("Trace");
  return trace;
}
