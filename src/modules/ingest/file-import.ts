// Imports an uploaded JSONL/JSON file as a resumable job: streams records, normalizes each, stores the good ones, reports bad lines by number.
import { rm } from "node:fs/promises";
import { PermanentJobError, type JobContext } from "../../jobs/definition";
import { detectAndNormalize } from "./normalize/detect";
import { isRecord } from "./normalize/json-values";
import { detectFormat, readRecords, type FileFormat } from "./record-reader";
import { describeError, storeIngested, type IngestedTrace } from "./store";

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

/** Traces per INSERT: large enough to amortize the round trip, small enough that a batch's JSON stays a few MB. */
const BATCH = 200;
/** Errors kept in the job result and written to the log: enough to fix a file, bounded for a file of garbage. */
const KEPT_ERRORS = 100;
const LOGGED_ERRORS = 50;

export async function runFileImport(ctx: JobContext<FileImportPayload>, options: { batchSize?: number } = {}): Promise<Record<string, unknown>> {
  const { path, filename } = ctx.payload;
  const file = Bun.file(path);
  if (!(await file.exists())) throw new PermanentJobError(`The uploaded file is gone (${filename}): upload it again.`);
  const size = file.size;
  const batchSize = options.batchSize ?? BATCH;
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
  let batch: IngestedTrace[] = [];
  let lastEnd = { index: cp.nextIndex, offset: cp.offset, line: cp.line };

  // The previous batch's INSERT runs while the next batch is parsed and normalized: Postgres and this process work at once.
  let inFlight: Promise<void> = Promise.resolve();
  const flush = async () => {
    const stored = batch;
    batch = [];
    cp.imported += stored.filter((item) => item.normalized !== null).length;
    cp.notNormalized += stored.filter((item) => item.normalized === null).length;
    cp.nextIndex = lastEnd.index;
    cp.offset = lastEnd.offset;
    cp.line = lastEnd.line;
    // What a resumed run must start from once this batch is stored (later errors belong to later batches).
    const snapshot = { ...cp, errors: [...cp.errors] };
    await inFlight;
    ctx.throwIfStopped();
    inFlight = (async () => {
      if (stored.length > 0) await storeIngested(ctx.database, ctx.job.workspaceId, stored);
      await ctx.checkpoint(snapshot);
      // Bytes read is the honest measure of how far along a file is; every format's offsets are absolute.
      await ctx.progress({ done: snapshot.offset, total: size, imported: snapshot.imported, errors: snapshot.errorCount });
    })();
    // Awaited at the next flush; until then a failure must not count as unhandled.
    inFlight.catch(() => {});
  };

  const reportError = async (line: number, message: string) => {
    cp.errorCount += 1;
    if (cp.errors.length < KEPT_ERRORS) cp.errors.push({ line, message });
    if (cp.errorCount <= LOGGED_ERRORS) await ctx.log(`Line ${line}: ${message}`);
    if (cp.errorCount === LOGGED_ERRORS + 1) await ctx.log("More errors follow; the result lists the first 100.");
  };

  for await (const item of readRecords(source as unknown as AsyncIterable<Uint8Array>, { format: cp.format, startOffset: resumeByOffset ? cp.offset : 0, startLine: resumeByOffset ? cp.line : 1, startIndex: resumeByOffset ? cp.nextIndex : 0 })) {
    if (!resumeByOffset && item.index < cp.nextIndex) continue;
    lastEnd = { index: item.index + 1, offset: item.endOffset, line: item.line + 1 };
    if (item.kind === "error") {
      await reportError(item.line, item.message);
    } else {
      const stored = toIngested(item.text, fallbackTimestamp);
      if (stored.error) await reportError(item.line, stored.error);
      if (stored.trace) batch.push(stored.trace);
    }
    if (batch.length >= batchSize) await flush();
  }
  // The final flush also records the end offset when the file's last records were errors.
  await flush();
  await inFlight;
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

/** A record that parses and normalizes is stored; one that is a recognizable trace but fails to normalize is stored with its error too. */
function toIngested(text: string, fallbackTimestamp: Date): { trace?: IngestedTrace; error?: string } {
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch (error) {
    return { error: `Not valid JSON: ${describeError(error)}` };
  }
  try {
    const { normalized, raw } = detectAndNormalize(record, { fallbackTimestamp });
    return { trace: { source: normalized.source, externalId: normalized.external_id ?? normalized.id, raw, normalized } };
  } catch (error) {
    const message = describeError(error);
    const identity = identityOf(record);
    if (!identity) return { error: message };
    return {
      error: `${message} (stored as not normalized)`,
      trace: { ...identity, raw: record, normalized: null, normalizeError: message, name: identity.name, timestamp: identity.timestamp ?? fallbackTimestamp },
    };
  }

  function identityOf(value: unknown): { source: string; externalId: string; name: string | null; timestamp?: Date } | null {
    if (!isRecord(value)) return null;
    const trace = isRecord(value.trace) ? value.trace : value;
    if (typeof trace.id !== "string" || trace.id === "") return null;
    const source = "steps" in value && typeof value.source === "string" ? value.source : "observations" in value || "observations" in trace ? "langfuse" : "messages" in value ? "openai" : "file";
    const time = typeof trace.timestamp === "string" ? new Date(trace.timestamp) : undefined;
    return { source, externalId: trace.id, name: typeof trace.name === "string" ? trace.name : null, timestamp: time && !Number.isNaN(time.getTime()) ? time : undefined };
  }
}

function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
