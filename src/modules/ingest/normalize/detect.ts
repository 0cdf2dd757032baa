// Decides which supported shape one uploaded JSON record is (Langfuse, OpenAI chat, normalized) and normalizes it.
import { isRecord, type JsonObject } from "./json-values.ts";
import { normalizeLangfuseTrace, normalizeLangfuseTraceDetail } from "./langfuse.ts";
import { normalizeLangfuseV2Observations } from "./langfuse-v2.ts";
import { NormalizeError, type NormalizeResult } from "./normalize-error.ts";
import { normalizeNormalizedRecord } from "./normalized.ts";
import { normalizeOpenAIRecord, type OpenAINormalizeOptions } from "./openai.ts";

export type DetectedFormat = "normalized" | "langfuse-detail" | "langfuse-v1" | "langfuse-v2" | "openai";

export interface DetectedResult extends NormalizeResult {
  format: DetectedFormat;
}

const EXPECTED =
  "Expected one of: a Langfuse trace with observations inline (GET /api/public/traces/{id}: id, timestamp, observations[] of objects); " +
  "{trace, observations} with Langfuse v1 or v2 observations; an OpenAI chat record ({messages: [{role, content}], tools?}); " +
  "or an iofold normalized trace (id, source, steps, tool_calls, ...).";

/** Throws NormalizeError("unrecognized_shape") when the record matches no shape, or the specific normalizer's error when it matches one but is invalid. */
export function detectAndNormalize(record: unknown, options: OpenAINormalizeOptions = {}): DetectedResult {
  if (!isRecord(record)) {
    throw new NormalizeError("unrecognized_shape", `Each record must be a JSON object, got ${describe(record)}. ${EXPECTED}`);
  }
  if ("steps" in record && "tool_calls" in record && "source" in record) {
    return { format: "normalized", ...normalizeNormalizedRecord(record) };
  }
  if (isRecord(record.trace) && Array.isArray(record.observations)) {
    const v2 = record.observations.some((row) => isRecord(row) && ("isRootObservation" in row || "providedModelName" in row));
    return v2
      ? { format: "langfuse-v2", ...normalizeLangfuseV2Observations(record.trace, record.observations) }
      : { format: "langfuse-v1", ...normalizeLangfuseTrace(record.trace, record.observations) };
  }
  if (typeof record.id === "string" && "timestamp" in record && Array.isArray(record.observations)) {
    if (record.observations.some((item) => typeof item === "string")) {
      throw new NormalizeError(
        "unrecognized_shape",
        "This is a Langfuse trace list item: its observations are only ids. Export traces with GET /api/public/traces/{id} (observations inline) or as {trace, observations}.",
      );
    }
    return { format: "langfuse-detail", ...normalizeLangfuseTraceDetail(record) };
  }
  if (Array.isArray(record.messages)) return { format: "openai", ...normalizeOpenAIRecord(record, options) };
  throw new NormalizeError("unrecognized_shape", `Unrecognized record (keys: ${keysOf(record)}). ${EXPECTED}`);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of ${value.length} items (one record per line or per array element, not nested arrays)`;
  return `a ${typeof value}`;
}

function keysOf(record: JsonObject): string {
  const keys = Object.keys(record);
  if (keys.length === 0) return "none";
  return keys.length > 12 ? `${keys.slice(0, 12).join(", ")}, …` : keys.join(", ");
}
