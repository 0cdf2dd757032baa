// Last step of every normalizer: make the result storable (no NUL) and prove it meets the contract.
import { NormalizedTraceSchema, type NormalizedTrace } from "../../traces/normalized-schema.ts";
import { NormalizeError, formatIssues, type NormalizeResult } from "./normalize-error.ts";
import { replaceNulChars } from "./json-values.ts";

export function finalizeNormalized(candidate: NormalizedTrace, raw: unknown): NormalizeResult {
  const result = NormalizedTraceSchema.safeParse(replaceNulChars(candidate));
  if (!result.success) {
    throw new NormalizeError("invalid_output", "Normalized trace does not meet the contract", formatIssues(result.error.issues));
  }
  return { normalized: result.data, raw };
}
