// The demo generator must be deterministic, valid against the contract, full of the edge cases, and carry a learnable signal.
import { describe, expect, test } from "bun:test";
import { NormalizedTraceSchema } from "../traces/normalized-schema.ts";
import { normalizeLangfuseTraceDetail } from "../ingest/normalize/langfuse.ts";
import { DEMO_EVAL_SET, DEMO_SCENARIOS, generateDemoTraces } from "./generate.ts";
import { demoGroundTruth } from "./ground-truth.ts";

const NOW = new Date("2026-08-01T12:00:00.000Z");
const traces = generateDemoTraces({ count: 300, seed: 42, now: NOW });

describe("generateDemoTraces", () => {
  test("is deterministic for a seed and differs across seeds", () => {
    const again = generateDemoTraces({ count: 300, seed: 42, now: NOW });
    expect(again).toEqual(traces);
    const other = generateDemoTraces({ count: 300, seed: 7, now: NOW });
    expect(other.map((trace) => trace.externalId)).not.toEqual(traces.map((trace) => trace.externalId));
  });

  test("produces the requested count with unique ids, sorted by timestamp, within the last 30 days", () => {
    expect(traces).toHaveLength(300);
    expect(generateDemoTraces({ count: 5, now: NOW })).toHaveLength(5);
    expect(new Set(traces.map((trace) => trace.externalId)).size).toBe(300);
    const times = traces.map((trace) => Date.parse(trace.normalized.timestamp));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const oldest = NOW.getTime() - 31 * 86_400_000;
    for (const time of times) expect(time > oldest && time <= NOW.getTime() + 1000).toBe(true);
  });

  test("every trace is a valid Langfuse detail whose normalization meets the contract", () => {
    for (const trace of traces) {
      expect(NormalizedTraceSchema.safeParse(trace.normalized).success).toBe(true);
      expect(normalizeLangfuseTraceDetail(trace.raw).normalized).toEqual(trace.normalized);
      expect(trace.normalized.external_id).toBe(trace.externalId);
    }
  });

  test("contains every scenario and the edge cases: tool/LLM errors, long outputs, unicode, XSS, legacy SDK spans", () => {
    expect(new Set(traces.map((trace) => trace.scenario))).toEqual(new Set(DEMO_SCENARIOS));
    const all = traces.map((trace) => trace.normalized);
    expect(all.some((trace) => trace.tool_calls.some((call) => call.error !== null))).toBe(true);
    expect(all.some((trace) => trace.steps.some((step) => step.type === "llm" && step.level === "error"))).toBe(true);
    const longest = Math.max(...all.map((trace) => (typeof trace.output === "string" ? trace.output.length : 0)));
    expect(longest).toBeGreaterThanOrEqual(20_000);
    expect(longest).toBeLessThanOrEqual(41_000);
    const conversations = JSON.stringify(all.map((trace) => trace.messages));
    for (const sample of ["注文", "أين", "👨‍👩‍👧‍👦", "🇩🇪", "Grüße", "¿Dónde", "<script>", "onerror="]) expect(conversations).toContain(sample);
    expect(all.some((trace) => trace.steps.some((step) => step.type === "tool" && step.name?.startsWith("tool:")))).toBe(true);
    expect(all.some((trace) => trace.steps.filter((step) => step.parent_id === null).length > 1)).toBe(true);
  });

  test("varies users, sessions, environments, models, tags; some sessions span several traces", () => {
    const all = traces.map((trace) => trace.normalized);
    expect(new Set(all.map((trace) => trace.user_id)).size).toBeGreaterThan(30);
    expect(all.some((trace) => trace.user_id === null)).toBe(true);
    expect(all.some((trace) => trace.session_id === null)).toBe(true);
    const sessions = all.map((trace) => trace.session_id).filter((id) => id !== null);
    expect(new Set(sessions).size).toBeLessThan(sessions.length);
    const environments = new Set(all.map((trace) => (trace.metadata.langfuse as { environment: string }).environment));
    expect(environments).toEqual(new Set(["production", "staging"]));
    expect(new Set(all.flatMap((trace) => trace.steps.map((step) => step.model)).filter(Boolean)).size).toBe(3);
    expect(new Set(all.flatMap((trace) => trace.tags)).size).toBeGreaterThan(8);
    for (const trace of all) {
      if (trace.latency_ms !== null) expect(trace.latency_ms).toBeGreaterThan(0);
      if (trace.steps.some((step) => step.type === "llm" && step.level !== "error")) expect(trace.cost_usd).toBeGreaterThan(0);
    }
  });

  test("ground truth separates flawed runs from good ones, with a realistic share of negatives", () => {
    const negatives = traces.filter((trace) => !demoGroundTruth(trace.normalized).passed);
    expect(negatives.length / traces.length).toBeGreaterThan(0.2);
    expect(negatives.length / traces.length).toBeLessThan(0.45);
    const flawed = new Set(["refund_large_unauthorized", "kb_uncited", "tool_error_unrecovered", "llm_error_fatal", "xss_probe_echoed"]);
    for (const trace of traces) expect(demoGroundTruth(trace.normalized).passed).toBe(!flawed.has(trace.scenario));
  });

  test("the demo eval set has a name and a rubric that names the failure modes", () => {
    expect(DEMO_EVAL_SET.name.length).toBeGreaterThan(0);
    for (const phrase of ["500 EUR", "[kb-<id>]", "escalat", "script"]) expect(DEMO_EVAL_SET.rubric).toContain(phrase);
  });
});
