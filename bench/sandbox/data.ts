// Data for the sandbox benchmarks: deterministic normalized traces of ~2.5 KB and a realistic eval.
import { seededRandom } from "../../src/modules/generation/cross-validation.ts";

const WORDS = "order refund account shipping delay invoice password reset charge card plan upgrade cancel email address tracking warehouse label".split(" ");
const TOOLS = ["lookup_order", "issue_refund", "search_kb", "update_address", "send_email"];

function sentence(next: () => number, words: number): string {
  return Array.from({ length: words }, () => WORDS[Math.floor(next() * WORDS.length)]).join(" ");
}

/** One normalized trace (the shape of DESIGN.md's contract), about 2.5 KB of JSON. */
export function makeTrace(index: number): Record<string, unknown> {
  const next = seededRandom(index + 1);
  const started = Date.UTC(2025, 0, 1) + index * 60_000;
  const toolCalls = Array.from({ length: 1 + Math.floor(next() * 3) }, (_, call) => ({
    name: TOOLS[Math.floor(next() * TOOLS.length)],
    arguments: { order_id: `ord_${index}_${call}`, note: sentence(next, 6) },
    output: { status: "ok", detail: sentence(next, 10) },
    error: next() < 0.05 ? "upstream timeout" : null,
    step_id: `s${call + 1}`,
  }));
  const output = sentence(next, 20 + Math.floor(next() * 20));
  return {
    id: `trace-${index}`,
    source: "bench",
    external_id: `ext-${index}`,
    name: "support-agent",
    timestamp: new Date(started).toISOString(),
    input: { question: sentence(next, 18) },
    output,
    messages: [
      { role: "system", content: "You are a helpful support agent for an online shop." },
      { role: "user", content: sentence(next, 25) },
      { role: "assistant", content: output },
    ],
    steps: toolCalls.map((call, step) => ({
      id: call.step_id, parent_id: null, type: "tool", name: call.name, input: call.arguments, output: call.output,
      error: call.error, level: call.error ? "ERROR" : "DEFAULT",
      started_at: new Date(started + step * 400).toISOString(), ended_at: new Date(started + step * 400 + 350).toISOString(),
      duration_ms: 350, model: null, usage: { input_tokens: 0, output_tokens: 0 }, cost_usd: 0,
    })),
    tool_calls: toolCalls,
    metadata: { region: next() < 0.5 ? "eu" : "us", plan: next() < 0.3 ? "pro" : "free" },
    tags: ["bench", "support"],
    user_id: `user-${index % 97}`,
    session_id: `session-${index % 500}`,
    latency_ms: Math.round(400 + next() * 4000),
    cost_usd: Math.round(next() * 1e5) / 1e7,
    has_errors: toolCalls.some((call) => call.error),
  };
}

export function* traceItems(count: number, offset = 0): Generator<{ id: string; trace: unknown }> {
  for (let index = offset; index < offset + count; index++) yield { id: `trace-${index}`, trace: makeTrace(index) };
}

/** A typical generated eval: tool errors, a rule with a regex, a length check. Passes the static check. */
export const BENCH_EVAL = `
import re

REFUND = re.compile(r"\\brefund(ed)?\\b", re.IGNORECASE)

def evaluate(trace):
    calls = trace.get("tool_calls") or []
    failed = [call for call in calls if call.get("error")]
    if failed:
        return False, "tool %s failed: %s" % (failed[0]["name"], failed[0]["error"])
    answer = trace.get("output") or ""
    if REFUND.search(answer) and not any(call["name"] == "issue_refund" for call in calls):
        return False, "mentions a refund without calling issue_refund"
    if len(answer) < 40:
        return False, "answer too short (%d chars)" % len(answer)
    return True, "%d steps, %d tool calls" % (len(trace.get("steps") or []), len(calls))
`;
