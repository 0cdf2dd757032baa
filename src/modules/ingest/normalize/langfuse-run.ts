// Builds the normalized trace from one Langfuse trace's fields and its observations, whichever API they came from.
import type { NormalizedMessage, NormalizedTrace } from "../../traces/normalized-schema.ts";
import {
  assistantMessageFromOutput,
  readMessageList,
  requestedToolCalls,
  toNormalizedMessage,
  toolResultsById,
  type RequestedToolCall,
} from "./chat-messages.ts";
import { finalizeNormalized } from "./finalize.ts";
import { asJson, isRecord, roundCost, toEpochMs, toIso, type JsonValue } from "./json-values.ts";
import { buildSteps, toolCallIdOf, toolNameOf, type StepWithSource } from "./langfuse-steps.ts";
import type { LangfuseObservation } from "./langfuse-shapes.ts";
import type { NormalizeResult } from "./normalize-error.ts";
import { pairToolCalls, type TimedToolRequest, type ToolExecution } from "./tool-calls.ts";

export interface LangfuseTraceFields {
  id: string;
  timestamp: string;
  name: string | null;
  input: unknown;
  output: unknown;
  metadata: unknown;
  tags: readonly string[];
  userId: string | null;
  sessionId: string | null;
  environment: string | null;
  release: string | null;
  version: string | null;
}

export function normalizeLangfuseRun(
  trace: LangfuseTraceFields,
  observations: readonly LangfuseObservation[],
  raw: unknown,
): NormalizeResult {
  const built = buildSteps(observations);
  const steps = built.map((entry) => entry.step);
  const toolCalls = pairToolCalls(...collectToolCallParts(built));
  const costs = steps.map((step) => step.cost_usd).filter((cost): cost is number => cost !== null);

  const normalized: NormalizedTrace = {
    id: trace.id,
    source: "langfuse",
    external_id: trace.id,
    name: trace.name,
    timestamp: toIso(toEpochMs(trace.timestamp, "trace timestamp", "invalid_langfuse")),
    input: asJson(trace.input),
    output: asJson(trace.output),
    messages: reconstructMessages(built, trace),
    steps,
    tool_calls: toolCalls,
    metadata: { ...metadataObject(trace.metadata), langfuse: { environment: trace.environment, release: trace.release, version: trace.version } },
    tags: [...trace.tags],
    user_id: trace.userId,
    session_id: trace.sessionId,
    latency_ms: latencyMs(built),
    cost_usd: costs.length > 0 ? roundCost(costs.reduce((sum, cost) => sum + cost, 0)) : null,
    has_errors: steps.some((step) => step.level === "error" || step.error !== null) || toolCalls.some((call) => call.error !== null),
  };
  return finalizeNormalized(normalized, raw);
}

function metadataObject(metadata: unknown): Record<string, JsonValue> {
  if (metadata === null || metadata === undefined) return {};
  return isRecord(metadata) ? ({ ...metadata } as Record<string, JsonValue>) : { value: asJson(metadata) };
}

// In progress (some non-event step has no end) means no latency yet, even though Langfuse reports a partial one.
function latencyMs(built: readonly StepWithSource[]): number | null {
  if (built.length === 0) return null;
  if (built.some((entry) => entry.endedAtMs === null && entry.step.type !== "event")) return null;
  const start = Math.min(...built.map((entry) => entry.startedAtMs));
  const end = Math.max(...built.map((entry) => entry.endedAtMs ?? entry.startedAtMs));
  return end - start;
}

/**
 * The conversation: the last llm step (by start) whose input is a message list gives the history,
 * and its output is appended as the assistant turn. Without one, fall back to trace input/output.
 */
function reconstructMessages(built: readonly StepWithSource[], trace: LangfuseTraceFields): NormalizedMessage[] {
  for (const { step } of [...built].reverse()) {
    if (step.type !== "llm") continue;
    const history = readMessageList(step.input);
    if (!history) continue;
    const reply = assistantMessageFromOutput(step.output);
    return [...history, ...(reply ? [reply] : [])].map(toNormalizedMessage);
  }
  return messagesFromTraceIO(trace.input, trace.output);
}

function messagesFromTraceIO(input: unknown, output: unknown): NormalizedMessage[] {
  const fromInput = readMessageList(input)?.map(toNormalizedMessage) ?? userMessageFrom(input);
  const reply = assistantMessageFromOutput(output);
  return [...fromInput, ...(reply ? [toNormalizedMessage(reply)] : [])];
}

const USER_TEXT_KEYS = ["message", "query", "question", "input", "prompt", "text"];

function userMessageFrom(input: unknown): NormalizedMessage[] {
  if (input === null || input === undefined) return [];
  if (typeof input === "string") return [{ role: "user", content: input }];
  if (isRecord(input)) {
    const key = USER_TEXT_KEYS.find((candidate) => typeof input[candidate] === "string");
    if (key) return [{ role: "user", content: input[key] as string }];
  }
  return [{ role: "user", content: JSON.stringify(input) }];
}

function collectToolCallParts(
  built: readonly StepWithSource[],
): [TimedToolRequest[], ToolExecution[], Map<string, unknown>] {
  const requests: TimedToolRequest[] = [];
  const seenCallIds = new Set<string>();
  const results = new Map<string, unknown>();
  const addRequests = (calls: RequestedToolCall[], requestedAtMs: number, includeWithoutId: boolean) => {
    for (const call of calls) {
      if (call.id === null ? !includeWithoutId : seenCallIds.has(call.id)) continue;
      if (call.id !== null) seenCallIds.add(call.id);
      requests.push({ ...call, requestedAtMs });
    }
  };

  for (const { step, startedAtMs, endedAtMs } of built) {
    if (step.type !== "llm") continue;
    const history = readMessageList(step.input) ?? [];
    // A replayed assistant turn in a later prompt still proves the call, even if its own generation was not recorded.
    for (const message of history) if (message.role === "assistant") addRequests(requestedToolCalls(message), startedAtMs, false);
    for (const [id, result] of toolResultsById(history)) results.set(id, result);
    const reply = assistantMessageFromOutput(step.output);
    if (reply) addRequests(requestedToolCalls(reply), endedAtMs ?? startedAtMs, true);
  }

  const executions: ToolExecution[] = built
    .filter(({ step }) => step.type === "tool")
    .map(({ step, observation, startedAtMs }) => ({
      stepId: step.id,
      name: toolNameOf(step),
      callId: toolCallIdOf(observation),
      input: step.input,
      output: step.output,
      error: step.error,
      startedAtMs,
    }));
  return [requests, executions, results];
}
