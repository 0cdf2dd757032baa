// The contract's field names match DESIGN.md exactly and every field carries a description for the LLM and eval authors.
import { describe, expect, test } from "bun:test";
import { NORMALIZED_SCHEMA_VERSION, describeNormalizedTrace, normalizedTraceJsonSchema } from "./normalized-schema.ts";

type Node = { description?: string; properties?: Record<string, Node>; items?: Node; anyOf?: Node[]; required?: string[] };

const schema = normalizedTraceJsonSchema() as Node;
const objectOf = (node: Node | undefined): Node => node?.items ?? node?.anyOf?.find((variant) => variant.properties) ?? node ?? {};

describe("normalized trace schema", () => {
  test("field names are exactly the DESIGN.md contract, all required", () => {
    const traceFields = ["id", "source", "external_id", "name", "timestamp", "input", "output", "messages", "steps", "tool_calls", "metadata", "tags", "user_id", "session_id", "latency_ms", "cost_usd", "has_errors"];
    expect(Object.keys(schema.properties ?? {})).toEqual(traceFields);
    expect(schema.required).toEqual(traceFields);
    const steps = objectOf(schema.properties?.steps);
    expect(Object.keys(steps.properties ?? {})).toEqual(["id", "parent_id", "type", "name", "input", "output", "error", "level", "started_at", "ended_at", "duration_ms", "model", "usage", "cost_usd"]);
    expect(Object.keys(objectOf(steps.properties?.usage).properties ?? {})).toEqual(["input_tokens", "output_tokens"]);
    expect(Object.keys(objectOf(schema.properties?.tool_calls).properties ?? {})).toEqual(["name", "arguments", "output", "error", "step_id"]);
    expect(Object.keys(objectOf(schema.properties?.messages).properties ?? {})).toEqual(["role", "content"]);
    expect(NORMALIZED_SCHEMA_VERSION).toBe(1);
  });

  test("every field at every level has a description", () => {
    const missing: string[] = [];
    const walk = (node: Node, path: string) => {
      for (const [field, child] of Object.entries(node.properties ?? {})) {
        if (!child.description) missing.push(`${path}${field}`);
        walk(objectOf(child), `${path}${field}.`);
      }
    };
    walk(schema, "");
    expect(missing).toEqual([]);
  });

  test("the text doc lists every field with its description", () => {
    const doc = describeNormalizedTrace();
    for (const line of ["- steps (array of object):", "  - parent_id (string|null):", "    - input_tokens (integer):", "- latency_ms (integer | null):"]) {
      expect(doc).toContain(line);
    }
    expect(doc).toContain("milliseconds");
  });
});
