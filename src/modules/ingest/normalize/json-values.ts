// Small value helpers shared by the normalizers: JSON-or-string parsing, NUL replacement, numbers and UTC times.
import { NormalizeError, type NormalizeErrorCode } from "./normalize-error.ts";
import { z } from "zod";

export type JsonObject = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Parses text that is JSON (objects, arrays, numbers, quoted strings, true/false/null); anything else stays the original string. */
export function parseJsonIfJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// Postgres rejects U+0000 in text and jsonb. U+FFFD keeps a visible mark where the NUL was instead of silently joining the text around it.
const NUL = /\u0000/g;
const NUL_REPLACEMENT = "\uFFFD";

/** Deep copy with every NUL in strings and object keys replaced by U+FFFD; undefined object values are dropped (JSON has none). */
export function replaceNulChars<T>(value: T): T {
  return replaceNul(value) as T;
}

function replaceNul(value: unknown): unknown {
  if (typeof value === "string") return value.includes("\u0000") ? value.replace(NUL, NUL_REPLACEMENT) : value;
  if (Array.isArray(value)) return value.map(replaceNul);
  if (isRecord(value)) {
    const copy: JsonObject = {};
    for (const [key, child] of Object.entries(value)) {
      if (child !== undefined) copy[replaceNul(key) as string] = replaceNul(child);
    }
    return copy;
  }
  return value;
}

/** A finite number from a number or numeric string (Langfuse v2 sends prices as decimal strings); otherwise null. */
export function toFiniteNumber(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "string" && value.trim() !== "") {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : null;
  }
  return null;
}

/** Milliseconds since epoch for an ISO-like timestamp, or a NormalizeError naming the field. */
export function toEpochMs(value: string, where: string, code: NormalizeErrorCode): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new NormalizeError(code, `Invalid timestamp`, [`${where}: ${JSON.stringify(value)} is not a date`]);
  return ms;
}

export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}

// Summed floats pick up noise (0.1 + 0.2); 12 significant digits is far below a micro-cent and stable across summation orders.
export function roundCost(value: number): number {
  return Number(value.toPrecision(12));
}

export type JsonValue = z.infer<ReturnType<typeof z.json>>;

/** Marks a source value as JSON; the normalizers' finalize step validates the whole trace, so a wrong value is still caught there. */
export function asJson(value: unknown): JsonValue {
  return (value ?? null) as JsonValue;
}
