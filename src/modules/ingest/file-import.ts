// Imports an uploaded JSONL/JSON file as a resumable job: streams records, normalizes each, stores the good ones, reports bad lines by number.
import { rm } from "node:fs/promises";
import { PermanentJobError, type JobContext } from "../../jobs/definition";
import { encodingFor, storeEncodedTraces, type TraceEncoding } from "../traces/service";
import type { FileBatchResult, FileRecord } from "./file-batch";
import { FileBatchEncoder } from "./file-batch-encoder";
import { detectFormat, readRecords, type FileFormat } from "./record-reader";

export const FILE_IMPORT_JOB = "file.import";

export interface FileImportPayload {
  /** The upload spooled to the data dir; deleted when the import succeeds. */
  path: string;
  filename: string;
  bytes: number;
}

export interface LineError {
  line: number;
  message: string;
}

interface FileCheckpoint {
  format: FileFormat;
  /** Records before this index are stored (JSON arrays and values restart the scan and skip them). */
  nextIndex: number;
  /** JSONL only: the byte offset and line of the next record. */
  offset: number;
  line: number;
  imported: number;
  /** Records stored without a normalized form (a recognizable trace the normalizer refused). */
  notNormalized: number;
  errorCount: number;
  errors: LineError[];
}

/**
 * Records per stored batch: large enough to amortize the round trip, small enough that a batch stays a few MB.
 * Embedded PGlite takes smaller ones: its WebAssembly heap only grows, and faster with larger statements; on the
 * import bench 50 was both faster and ~500 MB lighter than 200 there.
 */
const BATCH: Record<TraceEncoding, number> = { copy: 200, recordset: 50 };
/** Batches normalized ahead of the one being stored: keeps the worker busy while memory stays a few batches. */
const ENCODING_AHEAD = 2;
/** Errors kept in the job result and written to the log: enough to fix a file, bounded for a file of garbage. */
const KEPT_ERRORS = 100;
const LOGGED_ERRORS = 50;

export async function runFileImport(ctx: JobContext<FileImportPayload>, options: { batchSize?: number } = {}): Promise<Record<string, unknown>> {
  const { path, filename } = ctx.payload;
  const file = Bun.file(path);
  if (!(await file.exists())) throw new PermanentJobError(`The uploaded file is gone (${filename}): upload it again.`);
  const size = file.size;
  const encoding = encodingFor(ctx.database);
  const batchSize = options.batchSize ?? BATCH[encoding];
  const fallbackTimestamp = ctx.job.createdAt;

  const saved = ctx.job.checkpoint as Partial<FileCheckpoint> | null;
  const cp: FileCheckpoint =
    saved?.format !== undefined
      ? (saved as FileCheckpoint)
      : { format: "jsonl", nextIndex: 0, offset: 0, line: 1, imported: 0, notNormalized: 0, errorCount: 0, errors: [] };
  if (saved?.format === undefined) {
    cp.format = detectFormat(new Uint8Array(await file.slice(0, 4096).arrayBuffer()));
    await ctx.log(`Reading ${filename} (${formatBytes(size)}) as ${cp.format === "jsonl" ? "JSON Lines" : cp.format === "json-array" ? "a JSON array" : "JSON values"}`);
  } else {
    await ctx.log(`Resuming ${filename} at record ${cp.nextIndex + 1}`);
  }

  const resumeByOffset = cp.format === "jsonl";
  const source = resumeByOffset ? file.slice(cp.offset).stream() : file.stream();
  const encoder = new FileBatchEncoder();
  let records: FileRecord[] = [];
  let lastEnd = { index: cp.nextIndex, offset: cp.offset, line: cp.line };

  const reportError = async (line: number, message: string) => {
    cp.errorCount += 1;
    if (cp.errors.length < KEPT_ERRORS) cp.errors.push({ line, message });
    if (cp.errorCount <= LOGGED_ERRORS) await ctx.log(`Line ${line}: ${message}`);
    if (cp.errorCount === LOGGED_ERRORS + 1) await ctx.log("More errors follow; the result lists the first 100.");
  };

  // Three stages at once: this thread reads the file, the worker thread normalizes and encodes the next batches,
  // and the database stores the previous one. Batches are stored and checkpointed strictly in file order.
  const encodingQueue: Array<{ result: Promise<FileBatchResult>; end: typeof lastEnd }> = [];
  let storing: Promise<void> = Promise.resolve();
  const submit = () => {
    const result = encoder.encode({ workspaceId: ctx.job.workspaceId, records, fallbackTimestamp, encoding });
    // Awaited in turn; a batch still queued when the import stops must not count as unhandled.
    result.catch(() => {});
    encodingQueue.push({ result, end: lastEnd });
    records = [];
  };
  const storeNext = async () => {
    const { result, end } = encodingQueue.shift()!;
    const batch = await result;
    await storing;
    ctx.throwIfStopped();
    for (const error of batch.errors) await reportError(error.line, error.message);
    cp.imported += batch.imported;
    cp.notNormalized += batch.notNormalized;
    cp.nextIndex = end.index;
    cp.offset = end.offset;
    cp.line = end.line;
    // What a resumed run must start from once this batch is stored.
    const snapshot = { ...cp, errors: [...cp.errors] };
    storing = (async () => {
      await storeEncodedTraces(ctx.database, batch.encoded);
      await ctx.checkpoint(snapshot);
      // Bytes read is the honest measure of how far along a file is; every format's offsets are absolute.
      await ctx.progress({ done: snapshot.offset, total: size, imported: snapshot.imported, errors: snapshot.errorCount });
    })();
    // Awaited by the next batch; until then a failure must not count as unhandled.
    storing.catch(() => {});
  };

  try {
    const reading = readRecords(source as unknown as AsyncIterable<Uint8Array>, { format: cp.format, startOffset: resumeByOffset ? cp.offset : 0, startLine: resumeByOffset ? cp.line : 1, startIndex: resumeByOffset ? cp.nextIndex : 0 });
    for await (const item of reading) {
      if (!resumeByOffset && item.index < cp.nextIndex) continue;
      lastEnd = { index: item.index + 1, offset: item.endOffset, line: item.line + 1 };
      records.push(item.kind === "error" ? { line: item.line, error: item.message } : { line: item.line, text: item.text });
      if (records.length < batchSize) continue;
      submit();
      if (encodingQueue.length >= ENCODING_AHEAD) await storeNext();
    }
    // The final batch also records the end offset when the file's last records were errors.
    submit();
    while (encodingQueue.length > 0) await storeNext();
    await storing;
  } finally {
    encoder.close();
  }
  await rm(path, { force: true });
  return {
    filename,
    format: cp.format,
    imported: cp.imported,
    notNormalized: cp.notNormalized,
    errorCount: cp.errorCount,
    errors: cp.errors,
  };
}

function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
