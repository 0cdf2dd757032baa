// OTLP/HTTP protobuf: decodes an ExportTraceServiceRequest into the OTLP/JSON object shape and encodes the ExportTraceServiceResponse.
// Field numbers are those of opentelemetry-proto (collector/trace/v1/trace_service.proto, trace/v1/trace.proto,
// common/v1/common.proto, resource/v1/resource.proto). Fields not listed here (links, flags, trace_state,
// dropped counts, schema urls, and whatever later versions add) are skipped, as protobuf's compatibility rules ask.

/** The body is not a well-formed ExportTraceServiceRequest; the message says where and why. */
export class ProtobufDecodeError extends Error {}

type JsonAnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number | "NaN" | "Infinity" | "-Infinity" }
  | { bytesValue: string }
  | { arrayValue: { values: JsonAnyValue[] } }
  | { kvlistValue: { values: JsonKeyValue[] } }
  | Record<string, never>;
interface JsonKeyValue {
  key: string;
  value?: JsonAnyValue;
}
interface JsonSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  startTimeUnixNano: string;
  endTimeUnixNano?: string;
  attributes: JsonKeyValue[];
  events: Array<{ timeUnixNano?: string; name: string; attributes: JsonKeyValue[] }>;
  status?: { code?: number; message?: string };
}
export interface OtlpJsonTraceRequest {
  resourceSpans: Array<{ resource?: { attributes: JsonKeyValue[] }; scopeSpans: Array<{ scope?: { name?: string }; spans: JsonSpan[] }> }>;
}

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;
const WIRE_TYPE_NAMES = ["varint", "fixed64", "length-delimited", "group start", "group end", "fixed32"];
/** AnyValue nests through arrays and kvlists; a bound keeps a hostile body from exhausting the stack. */
const MAX_VALUE_DEPTH = 64;

/**
 * Reads one protobuf message tree. `limit` is the end of the message being read, so a field can never run
 * past its enclosing message; every read advances or throws, so no input can make it loop.
 */
class WireReader {
  private pos = 0;
  private limit: number;
  field = 0;
  private wire = 0;
  private messageName = "";

  constructor(private readonly buf: Buffer) {
    this.limit = buf.length;
  }

  /** Reads the next tag of the current message; false at its end. `name` is the message, for error messages. */
  next(name: string): boolean {
    if (this.pos >= this.limit) return false;
    const tag = this.varint();
    this.field = Math.floor(tag / 8);
    this.wire = tag % 8;
    this.messageName = name;
    if (this.field === 0) throw this.error(`${name}: field number 0`);
    return true;
  }

  /** Decodes a length-delimited sub-message with the limit set to its end, so its fields cannot read into what follows. */
  message<T>(what: string, decode: (reader: WireReader) => T): T {
    const end = this.lengthDelimited(what);
    const outer = this.limit;
    this.limit = end;
    const value = decode(this);
    this.limit = outer;
    return value;
  }

  string(what: string): string {
    const end = this.lengthDelimited(what);
    const text = this.buf.toString("utf8", this.pos, end);
    this.pos = end;
    return text;
  }

  /** Ids are bytes on the wire and lowercase hex in OTLP/JSON. */
  hex(what: string): string {
    const end = this.lengthDelimited(what);
    const text = this.buf.toString("hex", this.pos, end);
    this.pos = end;
    return text;
  }

  base64(what: string): string {
    const end = this.lengthDelimited(what);
    const text = this.buf.toString("base64", this.pos, end);
    this.pos = end;
    return text;
  }

  /** fixed64 nanoseconds exceed 2^53, so they travel as a decimal string, as in OTLP/JSON. */
  fixed64(what: string): string {
    this.expect(FIXED64, what);
    this.need(8);
    const value = this.buf.readBigUInt64LE(this.pos);
    this.pos += 8;
    return value.toString();
  }

  double(what: string): number {
    this.expect(FIXED64, what);
    this.need(8);
    const value = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return value;
  }

  bool(what: string): boolean {
    this.expect(VARINT, what);
    return this.varint() !== 0;
  }

  /** int64 as a decimal string (OTLP/JSON's encoding of 64-bit integers); negatives are ten-byte two's complement. */
  int64(what: string): string {
    this.expect(VARINT, what);
    return BigInt.asIntN(64, this.varint64()).toString();
  }

  /** enum (int32): read as 64 bits because negative values are sign-extended on the wire. */
  enumValue(what: string): number {
    this.expect(VARINT, what);
    return Number(BigInt.asIntN(32, this.varint64()));
  }

  /** Skips a field this decoder does not know. */
  skip(): void {
    switch (this.wire) {
      case VARINT:
        this.varint();
        return;
      case FIXED64:
        this.need(8);
        this.pos += 8;
        return;
      case LENGTH_DELIMITED:
        this.pos = this.lengthDelimited(this.fieldName());
        return;
      case FIXED32:
        this.need(4);
        this.pos += 4;
        return;
      default:
        throw this.error(`${this.fieldName()}: wire type ${this.wire} (${WIRE_TYPE_NAMES[this.wire] ?? "invalid"}) is not used by OTLP`);
    }
  }

  private lengthDelimited(what: string): number {
    this.expect(LENGTH_DELIMITED, what);
    const length = this.varint();
    if (length > this.limit - this.pos) throw this.error(`${what}: length ${length} runs past the end of its message (${this.limit - this.pos} bytes left)`);
    return this.pos + length;
  }

  private expect(wire: number, what: string): void {
    if (this.wire !== wire) throw this.error(`${what}: wire type ${WIRE_TYPE_NAMES[this.wire] ?? this.wire}, expected ${WIRE_TYPE_NAMES[wire]}`);
  }

  private need(bytes: number): void {
    if (this.limit - this.pos < bytes) throw this.error(`${this.fieldName()}: truncated, needs ${bytes} bytes, ${this.limit - this.pos} left`);
  }

  /** Unsigned varint as a number: exact for lengths, tags, bools and counts (all below 2^53). */
  private varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.limit) throw this.error("truncated varint");
      const byte = this.buf[this.pos++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
    throw this.error("varint longer than 10 bytes");
  }

  private varint64(): bigint {
    let value = 0n;
    for (let i = 0n; i < 10n; i++) {
      if (this.pos >= this.limit) throw this.error("truncated varint");
      const byte = this.buf[this.pos++]!;
      value |= BigInt(byte & 0x7f) << (7n * i);
      if (byte < 0x80) return BigInt.asUintN(64, value);
    }
    throw this.error("varint longer than 10 bytes");
  }

  /** Built only for an error message: the hot path keeps just the message name and field number. */
  private fieldName(): string {
    return `${this.messageName} field ${this.field}`;
  }

  private error(message: string): ProtobufDecodeError {
    return new ProtobufDecodeError(`Malformed OTLP protobuf at byte ${this.pos}: ${message}`);
  }
}

/** Decodes an ExportTraceServiceRequest; throws ProtobufDecodeError on a malformed body. */
export function decodeExportTraceServiceRequest(bytes: Uint8Array): OtlpJsonTraceRequest {
  const reader = new WireReader(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const request: OtlpJsonTraceRequest = { resourceSpans: [] };
  while (reader.next("ExportTraceServiceRequest")) {
    if (reader.field === 1) request.resourceSpans.push(reader.message("ExportTraceServiceRequest.resource_spans", readResourceSpans));
    else reader.skip();
  }
  return request;
}

function readResourceSpans(reader: WireReader): OtlpJsonTraceRequest["resourceSpans"][number] {
  const resourceSpans: OtlpJsonTraceRequest["resourceSpans"][number] = { scopeSpans: [] };
  while (reader.next("ResourceSpans")) {
    if (reader.field === 1) {
      // A singular message repeated on the wire merges into one (protobuf's rule): here, its attributes add up.
      const resource = (resourceSpans.resource ??= { attributes: [] });
      reader.message("ResourceSpans.resource", (r) => {
        while (r.next("Resource")) {
          if (r.field === 1) resource.attributes.push(r.message("Resource.attributes", readKeyValue));
          else r.skip();
        }
      });
    } else if (reader.field === 2) resourceSpans.scopeSpans.push(reader.message("ResourceSpans.scope_spans", readScopeSpans));
    else reader.skip();
  }
  return resourceSpans;
}

function readScopeSpans(reader: WireReader): OtlpJsonTraceRequest["resourceSpans"][number]["scopeSpans"][number] {
  const scopeSpans: OtlpJsonTraceRequest["resourceSpans"][number]["scopeSpans"][number] = { spans: [] };
  while (reader.next("ScopeSpans")) {
    if (reader.field === 1) {
      const scope = (scopeSpans.scope ??= {});
      reader.message("ScopeSpans.scope", (r) => {
        while (r.next("InstrumentationScope")) {
          if (r.field === 1) scope.name = r.string("InstrumentationScope.name");
          else r.skip();
        }
      });
    } else if (reader.field === 2) scopeSpans.spans.push(reader.message("ScopeSpans.spans", readSpan));
    else reader.skip();
  }
  return scopeSpans;
}

/** Absent scalars the JSON shape requires (ids, name, start) take proto3's defaults; optional ones stay absent, as in OTLP/JSON. */
function readSpan(reader: WireReader): JsonSpan {
  const span: JsonSpan = { traceId: "", spanId: "", name: "", startTimeUnixNano: "0", attributes: [], events: [] };
  while (reader.next("Span")) {
    switch (reader.field) {
      case 1:
        span.traceId = reader.hex("Span.trace_id");
        break;
      case 2:
        span.spanId = reader.hex("Span.span_id");
        break;
      case 4:
        span.parentSpanId = reader.hex("Span.parent_span_id");
        break;
      case 5:
        span.name = reader.string("Span.name");
        break;
      case 6:
        span.kind = reader.enumValue("Span.kind");
        break;
      case 7:
        span.startTimeUnixNano = reader.fixed64("Span.start_time_unix_nano");
        break;
      case 8:
        span.endTimeUnixNano = reader.fixed64("Span.end_time_unix_nano");
        break;
      case 9:
        span.attributes.push(reader.message("Span.attributes", readKeyValue));
        break;
      case 11:
        span.events.push(reader.message("Span.events", readEvent));
        break;
      case 15: {
        const status = (span.status ??= {});
        reader.message("Span.status", (r) => {
          while (r.next("Status")) {
            if (r.field === 2) status.message = r.string("Status.message");
            else if (r.field === 3) status.code = r.enumValue("Status.code");
            else r.skip();
          }
        });
        break;
      }
      default:
        reader.skip();
    }
  }
  return span;
}

function readEvent(reader: WireReader): JsonSpan["events"][number] {
  const event: JsonSpan["events"][number] = { name: "", attributes: [] };
  while (reader.next("Span.Event")) {
    if (reader.field === 1) event.timeUnixNano = reader.fixed64("Span.Event.time_unix_nano");
    else if (reader.field === 2) event.name = reader.string("Span.Event.name");
    else if (reader.field === 3) event.attributes.push(reader.message("Span.Event.attributes", readKeyValue));
    else reader.skip();
  }
  return event;
}

function readKeyValue(reader: WireReader, depth = 0): JsonKeyValue {
  const keyValue: JsonKeyValue = { key: "" };
  while (reader.next("KeyValue")) {
    if (reader.field === 1) keyValue.key = reader.string("KeyValue.key");
    else if (reader.field === 2) keyValue.value = reader.message("KeyValue.value", (r) => readAnyValue(r, depth));
    else reader.skip();
  }
  return keyValue;
}

/** A oneof: the last member on the wire wins, as protobuf decoders do; none set is the empty AnyValue {}. */
function readAnyValue(reader: WireReader, depth: number): JsonAnyValue {
  if (depth >= MAX_VALUE_DEPTH) throw new ProtobufDecodeError(`Malformed OTLP protobuf: attribute values nested deeper than ${MAX_VALUE_DEPTH} levels`);
  let value: JsonAnyValue = {};
  while (reader.next("AnyValue")) {
    switch (reader.field) {
      case 1:
        value = { stringValue: reader.string("AnyValue.string_value") };
        break;
      case 2:
        value = { boolValue: reader.bool("AnyValue.bool_value") };
        break;
      case 3:
        value = { intValue: reader.int64("AnyValue.int_value") };
        break;
      case 4:
        value = { doubleValue: jsonDouble(reader.double("AnyValue.double_value")) };
        break;
      case 5: {
        const values: JsonAnyValue[] = [];
        reader.message("AnyValue.array_value", (r) => {
          while (r.next("ArrayValue")) {
            if (r.field === 1) values.push(r.message("ArrayValue.values", (item) => readAnyValue(item, depth + 1)));
            else r.skip();
          }
        });
        value = { arrayValue: { values } };
        break;
      }
      case 6: {
        const values: JsonKeyValue[] = [];
        reader.message("AnyValue.kvlist_value", (r) => {
          while (r.next("KeyValueList")) {
            if (r.field === 1) values.push(r.message("KeyValueList.values", (item) => readKeyValue(item, depth + 1)));
            else r.skip();
          }
        });
        value = { kvlistValue: { values } };
        break;
      }
      case 7:
        value = { bytesValue: reader.base64("AnyValue.bytes_value") };
        break;
      default:
        reader.skip();
    }
  }
  return value;
}

/** JSON has no NaN or infinities: the proto3 JSON mapping spells them as strings (and flattenOtlpRequest reads them back). */
function jsonDouble(value: number): number | "NaN" | "Infinity" | "-Infinity" {
  if (Number.isFinite(value)) return value;
  return Number.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
}

/**
 * ExportTraceServiceResponse: empty on full success, else partial_success (field 1) with rejected_spans
 * (field 1, int64, left out when 0 as proto3 does) and error_message (field 2).
 */
export function encodeExportTraceServiceResponse(partialSuccess?: { rejectedSpans: number; errorMessage: string }): Uint8Array<ArrayBuffer> {
  if (!partialSuccess) return new Uint8Array(0);
  const inner: number[] = [];
  if (partialSuccess.rejectedSpans > 0) inner.push(0x08, ...varintBytes(partialSuccess.rejectedSpans));
  const message = new TextEncoder().encode(partialSuccess.errorMessage);
  if (message.length > 0) inner.push(0x12, ...varintBytes(message.length), ...message);
  return Uint8Array.from([0x0a, ...varintBytes(inner.length), ...inner]);
}

function varintBytes(value: number): number[] {
  const bytes: number[] = [];
  while (value >= 0x80) {
    bytes.push((value % 0x80) | 0x80);
    value = Math.floor(value / 0x80);
  }
  bytes.push(value);
  return bytes;
}
