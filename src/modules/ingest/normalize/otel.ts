// OTLP/JSON spans with the OpenTelemetry GenAI semantic conventions (gen_ai.*) → normalized trace, one trace id at a time.
import { z } from "zod";
import type { NormalizedMessage, NormalizedStep, NormalizedTrace, StepType } from "../../traces/normalized-schema.ts";
import { assistantMessageFromOutput, readMessageList, requestedToolCalls, toNormalizedMessage, toolResultsById, type RequestedToolCall } from "./chat-messages.ts";
import { finalizeNormalized } from "./finalize.ts";
import { asJson, isRecord, parseJsonIfJson, roundCost, toIso, type JsonObject } from "./json-values.ts";
import { NormalizeError, formatIssues, type NormalizeResult } from "./normalize-error.ts";
import { errorInToolOutput, pairToolCalls, type TimedToolRequest, type ToolExecution } from "./tool-calls.ts";

/** One span flattened out of an OTLP request, with its resource's attributes beside it; this is what raw.spans holds. */
export interface OtelSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: number | null;
  startTimeMs: number;
  endTimeMs: number | null;
  attributes: JsonObject;
  events: Array<{ name: string; timeMs: number | null; attributes: JsonObject }>;
  status: { code: number; message: string | null };
  resource: JsonObject;
  scope: string | null;
}

const AnyValueSchema: z.ZodType<unknown> = z.lazy(() =>
  z.looseObject({
    stringValue: z.string().optional(),
    boolValue: z.boolean().optional(),
    intValue: z.union([z.string(), z.number()]).optional(),
    // The JSON exporter writes NaN and infinities as null; the proto3 JSON mapping as "NaN", "Infinity".
    doubleValue: z.union([z.number(), z.string(), z.null()]).optional(),
    bytesValue: z.string().optional(),
    arrayValue: z.looseObject({ values: z.array(AnyValueSchema).optional() }).optional(),
    kvlistValue: z.looseObject({ values: z.array(KeyValueSchema).optional() }).optional(),
  }),
);
const KeyValueSchema = z.looseObject({ key: z.string(), value: AnyValueSchema.optional() });
/** 64-bit nanoseconds arrive as a decimal string, a number, or (older JS exporters) a {low, high} pair. */
const NanosSchema = z.union([z.string(), z.number(), z.looseObject({ low: z.number(), high: z.number() })]);

const SpanSchema = z.looseObject({
  traceId: z.string().min(1),
  spanId: z.string().min(1),
  parentSpanId: z.string().optional().nullable(),
  name: z.string(),
  kind: z.number().optional(),
  startTimeUnixNano: NanosSchema,
  endTimeUnixNano: NanosSchema.optional().nullable(),
  attributes: z.array(KeyValueSchema).optional(),
  events: z.array(z.looseObject({ name: z.string(), timeUnixNano: NanosSchema.optional(), attributes: z.array(KeyValueSchema).optional() })).optional(),
  status: z.looseObject({ code: z.union([z.number(), z.string()]).optional(), message: z.string().optional() }).optional(),
});

const ExportRequestSchema = z.looseObject({
  resourceSpans: z
    .array(
      z.looseObject({
        resource: z.looseObject({ attributes: z.array(KeyValueSchema).optional() }).optional(),
        scopeSpans: z.array(z.looseObject({ scope: z.looseObject({ name: z.string().optional() }).optional(), spans: z.array(SpanSchema).optional() })).optional(),
      }),
    )
    .optional(),
});

/** Flattens an ExportTraceServiceRequest (OTLP/JSON, or protobuf decoded to that shape); throws NormalizeError("unrecognized_shape") when it is not one. */
export function flattenOtlpRequest(body: unknown): OtelSpan[] {
  const parsed = ExportRequestSchema.safeParse(body);
  if (!parsed.success) throw new NormalizeError("unrecognized_shape", "Not an OTLP ExportTraceServiceRequest", formatIssues(parsed.error.issues));
  const spans: OtelSpan[] = [];
  for (const resourceSpans of parsed.data.resourceSpans ?? []) {
    const resource = attributesObject(resourceSpans.resource?.attributes);
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      for (const span of scopeSpans.spans ?? []) {
        spans.push({
          traceId: idText(span.traceId),
          spanId: idText(span.spanId),
          parentSpanId: span.parentSpanId ? idText(span.parentSpanId) : null,
          name: span.name,
          kind: span.kind ?? null,
          startTimeMs: nanosToMs(span.startTimeUnixNano),
          endTimeMs: span.endTimeUnixNano === undefined || span.endTimeUnixNano === null ? null : nanosToMs(span.endTimeUnixNano),
          attributes: attributesObject(span.attributes),
          events: (span.events ?? []).map((event) => ({ name: event.name, timeMs: event.timeUnixNano === undefined ? null : nanosToMs(event.timeUnixNano), attributes: attributesObject(event.attributes) })),
          status: { code: statusCode(span.status?.code), message: span.status?.message || null },
          resource,
          scope: scopeSpans.scope?.name ?? null,
        });
      }
    }
  }
  return spans;
}

const STATUS_ERROR = 2;
const LLM_OPERATIONS = new Set(["chat", "text_completion", "generate_content", "completion"]);

/** All spans must share one trace id. raw = { spans } (as given, so later re-normalization sees exactly them). */
export function normalizeOtelTrace(spans: readonly OtelSpan[]): NormalizeResult {
  const first = spans[0];
  if (!first) throw new NormalizeError("unrecognized_shape", "A trace needs at least one span");
  const foreign = spans.filter((span) => span.traceId !== first.traceId);
  if (foreign.length > 0) throw new NormalizeError("unrecognized_shape", `Spans of several traces (${first.traceId}, ${foreign[0]!.traceId}) given as one`);

  const ids = new Set(spans.map((span) => span.spanId));
  const depth = depthOf(spans, ids);
  const ordered = [...spans].sort((a, b) => a.startTimeMs - b.startTimeMs || depth(a) - depth(b) || (a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0));
  const steps = ordered.map((span) => toStep(span, ids));
  const stepById = new Map(steps.map((step) => [step.id, step]));

  const roots = ordered.filter((span) => span.parentSpanId === null || !ids.has(span.parentSpanId));
  const root = roots[0]!;
  const rootStep = stepById.get(root.spanId)!;
  const llmSteps = steps.filter((step) => step.type === "llm");
  const input = rootStep.input ?? lastUserText(llmSteps[0]?.input) ?? null;
  const output = rootStep.output ?? assistantText(llmSteps.at(-1)?.output) ?? null;

  const toolCalls = pairToolCalls(...toolCallParts(ordered, steps));
  const costs = steps.map((step) => step.cost_usd).filter((cost): cost is number => cost !== null);
  const ended = ordered.every((span) => span.endTimeMs !== null);
  const attribute = (...keys: string[]) => {
    for (const span of ordered) for (const key of keys) if (typeof span.attributes[key] === "string") return span.attributes[key] as string;
    return null;
  };
  const environment = root.resource["deployment.environment.name"] ?? root.resource["deployment.environment"];

  const normalized: NormalizedTrace = {
    id: first.traceId,
    source: "otel",
    external_id: first.traceId,
    name: root.name || null,
    timestamp: toIso(Math.min(...ordered.map((span) => span.startTimeMs))),
    input: asJson(input),
    output: asJson(output),
    messages: reconstructMessages(llmSteps, input, output),
    steps,
    tool_calls: toolCalls,
    metadata: {
      ...(typeof environment === "string" ? { environment } : {}),
      otel: asJson({ service_name: root.resource["service.name"] ?? null, scope: root.scope, resource: root.resource }),
    },
    tags: [],
    user_id: attribute("user.id", "enduser.id"),
    session_id: attribute("session.id", "gen_ai.conversation.id"),
    latency_ms: ended ? Math.round(Math.max(...ordered.map((span) => span.endTimeMs!)) - Math.min(...ordered.map((span) => span.startTimeMs))) : null,
    cost_usd: costs.length > 0 ? roundCost(costs.reduce((sum, cost) => sum + cost, 0)) : null,
    has_errors: steps.some((step) => step.level === "error" || step.error !== null) || toolCalls.some((call) => call.error !== null),
  };
  return finalizeNormalized(normalized, { spans });
}

function toStep(span: OtelSpan, ids: ReadonlySet<string>): NormalizedStep {
  const a = span.attributes;
  const type = stepType(span);
  const isLlm = type === "llm";
  let input: unknown = null;
  let output: unknown = null;
  if (type === "tool") {
    input = parsedAttribute(a["gen_ai.tool.call.arguments"]);
    output = parsedAttribute(a["gen_ai.tool.call.result"]);
  } else {
    const inputMessages = semconvMessages(parsedAttribute(a["gen_ai.input.messages"] ?? a["gen_ai.prompt"]), parsedAttribute(a["gen_ai.system_instructions"]));
    if (inputMessages) input = { messages: inputMessages };
    const outputMessages = semconvMessages(parsedAttribute(a["gen_ai.output.messages"] ?? a["gen_ai.completion"]), null);
    if (outputMessages) output = outputMessages.length === 1 ? outputMessages[0] : outputMessages;
  }
  const failed = span.status.code === STATUS_ERROR;
  const exception = span.events.find((event) => event.name === "exception");
  const error = failed
    ? (span.status.message ?? stringOrNull(exception?.attributes["exception.message"]) ?? stringOrNull(a["error.type"]) ?? "error")
    : type === "tool"
      ? errorInToolOutput(output)
      : null;
  const inputTokens = numberOrNull(a["gen_ai.usage.input_tokens"] ?? a["gen_ai.usage.prompt_tokens"]);
  const outputTokens = numberOrNull(a["gen_ai.usage.output_tokens"] ?? a["gen_ai.usage.completion_tokens"]);
  const cost = numberOrNull(a["gen_ai.usage.cost"]);
  return {
    id: span.spanId,
    parent_id: span.parentSpanId !== null && ids.has(span.parentSpanId) ? span.parentSpanId : null,
    type,
    name: span.name || null,
    input: asJson(input),
    output: asJson(output),
    error,
    level: failed ? "error" : "default",
    started_at: toIso(span.startTimeMs),
    ended_at: span.endTimeMs === null ? null : toIso(span.endTimeMs),
    duration_ms: span.endTimeMs === null ? null : Math.max(0, Math.round(span.endTimeMs - span.startTimeMs)),
    model: isLlm ? (stringOrNull(a["gen_ai.response.model"]) ?? stringOrNull(a["gen_ai.request.model"])) : null,
    usage: inputTokens === null && outputTokens === null ? null : { input_tokens: Math.max(0, Math.round(inputTokens ?? 0)), output_tokens: Math.max(0, Math.round(outputTokens ?? 0)) },
    cost_usd: cost !== null && cost >= 0 ? cost : null,
  };
}

function stepType(span: OtelSpan): StepType {
  const operation = stringOrNull(span.attributes["gen_ai.operation.name"]);
  if (operation && LLM_OPERATIONS.has(operation)) return "llm";
  if (operation === "execute_tool") return "tool";
  if (operation === "invoke_agent" || operation === "create_agent") return "agent";
  if (operation === "embeddings") return "retrieval";
  if (typeof span.attributes["gen_ai.tool.name"] === "string") return "tool";
  if (typeof span.attributes["gen_ai.request.model"] === "string") return "llm";
  return "span";
}

/**
 * GenAI semconv messages ({role, parts: [{type: "text"|"tool_call"|"tool_call_response", ...}]}) in the
 * OpenAI shape the other normalizers read ({role, content, tool_calls?} and {role: "tool", tool_call_id}).
 * Messages that already have `content` pass through. null when the value is not a message list.
 */
function semconvMessages(value: unknown, systemInstructions: unknown): JsonObject[] | null {
  const list = Array.isArray(value) ? value : isRecord(value) ? [value] : null;
  if (!list || !list.every((item) => isRecord(item) && typeof item.role === "string")) return null;
  const messages: JsonObject[] = [];
  const system = instructionsText(systemInstructions);
  if (system !== null) messages.push({ role: "system", content: system });
  for (const message of list as JsonObject[]) {
    if (!Array.isArray(message.parts)) {
      messages.push(message);
      continue;
    }
    const texts: string[] = [];
    const toolCalls: JsonObject[] = [];
    for (const part of message.parts) {
      if (!isRecord(part)) continue;
      if (part.type === "text" && typeof part.content === "string") texts.push(part.content);
      else if (part.type === "tool_call" && typeof part.name === "string") {
        toolCalls.push({ id: part.id ?? null, type: "function", function: { name: part.name, arguments: typeof part.arguments === "string" ? part.arguments : JSON.stringify(part.arguments ?? null) } });
      } else if (part.type === "tool_call_response") {
        messages.push({ role: "tool", tool_call_id: part.id ?? null, content: typeof part.response === "string" ? part.response : JSON.stringify(part.response ?? null) });
      }
    }
    if (message.role === "tool" && texts.length === 0 && toolCalls.length === 0) continue;
    messages.push({ role: message.role, content: texts.length > 0 ? texts.join("\n") : null, ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) });
  }
  return messages;
}

function instructionsText(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (!Array.isArray(value)) return null;
  const texts = value.filter(isRecord).map((part) => (typeof part.content === "string" ? part.content : null)).filter((text): text is string => text !== null);
  return texts.length > 0 ? texts.join("\n") : null;
}

/** Like the Langfuse rule: the last llm step with a message list gives the history plus its reply; else the trace input/output. */
function reconstructMessages(llmSteps: readonly NormalizedStep[], input: unknown, output: unknown): NormalizedMessage[] {
  for (const step of [...llmSteps].reverse()) {
    const history = readMessageList(step.input);
    if (!history) continue;
    const reply = assistantMessageFromOutput(step.output);
    return [...history, ...(reply ? [reply] : [])].map(toNormalizedMessage);
  }
  const messages: NormalizedMessage[] = [];
  if (input !== null) messages.push({ role: "user", content: typeof input === "string" ? input : JSON.stringify(input) });
  if (output !== null) messages.push({ role: "assistant", content: typeof output === "string" ? output : JSON.stringify(output) });
  return messages;
}

function toolCallParts(spans: readonly OtelSpan[], steps: readonly NormalizedStep[]): [TimedToolRequest[], ToolExecution[], Map<string, unknown>] {
  const requests: TimedToolRequest[] = [];
  const seen = new Set<string>();
  const results = new Map<string, unknown>();
  const add = (calls: RequestedToolCall[], atMs: number, includeWithoutId: boolean) => {
    for (const call of calls) {
      if (call.id === null ? !includeWithoutId : seen.has(call.id)) continue;
      if (call.id !== null) seen.add(call.id);
      requests.push({ ...call, requestedAtMs: atMs });
    }
  };
  const executions: ToolExecution[] = [];
  steps.forEach((step, i) => {
    const span = spans[i]!;
    if (step.type === "llm") {
      const history = readMessageList(step.input) ?? [];
      for (const message of history) if (message.role === "assistant") add(requestedToolCalls(message), span.startTimeMs, false);
      for (const [id, result] of toolResultsById(history)) results.set(id, result);
      const reply = assistantMessageFromOutput(step.output);
      if (reply) add(requestedToolCalls(reply), span.endTimeMs ?? span.startTimeMs, true);
    } else if (step.type === "tool") {
      executions.push({
        stepId: step.id,
        name: stringOrNull(span.attributes["gen_ai.tool.name"]) ?? step.name ?? "tool",
        callId: stringOrNull(span.attributes["gen_ai.tool.call.id"]),
        input: step.input,
        output: step.output,
        error: step.error,
        startedAtMs: span.startTimeMs,
      });
    }
  });
  return [requests, executions, results];
}

function depthOf(spans: readonly OtelSpan[], ids: ReadonlySet<string>): (span: OtelSpan) => number {
  const parentOf = new Map(spans.map((span) => [span.spanId, span.parentSpanId !== null && ids.has(span.parentSpanId) ? span.parentSpanId : null]));
  const cache = new Map<string, number>();
  return (span) => {
    const cached = cache.get(span.spanId);
    if (cached !== undefined) return cached;
    let depth = 0;
    const visited = new Set<string>();
    for (let at = parentOf.get(span.spanId); at && !visited.has(at); at = parentOf.get(at)) {
      visited.add(at);
      depth++;
    }
    cache.set(span.spanId, depth);
    return depth;
  };
}

function lastUserText(input: unknown): string | null {
  const messages = readMessageList(input);
  const user = messages?.filter((message) => message.role === "user").at(-1);
  return typeof user?.content === "string" ? user.content : null;
}

function assistantText(output: unknown): string | null {
  const reply = assistantMessageFromOutput(output);
  return typeof reply?.content === "string" ? reply.content : null;
}

function attributesObject(list: ReadonlyArray<{ key: string; value?: unknown }> | undefined): JsonObject {
  const object: JsonObject = {};
  for (const { key, value } of list ?? []) object[key] = anyValue(value);
  return object;
}

function anyValue(value: unknown): unknown {
  if (!isRecord(value)) return null;
  if (typeof value.stringValue === "string") return value.stringValue;
  if (typeof value.boolValue === "boolean") return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return finiteOrNull(value.doubleValue === null ? Number.NaN : Number(value.doubleValue));
  if (typeof value.bytesValue === "string") return value.bytesValue;
  if (isRecord(value.arrayValue)) return (Array.isArray(value.arrayValue.values) ? value.arrayValue.values : []).map(anyValue);
  if (isRecord(value.kvlistValue)) return attributesObject(value.kvlistValue.values as Array<{ key: string; value?: unknown }>);
  return null;
}

/** JSON holds no NaN or infinity: such an attribute is kept as null rather than failing its trace. */
function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

/** Semconv puts structured values (messages, arguments, results) in string attributes as JSON text. */
function parsedAttribute(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  return typeof value === "string" ? parseJsonIfJson(value) : value;
}

/** OTLP/JSON ids are hex; some senders use base64 (the protobuf bytes): both end up lowercase hex. */
function idText(id: string): string {
  if (/^[0-9a-f]+$/i.test(id)) return id.toLowerCase();
  const bytes = Buffer.from(id, "base64");
  return bytes.length === 8 || bytes.length === 16 ? bytes.toString("hex") : id;
}

function nanosToMs(value: string | number | { low: number; high: number }): number {
  if (typeof value === "object") return (value.high * 2 ** 32 + (value.low >>> 0)) / 1e6;
  if (typeof value === "number") return value / 1e6;
  // A decimal string of nanoseconds exceeds 2^53: split it to keep sub-millisecond digits out of the rounding.
  return value.length > 6 ? Number(value.slice(0, -6)) + Number(value.slice(-6)) / 1e6 : Number(value) / 1e6;
}

function statusCode(code: number | string | undefined): number {
  if (typeof code === "number") return code;
  return code === "STATUS_CODE_ERROR" ? STATUS_ERROR : code === "STATUS_CODE_OK" ? 1 : 0;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

function numberOrNull(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}
