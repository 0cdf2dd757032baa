// Field-by-field checks of the Langfuse v1 normalizer on every curated fixture scenario.
import { describe, expect, test } from "bun:test";
import {
  fixtureObservations,
  fixtureScenarios,
  fixtureTrace,
  traceIdOf,
  type Scenario,
} from "../../../../test/fixtures/langfuse/index.ts";
import { NormalizedTraceSchema, type NormalizedTrace } from "../../traces/normalized-schema.ts";
import { normalizeLangfuseTrace } from "./langfuse.ts";
import { NormalizeError } from "./normalize-error.ts";

function normalize(scenario: Scenario, index = 0): NormalizedTrace {
  const id = traceIdOf(scenario, index);
  return normalizeLangfuseTrace(fixtureTrace(id), fixtureObservations(id)).normalized;
}

function hasNulChar(value: unknown): boolean {
  if (typeof value === "string") return value.includes("\u0000");
  if (Array.isArray(value)) return value.some(hasNulChar);
  if (value && typeof value === "object") return Object.entries(value).some(([key, child]) => hasNulChar(key) || hasNulChar(child));
  return false;
}

const stepNamed = (trace: NormalizedTrace, name: string) => {
  const step = trace.steps.find((candidate) => candidate.name === name);
  if (!step) throw new Error(`no step ${name}`);
  return step;
};

describe("normalizeLangfuseTrace (v1 list trace + v1 observations)", () => {
  test("every fixture trace meets the contract, steps in start order, every parent resolvable", () => {
    for (const { traceId } of fixtureScenarios()) {
      const { normalized } = normalizeLangfuseTrace(fixtureTrace(traceId), fixtureObservations(traceId));
      expect(NormalizedTraceSchema.safeParse(normalized).success).toBe(true);
      const starts = normalized.steps.map((step) => Date.parse(step.started_at));
      expect(starts).toEqual([...starts].sort((a, b) => a - b));
      const ids = new Set(normalized.steps.map((step) => step.id));
      for (const step of normalized.steps) if (step.parent_id !== null) expect(ids.has(step.parent_id)).toBe(true);
    }
  });

  test("refund: trace fields, tree, usage, cost, tool pairing, messages", () => {
    const trace = normalize("refund");
    expect(trace.id).toBe("fa20abfada30b7c0f9517e3e6147ca45");
    expect(trace.source).toBe("langfuse");
    expect(trace.external_id).toBe("fa20abfada30b7c0f9517e3e6147ca45");
    expect(trace.name).toBe("support-agent-run");
    expect(trace.timestamp).toBe("2026-07-21T07:32:10.590Z");
    expect(trace.input).toEqual({
      messages: [{ role: "user", content: "Hi, I'd like a refund for order A-1865. The Canyon 2-person tent arrived damaged." }],
    });
    expect(trace.output).toBe("Done, Jonas! I've refunded 389.00 EUR for order A-1865. It should reach your card in 5-10 business days.");
    expect(trace.tags).toEqual(["refund", "support", "web-chat"]);
    expect(trace.user_id).toBe("cust_64838");
    expect(trace.session_id).toBe("sess_b33c6922c2ea");
    expect(trace.metadata).toEqual({
      channel: "web_chat",
      customer_tier: "gold",
      locale: "en-GB",
      ab_bucket: "A",
      langfuse: { environment: "production", release: "2026.07.3", version: "agent-v12" },
    });
    expect(trace.latency_ms).toBe(4470);
    expect(trace.cost_usd).toBe(0.00026415);
    expect(trace.has_errors).toBe(false);

    expect(trace.steps.map((step) => [step.name, step.type, step.parent_id])).toEqual([
      ["support-agent", "agent", null],
      ["load-customer-context", "span", "f47a2cd9bdd12cd5"],
      ["crm.fetch_profile", "span", "abc68575fc8161f1"],
      ["pii-redaction", "guardrail", "f47a2cd9bdd12cd5"],
      ["llm.plan", "llm", "f47a2cd9bdd12cd5"],
      ["search_orders", "tool", "f47a2cd9bdd12cd5"],
      ["llm.plan", "llm", "f47a2cd9bdd12cd5"],
      ["refund", "tool", "f47a2cd9bdd12cd5"],
      ["llm.respond", "llm", "f47a2cd9bdd12cd5"],
    ]);
    const firstPlan = trace.steps[4];
    expect(firstPlan).toMatchObject({
      id: "47230ff83d4e1f18",
      level: "default",
      error: null,
      started_at: "2026-07-21T07:32:10.800Z",
      ended_at: "2026-07-21T07:32:11.483Z",
      duration_ms: 683,
      model: "gpt-4o-mini-2024-07-18",
      usage: { input_tokens: 337, output_tokens: 26 },
      cost_usd: 0.00006615,
    });
    const root = trace.steps[0];
    expect(root).toMatchObject({ model: null, usage: null, cost_usd: null, duration_ms: 4470 });
    expect(stepNamed(trace, "pii-redaction").input).toBe(
      "Hi, I'd like a refund for order A-1865. The Canyon 2-person tent arrived damaged.",
    );

    expect(trace.tool_calls).toEqual([
      {
        name: "search_orders",
        arguments: { order_id: "A-1865" },
        output: {
          orders: [
            {
              order_id: "A-1865",
              status: "in_transit",
              items: [{ sku: "SKU-76379", name: "Canyon 2-person tent", qty: 1, price_eur: 389 }],
              total_eur: 389,
              placed_at: "2026-07-06T15:22:00Z",
            },
          ],
        },
        error: null,
        step_id: "3c6a8461468725ff",
      },
      {
        name: "refund",
        arguments: { order_id: "A-1865", amount_eur: 389, reason: "damaged" },
        output: { refund_id: "rf_c746d47d3b", status: "approved", amount_eur: 389 },
        error: null,
        step_id: "783a706cf37cfce0",
      },
    ]);

    expect(trace.messages.map((message) => message.role)).toEqual([
      "system",
      "user",
      "assistant",
      "tool",
      "assistant",
      "tool",
      "assistant",
    ]);
    expect(trace.messages[1]?.content).toBe("Hi, I'd like a refund for order A-1865. The Canyon 2-person tent arrived damaged.");
    expect(trace.messages[2]?.content).toBeNull();
    expect(trace.messages.at(-1)?.content).toBe(trace.output as string);
  });

  test("observation order from the API does not matter (v1 returns startTime DESC)", () => {
    for (const scenario of ["refund", "null_input", "many"] as const) {
      const id = traceIdOf(scenario);
      const observations = fixtureObservations(id);
      const shuffled = [...observations].sort((a, b) => String(a.id).localeCompare(String(b.id)));
      expect(normalizeLangfuseTrace(fixtureTrace(id), shuffled).normalized).toEqual(
        normalizeLangfuseTrace(fixtureTrace(id), [...observations].reverse()).normalized,
      );
    }
  });

  test("a child starting at the same instant as its parent comes after it, whatever the ids", () => {
    const at = "2026-07-01T10:00:00.000Z";
    const observation = (id: string, parentObservationId: string | null) => ({ id, type: "SPAN", startTime: at, endTime: at, parentObservationId });
    const trace = { id: "t-tie", timestamp: at };
    const { normalized } = normalizeLangfuseTrace(trace, [observation("a-child", "z-parent"), observation("z-parent", null)]);
    expect(normalized.steps.map((step) => step.id)).toEqual(["z-parent", "a-child"]);
  });

  test("null_input: null trace input/user/session, scalar outputs, equal start times broken by id", () => {
    const trace = normalize("null_input");
    expect(trace.input).toBeNull();
    expect(trace.user_id).toBeNull();
    expect(trace.session_id).toBeNull();
    expect(trace.name).toBe("scheduled-followup");
    expect(trace.metadata).toMatchObject({ trigger: "cron", schedule: "0 */6 * * *" });
    expect(stepNamed(trace, "noop-audit")).toMatchObject({ input: null, output: null });
    expect(stepNamed(trace, "count-open-orders").output).toBe(0);
    expect(stepNamed(trace, "is-business-hours").output).toBe(false);
    const tied = trace.steps.filter((step) => step.started_at === "2026-07-20T23:35:29.417Z").map((step) => step.id);
    expect(tied).toEqual(["27b89ad969f14446", "eb472fe1d9cc1585"]);
    expect(trace.messages[1]).toEqual({ role: "user", content: "(scheduled follow-up)" });
  });

  test("unicode: CJK, ZWJ emoji, astral letters, combining marks, U+2028 and a non-ASCII tag survive unchanged", () => {
    const trace = normalize("unicode");
    expect(trace.tags).toContain("ユニコード");
    const answer = trace.output as string;
    expect(answer).toContain("𝔘𝔫𝔦𝔠𝔬𝔡𝔢");
    expect(answer).toContain("🇯🇵");
    expect(answer).toContain("\u200b");
    expect(answer).toContain("\u2028");
    expect((trace.input as { messages: Array<{ content: string }> }).messages[0]?.content).toContain("👨‍👩‍👧‍👦");
    expect(trace.messages.at(-1)?.content).toBe(answer);
    expect(trace.user_id).toBe("cust_90092");
  });

  test("unicode with NUL: NUL replaced by U+FFFD everywhere in normalized, raw keeps it", () => {
    const id = traceIdOf("unicode_nul");
    const { normalized, raw } = normalizeLangfuseTrace(fixtureTrace(id), fixtureObservations(id));
    expect(hasNulChar(normalized)).toBe(false);
    const tool = stepNamed(normalized, "search_orders");
    expect((tool.output as { orders: Array<{ note: string }> }).orders[0]?.note).toBe("legacy-import\uFFFDfield (contains a NUL char)");
    const toolMessage = normalized.messages.find((message) => message.role === "tool");
    const replayed = JSON.parse(toolMessage?.content ?? "{}") as { orders: Array<{ note: string }> };
    expect(replayed.orders[0]?.note).toBe("legacy-import\u0000field (contains a NUL char)");
    expect(toolMessage?.content).toContain("\\u0000");
    expect(hasNulChar(raw)).toBe(true);
    expect(normalized.output).toContain("مرحبا Lena!");
    expect(normalized.metadata.rtl).toBe(true);
  });

  test("xss: payloads are kept verbatim as data (escaping is the views' job), WARNING level is not an error", () => {
    for (const index of [0, 1]) {
      const trace = normalize("xss", index);
      const everything = JSON.stringify(trace);
      expect(everything).toContain("<script>");
      expect(trace.has_errors).toBe(false);
      const warnings = trace.steps.filter((step) => step.level === "warning");
      expect(warnings.length).toBeGreaterThan(0);
      for (const step of warnings) expect(step.error).toBeNull();
    }
    const first = normalize("xss");
    expect(first.messages[1]?.content).toBe('My order A-7997 page shows <script>alert("xss-1")</script> — is that normal??');
    expect(first.tags).toContain("security-test");
  });

  test("tool_error: ERROR tool → step.error from statusMessage, tool call error, has_errors", () => {
    const trace = normalize("tool_error");
    const refund = stepNamed(trace, "refund");
    expect(refund).toMatchObject({
      type: "tool",
      level: "error",
      error: "RefundServiceError: payment gateway timeout (HTTP 504) after 3 attempts",
      duration_ms: 28282,
    });
    expect(trace.tool_calls.map((call) => [call.name, call.error])).toEqual([
      ["search_orders", null],
      ["refund", "RefundServiceError: payment gateway timeout (HTTP 504) after 3 attempts"],
    ]);
    expect(trace.tool_calls[1]?.output).toEqual({
      error: { type: "GatewayTimeout", message: "payment-gateway did not answer within 30000 ms", retryable: true, upstream_status: 504 },
    });
    expect(trace.has_errors).toBe(true);
    expect(trace.latency_ms).toBe(32430);
    expect(trace.tags).toContain("tool-error");
  });

  test("llm_error: failed generation has error, no usage, no cost; the retry succeeds; WARNING backoff span", () => {
    const trace = normalize("llm_error");
    const failed = trace.steps.find((step) => step.level === "error");
    expect(failed).toMatchObject({
      id: "6fb6287cfbabeb7c",
      type: "llm",
      output: null,
      usage: null,
      cost_usd: null,
      model: "gpt-4o-2024-08-06",
    });
    expect(failed?.error).toStartWith("Error code: 429");
    expect(stepNamed(trace, "retry-backoff")).toMatchObject({ level: "warning", error: null, duration_ms: 2000 });
    expect(trace.has_errors).toBe(true);
    expect(trace.cost_usd).toBe(0.0025325);
    expect(trace.messages.at(-1)).toEqual({ role: "assistant", content: "Order A-2573 is 'in_transit'." });
  });

  test("long_output: the ~40 KB answer is kept whole in output, root step, llm step and messages", () => {
    const id = traceIdOf("long_output");
    const rawOutput = fixtureTrace(id).output as string;
    expect(rawOutput.length).toBeGreaterThan(39_000);
    const trace = normalize("long_output");
    expect(trace.output).toBe(rawOutput);
    expect(trace.steps[0]?.output).toBe(rawOutput);
    expect(trace.messages.at(-1)?.content).toBe(rawOutput);
    expect(trace.latency_ms).toBe(82282);
  });

  test("v3 SDK: no single root, SPAN tool:search_orders is a tool step, EVENT kept, tool paired by call id", () => {
    const trace = normalize("v3");
    expect(trace.steps.map((step) => [step.type, step.name, step.parent_id])).toEqual([
      ["llm", "OpenAI-generation", null],
      ["tool", "tool:search_orders", null],
      ["llm", "OpenAI-generation", null],
      ["event", "answer-sent", null],
    ]);
    expect(trace.steps[3]).toMatchObject({ duration_ms: 0, output: { channel: "email" } });
    expect(trace.tool_calls).toHaveLength(1);
    expect(trace.tool_calls[0]).toMatchObject({
      name: "search_orders",
      arguments: { order_id: "A-1589" },
      step_id: "0a7ddb2b-819d-4499-9937-1d485c7b79a2",
      error: null,
    });
    expect(trace.input).toBe("Can you check the status of A-1589 please?");
    expect(trace.messages.at(-1)?.content).toBe("Your order A-1589 is in transit and should arrive within 2 business days.");
    expect(trace.latency_ms).toBe(1642);
  });

  test("empty: no observations → no steps, null latency and cost, messages from trace input", () => {
    const trace = normalize("empty");
    expect(trace.steps).toEqual([]);
    expect(trace.tool_calls).toEqual([]);
    expect(trace.latency_ms).toBeNull();
    expect(trace.cost_usd).toBeNull();
    expect(trace.output).toBeNull();
    expect(trace.has_errors).toBe(false);
    expect(trace.messages).toHaveLength(1);
    expect(trace.messages[0]?.role).toBe("user");
  });

  test("many: 60 observations over 2 pages, root AGENT ERROR, DEBUG spans, 19 paired tool calls", () => {
    const trace = normalize("many");
    expect(trace.steps).toHaveLength(60);
    expect(trace.steps[0]).toMatchObject({
      type: "agent",
      level: "error",
      error: "AgentMaxIterationsExceeded: stopped after 19 tool calls without reaching a final answer",
    });
    expect(trace.steps.filter((step) => step.level === "debug").length).toBeGreaterThan(0);
    expect(trace.tool_calls).toHaveLength(19);
    expect(trace.tool_calls.every((call) => call.step_id !== null && call.name === "search_orders")).toBe(true);
    expect(trace.has_errors).toBe(true);
    expect(trace.output).toBeNull();
    expect(trace.latency_ms).toBe(30572);
    expect(trace.cost_usd).toBe(0.0014193);
  });

  test("incomplete: open steps → null ended_at/duration, null latency, no final assistant message", () => {
    const trace = normalize("incomplete");
    const open = trace.steps.filter((step) => step.ended_at === null);
    expect(open.map((step) => step.name)).toEqual(["support-agent", "llm.respond"]);
    for (const step of open) expect(step).toMatchObject({ duration_ms: null, output: null });
    expect(trace.latency_ms).toBeNull();
    expect(trace.output).toBeNull();
    expect(trace.messages.at(-1)?.role).toBe("tool");
    expect(trace.cost_usd).toBe(0.0011975);
  });

  test("orphan: a span whose parent is missing becomes a root; the rest of the tree is intact", () => {
    const trace = normalize("orphan");
    const orphan = stepNamed(trace, "late-callback");
    expect(orphan.parent_id).toBeNull();
    expect(trace.steps.filter((step) => step.parent_id === null).map((step) => step.name)).toEqual(["support-agent", "late-callback"]);
    expect(stepNamed(trace, "embed-query")).toMatchObject({
      type: "retrieval",
      parent_id: "2028276c8a9be995",
      model: "text-embedding-3-small",
      usage: { input_tokens: 11, output_tokens: 0 },
    });
    expect(stepNamed(trace, "kb.vector_search").type).toBe("retrieval");
    // input_cached_tokens count as input tokens, like Langfuse's promptTokens
    expect(stepNamed(trace, "llm.plan").usage).toEqual({ input_tokens: 328, output_tokens: 24 });
  });

  test("staging environment and a null session are carried", () => {
    const trace = normalize("staging");
    expect((trace.metadata.langfuse as { environment: string }).environment).toBe("staging");
    expect(trace.session_id).toBeNull();
  });

  test("escalate: create_ticket tool call is paired", () => {
    const trace = normalize("escalate");
    expect(trace.tool_calls.map((call) => call.name)).toEqual(["search_orders", "create_ticket"]);
    expect(trace.tool_calls.every((call) => call.step_id !== null)).toBe(true);
  });

  test("invalid payloads throw NormalizeError with the failing path", () => {
    const id = traceIdOf("refund");
    expect(() => normalizeLangfuseTrace({ ...fixtureTrace(id), timestamp: 5 }, [])).toThrow(/timestamp/);
    try {
      normalizeLangfuseTrace(fixtureTrace(id), [{ id: "x", type: "SPAN" }]);
      throw new Error("expected a NormalizeError");
    } catch (error) {
      expect(error).toBeInstanceOf(NormalizeError);
      expect((error as NormalizeError).code).toBe("invalid_langfuse");
      expect((error as NormalizeError).issues.join()).toContain("[0].startTime");
    }
    const foreign = { ...fixtureObservations(id)[0], traceId: "someone-else" };
    expect(() => normalizeLangfuseTrace(fixtureTrace(id), [foreign])).toThrow(/another trace/);
    expect(() => normalizeLangfuseTrace({ ...fixtureTrace(id), timestamp: "yesterday" }, [])).toThrow(/not a date/);
  });
});
