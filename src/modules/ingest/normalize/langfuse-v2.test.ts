// The v2 (raw-string rows) and detail normalizers must give exactly the v1 result for the same run.
import { describe, expect, test } from "bun:test";
import {
  fixtureDetail,
  fixtureObservations,
  fixtureScenarios,
  fixtureTrace,
  fixtureV2Rows,
  traceIdOf,
} from "../../../../test/fixtures/langfuse/index.ts";
import { toV2Row } from "../../../../test/fake-langfuse/v2-rows.ts";
import { normalizeLangfuseTrace, normalizeLangfuseTraceDetail } from "./langfuse.ts";
import { normalizeLangfuseV2Observations } from "./langfuse-v2.ts";

const v1 = (traceId: string) => normalizeLangfuseTrace(fixtureTrace(traceId), fixtureObservations(traceId)).normalized;

describe("normalizeLangfuseV2Observations", () => {
  test("recorded v2 rows (refund, many over 2 cursor pages) normalize identically to v1", () => {
    for (const scenario of ["refund", "many"] as const) {
      const id = traceIdOf(scenario);
      const rows = fixtureV2Rows(id);
      expect(rows).not.toBeNull();
      expect(typeof rows?.[0]?.input).toBe("string");
      expect(normalizeLangfuseV2Observations(fixtureTrace(id), rows ?? []).normalized).toEqual(v1(id));
    }
  });

  test("rows derived from v1 normalize identically for every fixture scenario", () => {
    for (const { traceId } of fixtureScenarios()) {
      const trace = fixtureTrace(traceId);
      const rows = fixtureObservations(traceId).map((observation) => toV2Row(observation, trace));
      expect(normalizeLangfuseV2Observations(trace, rows).normalized).toEqual(v1(traceId));
    }
  });

  test("raw-string io: JSON text is parsed, plain text stays a string", () => {
    const id = traceIdOf("refund");
    const normalized = normalizeLangfuseV2Observations(fixtureTrace(id), fixtureV2Rows(id) ?? []).normalized;
    const guardrail = normalized.steps.find((step) => step.type === "guardrail");
    expect(guardrail?.input).toBe("Hi, I'd like a refund for order A-1865. The Canyon 2-person tent arrived damaged.");
    expect(guardrail?.output).toEqual({ redacted: false, entities: [] });
  });

  test("without a trace object, trace fields come from trace_context and the root observation", () => {
    const id = traceIdOf("refund");
    const { normalized, raw } = normalizeLangfuseV2Observations(null, fixtureV2Rows(id) ?? []);
    const full = v1(id);
    expect(normalized).toMatchObject({
      id,
      external_id: id,
      name: "support-agent-run",
      timestamp: "2026-07-21T07:32:10.590Z",
      tags: ["refund", "support", "web-chat"],
      user_id: "cust_64838",
      session_id: "sess_b33c6922c2ea",
      input: full.input,
      output: full.output,
      latency_ms: 4470,
      cost_usd: 0.00026415,
      metadata: { langfuse: { environment: "production", release: "2026.07.3", version: null } },
    });
    expect(normalized.steps).toEqual(full.steps);
    expect(normalized.tool_calls).toEqual(full.tool_calls);
    expect(normalized.messages).toEqual(full.messages);
    expect(raw).toEqual({ trace: null, observations: fixtureV2Rows(id) });
  });

  test("zero rows and no trace is a NormalizeError, not a crash", () => {
    expect(() => normalizeLangfuseV2Observations(null, [])).toThrow(/zero v2 observations/);
  });
});

describe("normalizeLangfuseTraceDetail", () => {
  test("detail shape (refund, tool_error, v3) normalizes identically to list + v1 observations", () => {
    for (const scenario of ["refund", "tool_error", "v3"] as const) {
      const id = traceIdOf(scenario);
      const detail = fixtureDetail(id);
      expect(detail).not.toBeNull();
      const { normalized, raw } = normalizeLangfuseTraceDetail(detail);
      expect(normalized).toEqual(v1(id));
      expect(raw).toBe(detail);
    }
  });

  test("bench-style detail: SPAN tools named after the tool, legacy usage, calculatedTotalCost, ERROR tool with no output", () => {
    const detail = {
      id: "bench-1",
      timestamp: "2025-03-03T10:10:12.260Z",
      name: "banking-assistant",
      input: { message: "Freeze my card please" },
      output: "Your card ending 4242 is frozen.",
      sessionId: "chat-1",
      userId: "cust-1",
      metadata: { locale: "en-GB" },
      tags: ["banking"],
      environment: "production",
      release: "4.8.0",
      version: "finny-4.8.0",
      latency: 2.1,
      totalCost: 0.003,
      scores: [],
      observations: [
        {
          id: "g1",
          traceId: "bench-1",
          type: "GENERATION",
          name: "finny-llm",
          startTime: "2025-03-03T10:10:12.300Z",
          endTime: "2025-03-03T10:10:13.000Z",
          parentObservationId: null,
          input: [
            { role: "system", content: "You are Finny." },
            { role: "user", content: "Freeze my card please" },
          ],
          output: {
            role: "assistant",
            content: null,
            tool_calls: [
              { id: "call_a", type: "function", function: { name: "get_card", arguments: "{}" } },
              { id: "call_b", type: "function", function: { name: "freeze_card", arguments: "{\"card_id\": \"c1\"" } },
            ],
          },
          metadata: {},
          level: "DEFAULT",
          statusMessage: null,
          model: "claude-3-5-sonnet-20241022",
          usage: { input: 176, output: 60, total: 236, unit: "TOKENS" },
          calculatedTotalCost: 0.001428,
        },
        {
          id: "s1",
          traceId: "bench-1",
          type: "SPAN",
          name: "get_card",
          startTime: "2025-03-03T10:10:13.100Z",
          endTime: "2025-03-03T10:10:13.300Z",
          parentObservationId: null,
          input: {},
          output: { card_id: "c1", last4: "4242" },
          metadata: { tool_call_id: "call_a" },
          level: "DEFAULT",
          statusMessage: null,
        },
        {
          id: "t1",
          traceId: "bench-1",
          type: "TOOL",
          name: "freeze_card",
          startTime: "2025-03-03T10:10:13.400Z",
          endTime: "2025-03-03T10:10:13.900Z",
          parentObservationId: null,
          input: { card_id: "c1" },
          output: null,
          metadata: {},
          level: "ERROR",
          statusMessage: "CardServiceUnavailable: 503",
        },
      ],
    };
    const { normalized } = normalizeLangfuseTraceDetail(detail);
    expect(normalized.steps.map((step) => [step.id, step.type])).toEqual([
      ["g1", "llm"],
      ["s1", "tool"],
      ["t1", "tool"],
    ]);
    expect(normalized.steps[0]).toMatchObject({ usage: { input_tokens: 176, output_tokens: 60 }, cost_usd: 0.001428 });
    expect(normalized.tool_calls).toEqual([
      { name: "get_card", arguments: {}, output: { card_id: "c1", last4: "4242" }, error: null, step_id: "s1" },
      // no tool_call_id on the TOOL observation: paired by name; unparsable arguments stay the raw string
      { name: "freeze_card", arguments: "{\"card_id\": \"c1\"", output: null, error: "CardServiceUnavailable: 503", step_id: "t1" },
    ]);
    expect(normalized.has_errors).toBe(true);
    expect(normalized.latency_ms).toBe(1600);
    expect(normalized.cost_usd).toBe(0.001428);
    expect(normalized.messages).toEqual([
      { role: "system", content: "You are Finny." },
      { role: "user", content: "Freeze my card please" },
      { role: "assistant", content: null },
    ]);
  });

  test("a tool call without any execution step takes its output from the replayed tool message", () => {
    const detail = {
      id: "t",
      timestamp: "2026-01-01T00:00:00Z",
      observations: [
        {
          id: "g2",
          type: "GENERATION",
          startTime: "2026-01-01T00:00:02Z",
          endTime: "2026-01-01T00:00:03Z",
          input: {
            messages: [
              { role: "user", content: [{ type: "text", text: "hi" }, { type: "image_url", image_url: { url: "x" } }] },
              { role: "assistant", content: null, tool_calls: [{ id: "c9", function: { name: "lookup", arguments: "{\"q\":1}" } }] },
              { role: "tool", tool_call_id: "c9", content: "{\"hits\": 2}" },
            ],
          },
          output: "done",
        },
      ],
    };
    const { normalized } = normalizeLangfuseTraceDetail(detail);
    expect(normalized.tool_calls).toEqual([{ name: "lookup", arguments: { q: 1 }, output: { hits: 2 }, error: null, step_id: null }]);
    expect(normalized.messages).toEqual([
      { role: "user", content: "hi\n[image]" },
      { role: "assistant", content: null },
      { role: "tool", content: "{\"hits\": 2}" },
      { role: "assistant", content: "done" },
    ]);
    expect(normalized.timestamp).toBe("2026-01-01T00:00:00.000Z");
    expect(normalized.metadata).toEqual({ langfuse: { environment: null, release: null, version: null } });
  });
});
