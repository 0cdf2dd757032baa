// The pure OTLP/GenAI normalizer: tree rebuilt from parent ids (orphans and several roots kept), id and time encodings, errors.
import { describe, expect, test } from "bun:test";
import { flattenOtlpRequest, normalizeOtelTrace } from "./otel";

const attr = (key: string, value: string | number) => ({ key, value: typeof value === "string" ? { stringValue: value } : { intValue: String(value) } });
const span = (spanId: string, parentSpanId: string | null, startMs: number, extra: Record<string, unknown> = {}) => ({
  traceId: "5b8efff798038103d269b633813fc60c",
  spanId,
  parentSpanId: parentSpanId ?? "",
  name: `span-${spanId}`,
  startTimeUnixNano: String(BigInt(startMs) * 1_000_000n),
  endTimeUnixNano: String(BigInt(startMs + 100) * 1_000_000n),
  ...extra,
});
const request = (spans: unknown[]) => ({ resourceSpans: [{ resource: { attributes: [attr("service.name", "bot")] }, scopeSpans: [{ scope: { name: "s" }, spans }] }] });

describe("normalizeOtelTrace", () => {
  test("orphans become roots, several roots are kept, steps ordered by start then depth", () => {
    const spans = flattenOtlpRequest(
      request([
        span("0000000000000003", "0000000000000001", 1_767_225_600_010),
        span("0000000000000001", null, 1_767_225_600_000),
        span("0000000000000002", "00000000deadbeef", 1_767_225_600_005),
        span("0000000000000004", null, 1_767_225_600_010),
      ]),
    );
    const { normalized, raw } = normalizeOtelTrace(spans);
    expect(normalized.steps.map((s) => [s.id.slice(-1), s.parent_id?.slice(-1) ?? null])).toEqual([["1", null], ["2", null], ["4", null], ["3", "1"]]);
    expect(normalized).toMatchObject({ source: "otel", external_id: "5b8efff798038103d269b633813fc60c", timestamp: "2026-01-01T00:00:00.000Z", latency_ms: 110, has_errors: false });
    expect(raw).toEqual({ spans });
  });

  test("base64 ids and {low, high} nanos (older JS exporters) decode; an exception event explains an ERROR span", () => {
    const nanos = 1_767_225_600_000n * 1_000_000n;
    const asLong = (n: bigint) => ({ low: Number(n & 0xffffffffn) | 0, high: Number(n >> 32n) });
    const spans = flattenOtlpRequest(
      request([
        {
          traceId: Buffer.from("5b8efff798038103d269b633813fc60c", "hex").toString("base64"),
          spanId: Buffer.from("00f067aa0ba902b7", "hex").toString("base64"),
          name: "execute_tool lookup",
          startTimeUnixNano: asLong(nanos),
          endTimeUnixNano: asLong(nanos + 2_000_000n),
          attributes: [attr("gen_ai.operation.name", "execute_tool"), attr("gen_ai.tool.name", "lookup")],
          events: [{ name: "exception", attributes: [attr("exception.message", "lookup backend down")] }],
          status: { code: 2 },
        },
      ]),
    );
    const { normalized } = normalizeOtelTrace(spans);
    expect(normalized.steps[0]).toMatchObject({ id: "00f067aa0ba902b7", type: "tool", level: "error", error: "lookup backend down", duration_ms: 2 });
    expect(normalized.tool_calls).toEqual([{ name: "lookup", arguments: null, output: null, error: "lookup backend down", step_id: "00f067aa0ba902b7" }]);
    expect(normalized.has_errors).toBe(true);
  });

  test("NaN and infinite doubles, as null (JSON exporter) or as text (proto3 JSON mapping), become null; the trace still normalizes", () => {
    const doubles = [null, "NaN", "-Infinity", 0.5].map((doubleValue, i) => ({ key: `d${i}`, value: { doubleValue } }));
    const spans = flattenOtlpRequest(request([span("a1", null, 1_000, { attributes: doubles })]));
    expect(spans[0]!.attributes).toEqual({ d0: null, d1: null, d2: null, d3: 0.5 });
    expect(normalizeOtelTrace(spans).normalized.steps).toHaveLength(1);
  });

  test("a body that is not OTLP is a NormalizeError naming the problem", () => {
    expect(() => flattenOtlpRequest({ resourceSpans: [{ scopeSpans: [{ spans: [{ spanId: "x" }] }] }] })).toThrow(/Not an OTLP/);
  });
});
