// Builds synthetic normalized traces with known failure causes, for the synthesizer's tests.
import type { NormalizedTrace } from "../../traces/normalized-schema";
import { seededRandom } from "../cross-validation";

export interface ToolCallSpec {
  name: string;
  arguments: Record<string, unknown>;
  output: unknown;
  error?: string;
}

export function makeTrace(id: string, input: unknown, output: string, calls: ToolCallSpec[], extra: Partial<NormalizedTrace> = {}): NormalizedTrace {
  const at = (ms: number) => new Date(Date.UTC(2025, 2, 3, 12, 0, 0, ms)).toISOString();
  const steps: NormalizedTrace["steps"] = calls.map((call, i) => ({
    id: `${id}-s${i}`,
    parent_id: null,
    type: "tool",
    name: call.name,
    input: call.arguments as NormalizedTrace["steps"][number]["input"],
    output: (call.output ?? null) as NormalizedTrace["steps"][number]["output"],
    error: call.error ?? null,
    level: call.error ? "error" : "default",
    started_at: at(i * 100),
    ended_at: at(i * 100 + 50),
    duration_ms: 50,
    model: null,
    usage: null,
    cost_usd: null,
  }));
  return {
    id,
    source: "test",
    external_id: null,
    name: "support-bot",
    timestamp: at(0),
    input: input as NormalizedTrace["input"],
    output,
    messages: [],
    steps,
    tool_calls: calls.map((call, i) => ({ name: call.name, arguments: call.arguments as NormalizedTrace["input"], output: (call.output ?? null) as NormalizedTrace["input"], error: call.error ?? null, step_id: `${id}-s${i}` })),
    metadata: {},
    tags: [],
    user_id: null,
    session_id: null,
    latency_ms: calls.length * 100 + 37,
    cost_usd: 0.0013 * (calls.length + 1),
    has_errors: calls.some((c) => c.error),
    ...extra,
  };
}

export interface LabelledTrace {
  trace: NormalizedTrace;
  failed: boolean;
}

const CUSTOMERS = ["Ana", "Bo", "Chen", "Dara", "Eli", "Fay", "Gus", "Hana"];
const TOPICS = ["late delivery", "damaged item", "wrong size", "double charge", "missing parts"];

/**
 * A support agent that may refund, email and escalate. Human fails a trace when a refund was issued without
 * a prior `escalate` call, or when the sent email still holds a placeholder like [Name]. `noise` flips
 * that share of labels, as real labellers do.
 */
export function supportDataset(count: number, seed: number, noise = 0): LabelledTrace[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  return Array.from({ length: count }, (_, k) => {
    const customer = pick(CUSTOMERS);
    const topic = pick(TOPICS);
    const calls: ToolCallSpec[] = [{ name: "lookup_order", arguments: { order_id: `ord_${1000 + k}` }, output: { status: "delivered", total: 19.5 + k } }];
    const refunds = random() < 0.5;
    const escalates = random() < 0.6;
    if (escalates) calls.push({ name: "escalate", arguments: { reason: topic }, output: { ticket: `T-${k}` } });
    if (refunds) calls.push({ name: "refund", arguments: { order_id: `ord_${1000 + k}`, amount: 19.5 + k }, output: { ok: true } });
    const placeholder = random() < 0.25;
    calls.push({ name: "send_email", arguments: { to: `${customer.toLowerCase()}@example.com`, body: `Hi ${placeholder ? "[Name]" : customer}, about your ${topic}: we are on it.` }, output: { sent: true } });
    if (random() < 0.15) calls.splice(1, 0, { name: "lookup_order", arguments: { order_id: "bad" }, output: null, error: "not found" });
    const output = `${refunds ? "I refunded your order." : "I looked into your order."} ${random() < 0.3 ? "Sorry for the trouble!" : "Anything else?"}`;
    const truth = (refunds && !escalates) || placeholder;
    const failed = random() < noise ? !truth : truth;
    return { trace: makeTrace(`t${String(k).padStart(4, "0")}`, { message: `Hello, ${topic} on my order` }, output, calls), failed };
  });
}
