// The streaming record reader: JSONL with line numbers and resume offsets, JSON arrays and pretty-printed values, split anywhere.
import { describe, expect, test } from "bun:test";
import { readRecords, type ReadItem } from "./record-reader";

/** Feeds `text` in chunks of `size` bytes, so every record boundary lands mid-chunk somewhere. */
async function* chunked(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.slice(i, i + size);
}

async function collect(text: string, size = 3, options = {}): Promise<ReadItem[]> {
  const items: ReadItem[] = [];
  for await (const item of readRecords(chunked(text, size), options)) items.push(item);
  return items;
}

describe("readRecords", () => {
  test("JSONL: one record per non-blank line, 1-based line numbers, CRLF and multi-byte text intact at any chunk size", async () => {
    const text = '{"a":1}\r\n\n{"b":"日本語 ✓"}\n   \n{"c":[1,2]}';
    for (const size of [1, 2, 3, 7, 1000]) {
      const items = await collect(text, size);
      expect(items.map((i) => (i.kind === "record" ? [i.line, JSON.parse(i.text)] : null))).toEqual([
        [1, { a: 1 }],
        [3, { b: "日本語 ✓" }],
        [5, { c: [1, 2] }],
      ]);
    }
  });

  test("JSONL resumes from a saved byte offset with the right line numbers", async () => {
    const text = '{"a":1}\n{"b":2}\n{"c":3}\n';
    const all = await collect(text);
    const second = all[1]!;
    const bytes = new TextEncoder().encode(text).slice(second.endOffset);
    const rest: ReadItem[] = [];
    for await (const item of readRecords(chunked(new TextDecoder().decode(bytes), 2), { startOffset: second.endOffset, startLine: second.line + 1, startIndex: 2, format: "jsonl" })) rest.push(item);
    expect(rest).toEqual([{ kind: "record", index: 2, line: 3, text: '{"c":3}', endOffset: text.length }]);
  });

  test("a JSON array yields its elements, with the line each starts on, brackets inside strings ignored", async () => {
    const text = '[\n  {"a": "x]},["},\n  {"b": {"c": [1, {"d": "\\"}"}]}},\n  42, "s", null\n]\n';
    for (const size of [1, 4, 1000]) {
      const items = await collect(text, size);
      expect(items.map((i) => (i.kind === "record" ? [i.line, JSON.parse(i.text)] : null))).toEqual([
        [2, { a: "x]},[" }],
        [3, { b: { c: [1, { d: '"}' }] } }],
        [4, 42],
        [4, "s"],
        [4, null],
      ]);
    }
  });

  test("pretty-printed objects one after another are read as values", async () => {
    const items = await collect('{\n  "a": 1\n}\n{\n  "b": 2\n}\n', 5);
    expect(items.map((i) => (i.kind === "record" ? [i.line, JSON.parse(i.text)] : null))).toEqual([
      [1, { a: 1 }],
      [4, { b: 2 }],
    ]);
  });

  test("a truncated array element comes out as text JSON.parse rejects", async () => {
    const items = await collect('[{"a":1},{"b":', 4);
    expect(items).toHaveLength(2);
    expect(() => JSON.parse((items[1] as { text: string }).text)).toThrow();
  });
});
