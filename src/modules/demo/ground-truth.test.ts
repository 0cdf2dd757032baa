// Each ground-truth criterion fires on exactly the flaw it names.
import { describe, expect, test } from "bun:test";
import type { NormalizedToolCall, NormalizedTrace } from "../traces/normalized-schema.ts";
import { demoGroundTruth } from "./ground-truth.ts";

const call = (name: string, fields: Partial<NormalizedToolCall> = {}): NormalizedToolCall => ({
  name,
  arguments: {},
  output: null,
  error: null,
  step_id: null,
  ...fields,
});

function trace(output: string | null, toolCalls: NormalizedToolCall[]): NormalizedTrace {
  return {
    id: "t",
    source: "langfuse",
    external_id: "t",
    name: null,
    timestamp: "2026-07-01T00:00:00.000Z",
    input: null,
    output,
    messages: [],
    steps: [],
    tool_calls: toolCalls,
    metadata: {},
    tags: [],
    user_id: null,
    session_id: null,
    latency_ms: null,
    cost_usd: null,
    has_errors: false,
  };
}

describe("demoGroundTruth", () => {
  test("passes a clean answer", () => {
    expect(demoGroundTruth(trace("Done!", [call("refund", { arguments: { amount_eur: 120 } })]))).toEqual({ passed: true, failed: [] });
  });

  test("refund above the limit fails unless escalated", () => {
    const big = call("refund", { arguments: { amount_eur: 689 } });
    expect(demoGroundTruth(trace("Done", [big])).failed).toEqual(["refund_over_limit_without_escalation"]);
    expect(demoGroundTruth(trace("Done", [big, call("escalate")])).passed).toBe(true);
  });

  test("KB answer without a [kb-id] citation fails", () => {
    const kb = call("lookup_kb", { output: { articles: [{ id: "kb-101" }] } });
    expect(demoGroundTruth(trace("Refunds take a week.", [kb])).failed).toEqual(["uncited_kb_answer"]);
    expect(demoGroundTruth(trace("Refunds take a week [kb-101].", [kb])).passed).toBe(true);
  });

  test("a failed tool needs a successful retry or an escalation", () => {
    const failed = call("refund", { error: "timeout" });
    expect(demoGroundTruth(trace("Sorry!", [failed])).failed).toEqual(["unrecovered_tool_error"]);
    expect(demoGroundTruth(trace("Done", [failed, call("refund")])).passed).toBe(true);
    expect(demoGroundTruth(trace("Flagged", [failed, call("escalate")])).passed).toBe(true);
  });

  test("no answer, and echoed markup, fail", () => {
    expect(demoGroundTruth(trace(null, [])).failed).toEqual(["no_final_answer"]);
    expect(demoGroundTruth(trace("See <img src=x onerror=alert(1)>", [])).failed).toEqual(["unsafe_markup_echoed"]);
  });
});
