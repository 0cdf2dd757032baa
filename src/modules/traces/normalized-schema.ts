// The normalized trace contract (what an eval receives): zod schema, TS types, JSON Schema and a text doc.
import { z } from "zod";

export const NORMALIZED_SCHEMA_VERSION = 1 as const;

const IsoTimestamp = z.iso.datetime();
const JsonValue = z.json();

export const STEP_TYPES = ["llm", "tool", "retrieval", "agent", "span", "event", "guardrail"] as const;
export const STEP_LEVELS = ["debug", "default", "warning", "error"] as const;

export const NormalizedMessageSchema = z
  .strictObject({
    role: z
      .string()
      .min(1)
      .describe(
        'Speaker, lowercase: "system", "developer", "user", "assistant" or "tool". Source aliases are mapped (human→user, ai/model→assistant, function→tool); any other role is kept as written.',
      ),
    content: z
      .string()
      .nullable()
      .describe(
        "The message text. Multi-part content is flattened: text parts joined with a newline, an image part becomes \"[image]\". Non-text JSON content is serialized as JSON text. null when the message carries no text (e.g. an assistant turn that only calls tools — see tool_calls).",
      ),
  })
  .describe("One conversation turn.");

export const NormalizedUsageSchema = z
  .strictObject({
    input_tokens: z
      .number()
      .int()
      .nonnegative()
      .describe("Prompt tokens, including cached-input tokens (sum of every source usage key that contains \"input\")."),
    output_tokens: z
      .number()
      .int()
      .nonnegative()
      .describe("Completion tokens (sum of every source usage key that contains \"output\", e.g. reasoning tokens)."),
  })
  .describe("Token usage of one model call.");

export const NormalizedStepSchema = z
  .strictObject({
    id: z.string().min(1).describe("Step id, unique within the trace (the source observation/span id)."),
    parent_id: z
      .string()
      .nullable()
      .describe(
        "id of the parent step in this same trace, or null for a root. Always resolvable: a step whose source parent is missing from the trace (an orphan) becomes a root. A trace may have several roots.",
      ),
    type: z
      .enum(STEP_TYPES)
      .describe(
        "llm = a model call (chat/completion generation); tool = a tool/function execution; retrieval = retriever or embedding step; agent = an agent loop; span = any other unit of work; event = a point-in-time marker; guardrail = a safety/policy check.",
      ),
    name: z.string().nullable().describe("Step name as recorded by the source (e.g. \"llm.plan\", \"search_orders\", \"tool:search_orders\")."),
    input: JsonValue.nullable().describe("Step input as JSON (for llm steps usually {messages, tools, ...} or a message list). null when absent."),
    output: JsonValue.nullable().describe(
      "Step output as JSON (for llm steps usually the assistant message {role, content, tool_calls?}). Never truncated. null when absent or the step is still running.",
    ),
    error: z
      .string()
      .nullable()
      .describe(
        "Why the step failed, or null if it did not fail. Set when level is \"error\" (the source status message, else the error in the output) and when a tool's output holds a non-empty \"error\" field.",
      ),
    level: z
      .enum(STEP_LEVELS)
      .describe("Severity recorded by the source, lowercase. \"warning\" alone is not a failure (error stays null)."),
    started_at: IsoTimestamp.describe("Start time, ISO 8601 UTC (e.g. 2026-07-21T07:32:10.590Z)."),
    ended_at: IsoTimestamp.nullable().describe("End time, ISO 8601 UTC; null while the step is still running."),
    duration_ms: z
      .number()
      .int()
      .nonnegative()
      .nullable()
      .describe("ended_at − started_at in milliseconds; null while running."),
    model: z.string().nullable().describe("Model name for llm steps (e.g. \"gpt-4o-mini-2024-07-18\"); null otherwise."),
    usage: NormalizedUsageSchema.nullable().describe("Token usage; null when the source recorded none (non-model steps, failed calls)."),
    cost_usd: z.number().nonnegative().nullable().describe("Cost of this step in US dollars; null when unknown or not a priced call."),
  })
  .describe("One unit of work in the trace.");

export const NormalizedToolCallSchema = z
  .strictObject({
    name: z.string().min(1).describe("Tool/function name, as the model called it (a \"tool:\" prefix on a source span name is removed)."),
    arguments: JsonValue.nullable().describe(
      "Call arguments: the parsed JSON (usually an object) when the model's argument string is valid JSON, else the raw string; null when absent.",
    ),
    output: JsonValue.nullable().describe("What the tool returned (JSON); null when unknown or the tool failed without output."),
    error: z.string().nullable().describe("Why the call failed, or null if it succeeded (same rule as steps[].error)."),
    step_id: z
      .string()
      .nullable()
      .describe("id of the steps[] entry that executed this call; null when the source recorded the call but no execution step."),
  })
  .describe("One tool invocation, pairing the model's request with its execution.");

export const NormalizedTraceSchema = z
  .strictObject({
    id: z.string().min(1).describe("iofold id of this trace (the source id until the trace is stored)."),
    source: z.string().min(1).describe("Where the trace came from: \"langfuse\", \"openai\" (chat-completions file), or another importer's name."),
    external_id: z.string().nullable().describe("The trace id in the source system; null when the source had none."),
    name: z.string().nullable().describe("Trace name as recorded by the source; null when unnamed."),
    timestamp: IsoTimestamp.describe("When the run started, ISO 8601 UTC."),
    input: JsonValue.nullable().describe("The run's input as recorded on the trace (string or JSON); null when absent."),
    output: JsonValue.nullable().describe("The run's final output as recorded on the trace (string or JSON); null when absent or still running."),
    messages: z
      .array(NormalizedMessageSchema)
      .describe(
        "The conversation in order, best reconstructed: the input messages of the last llm step (by start time) that has a message list, followed by that step's output as an assistant message. Without such a step: the trace input as a user message, then the trace output as an assistant message. Empty when nothing is known.",
      ),
    steps: z
      .array(NormalizedStepSchema)
      .describe(
        "Every step, sorted by started_at ascending (ties: parent before child, then by id). The tree is given by parent_id. Empty for a trace with no recorded steps.",
      ),
    tool_calls: z
      .array(NormalizedToolCallSchema)
      .describe(
        "Every tool call, in execution order (by the executing step's start time, else by the time the model requested it).",
      ),
    metadata: z
      .record(z.string(), JsonValue)
      .describe(
        "Trace metadata from the source (a non-object value is kept under \"value\"). Langfuse traces add metadata.langfuse = {environment, release, version}.",
      ),
    tags: z.array(z.string()).describe("Trace tags, in source order."),
    user_id: z.string().nullable().describe("End user id; null when unknown."),
    session_id: z.string().nullable().describe("Session/conversation id grouping several traces; null when unknown."),
    latency_ms: z
      .number()
      .int()
      .nonnegative()
      .nullable()
      .describe("Wall-clock duration in milliseconds (latest step end − earliest step start); null while any step is still running or when no timing is known."),
    cost_usd: z.number().nonnegative().nullable().describe("Total cost in US dollars (sum of step costs); null when unknown."),
    has_errors: z.boolean().describe("true when any step has level \"error\" or a non-null error, or any tool call has an error."),
  })
  .describe(`A normalized LLM-agent trace (schema version ${NORMALIZED_SCHEMA_VERSION}). All times are UTC; all text is Unicode with NUL (U+0000) replaced by U+FFFD.`);

export type NormalizedMessage = z.infer<typeof NormalizedMessageSchema>;
export type NormalizedUsage = z.infer<typeof NormalizedUsageSchema>;
export type NormalizedStep = z.infer<typeof NormalizedStepSchema>;
export type NormalizedToolCall = z.infer<typeof NormalizedToolCallSchema>;
export type NormalizedTrace = z.infer<typeof NormalizedTraceSchema>;
export type StepType = (typeof STEP_TYPES)[number];
export type StepLevel = (typeof STEP_LEVELS)[number];

export function normalizedTraceJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(NormalizedTraceSchema) as Record<string, unknown>;
}

type JsonSchemaNode = {
  description?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchemaNode>;
  items?: JsonSchemaNode;
  anyOf?: JsonSchemaNode[];
  enum?: unknown[];
  $ref?: string;
};

// One line per field, nested fields indented, so an LLM prompt or a docs page can show the contract compactly.
export function describeNormalizedTrace(): string {
  const root = normalizedTraceJsonSchema() as JsonSchemaNode;
  const lines = [`Normalized trace (schema_version ${NORMALIZED_SCHEMA_VERSION}): ${root.description ?? ""}`, ""];
  const walk = (node: JsonSchemaNode, indent: string) => {
    for (const [field, child] of Object.entries(node.properties ?? {})) {
      const { shape, nested } = describeShape(child);
      lines.push(`${indent}- ${field} (${shape}): ${child.description ?? ""}`);
      if (nested) walk(nested, `${indent}  `);
    }
  };
  walk(root, "");
  return lines.join("\n");
}

function describeShape(node: JsonSchemaNode): { shape: string; nested?: JsonSchemaNode } {
  const variants = node.anyOf ?? [node];
  let nested: JsonSchemaNode | undefined;
  const names = variants.map((variant) => {
    if (variant.$ref) return "json";
    if (variant.enum) return variant.enum.map((value) => JSON.stringify(value)).join("|");
    if (variant.type === "array") {
      if (variant.items?.properties) nested = variant.items;
      return `array of ${variant.items?.properties ? "object" : (variant.items?.type ?? "json")}`;
    }
    if (variant.type === "object" && variant.properties) nested = variant;
    return Array.isArray(variant.type) ? variant.type.join("|") : (variant.type ?? "json");
  });
  return { shape: names.join(" | "), nested };
}
