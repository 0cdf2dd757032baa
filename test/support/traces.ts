// Builds normalized traces for tests: a small valid agent run, with any field overridden.
import type { NormalizedTrace } from "../../src/modules/traces/normalized-schema";
import type { Database } from "../../src/db/client";
import { storeTraces } from "../../src/modules/traces/service";

export function makeTrace(overrides: Partial<NormalizedTrace> & { id: string }): NormalizedTrace {
  const timestamp = overrides.timestamp ?? "2026-11-01T10:00:00.000Z";
  const start = new Date(timestamp).getTime();
  return {
    source: "test",
    external_id: overrides.id,
    name: "support-agent",
    timestamp,
    input: "Where is my order 42?",
    output: "Your order 42 ships tomorrow.",
    messages: [
      { role: "user", content: "Where is my order 42?" },
      { role: "assistant", content: "Your order 42 ships tomorrow." },
    ],
    steps: [
      { id: `${overrides.id}-root`, parent_id: null, type: "agent", name: "agent", input: null, output: null, error: null, level: "default", started_at: new Date(start).toISOString(), ended_at: new Date(start + 900).toISOString(), duration_ms: 900, model: null, usage: null, cost_usd: null },
      { id: `${overrides.id}-llm`, parent_id: `${overrides.id}-root`, type: "llm", name: "plan", input: { messages: [{ role: "user", content: "Where is my order 42?" }] }, output: { role: "assistant", content: null }, error: null, level: "default", started_at: new Date(start + 10).toISOString(), ended_at: new Date(start + 400).toISOString(), duration_ms: 390, model: "gpt-4o-mini", usage: { input_tokens: 120, output_tokens: 30 }, cost_usd: 0.0001 },
      { id: `${overrides.id}-tool`, parent_id: `${overrides.id}-root`, type: "tool", name: "get_order", input: { id: 42 }, output: { status: "shipped" }, error: null, level: "default", started_at: new Date(start + 410).toISOString(), ended_at: new Date(start + 500).toISOString(), duration_ms: 90, model: null, usage: null, cost_usd: null },
    ],
    tool_calls: [{ name: "get_order", arguments: { id: 42 }, output: { status: "shipped" }, error: null, step_id: `${overrides.id}-tool` }],
    metadata: {},
    tags: [],
    user_id: "u1",
    session_id: null,
    latency_ms: 900,
    cost_usd: 0.0001,
    has_errors: false,
    ...overrides,
  };
}

export async function insertTraces(database: Database, workspaceId: string, traces: NormalizedTrace[]) {
  await storeTraces(
    database,
    traces.map((n) => ({ workspaceId, source: n.source, externalId: n.external_id ?? n.id, raw: { fixture: n.id }, normalized: n })),
  );
}
