// Packing a chunk of traces for the worker thread and unpacking it there gives back every trace's id and JSON.
import { expect, test } from "bun:test";
import { packTraces, unpackTraces } from "./trace-chunk.ts";
import type { TraceItem } from "./types.ts";

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** What the interpreter would send for each item: its JSON text, or the object left as is. */
function roundTrip(items: TraceItem[]) {
  const { chunk, transfer } = packTraces(items);
  expect(transfer.map((buffer) => buffer.byteLength)).toEqual([chunk.bytes.buffer.byteLength, chunk.ends.byteLength, chunk.idEnds.byteLength]);
  return unpackTraces(structuredClone(chunk, { transfer })).map((item) => ({
    id: item.id,
    json: item.traceBytes ? decoder.decode(item.traceBytes) : undefined,
    trace: item.trace,
  }));
}

test("ASCII, multi-byte and astral JSON come back byte for byte, each under its own id", () => {
  const texts = ['{"output":"ok"}', '{"output":"café – naïve"}', '{"output":"🚀🚀 ships"}', "{}", '{"output":"' + "é".repeat(5000) + '"}'];
  const items = texts.map((traceJson, index) => ({ id: `trace-${index}-ü`, traceJson }));
  expect(roundTrip(items)).toEqual(texts.map((json, index) => ({ id: `trace-${index}-ü`, json, trace: undefined })));
});

test("a chunk whose non-ASCII text outgrows its first estimate (one byte per character) is grown and keeps every trace", () => {
  const texts = ["x".repeat(100), "日本語".repeat(1000), "y".repeat(100), "😀".repeat(2000)].map((text) => JSON.stringify({ text }));
  const { chunk } = packTraces(texts.map((traceJson, index) => ({ id: String(index), traceJson })));
  expect(chunk.bytes.byteLength).toBeGreaterThanOrEqual(texts.reduce((sum, text) => sum + encoder.encode(text).length, 0));
  expect(roundTrip(texts.map((traceJson, index) => ({ id: String(index), traceJson }))).map((item) => item.json)).toEqual(texts);
});

test("bytes already encoded are copied in as they are; a trace without JSON crosses as its object, in its place", () => {
  const odd = { value: 10n };
  const items: TraceItem[] = [
    { id: "a", traceBytes: encoder.encode('{"output":"from bytes"}') },
    { id: "b", trace: odd },
    { id: "c", traceJson: '{"output":"from text"}' },
    { id: "d" },
  ];
  expect(roundTrip(items)).toEqual([
    { id: "a", json: '{"output":"from bytes"}', trace: undefined },
    { id: "b", json: undefined, trace: odd },
    { id: "c", json: '{"output":"from text"}', trace: undefined },
    { id: "d", json: undefined, trace: undefined },
  ]);
});

test("an empty chunk unpacks to no traces", () => {
  expect(roundTrip([])).toEqual([]);
});
