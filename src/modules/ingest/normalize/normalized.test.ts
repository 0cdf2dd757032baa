// Uploaded normalized traces: accepted when they meet the contract, rejected with precise paths otherwise.
import { describe, expect, test } from "bun:test";
import { fixtureObservations, fixtureTrace, traceIdOf } from "../../../../test/fixtures/langfuse/index.ts";
import { normalizeLangfuseTrace } from "./langfuse.ts";
import { NormalizeError } from "./normalize-error.ts";
import { normalizeNormalizedRecord } from "./normalized.ts";

const id = traceIdOf("refund");
const valid = normalizeLangfuseTrace(fixtureTrace(id), fixtureObservations(id)).normalized;

function issuesOf(record: unknown): string[] {
  try {
    normalizeNormalizedRecord(record);
  } catch (error) {
    expect(error).toBeInstanceOf(NormalizeError);
    return (error as NormalizeError).issues;
  }
  throw new Error("expected a NormalizeError");
}

describe("normalizeNormalizedRecord", () => {
  test("a valid trace round-trips unchanged; schema_version 1 is accepted and dropped", () => {
    expect(normalizeNormalizedRecord(structuredClone(valid)).normalized).toEqual(valid);
    const { normalized, raw } = normalizeNormalizedRecord({ ...structuredClone(valid), schema_version: 1 });
    expect(normalized).toEqual(valid);
    expect((raw as { schema_version: number }).schema_version).toBe(1);
  });

  test("steps are re-sorted by start time and NUL is replaced", () => {
    const shuffled = { ...structuredClone(valid), steps: [...valid.steps].reverse(), name: "a\u0000b" };
    const { normalized } = normalizeNormalizedRecord(shuffled);
    expect(normalized.steps).toEqual(valid.steps);
    expect(normalized.name).toBe("a\uFFFDb");
  });

  test("missing, unknown and mistyped fields are reported by path", () => {
    const { has_errors: _dropped, ...missing } = structuredClone(valid);
    expect(issuesOf(missing).join()).toContain("has_errors");
    expect(issuesOf({ ...structuredClone(valid), toolCalls: [] }).join()).toContain("toolCalls");
    const badStep = structuredClone(valid);
    (badStep.steps[2] as { type: string }).type = "function";
    (badStep.steps[3] as { started_at: string }).started_at = "yesterday";
    const issues = issuesOf(badStep).join("\n");
    expect(issues).toContain("steps[2].type");
    expect(issues).toContain("steps[3].started_at");
  });

  test("dangling parent_id / step_id and duplicate step ids are errors", () => {
    const broken = structuredClone(valid);
    broken.steps[1] = { ...broken.steps[1]!, parent_id: "ghost" };
    broken.tool_calls[0] = { ...broken.tool_calls[0]!, step_id: "nowhere" };
    broken.steps[2] = { ...broken.steps[2]!, id: broken.steps[0]!.id };
    const issues = issuesOf(broken).join("\n");
    expect(issues).toContain('steps[1].parent_id: no step with id "ghost"');
    expect(issues).toContain('tool_calls[0].step_id: no step with id "nowhere"');
    expect(issues).toContain("steps[2].id: duplicate step id");
  });

  test("other schema versions and non-objects are refused", () => {
    expect(() => normalizeNormalizedRecord({ ...valid, schema_version: 2 })).toThrow(/Unsupported schema_version 2/);
    expect(() => normalizeNormalizedRecord([valid])).toThrow(/JSON object/);
  });
});
