// OpenAI chat-completions records ({messages, tools?, id?, metadata?, ...}, e.g. a fine-tuning JSONL line) → normalized trace.
import { createHash } from "node:crypto";
import { z } from "zod";
import type { NormalizedTrace } from "../../traces/normalized-schema.ts";
import {
  parseToolArguments,
  requestedToolCalls,
  toNormalizedMessage,
  toolResultsById,
} from "./chat-messages.ts";
import { finalizeNormalized } from "./finalize.ts";
import { asJson, isRecord, toIso, type JsonObject, type JsonValue } from "./json-values.ts";
import { NormalizeError, formatIssues, type NormalizeResult } from "./normalize-error.ts";
import { errorInToolOutput } from "./tool-calls.ts";

const OpenAIMessageSchema = z.looseObject({ role: z.string().min(1), content: z.unknown().optional() });

export const OpenAIRecordSchema = z.looseObject({
  messages: z.array(OpenAIMessageSchema).min(1),
  id: z.string().min(1).optional(),
  name: z.string().optional(),
  model: z.string().optional(),
  user: z.string().optional(),
  tags: z.array(z.string()).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  created: z.number().optional(),
  created_at: z.union([z.string(), z.number()]).optional(),
  timestamp: z.string().optional(),
});

export interface OpenAINormalizeOptions {
  /** Used when the record carries no time (created/created_at/timestamp); defaults to now. */
  fallbackTimestamp?: Date;
}

/**
 * No timing exists in this format, so steps is empty and latency/cost are null. input = the messages before
 * the final assistant reply (as {messages}); output = that reply's text. Without an `id`, the external id is null
 * and the trace id is a content hash, so re-uploading the same line gives the same id.
 */
export function normalizeOpenAIRecord(record: unknown, options: OpenAINormalizeOptions = {}): NormalizeResult {
  const parsed = OpenAIRecordSchema.safeParse(record);
  if (!parsed.success) {
    throw new NormalizeError("invalid_openai", "Not a valid OpenAI chat record", formatIssues(parsed.error.issues));
  }
  const data = parsed.data;
  const messages = data.messages as JsonObject[];
  const last = messages.at(-1);
  const endsWithReply = last?.role === "assistant" && typeof last.content === "string";
  const toolCalls = toolCallsOf(messages);
  const metadata = (data.metadata ?? {}) as Record<string, JsonValue>;

  const normalized: NormalizedTrace = {
    id: data.id ?? `openai-${createHash("sha256").update(JSON.stringify(record)).digest("hex").slice(0, 32)}`,
    source: "openai",
    external_id: data.id ?? null,
    name: data.name ?? null,
    timestamp: timestampOf(data, options.fallbackTimestamp ?? new Date()),
    input: asJson({ messages: endsWithReply ? messages.slice(0, -1) : messages }),
    output: endsWithReply ? (last.content as string) : null,
    messages: messages.map(toNormalizedMessage),
    steps: [],
    tool_calls: toolCalls,
    metadata: data.model ? { ...metadata, openai: { model: data.model } } : metadata,
    tags: data.tags ?? [],
    user_id: data.user ?? stringOrNull(metadata.user_id),
    session_id: stringOrNull(metadata.session_id),
    latency_ms: null,
    cost_usd: null,
    has_errors: toolCalls.some((call) => call.error !== null),
  };
  return finalizeNormalized(normalized, record);
}

function toolCallsOf(messages: readonly JsonObject[]): NormalizedTrace["tool_calls"] {
  const results = toolResultsById(messages);
  const calls: NormalizedTrace["tool_calls"] = [];
  for (const message of messages) {
    if (message.role !== "assistant") continue;
    for (const call of requestedToolCalls(message)) {
      const output = call.id !== null ? (results.get(call.id) ?? null) : null;
      calls.push({ name: call.name, arguments: asJson(call.arguments), output: asJson(output), error: errorInToolOutput(output), step_id: null });
    }
    // Pre-2024 records use a single function_call instead of tool_calls.
    if (isRecord(message.function_call) && typeof message.function_call.name === "string") {
      calls.push({ name: message.function_call.name, arguments: asJson(parseToolArguments(message.function_call.arguments)), output: null, error: null, step_id: null });
    }
  }
  return calls;
}

function timestampOf(data: z.infer<typeof OpenAIRecordSchema>, fallback: Date): string {
  const candidates: unknown[] = [data.timestamp, data.created_at, data.created];
  for (const candidate of candidates) {
    if (candidate === undefined) continue;
    // OpenAI's `created` is Unix seconds.
    const ms = typeof candidate === "number" ? candidate * 1000 : Date.parse(String(candidate));
    if (Number.isNaN(ms)) throw new NormalizeError("invalid_openai", "Invalid timestamp", [`${JSON.stringify(candidate)} is not a date`]);
    return toIso(ms);
  }
  return fallback.toISOString();
}

function stringOrNull(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}
