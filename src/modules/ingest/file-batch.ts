// Turns file records into stored-trace batches: parse, normalize, encode for the database. Pure; runs on a worker thread.
import type { EncodedTraces, TraceEncoding } from "../traces/service";
import { detectAndNormalize } from "./normalize/detect";
import { isRecord } from "./normalize/json-values";
import { describeError, encodeIngested, type IngestedTrace } from "./store";

/** One record of the file by its line: its text, or the reader's error for it (kept in line order with the others). */
export type FileRecord = { line: number; text: string } | { line: number; error: string };

export interface FileBatchRequest {
  workspaceId: string;
  records: FileRecord[];
  /** Used for records that carry no time of their own (an OpenAI chat record). */
  fallbackTimestamp: Date;
  encoding: TraceEncoding;
}

export interface FileBatchResult {
  encoded: EncodedTraces;
  imported: number;
  /** Recognizable traces the normalizer refused, stored with their error. */
  notNormalized: number;
  errors: Array<{ line: number; message: string }>;
}

export function encodeFileBatch(request: FileBatchRequest): FileBatchResult {
  const traces: IngestedTrace[] = [];
  const errors: FileBatchResult["errors"] = [];
  for (const record of request.records) {
    const { line } = record;
    const outcome = "error" in record ? { error: record.error } : toIngested(record.text, request.fallbackTimestamp);
    if (outcome.error) errors.push({ line, message: outcome.error });
    if (outcome.trace) traces.push(outcome.trace);
  }
  const notNormalized = traces.filter((trace) => trace.normalized === null).length;
  return { encoded: encodeIngested(request.workspaceId, traces, request.encoding), imported: traces.length - notNormalized, notNormalized, errors };
}

/** A record that parses and normalizes is stored; one that is a recognizable trace but fails to normalize is stored with its error too. */
function toIngested(text: string, fallbackTimestamp: Date): { trace?: IngestedTrace; error?: string } {
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch (error) {
    return { error: `Not valid JSON: ${describeError(error)}` };
  }
  try {
    const { normalized, raw } = detectAndNormalize(record, { fallbackTimestamp });
    // A record kept whole as its raw payload is stored as the line's own text.
    const rawText = raw === record ? text : undefined;
    return { trace: { source: normalized.source, externalId: normalized.external_id ?? normalized.id, raw, rawText, normalized } };
  } catch (error) {
    const message = describeError(error);
    const identity = identityOf(record);
    if (!identity) return { error: message };
    return {
      error: `${message} (stored as not normalized)`,
      trace: { ...identity, raw: record, rawText: text, normalized: null, normalizeError: message, name: identity.name, timestamp: identity.timestamp ?? fallbackTimestamp },
    };
  }

  function identityOf(value: unknown): { source: string; externalId: string; name: string | null; timestamp?: Date } | null {
    if (!isRecord(value)) return null;
    const trace = isRecord(value.trace) ? value.trace : value;
    if (typeof trace.id !== "string" || trace.id === "") return null;
    const source = "steps" in value && typeof value.source === "string" ? value.source : "observations" in value || "observations" in trace ? "langfuse" : "messages" in value ? "openai" : "file";
    const time = typeof trace.timestamp === "string" ? new Date(trace.timestamp) : undefined;
    return { source, externalId: trace.id, name: typeof trace.name === "string" ? trace.name : null, timestamp: time && !Number.isNaN(time.getTime()) ? time : undefined };
  }
}

