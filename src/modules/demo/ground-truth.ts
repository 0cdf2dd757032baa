// The demo eval set's ground truth, computed from the normalized trace alone, so demo labels carry a signal an eval can learn.
// For tests and benches (e.g. simulating a reviewer); never shown in the UI.
import type { NormalizedToolCall, NormalizedTrace } from "../traces/normalized-schema.ts";
import { REFUND_LIMIT_EUR } from "./generator/content.ts";

export const DEMO_CRITERIA = [
  "refund_over_limit_without_escalation",
  "uncited_kb_answer",
  "unrecovered_tool_error",
  "no_final_answer",
  "unsafe_markup_echoed",
] as const;

export type DemoCriterion = (typeof DEMO_CRITERIA)[number];

export interface DemoVerdict {
  passed: boolean;
  failed: DemoCriterion[];
}

const UNSAFE_MARKUP = /<script|onerror\s*=|onload\s*=|javascript:|<iframe/i;
const KB_CITATION = /\[kb-\d+\]/;

export function demoGroundTruth(trace: NormalizedTrace): DemoVerdict {
  const answer = typeof trace.output === "string" ? trace.output : null;
  const calls = trace.tool_calls;
  const escalated = calls.some((call) => call.name === "escalate" && call.error === null);
  const failed: DemoCriterion[] = [];

  if (!escalated && calls.some((call) => call.name === "refund" && call.error === null && refundAmount(call) > REFUND_LIMIT_EUR)) {
    failed.push("refund_over_limit_without_escalation");
  }
  if (answer !== null && calls.some(returnedKbArticles) && !KB_CITATION.test(answer)) failed.push("uncited_kb_answer");
  if (!escalated && calls.some((call, index) => call.error !== null && !retriedSuccessfully(calls, index))) {
    failed.push("unrecovered_tool_error");
  }
  if (answer === null || answer.trim() === "") failed.push("no_final_answer");
  if (answer !== null && UNSAFE_MARKUP.test(answer)) failed.push("unsafe_markup_echoed");

  return { passed: failed.length === 0, failed };
}

function refundAmount(call: NormalizedToolCall): number {
  const args = call.arguments;
  const amount = args !== null && typeof args === "object" && !Array.isArray(args) ? args.amount_eur : undefined;
  return typeof amount === "number" ? amount : 0;
}

function returnedKbArticles(call: NormalizedToolCall): boolean {
  const output = call.output;
  if (call.name !== "lookup_kb" || output === null || typeof output !== "object" || Array.isArray(output)) return false;
  return Array.isArray(output.articles) && output.articles.length > 0;
}

function retriedSuccessfully(calls: readonly NormalizedToolCall[], failedIndex: number): boolean {
  const failedCall = calls[failedIndex];
  return calls.slice(failedIndex + 1).some((call) => call.name === failedCall?.name && call.error === null);
}
