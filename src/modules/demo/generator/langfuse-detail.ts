// Renders a planned agent run as a Langfuse trace detail (GET /api/public/traces/{id}): trace fields plus timed observations.
import { SYSTEM_PROMPT, TOOL_DEFINITIONS } from "./content.ts";
import type { Random } from "./prng.ts";
import type { AgentRunPlan } from "./scenarios.ts";

type JsonRecord = Record<string, unknown>;

const MODELS = [
  { name: "gpt-4o-mini-2024-07-18", inputPrice: 0.15e-6, outputPrice: 0.6e-6, weight: 5 },
  { name: "gpt-4o-2024-08-06", inputPrice: 2.5e-6, outputPrice: 10e-6, weight: 3 },
  { name: "claude-sonnet-4-20250514", inputPrice: 3e-6, outputPrice: 15e-6, weight: 2 },
] as const;

const RELEASES = ["2026.06.2", "2026.07.1", "2026.07.3"];
const CHANNELS = ["web-chat", "email", "whatsapp"];
const CUSTOMER_TIERS = ["standard", "gold", "platinum"];

export interface TraceIdentity {
  traceId: string;
  startMs: number;
  userId: string | null;
  sessionId: string | null;
  environment: string;
  /** Older SDK style: no root agent, tools as SPANs named "tool:<name>", an EVENT at the end. */
  legacySdk: boolean;
}

export function renderTraceDetail(plan: AgentRunPlan, identity: TraceIdentity, random: Random): JsonRecord {
  const model = random.weighted(MODELS.map((entry) => [entry, entry.weight] as const));
  const release = random.pick(RELEASES);
  const channel = random.pick(CHANNELS);
  const observations: JsonRecord[] = [];
  const messages: JsonRecord[] = [{ role: "system", content: SYSTEM_PROMPT }, { role: "user", content: plan.userText }];
  let clock = identity.startMs;
  const rootId = identity.legacySdk ? null : random.hex(16);

  const observation = (fields: JsonRecord, durationMs: number | null): JsonRecord => {
    const startTime = new Date(clock).toISOString();
    const endTime = durationMs === null ? null : new Date(clock + durationMs).toISOString();
    if (durationMs !== null) clock += durationMs + random.int(2, 12);
    const entry: JsonRecord = {
      id: random.hex(16),
      traceId: identity.traceId,
      parentObservationId: rootId,
      startTime,
      endTime,
      input: null,
      output: null,
      metadata: {},
      level: "DEFAULT",
      statusMessage: null,
      version: `agent-${release}`,
      environment: identity.environment,
      latency: durationMs === null ? null : durationMs / 1000,
      ...fields,
    };
    observations.push(entry);
    return entry;
  };

  const generation = (name: string, output: JsonRecord | null, failure: string | null): JsonRecord => {
    const inputTokens = Math.round(JSON.stringify(messages).length / 4) + 180;
    const outputTokens = output === null ? 0 : Math.max(12, Math.round(JSON.stringify(output).length / 4));
    const durationMs = failure ? random.int(200, 500) : Math.min(90_000, random.int(350, 1800) + outputTokens * 8);
    const usage = failure ? {} : { input: inputTokens, output: outputTokens, total: inputTokens + outputTokens };
    const inputCost = inputTokens * model.inputPrice;
    const outputCost = outputTokens * model.outputPrice;
    const cost = failure ? {} : { input: round(inputCost), output: round(outputCost), total: round(inputCost + outputCost) };
    return observation(
      {
        type: "GENERATION",
        name: identity.legacySdk ? "OpenAI-generation" : name,
        input: { messages: structuredClone(messages), tools: TOOL_DEFINITIONS, tool_choice: "auto" },
        output,
        level: failure ? "ERROR" : "DEFAULT",
        statusMessage: failure,
        model: model.name,
        modelParameters: { temperature: 0.2, max_tokens: 1200 },
        usageDetails: usage,
        costDetails: cost,
        calculatedTotalCost: failure ? 0 : round(inputCost + outputCost),
      },
      durationMs,
    );
  };

  const root = identity.legacySdk
    ? null
    : observation({ id: rootId, parentObservationId: null, type: "AGENT", name: "support-agent", input: { messages: [{ role: "user", content: plan.userText }] }, metadata: { agent: "nova", max_iterations: 8 } }, 0);
  if (!identity.legacySdk) {
    const context = observation({ type: "SPAN", name: "load-customer-context", input: { channel }, output: { tier: random.pick(CUSTOMER_TIERS), open_tickets: random.int(0, 3) } }, random.int(60, 180));
    observations.push({ ...context, id: random.hex(16), parentObservationId: context.id, name: "crm.fetch_profile", input: { customer_ref: identity.userId }, output: { found: identity.userId !== null } });
    observation({ type: "GUARDRAIL", name: "pii-redaction", input: plan.userText, output: { redacted: false, entities: [] } }, random.int(10, 40));
  }

  if (plan.llmFailure !== "none") {
    generation("llm.plan", null, "Error code: 429 - {'error': {'message': 'Rate limit reached for requests', 'type': 'requests', 'code': 'rate_limit_exceeded'}}");
    if (plan.llmFailure === "retry") {
      observation({ type: "SPAN", name: "retry-backoff", input: { attempt: 1 }, output: { slept_ms: 2000 }, level: "WARNING", statusMessage: "retrying after 2.0s (attempt 1 of 3)" }, 2000);
    }
  }

  if (plan.llmFailure !== "fatal") {
    for (const call of plan.toolCalls) {
      const callId = `call_${random.hex(24)}`;
      const request = { role: "assistant", content: null, tool_calls: [{ id: callId, type: "function", function: { name: call.name, arguments: JSON.stringify(call.args) } }] };
      generation("llm.plan", request, null);
      const toolObservation = observation(
        {
          type: identity.legacySdk ? "SPAN" : "TOOL",
          name: identity.legacySdk ? `tool:${call.name}` : call.name,
          input: call.args,
          output: call.result,
          metadata: { tool_call_id: callId },
          level: call.error ? "ERROR" : "DEFAULT",
          statusMessage: call.error,
        },
        call.error ? random.int(5_000, 30_000) : random.int(80, 900),
      );
      if (call.name === "lookup_kb" && !identity.legacySdk) {
        observations.push({ ...toolObservation, id: random.hex(16), parentObservationId: toolObservation.id, type: "RETRIEVER", name: "kb.vector_search", metadata: { index: "helpcenter-v3" }, level: "DEFAULT", statusMessage: null });
      }
      messages.push(request, { role: "tool", tool_call_id: callId, content: JSON.stringify(call.result) });
    }
    generation("llm.respond", { role: "assistant", content: plan.finalAnswer }, null);
  }
  if (identity.legacySdk) observation({ type: "EVENT", name: "answer-sent", output: { channel } }, 0);

  const endMs = clock;
  if (root) {
    root.endTime = new Date(endMs).toISOString();
    root.latency = (endMs - identity.startMs) / 1000;
    root.output = plan.finalAnswer;
    if (plan.llmFailure === "fatal") Object.assign(root, { level: "ERROR", statusMessage: "AgentError: model unavailable after 1 attempt" });
  }
  const totalCost = observations.reduce((sum, entry) => sum + (typeof entry.calculatedTotalCost === "number" ? entry.calculatedTotalCost : 0), 0);

  return {
    id: identity.traceId,
    timestamp: new Date(identity.startMs).toISOString(),
    name: identity.legacySdk ? "chat-completion" : "support-agent-run",
    input: identity.legacySdk ? plan.userText : { messages: [{ role: "user", content: plan.userText }] },
    output: plan.finalAnswer,
    sessionId: identity.sessionId,
    release,
    version: `agent-${release}`,
    userId: identity.userId,
    metadata: { channel: channel.replace("-", "_"), locale: plan.locale, customer_name: plan.customerName },
    tags: [...plan.tags, channel, "support"].sort(),
    public: false,
    environment: identity.environment,
    htmlPath: `/project/demo/traces/${identity.traceId}`,
    latency: (endMs - identity.startMs) / 1000,
    totalCost: round(totalCost),
    observations,
    scores: [],
  };
}

function round(value: number): number {
  return Number(value.toPrecision(10));
}
