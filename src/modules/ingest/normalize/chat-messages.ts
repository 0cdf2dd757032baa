// Reads OpenAI-style chat messages (the lingua franca of LLM traces) into normalized messages and requested tool calls.
import type { NormalizedMessage } from "../../traces/normalized-schema.ts";
import { isRecord, parseJsonIfJson, type JsonObject } from "./json-values.ts";

const ROLE_ALIASES: Record<string, string> = { human: "user", ai: "assistant", model: "assistant", function: "tool" };

export interface RequestedToolCall {
  id: string | null;
  name: string;
  arguments: unknown;
}

/** The message list inside an llm input: either a bare array of {role,...} or {messages:[...]}; null when there is none. */
export function readMessageList(value: unknown): JsonObject[] | null {
  const list = isRecord(value) ? value.messages : value;
  if (!Array.isArray(list) || list.length === 0) return null;
  return list.every((item) => isRecord(item) && typeof item.role === "string") ? (list as JsonObject[]) : null;
}

export function toNormalizedMessage(message: JsonObject): NormalizedMessage {
  const role = String(message.role).toLowerCase();
  return { role: ROLE_ALIASES[role] ?? role, content: flattenContent(message.content) };
}

export function flattenContent(content: unknown): string | null {
  if (content === null || content === undefined) return null;
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    const parts = content.map(flattenContentPart).filter((part): part is string => part !== null);
    return parts.length > 0 ? parts.join("\n") : null;
  }
  return JSON.stringify(content);
}

function flattenContentPart(part: unknown): string | null {
  if (typeof part === "string") return part;
  if (!isRecord(part)) return part === null || part === undefined ? null : JSON.stringify(part);
  if (typeof part.text === "string") return part.text;
  if (typeof part.type === "string" && /image/.test(part.type)) return "[image]";
  return JSON.stringify(part);
}

/**
 * The assistant message an llm step produced. Accepts a plain string, a message object,
 * an OpenAI response ({choices:[{message}]}) or a message list (its last element).
 */
export function assistantMessageFromOutput(output: unknown): JsonObject | null {
  if (output === null || output === undefined) return null;
  if (typeof output === "string") return { role: "assistant", content: output };
  if (Array.isArray(output)) {
    const last = output.at(-1);
    return isRecord(last) && typeof last.role === "string" ? last : { role: "assistant", content: JSON.stringify(output) };
  }
  if (isRecord(output)) {
    const choice = Array.isArray(output.choices) ? output.choices[0] : undefined;
    if (isRecord(choice) && isRecord(choice.message)) return withAssistantRole(choice.message);
    if ("content" in output || "tool_calls" in output) return withAssistantRole(output);
  }
  return { role: "assistant", content: JSON.stringify(output) };
}

function withAssistantRole(message: JsonObject): JsonObject {
  return typeof message.role === "string" ? message : { ...message, role: "assistant" };
}

/** Tool calls an assistant message requested, in OpenAI form ({id, function:{name, arguments}}) or flat ({id, name, arguments|input}). */
export function requestedToolCalls(message: JsonObject): RequestedToolCall[] {
  if (!Array.isArray(message.tool_calls)) return [];
  const calls: RequestedToolCall[] = [];
  for (const call of message.tool_calls) {
    if (!isRecord(call)) continue;
    const fn = isRecord(call.function) ? call.function : call;
    if (typeof fn.name !== "string" || fn.name === "") continue;
    calls.push({
      id: typeof call.id === "string" ? call.id : null,
      name: fn.name,
      arguments: parseToolArguments(fn.arguments ?? fn.input),
    });
  }
  return calls;
}

export function parseToolArguments(raw: unknown): unknown {
  if (raw === undefined) return null;
  return typeof raw === "string" ? parseJsonIfJson(raw) : raw;
}

/** Tool results replayed as {role:"tool", tool_call_id, content} messages, keyed by call id. */
export function toolResultsById(messages: readonly JsonObject[]): Map<string, unknown> {
  const results = new Map<string, unknown>();
  for (const message of messages) {
    if (message.role !== "tool" || typeof message.tool_call_id !== "string") continue;
    const content = message.content;
    results.set(message.tool_call_id, typeof content === "string" ? parseJsonIfJson(content) : (content ?? null));
  }
  return results;
}
