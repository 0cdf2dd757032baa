// Streams JSON records out of an uploaded file — JSONL, a JSON array, or concatenated JSON values — with line numbers, in bounded memory.

export interface RecordText {
  /** 0-based position of the record in the file. */
  index: number;
  /** 1-based line where the record starts. */
  line: number;
  text: string;
  /** Byte offset just past the record: a JSONL import resumes reading here. */
  endOffset: number;
}

export interface RecordError {
  index: number;
  line: number;
  message: string;
  endOffset: number;
}

export type ReadItem = ({ kind: "record" } & RecordText) | ({ kind: "error" } & RecordError);

export type FileFormat = "jsonl" | "json-array" | "json-values";

/** One record's text may not exceed this; a longer line is reported and skipped rather than held in memory. */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;

const NEWLINE = 0x0a;
const decoder = new TextDecoder("utf-8", { fatal: false });

/** Reads from byte `startOffset` (JSONL resumes there; the other formats restart and skip by index). */
export async function* readRecords(
  chunks: AsyncIterable<Uint8Array>,
  options: { startOffset?: number; startLine?: number; startIndex?: number; format?: FileFormat } = {},
): AsyncGenerator<ReadItem> {
  const iterator = chunks[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) return;
  const format = options.format ?? detectFormat(first.value);
  const all = prepend(first.value, iterator);
  if (format === "jsonl") yield* readJsonLines(all, options.startOffset ?? 0, options.startLine ?? 1, options.startIndex ?? 0);
  else yield* readJsonValues(all, format === "json-array" ? 1 : 0);
}

/** A leading "[" means one JSON array; a first line that is only "{" means pretty-printed object(s); else JSON Lines. */
export function detectFormat(head: Uint8Array): FileFormat {
  let i = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  while (i < head.length && isSpace(head[i]!)) i++;
  if (head[i] === 0x5b) return "json-array";
  if (head[i] === 0x7b) {
    let j = i + 1;
    while (j < head.length && (head[j] === 0x20 || head[j] === 0x09 || head[j] === 0x0d)) j++;
    if (head[j] === NEWLINE) return "json-values";
  }
  return "jsonl";
}

async function* prepend(first: Uint8Array, rest: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield first;
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    yield next.value;
  }
}

async function* readJsonLines(chunks: AsyncIterable<Uint8Array>, startOffset: number, startLine: number, startIndex: number): AsyncGenerator<ReadItem> {
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let overflow = false;
  let offset = startOffset;
  let line = startLine;
  let index = startIndex;

  function* finish(lineEnd: number): Generator<ReadItem> {
    const thisLine = line;
    line += 1;
    if (overflow) {
      overflow = false;
      pending = [];
      pendingBytes = 0;
      yield { kind: "error", index: index++, line: thisLine, message: `Line is longer than ${MAX_RECORD_BYTES / 1024 / 1024} MB`, endOffset: lineEnd };
      return;
    }
    const bytes = pending.length === 1 ? pending[0]! : concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    const text = decoder.decode(bytes).replace(/^\uFEFF/, "");
    if (text.trim() === "") return;
    yield { kind: "record", index: index++, line: thisLine, text, endOffset: lineEnd };
  }

  for await (const chunk of chunks) {
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      append(chunk.subarray(start, nl));
      offset += nl - start + 1;
      start = nl + 1;
      yield* finish(offset);
    }
    append(chunk.subarray(start));
    offset += chunk.length - start;
  }
  if (pendingBytes > 0 || overflow) yield* finish(offset);

  function append(part: Uint8Array) {
    if (overflow || part.length === 0) return;
    if (pendingBytes + part.length > MAX_RECORD_BYTES) {
      overflow = true;
      pending = [];
      pendingBytes = 0;
      return;
    }
    // Copied: the reader may reuse the chunk's memory for the next read.
    pending.push(part.slice());
    pendingBytes += part.length;
  }
}

/**
 * A byte scanner over JSON text that cuts out each value at `depth` (1 = the elements of a top-level array,
 * 0 = concatenated values). It tracks only nesting, strings and escapes; JSON.parse judges each value afterwards.
 */
async function* readJsonValues(chunks: AsyncIterable<Uint8Array>, depth: number): AsyncGenerator<ReadItem> {
  let level = 0;
  let line = 1;
  let offset = 0;
  let index = 0;
  let inRecord = false;
  let nest = 0;
  let scalar = false;
  let inString = false;
  let escaped = false;
  let recordLine = 0;
  let parts: Uint8Array[] = [];
  let partsBytes = 0;
  let overflow = false;

  for await (const chunk of chunks) {
    let segmentStart = inRecord ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (byte === NEWLINE) line++;
      if (inRecord) {
        if (inString) {
          if (escaped) escaped = false;
          else if (byte === 0x5c) escaped = true;
          else if (byte === 0x22) {
            inString = false;
            if (nest === 0) {
              yield emit(chunk.subarray(segmentStart, i + 1), offset + i + 1);
              segmentStart = -1;
            }
          }
          continue;
        }
        if (!scalar) {
          if (byte === 0x22) inString = true;
          else if (byte === 0x7b || byte === 0x5b) nest++;
          else if ((byte === 0x7d || byte === 0x5d) && --nest === 0) {
            yield emit(chunk.subarray(segmentStart, i + 1), offset + i + 1);
            segmentStart = -1;
          }
          continue;
        }
        if (!isSpace(byte) && byte !== 0x2c && byte !== 0x5d && byte !== 0x7d) continue;
        // A number or literal ends at the byte after it, which is then read as separator.
        yield emit(chunk.subarray(segmentStart, i), offset + i);
        segmentStart = -1;
      }
      if (isSpace(byte) || byte === 0xef || byte === 0xbb || byte === 0xbf) continue;
      if (level < depth) {
        if (byte === 0x5b) level++;
        continue;
      }
      if (byte === 0x2c) continue;
      if (depth === 1 && byte === 0x5d) {
        level--;
        continue;
      }
      inRecord = true;
      recordLine = line;
      segmentStart = i;
      scalar = !(byte === 0x7b || byte === 0x5b || byte === 0x22);
      inString = byte === 0x22;
      nest = byte === 0x7b || byte === 0x5b ? 1 : 0;
    }
    if (inRecord && segmentStart >= 0) collect(chunk.subarray(segmentStart));
    offset += chunk.length;
  }
  // A value cut off by the end of the file: JSON.parse reports what is missing.
  if (inRecord) yield emit(new Uint8Array(0), offset);

  function collect(part: Uint8Array) {
    if (overflow) return;
    if (partsBytes + part.length > MAX_RECORD_BYTES) {
      overflow = true;
      parts = [];
      partsBytes = 0;
      return;
    }
    parts.push(part.slice());
    partsBytes += part.length;
  }

  function emit(lastPart: Uint8Array, endOffset: number): ReadItem {
    collect(lastPart);
    inRecord = false;
    inString = false;
    escaped = false;
    const item: ReadItem = overflow
      ? { kind: "error", index, line: recordLine, message: `Record is longer than ${MAX_RECORD_BYTES / 1024 / 1024} MB`, endOffset }
      : { kind: "record", index, line: recordLine, text: decoder.decode(concat(parts, partsBytes)), endOffset };
    index++;
    overflow = false;
    parts = [];
    partsBytes = 0;
    return item;
  }
}

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
