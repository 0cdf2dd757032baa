// Pairs the tool calls a model requested with the steps that executed them (by call id, else by name) into tool_calls[].
import type { NormalizedToolCall } from "../../traces/normalized-schema.ts";
import type { RequestedToolCall } from "./chat-messages.ts";
import { asJson, isRecord } from "./json-values.ts";

export interface TimedToolRequest extends RequestedToolCall {
  /** When the requesting llm step finished (or started); orders calls that no step executed. */
  requestedAtMs: number;
}

export interface ToolExecution {
  stepId: string;
  name: string;
  callId: string | null;
  input: unknown;
  output: unknown;
  error: string | null;
  startedAtMs: number;
}

export function pairToolCalls(
  requests: readonly TimedToolRequest[],
  executions: readonly ToolExecution[],
  resultsByCallId: ReadonlyMap<string, unknown>,
): NormalizedToolCall[] {
  const unpaired = new Set(executions);
  const byCallId = new Map(executions.filter((e) => e.callId !== null).map((e) => [e.callId as string, e]));
  const paired: Array<{ call: NormalizedToolCall; atMs: number }> = [];

  for (const request of requests) {
    const execution = findExecution(request, byCallId, unpaired);
    if (execution) {
      unpaired.delete(execution);
      paired.push({ call: fromExecution(execution, request.name, request.arguments), atMs: execution.startedAtMs });
    } else {
      const output = request.id !== null ? (resultsByCallId.get(request.id) ?? null) : null;
      paired.push({
        call: { name: request.name, arguments: asJson(request.arguments), output: asJson(output), error: null, step_id: null },
        atMs: request.requestedAtMs,
      });
    }
  }
  for (const execution of unpaired) {
    paired.push({ call: fromExecution(execution, execution.name, execution.input ?? null), atMs: execution.startedAtMs });
  }
  // Array.prototype.sort is stable, so equal times keep request order.
  return paired.sort((a, b) => a.atMs - b.atMs).map((entry) => entry.call);
}

function findExecution(
  request: TimedToolRequest,
  byCallId: ReadonlyMap<string, ToolExecution>,
  unpaired: ReadonlySet<ToolExecution>,
): ToolExecution | undefined {
  if (request.id !== null) {
    const exact = byCallId.get(request.id);
    if (exact && unpaired.has(exact)) return exact;
  }
  // Older SDKs record no call id on the tool span: take the first unclaimed execution of that tool that has no id of its own.
  for (const execution of unpaired) {
    if (execution.callId === null && execution.name === request.name) return execution;
  }
  return undefined;
}

function fromExecution(execution: ToolExecution, name: string, args: unknown): NormalizedToolCall {
  return {
    name,
    arguments: asJson(args),
    output: asJson(execution.output),
    error: execution.error,
    step_id: execution.stepId,
  };
}

/** The failure a tool reported in its result ({error: "..."} or {error: {message}}), or null. */
export function errorInToolOutput(output: unknown): string | null {
  if (!isRecord(output)) return null;
  const error = output.error;
  if (typeof error === "string") return error.trim() === "" ? null : error;
  if (isRecord(error)) return typeof error.message === "string" && error.message !== "" ? error.message : JSON.stringify(error);
  return null;
}
