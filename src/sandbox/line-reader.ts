// Splits a byte stream into text lines, refusing any line longer than a cap (the stream comes from a jail).

export class LineTooLongError extends Error {
  constructor(readonly limitBytes: number) {
    super(`a line longer than ${limitBytes} bytes`);
    this.name = "LineTooLongError";
  }
}

/**
 * Yields each line without its "\n". A last line with no "\n" is yielded only with `keepUnterminated`
 * (files); from a jail it means the writer died mid-line, and it is dropped.
 */
export async function* splitLines(
  stream: ReadableStream<Uint8Array>,
  maxLineBytes: number,
  keepUnterminated = false,
): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let partial: Uint8Array[] = [];
  let partialBytes = 0;
  for await (const chunk of readChunks(stream)) {
    let start = 0;
    for (let newline = chunk.indexOf(10); newline !== -1; newline = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, newline);
      if (partialBytes + piece.length > maxLineBytes) throw new LineTooLongError(maxLineBytes);
      yield decoder.decode(partialBytes === 0 ? piece : concat([...partial, piece], partialBytes + piece.length));
      partial = [];
      partialBytes = 0;
      start = newline + 1;
    }
    if (start < chunk.length) {
      partialBytes += chunk.length - start;
      if (partialBytes > maxLineBytes) throw new LineTooLongError(maxLineBytes);
      partial.push(chunk.slice(start));
    }
  }
  if (keepUnterminated && partialBytes > 0) yield decoder.decode(concat(partial, partialBytes));
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}

/** The chunks of a byte stream, as an async iterable. */
export async function* readChunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}
