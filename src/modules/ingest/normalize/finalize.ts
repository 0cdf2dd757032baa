// Last step of every normalizer: make the result storable (no NUL) and prove it meets the contract.
import { z } from "zod";
import { NormalizedStepSchema, NormalizedToolCallSchema, NormalizedTraceSchema, type NormalizedTrace } from "../../traces/normalized-schema.ts";
import { NormalizeError, formatIssues, type NormalizeResult } from "./normalize-error.ts";
import { replaceUnstorableChars } from "./json-values.ts";

/**
 * The contract with its free-form JSON fields left to `jsonIssue` below. zod's z.json() re-checks every nested
 * value through a union and took half of an import's CPU; one plain walk proves the same (JSON values only).
 */
const StructureSchema = NormalizedTraceSchema.extend({
  input: z.unknown(),
  output: z.unknown(),
  metadata: z.record(z.string(), z.unknown()),
  steps: z.array(NormalizedStepSchema.extend({ input: z.unknown(), output: z.unknown() })),
  tool_calls: z.array(NormalizedToolCallSchema.extend({ arguments: z.unknown(), output: z.unknown() })),
});

export function finalizeNormalized(candidate: NormalizedTrace, raw: unknown): NormalizeResult {
  const clean = replaceUnstorableChars(candidate);
  const result = StructureSchema.safeParse(clean);
  if (!result.success) {
    throw new NormalizeError("invalid_output", "Normalized trace does not meet the contract", formatIssues(result.error.issues));
  }
  const notJson = jsonIssue(clean);
  if (notJson) throw new NormalizeError("invalid_output", "Normalized trace does not meet the contract", [notJson]);
  return { normalized: result.data as NormalizedTrace, raw };
}

/** "path: problem" for the first value JSON cannot hold (undefined, NaN, a Date, a class instance…), else null. */
function jsonIssue(value: unknown): string | null {
  return isJson(value) ? null : `${pathText(firstBadPath(value) ?? [])}: not a JSON value (undefined, NaN, a Date, an instance…)`;
}

// Hot path: no allocation per value; the path is only rebuilt once something is wrong.
function isJson(value: unknown): boolean {
  if (value === null) return true;
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value);
    case "object":
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!isJson(value[i])) return false;
        return true;
      }
      if (Object.getPrototypeOf(value) !== Object.prototype) return false;
      for (const key in value) if (!isJson((value as Record<string, unknown>)[key])) return false;
      return true;
    default:
      return false;
  }
}

function firstBadPath(value: unknown): Array<string | number> | null {
  if (isJson(value)) return null;
  if (value && typeof value === "object" && (Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype)) {
    for (const [key, child] of Object.entries(value)) {
      if (isJson(child)) continue;
      return [Array.isArray(value) ? Number(key) : key, ...(firstBadPath(child) ?? [])];
    }
  }
  return [];
}

function pathText(path: Array<string | number>): string {
  return path.length === 0 ? "(root)" : path.map((part, i) => (typeof part === "number" ? `[${part}]` : `${i === 0 ? "" : "."}${part}`)).join("");
}
