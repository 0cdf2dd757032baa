// OTLP/HTTP ingestion tested with the real OpenTelemetry exporters (JSON and protobuf): GenAI spans → normalized trace, merged across exports, token auth.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { context, diag, DiagLogLevel, trace, SpanKind, SpanStatusCode, type Span, type Tracer } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as OTLPProtoTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes, type Resource } from "@opentelemetry/resources";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from "@opentelemetry/sdk-trace-base";
import { and, eq } from "drizzle-orm";
import { traces } from "../../db/schema";
import { createTestApp, setUpOwner, type TestApp } from "../../../test/support/app";
import { createApiToken } from "../tokens/service";
import type { NormalizedTrace } from "../traces/normalized-schema";

let t: TestApp;
let server: { stop(force?: boolean): unknown };
let url: string;
let token: string;
let workspaceId: string;
let provider: BasicTracerProvider;
let tracer: Tracer;
let resource: Resource;

beforeAll(async () => {
  t = await createTestApp();
  await setUpOwner(t);
  const owner = (await t.deps.database.db.query.users.findFirst())!;
  workspaceId = (await t.deps.database.db.query.workspaces.findFirst())!.id;
  token = (await createApiToken(t.deps.database, t.deps.secrets, { workspaceId, userId: owner.id, name: "otel" })).token;
  const listening = t.app.listen({ port: 0, hostname: "127.0.0.1" });
  server = listening.server!;
  url = `http://127.0.0.1:${listening.server!.port}/api/v1/otel/v1/traces`;
  const exporter = new OTLPTraceExporter({ url, headers: { Authorization: `Bearer ${token}` } });
  resource = resourceFromAttributes({ "service.name": "support-bot", "deployment.environment.name": "staging" });
  provider = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(exporter)] });
  tracer = provider.getTracer("agent-under-test");
}, 30_000);
afterAll(async () => {
  await provider.shutdown();
  await server.stop(true);
  await t.close();
});

const child = (parent: Span, name: string, attributes: Record<string, string | number>) => tracer.startSpan(name, { attributes }, trace.setSpan(context.active(), parent));

type ProtoExporterConfig = NonNullable<ConstructorParameters<typeof OTLPProtoTraceExporter>[0]>;

/** Spans recorded in memory, so the same spans can go through both exporters. */
async function recordSpans(run: (tracer: Tracer) => Promise<void>): Promise<ReadableSpan[]> {
  const recorder = new InMemorySpanExporter();
  const recording = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(recorder)] });
  await run(recording.getTracer("agent-under-test", "1.2.0"));
  await recording.forceFlush();
  const spans = recorder.getFinishedSpans();
  await recording.shutdown();
  return spans;
}

async function exportWith(exporter: SpanExporter, spans: ReadableSpan[]) {
  const result = await new Promise<{ code: number; error?: Error }>((resolve) => exporter.export(spans, resolve));
  expect(result.error).toBeUndefined();
  expect(result.code).toBe(0); // ExportResultCode.SUCCESS
  await exporter.shutdown();
}

async function storedTrace(traceId: string) {
  const [row] = await t.deps.database.db.select().from(traces).where(and(eq(traces.workspaceId, workspaceId), eq(traces.source, "otel"), eq(traces.externalId, traceId)));
  return row!;
}

describe("OTLP endpoint", () => {
  test("an agent run with GenAI spans becomes one normalized trace: steps, model, usage, paired tool call, error", async () => {
    const agent = tracer.startSpan("invoke_agent support", { attributes: { "gen_ai.operation.name": "invoke_agent", "user.id": "u-7", "gen_ai.conversation.id": "conv-1" } });
    await Bun.sleep(3);
    const chat = child(agent, "chat gpt-4o-mini", {
      "gen_ai.operation.name": "chat",
      "gen_ai.request.model": "gpt-4o-mini",
      "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
      "gen_ai.usage.input_tokens": 120,
      "gen_ai.usage.output_tokens": 18,
      "gen_ai.input.messages": JSON.stringify([{ role: "user", parts: [{ type: "text", content: "Where is order 42? <script>x</script>" }] }]),
      "gen_ai.output.messages": JSON.stringify([{ role: "assistant", parts: [{ type: "tool_call", id: "call_1", name: "get_order", arguments: { id: 42 } }], finish_reason: "tool_call" }]),
    });
    chat.end();
    // Steps sort by start time: a few milliseconds apart keeps the order the test expects.
    await Bun.sleep(3);
    const tool = child(agent, "execute_tool get_order", {
      "gen_ai.operation.name": "execute_tool",
      "gen_ai.tool.name": "get_order",
      "gen_ai.tool.call.id": "call_1",
      "gen_ai.tool.call.arguments": '{"id": 42}',
      "gen_ai.tool.call.result": '{"status": "shipped"}',
    });
    tool.end();
    await Bun.sleep(3);
    const answer = child(agent, "chat gpt-4o-mini", {
      "gen_ai.operation.name": "chat",
      "gen_ai.request.model": "gpt-4o-mini",
      "gen_ai.input.messages": JSON.stringify([
        { role: "user", parts: [{ type: "text", content: "Where is order 42? <script>x</script>" }] },
        { role: "assistant", parts: [{ type: "tool_call", id: "call_1", name: "get_order", arguments: { id: 42 } }] },
        { role: "tool", parts: [{ type: "tool_call_response", id: "call_1", response: { status: "shipped" } }] },
      ]),
      "gen_ai.output.messages": JSON.stringify([{ role: "assistant", parts: [{ type: "text", content: "Order 42 has shipped." }] }]),
    });
    answer.setStatus({ code: SpanStatusCode.ERROR, message: "content filter tripped" });
    answer.end();
    // The root ends last, so its export arrives after the children's: the trace is assembled across requests.
    agent.end();
    await provider.forceFlush();

    const row = await storedTrace(agent.spanContext().traceId);
    expect(row.normalizeError).toBeNull();
    const n = row.normalized as unknown as NormalizedTrace;
    expect(n.steps.map((s) => [s.type, s.parent_id === null])).toEqual([["agent", true], ["llm", false], ["tool", false], ["llm", false]]);
    expect(n.steps[1]).toMatchObject({ model: "gpt-4o-mini-2024-07-18", usage: { input_tokens: 120, output_tokens: 18 } });
    expect(n.tool_calls).toEqual([{ name: "get_order", arguments: { id: 42 }, output: { status: "shipped" }, error: null, step_id: tool.spanContext().spanId }]);
    expect(n.steps[3]).toMatchObject({ level: "error", error: "content filter tripped" });
    expect(n).toMatchObject({ name: "invoke_agent support", user_id: "u-7", session_id: "conv-1", has_errors: true, input: "Where is order 42? <script>x</script>", output: "Order 42 has shipped." });
    expect(n.messages.at(-1)).toEqual({ role: "assistant", content: "Order 42 has shipped." });
    expect(row).toMatchObject({ environment: "staging", models: ["gpt-4o-mini-2024-07-18", "gpt-4o-mini"], toolNames: ["get_order"], hasErrors: true });
    expect((row.raw as { spans: unknown[] }).spans).toHaveLength(4);
  });

  test("a retried export changes nothing", async () => {
    const body = { resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans: [{ traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", name: "chat", startTimeUnixNano: "1767225600000000000", endTimeUnixNano: "1767225601500000000", attributes: [{ key: "gen_ai.operation.name", value: { stringValue: "chat" } }] }] }] }] };
    for (let i = 0; i < 2; i++) {
      const response = await fetch(url, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) });
      expect(response.status).toBe(200);
    }
    const row = await storedTrace("0af7651916cd43dd8448eb211c80319c");
    expect((row.raw as { spans: unknown[] }).spans).toHaveLength(1);
    expect(row).toMatchObject({ latencyMs: 1500, timestamp: new Date("2026-01-01T00:00:00.000Z") });
  });

  test("the protobuf exporter stores exactly the trace the JSON exporter stores for the same spans", async () => {
    const spans = await recordSpans(async (tracer) => {
      const agent = tracer.startSpan("invoke_agent support", { attributes: { "gen_ai.operation.name": "invoke_agent", "user.id": "u-9", "session.id": "s-1" } });
      const inAgent = trace.setSpan(context.active(), agent);
      await Bun.sleep(2);
      const chat = tracer.startSpan(
        "chat gpt-4o",
        {
          kind: SpanKind.CLIENT,
          attributes: {
            "gen_ai.operation.name": "chat",
            "gen_ai.request.model": "gpt-4o",
            "gen_ai.usage.input_tokens": 1_234_567,
            "gen_ai.usage.output_tokens": 89,
            "gen_ai.usage.cost": 0.012345,
            "gen_ai.request.temperature": 0.5,
            "gen_ai.response.finish_reasons": ["tool_call", "stop"],
            "gen_ai.request.stream": false,
            "app.retry_counts": [0, 2, -3],
            "gen_ai.input.messages": JSON.stringify([{ role: "user", parts: [{ type: "text", content: "Refund order 7? ünïcode ✓ <img src=x onerror=alert(1)>" }] }]),
            "gen_ai.output.messages": JSON.stringify([{ role: "assistant", parts: [{ type: "tool_call", id: "call_9", name: "refund", arguments: { order: 7 } }] }]),
          },
        },
        inAgent,
      );
      chat.end();
      await Bun.sleep(2);
      const tool = tracer.startSpan("execute_tool refund", { attributes: { "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "refund", "gen_ai.tool.call.id": "call_9", "gen_ai.tool.call.arguments": '{"order": 7}' } }, inAgent);
      tool.recordException(new Error("payments API timed out"));
      tool.setStatus({ code: SpanStatusCode.ERROR });
      tool.end();
      agent.end();
    });
    const traceId = spans[0]!.spanContext().traceId;

    await exportWith(new OTLPTraceExporter({ url, headers: { Authorization: `Bearer ${token}` } }), spans);
    const viaJson = await storedTrace(traceId);
    await t.deps.database.db.delete(traces).where(eq(traces.id, viaJson.id));
    await exportWith(new OTLPProtoTraceExporter({ url, headers: { Authorization: `Bearer ${token}` } }), spans);
    const viaProtobuf = await storedTrace(traceId);

    expect(viaJson.normalizeError).toBeNull();
    const n = viaJson.normalized as unknown as NormalizedTrace;
    expect(n.steps.map((s) => s.type)).toEqual(["agent", "llm", "tool"]);
    expect(n.steps[1]).toMatchObject({ usage: { input_tokens: 1_234_567, output_tokens: 89 }, cost_usd: 0.012345 });
    expect(n.steps[2]).toMatchObject({ level: "error", error: "payments API timed out" });
    // Everything but the row's own identity (its id, which the normalized trace repeats, and its timestamps).
    const content = ({ id: _id, createdAt: _created, updatedAt: _updated, normalized, ...row }: typeof viaJson) => ({ ...row, normalized: { ...normalized, id: null } });
    expect(content(viaProtobuf)).toEqual(content(viaJson));
  });

  test("protobuf: gzip, and a trace that cannot be normalized comes back to the exporter as a partial success", async () => {
    const warnings: string[] = [];
    diag.setLogger({ error() {}, warn: (...args: unknown[]) => warnings.push(args.join(" ")), info() {}, debug() {}, verbose() {} }, DiagLogLevel.WARN);
    try {
      const spans = await recordSpans(async (tracer) => {
        // A token count past any integer breaks the normalized contract: the trace is stored with its error, and the exporter told.
        tracer.startSpan("chat gpt-4o", { attributes: { "gen_ai.operation.name": "chat", "gen_ai.usage.input_tokens": 1e300 } }).end();
      });
      const traceId = spans[0]!.spanContext().traceId;
      await exportWith(new OTLPProtoTraceExporter({ url, headers: { Authorization: `Bearer ${token}` }, compression: "gzip" as ProtoExporterConfig["compression"] }), spans);
      const row = await storedTrace(traceId);
      expect(row.normalized).toBeNull();
      expect(row.normalizeError).toContain("does not meet the contract");
      expect(warnings.join("\n")).toContain(`Received Partial Success response: {"errorMessage":"trace ${traceId}: `);
    } finally {
      diag.disable();
    }
  });

  test("refuses unauthenticated calls, other media types, malformed protobuf, and bodies that are not OTLP", async () => {
    expect((await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).status).toBe(401);
    const text = await fetch(url, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "text/plain" }, body: "{}" });
    expect(text.status).toBe(415);
    expect((await text.json()).error.message).toContain("http/protobuf");
    const truncated = await fetch(url, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/x-protobuf" }, body: new Uint8Array([0x0a, 0x05, 0x12]) });
    expect(truncated.status).toBe(400);
    expect((await truncated.json()).error).toMatchObject({ code: "invalid_protobuf", message: expect.stringContaining("resource_spans: length 5 runs past the end") });
    const empty = await fetch(url, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/x-protobuf" }, body: new Uint8Array() });
    expect(empty.status).toBe(200);
    expect(empty.headers.get("content-type")).toBe("application/x-protobuf");
    expect((await empty.arrayBuffer()).byteLength).toBe(0);
    const notGzip = await fetch(url, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/x-protobuf", "content-encoding": "gzip" }, body: new Uint8Array([1, 2, 3]) });
    expect(notGzip.status).toBe(400);
    const bad = await fetch(url, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ name: 1 }] }] }] }) });
    expect(bad.status).toBe(422);
    const gz = await fetch(url, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "content-encoding": "gzip" }, body: Bun.gzipSync(new TextEncoder().encode("{}")) });
    expect(gz.status).toBe(200);
  });
});
