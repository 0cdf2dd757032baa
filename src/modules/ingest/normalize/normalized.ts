// Uploaded records already in the normalized shape: validated against the contract with path-precise errors.
import { NORMALIZED_SCHEMA_VERSION, NormalizedTraceSchema, type NormalizedTrace } from "../../traces/normalized-schema.ts";
import { finalizeNormalized } from "./finalize.ts";
import { isRecord, replaceUnstorableChars } from "./json-values.ts";
import { NormalizeError, formatIssues, type NormalizeResult } from "./normalize-error.ts";

/**
 * Accepts an optional `schema_version` key (must be 1, then dropped). Steps are re-sorted by started_at
 * (stable) to restore the contract's order; duplicate step ids and unresolvable parent_id/step_id are errors.
 */
export function normalizeNormalizedRecord(record: unknown): NormalizeResult {
  if (!isRecord(record)) throw new NormalizeError("invalid_normalized", "A normalized trace must be a JSON object");
  const { schema_version: version, ...fields } = record;
  if (version !== undefined && version !== NORMALIZED_SCHEMA_VERSION) {
    throw new NormalizeError("invalid_normalized", `Unsupported schema_version ${JSON.stringify(version)}; this iofold reads version ${NORMALIZED_SCHEMA_VERSION}`);
  }
  const parsed = NormalizedTraceSchema.safeParse(replaceUnstorableChars(fields));
  if (!parsed.success) {
    throw new NormalizeError("invalid_normalized", "Not a valid normalized trace", formatIssues(parsed.error.issues));
  }
  const trace = parsed.data;
  const problems = referenceProblems(trace);
  if (problems.length > 0) throw new NormalizeError("invalid_normalized", "Inconsistent normalized trace", problems);
  const steps = [...trace.steps].sort((a, b) => Date.parse(a.started_at) - Date.parse(b.started_at));
  return finalizeNormalized({ ...trace, steps }, record);
}

function referenceProblems(trace: NormalizedTrace): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  trace.steps.forEach((step, index) => {
    if (ids.has(step.id)) problems.push(`steps[${index}].id: duplicate step id ${JSON.stringify(step.id)}`);
    ids.add(step.id);
  });
  trace.steps.forEach((step, index) => {
    if (step.parent_id !== null && !ids.has(step.parent_id)) {
      problems.push(`steps[${index}].parent_id: no step with id ${JSON.stringify(step.parent_id)}`);
    }
  });
  trace.tool_calls.forEach((call, index) => {
    if (call.step_id !== null && !ids.has(call.step_id)) {
      problems.push(`tool_calls[${index}].step_id: no step with id ${JSON.stringify(call.step_id)}`);
    }
  });
  return problems;
}
