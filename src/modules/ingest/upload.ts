// Spools an upload (a raw body, or the file part of multipart/form-data) to disk as it arrives, so a 1 GB file never sits in memory.
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { ValidationError } from "../../http/errors";

export interface SpooledUpload {
  path: string;
  filename: string;
  bytes: number;
}

const MAX_PART_HEADER_BYTES = 16 * 1024;
/** Flushes the file writer this often, so written bytes leave memory. */
const FLUSH_EVERY_BYTES = 4 * 1024 * 1024;

export async function spoolUpload(request: Request, uploadsDir: string, filenameHint?: string): Promise<SpooledUpload> {
  if (!request.body) throw new ValidationError("The request has no body: send the file as the body, or as a multipart/form-data field named file.");
  await mkdir(uploadsDir, { recursive: true, mode: 0o700 });
  const path = join(uploadsDir, `${Bun.randomUUIDv7()}.upload`);
  const contentType = request.headers.get("content-type") ?? "";
  const boundary = /^multipart\/form-data;.*boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  try {
    const chunks = request.body as unknown as AsyncIterable<Uint8Array>;
    if (boundary) {
      const { filename, bytes } = await spoolMultipartFile(chunks, boundary, path);
      return { path, filename: filenameHint ?? filename, bytes };
    }
    const sink = new FileSpool(path);
    for await (const chunk of chunks) await sink.write(chunk);
    await sink.end();
    if (sink.bytes === 0) throw new ValidationError("The uploaded file is empty.");
    return { path, filename: filenameHint ?? "upload.jsonl", bytes: sink.bytes };
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  }
}

class FileSpool {
  private readonly writer;
  bytes = 0;
  private unflushed = 0;

  constructor(path: string) {
    this.writer = Bun.file(path).writer();
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (chunk.length === 0) return;
    this.writer.write(chunk);
    this.bytes += chunk.length;
    this.unflushed += chunk.length;
    if (this.unflushed >= FLUSH_EVERY_BYTES) {
      await this.writer.flush();
      this.unflushed = 0;
    }
  }

  async end(): Promise<void> {
    await this.writer.end();
  }
}

/**
 * Streams multipart/form-data: skips non-file fields, writes the first file part's bytes to `path` until the
 * closing delimiter. Only the last (delimiter length − 1) bytes are held back, since the delimiter may span chunks.
 */
async function spoolMultipartFile(chunks: AsyncIterable<Uint8Array>, boundary: string, path: string): Promise<{ filename: string; bytes: number }> {
  const iterator = chunks[Symbol.asyncIterator]();
  let buffer = Buffer.alloc(0);
  const more = async (): Promise<boolean> => {
    const next = await iterator.next();
    if (next.done) return false;
    buffer = buffer.length === 0 ? Buffer.from(next.value) : Buffer.concat([buffer, next.value]);
    return true;
  };
  const opening = Buffer.from(`--${boundary}`);
  const delimiter = Buffer.from(`\r\n--${boundary}`);

  // Find the first boundary line.
  while (buffer.indexOf(opening) === -1) if (!(await more())) throw new ValidationError("Malformed multipart body: no boundary.");
  buffer = buffer.subarray(buffer.indexOf(opening) + opening.length);

  for (;;) {
    while (buffer.length < 2) if (!(await more())) throw new ValidationError("Malformed multipart body: ended early.");
    if (buffer.subarray(0, 2).toString() === "--") throw new ValidationError("No file in the upload: choose a .jsonl or .json file.");
    let headerEnd = buffer.indexOf("\r\n\r\n");
    while (headerEnd === -1) {
      if (buffer.length > MAX_PART_HEADER_BYTES || !(await more())) throw new ValidationError("Malformed multipart body: part headers too long or missing.");
      headerEnd = buffer.indexOf("\r\n\r\n");
    }
    const headers = buffer.subarray(0, headerEnd).toString("utf8");
    buffer = buffer.subarray(headerEnd + 4);
    const filename = /filename="([^"]*)"/i.exec(headers)?.[1];

    if (filename === undefined) {
      // A plain field (e.g. _csrf): skip to the next boundary.
      let end = buffer.indexOf(delimiter);
      while (end === -1) {
        if (buffer.length > MAX_PART_HEADER_BYTES || !(await more())) throw new ValidationError("Malformed multipart body: field without end.");
        end = buffer.indexOf(delimiter);
      }
      buffer = buffer.subarray(end + delimiter.length);
      continue;
    }

    const sink = new FileSpool(path);
    for (;;) {
      const end = buffer.indexOf(delimiter);
      if (end !== -1) {
        await sink.write(buffer.subarray(0, end));
        await sink.end();
        // Drain the rest of the body (closing boundary, later fields) without keeping it.
        for (;;) if ((await iterator.next()).done) break;
        if (sink.bytes === 0) throw new ValidationError(filename ? `The uploaded file ${filename} is empty.` : "No file in the upload: choose a .jsonl or .json file.");
        return { filename: filename || "upload.jsonl", bytes: sink.bytes };
      }
      const safe = buffer.length - (delimiter.length - 1);
      if (safe > 0) {
        await sink.write(buffer.subarray(0, safe));
        buffer = Buffer.from(buffer.subarray(safe));
      }
      if (!(await more())) {
        await sink.end();
        throw new ValidationError("The upload was cut off before the file ended.");
      }
    }
  }
}
