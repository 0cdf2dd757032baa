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

// Postgres rejects U+0000 and lone UTF-16 surrogates in text and jsonb. U+FFFD keeps a visible mark where the
// character was instead of silently joining the text around it.
const NUL = /\u0000/g;
const REPLACEMENT = "\uFFFD";

/** The string with every NUL and lone surrogate replaced by U+FFFD. */
export function storableString(value: string): string {
  const withoutNul = value.includes("\u0000") ? value.replace(NUL, REPLACEMENT) : value;
  return withoutNul.isWellFormed() ? withoutNul : withoutNul.toWellFormed();
}

/**
 * The value with every string and object key made storable (see storableString) and undefined object values dropped
 * (JSON has none). Copy on write: parts with nothing to change are returned as they are, which is almost every trace.
 */
export function replaceUnstorableChars<T>(value: T): T {
  return replaceUnstorable(value) as T;
}

function replaceUnstorable(value: unknown): unknown {
  if (typeof value === "string") return storableString(value);
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const child: unknown = value[i];
      const clean = replaceUnstorable(child);
      if (copy === null && clean !== child) copy = value.slice(0, i);
      copy?.push(clean);
    }
    return copy ?? value;
  }
  if (isRecord(value)) {
    let copy: JsonObject | null = null;
    for (const key in value) {
      const child = value[key];
      const cleanKey = storableString(key);
      const clean = child === undefined ? undefined : replaceUnstorable(child);
      if (copy === null && (child === undefined || cleanKey !== key || clean !== child)) copy = copyBefore(value, key);
      if (copy !== null && clean !== undefined) copy[cleanKey] = clean;
    }
    return copy ?? value;
  }
  return value;
}

/** The entries of `value` before `stopKey`, which are already storable. */
function copyBefore(value: JsonObject, stopKey: string): JsonObject {
  const copy: JsonObject = {};
  for (const key in value) {
    if (key === stopKey) break;
    if (value[key] !== undefined) copy[key] = value[key];
  }
  return copy;
}

// An escaped NUL, or an escaped surrogate (paired ones too: telling them apart here is not worth it; the check that follows is exact).
const ESCAPED_UNSTORABLE = /\\u(?:0000|[dD][89a-fA-F])/;

/** False when this JSON text certainly holds no character Postgres refuses; true when it may (then clean the parsed value). */
export function mayHoldUnstorableChars(jsonText: string): boolean {
  return ESCAPED_UNSTORABLE.test(jsonText);
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
