// The OTLP protobuf codec on hand-encoded bytes: every AnyValue kind, unknown fields skipped, malformed input refused cleanly.
import { describe, expect, test } from "bun:test";
import { seededRandom } from "../generation/cross-validation";
import { flattenOtlpRequest } from "./normalize/otel";
import { decodeExportTraceServiceRequest, encodeExportTraceServiceResponse, ProtobufDecodeError } from "./otlp-protobuf";

// A minimal protobuf writer, independent of the decoder, to build the bodies by field number.
type Bytes = number[];
const varint = (value: bigint | number): Bytes => {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: Bytes = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  return [...out, Number(v)];
};
const tag = (field: number, wire: number) => varint((field << 3) | wire);
const int = (field: number, value: bigint | number): Bytes => [...tag(field, 0), ...varint(value)];
const fixed64 = (field: number, value: bigint): Bytes => [...tag(field, 1), ...Buffer.from(new BigUint64Array([value]).buffer)];
const double = (field: number, value: number): Bytes => [...tag(field, 1), ...Buffer.from(new Float64Array([value]).buffer)];
const fixed32 = (field: number, value: number): Bytes => [...tag(field, 5), ...Buffer.from(new Uint32Array([value]).buffer)];
const bytes = (field: number, value: Bytes | Uint8Array): Bytes => [...tag(field, 2), ...varint(value.length), ...value];
const str = (field: number, value: string) => bytes(field, Buffer.from(value, "utf8"));
const hex = (field: number, value: string) => bytes(field, Buffer.from(value, "hex"));
const message = (field: number, ...fields: Bytes[]) => bytes(field, fields.flat());
const keyValue = (field: number, key: string, ...value: Bytes[]) => message(field, str(1, key), message(2, ...value));
const body = (...fields: Bytes[]) => Uint8Array.from(fields.flat());

const TRACE_ID = "5b8efff798038103d269b633813fc60c";
const START = 1_767_225_600_123_456_789n;
/** Unknown fields of every wire type, as a newer exporter might add them. */
const unknownFields = (): Bytes[] => [int(90, 7), fixed64(91, 1n), str(92, "future"), fixed32(93, 5)];

/** One ResourceSpans holding one span whose attributes v0, v1, … have the given AnyValue bodies, with every other field set. */
function resourceSpansWith(...values: Bytes[][]): Bytes {
  return message(
    1,
    message(1, keyValue(1, "service.name", str(1, "support-bot")), int(2, 0), ...unknownFields()),
    message(
      2,
      message(1, str(1, "agent"), str(2, "1.0.0"), ...unknownFields()),
      message(
        2,
        hex(1, TRACE_ID),
        hex(2, "00f067aa0ba902b7"),
        str(3, "rojo=00f067aa0ba902b7"),
        hex(4, "b7ad6b7169203331"),
        fixed32(16, 0x101),
        str(5, "chat gpt-4o"),
        int(6, 3),
        fixed64(7, START),
        fixed64(8, START + 1_500_000n),
        ...values.map((value, i) => keyValue(9, `v${i}`, ...value)),
        int(10, 0),
        message(11, fixed64(1, START + 1_000n), str(2, "exception"), keyValue(3, "exception.message", str(1, "boom")), int(4, 0), ...unknownFields()),
        message(13, hex(1, TRACE_ID), hex(2, "0000000000000001")),
        message(15, str(2, "failed"), int(3, 2), ...unknownFields()),
        ...unknownFields(),
      ),
    ),
    str(3, "https://opentelemetry.io/schemas/1.30.0"),
  );
}
const spanWithValues = (...values: Bytes[][]) => body(resourceSpansWith(...values), ...unknownFields());

describe("decodeExportTraceServiceRequest", () => {
  test("every AnyValue kind decodes to its OTLP/JSON form; ids become hex, nanoseconds decimal strings; unknown fields are skipped", () => {
    const decoded = decodeExportTraceServiceRequest(
      spanWithValues(
        [str(1, "héllo <b>")],
        [int(2, 1)],
        [int(3, -5)],
        [int(3, 9_223_372_036_854_775_807n)],
        [double(4, 0.25)],
        [bytes(7, [0, 255, 16])],
        [message(5, message(1, str(1, "a")), message(1, int(3, 2)), message(1, message(5)))],
        [message(6, keyValue(1, "k", int(2, 0)), keyValue(1, "nested", message(6, keyValue(1, "x", double(4, -1.5)))))],
        [],
        [str(1, "first"), int(3, 3)],
        [double(4, Number.NaN)],
        [double(4, Number.NEGATIVE_INFINITY)],
      ),
    );
    expect(decoded).toEqual({
      resourceSpans: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "support-bot" } }] },
          scopeSpans: [
            {
              scope: { name: "agent" },
              spans: [
                {
                  traceId: TRACE_ID,
                  spanId: "00f067aa0ba902b7",
                  parentSpanId: "b7ad6b7169203331",
                  name: "chat gpt-4o",
                  kind: 3,
                  startTimeUnixNano: "1767225600123456789",
                  endTimeUnixNano: "1767225600124956789",
                  attributes: [
                    { key: "v0", value: { stringValue: "héllo <b>" } },
                    { key: "v1", value: { boolValue: true } },
                    { key: "v2", value: { intValue: "-5" } },
                    { key: "v3", value: { intValue: "9223372036854775807" } },
                    { key: "v4", value: { doubleValue: 0.25 } },
                    { key: "v5", value: { bytesValue: "AP8Q" } },
                    { key: "v6", value: { arrayValue: { values: [{ stringValue: "a" }, { intValue: "2" }, { arrayValue: { values: [] } }] } } },
                    { key: "v7", value: { kvlistValue: { values: [{ key: "k", value: { boolValue: false } }, { key: "nested", value: { kvlistValue: { values: [{ key: "x", value: { doubleValue: -1.5 } }] } } }] } } },
                    { key: "v8", value: {} },
                    { key: "v9", value: { intValue: "3" } },
                    { key: "v10", value: { doubleValue: "NaN" } },
                    { key: "v11", value: { doubleValue: "-Infinity" } },
                  ],
                  events: [{ timeUnixNano: "1767225600123457789", name: "exception", attributes: [{ key: "exception.message", value: { stringValue: "boom" } }] }],
                  status: { message: "failed", code: 2 },
                },
              ],
            },
          ],
        },
      ],
    });
  });

  test("the decoded request is what flattenOtlpRequest reads: attribute values, times and status come through", () => {
    const [span] = flattenOtlpRequest(decodeExportTraceServiceRequest(spanWithValues([int(3, -5)], [message(5, message(1, double(4, 2.5)))], [double(4, Number.POSITIVE_INFINITY)])));
    expect(span).toMatchObject({
      traceId: TRACE_ID,
      parentSpanId: "b7ad6b7169203331",
      kind: 3,
      startTimeMs: 1_767_225_600_123.456_789,
      endTimeMs: 1_767_225_600_124.956_789,
      attributes: { v0: -5, v1: [2.5], v2: null },
      events: [{ name: "exception", timeMs: 1_767_225_600_123.457_789, attributes: { "exception.message": "boom" } }],
      status: { code: 2, message: "failed" },
      resource: { "service.name": "support-bot" },
      scope: "agent",
    });
  });

  test("absent fields take proto3 defaults where the JSON shape needs them; an empty body is an empty request", () => {
    expect(decodeExportTraceServiceRequest(new Uint8Array())).toEqual({ resourceSpans: [] });
    expect(decodeExportTraceServiceRequest(body(message(1, message(2, message(2)))))).toEqual({
      resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: "", spanId: "", name: "", startTimeUnixNano: "0", attributes: [], events: [] }] }] }],
    });
  });

  test("every truncation of a request is refused with where and why", () => {
    // One top-level field, so no strict prefix ends on a field boundary.
    const whole = body(resourceSpansWith([str(1, "x")], [double(4, 1)]));
    for (let length = 1; length < whole.length; length++) {
      expect(() => decodeExportTraceServiceRequest(whole.subarray(0, length))).toThrow(ProtobufDecodeError);
    }
    expect(() => decodeExportTraceServiceRequest(whole.subarray(0, 40))).toThrow(/^Malformed OTLP protobuf at byte \d+: .*(runs past the end|truncated)/);
  });

  test("malformed bodies name the problem", () => {
    expect(() => decodeExportTraceServiceRequest(body([0x0a, 0x05, 0x12]))).toThrow("ExportTraceServiceRequest.resource_spans: length 5 runs past the end of its message (1 bytes left)");
    expect(() => decodeExportTraceServiceRequest(body([0x01, 0x02]))).toThrow("field number 0");
    expect(() => decodeExportTraceServiceRequest(body(message(1, message(2, message(2, int(5, 1))))))).toThrow("Span.name: wire type varint, expected length-delimited");
    expect(() => decodeExportTraceServiceRequest(body(tag(7, 3)))).toThrow("wire type 3 (group start) is not used by OTLP");
    expect(() => decodeExportTraceServiceRequest(body(tag(9, 0), Array(11).fill(0xff)))).toThrow("varint longer than 10 bytes");
    // A sub-message's length bounds its fields: a string may not run from inside the span into the bytes after it.
    expect(() => decodeExportTraceServiceRequest(body(message(1, message(2, message(2, [...tag(5, 2), 4]))), [0x61, 0x62, 0x63, 0x64]))).toThrow("Span.name: length 4 runs past the end of its message (0 bytes left)");
  });

  test("attribute values nest up to a bound, beyond it the body is refused instead of exhausting the stack", () => {
    const nested = (depth: number): Bytes => (depth === 0 ? str(1, "leaf") : message(5, message(1, ...[nested(depth - 1)])));
    const withDepth = (depth: number) => spanWithValues([nested(depth)]);
    expect(() => decodeExportTraceServiceRequest(withDepth(63))).not.toThrow();
    expect(() => decodeExportTraceServiceRequest(withDepth(64))).toThrow("nested deeper than 64 levels");
  });

  test("random and mutated bytes either decode or throw ProtobufDecodeError, never anything else", () => {
    const random = seededRandom(20261122);
    const valid = spanWithValues([str(1, "x")], [message(6, keyValue(1, "k", message(5, message(1, int(3, 1)))))]);
    let decoded = 0;
    let refused = 0;
    for (let i = 0; i < 20_000; i++) {
      let input: Uint8Array;
      if (i % 2 === 0) {
        input = Uint8Array.from({ length: Math.floor(random() * 96) }, () => Math.floor(random() * 256));
      } else {
        input = valid.slice();
        for (let flips = 1 + Math.floor(random() * 4); flips > 0; flips--) input[Math.floor(random() * input.length)] = Math.floor(random() * 256);
      }
      try {
        decodeExportTraceServiceRequest(input);
        decoded++;
      } catch (error) {
        if (!(error instanceof ProtobufDecodeError)) throw error;
        refused++;
      }
    }
    // Both outcomes occur, so the loop exercises the decoder rather than failing at the first byte every time.
    expect(decoded).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  });
});

describe("encodeExportTraceServiceResponse", () => {
  test("empty on full success; partial_success with rejected_spans (left out when 0) and error_message", () => {
    expect(encodeExportTraceServiceResponse()).toEqual(new Uint8Array());
    expect([...encodeExportTraceServiceResponse({ rejectedSpans: 0, errorMessage: "trace x: bad" })]).toEqual(message(1, str(2, "trace x: bad")));
    expect([...encodeExportTraceServiceResponse({ rejectedSpans: 300, errorMessage: "é" })]).toEqual(message(1, int(1, 300), str(2, "é")));
  });
});
