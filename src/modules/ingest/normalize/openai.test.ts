// OpenAI chat records: messages, tool calls paired with tool messages, ids, timestamps and errors.
import { describe, expect, test } from "bun:test";
import { NormalizeError } from "./normalize-error.ts";
import { normalizeOpenAIRecord } from "./openai.ts";

const FALLBACK = new Date("2026-07-01T00:00:00.000Z");

const refundRecord = {
  id: "chatcmpl-123",
  model: "gpt-4o-mini",
  created: 1_784_000_000,
  user: "cust_1",
  tags: ["refund"],
  metadata: { session_id: "sess_9", channel: "web" },
  tools: [{ type: "function", function: { name: "refund", parameters: { type: "object" } } }],
  messages: [
    { role: "system", content: "You are Nova." },
    { role: "user", content: "Refund A-1 please \u0000" },
    {
      role: "assistant",
      content: null,
      tool_calls: [
        { id: "c1", type: "function", function: { name: "search_orders", arguments: "{\"order_id\":\"A-1\"}" } },
        { id: "c2", type: "function", function: { name: "refund", arguments: "not json" } },
      ],
    },
    { role: "tool", tool_call_id: "c1", content: "{\"orders\":[{\"total_eur\":44}]}" },
    { role: "tool", tool_call_id: "c2", content: "{\"error\":\"gateway timeout\"}" },
    { role: "assistant", content: "Sorry, the refund failed." },
  ],
};

describe("normalizeOpenAIRecord", () => {
  test("maps a full record field by field", () => {
    const { normalized, raw } = normalizeOpenAIRecord(refundRecord, { fallbackTimestamp: FALLBACK });
    expect(raw).toBe(refundRecord);
    expect(normalized).toMatchObject({
      id: "chatcmpl-123",
      source: "openai",
      external_id: "chatcmpl-123",
      name: null,
      timestamp: "2026-07-14T03:33:20.000Z",
      output: "Sorry, the refund failed.",
      steps: [],
      tags: ["refund"],
      user_id: "cust_1",
      session_id: "sess_9",
      latency_ms: null,
      cost_usd: null,
      has_errors: true,
      metadata: { session_id: "sess_9", channel: "web", openai: { model: "gpt-4o-mini" } },
    });
    expect((normalized.input as { messages: unknown[] }).messages).toHaveLength(5);
    expect(normalized.messages.map((message) => message.role)).toEqual(["system", "user", "assistant", "tool", "tool", "assistant"]);
    expect(normalized.messages[1]?.content).toBe("Refund A-1 please \uFFFD");
    expect(normalized.tool_calls).toEqual([
      { name: "search_orders", arguments: { order_id: "A-1" }, output: { orders: [{ total_eur: 44 }] }, error: null, step_id: null },
      { name: "refund", arguments: "not json", output: { error: "gateway timeout" }, error: "gateway timeout", step_id: null },
    ]);
  });

  test("without id: content-hash id (stable), null external id, fallback timestamp, no output when the last turn is the user's", () => {
    const record = { messages: [{ role: "human", content: [{ type: "text", text: "hello" }] }] };
    const first = normalizeOpenAIRecord(record, { fallbackTimestamp: FALLBACK }).normalized;
    const second = normalizeOpenAIRecord(structuredClone(record), { fallbackTimestamp: FALLBACK }).normalized;
    expect(first.id).toMatch(/^openai-[0-9a-f]{32}$/);
    expect(second.id).toBe(first.id);
    expect(first.external_id).toBeNull();
    expect(first.timestamp).toBe("2026-07-01T00:00:00.000Z");
    expect(first.output).toBeNull();
    expect(first.messages).toEqual([{ role: "user", content: "hello" }]);
    expect(first.has_errors).toBe(false);
  });

  test("legacy function_call becomes a tool call", () => {
    const record = { messages: [{ role: "user", content: "hi" }, { role: "assistant", content: null, function_call: { name: "lookup", arguments: "{\"q\":\"x\"}" } }] };
    const { normalized } = normalizeOpenAIRecord(record, { fallbackTimestamp: FALLBACK });
    expect(normalized.tool_calls).toEqual([{ name: "lookup", arguments: { q: "x" }, output: null, error: null, step_id: null }]);
  });

  test("invalid records throw NormalizeError with the path", () => {
    expect(() => normalizeOpenAIRecord({ messages: [] })).toThrow(NormalizeError);
    expect(() => normalizeOpenAIRecord({ messages: [{ content: "no role" }] })).toThrow(/messages\[0\]\.role/);
    expect(() => normalizeOpenAIRecord({ messages: [{ role: "user", content: "x" }], created_at: "soon" })).toThrow(/not a date/);
  });
});
