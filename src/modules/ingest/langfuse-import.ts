// Imports traces from a Langfuse project as a resumable job: probes v1/v2 read APIs, pages with a checkpoint, stores idempotently.
import { PermanentJobError, type JobContext } from "../../jobs/definition";
import { LangfuseReader, LangfuseRequestError, type JsonRecord, type ReaderOptions } from "../integrations/langfuse-adapter";
import type { ImportFilter } from "../integrations/model";
import { credentialsOf, getIntegration, recordSync, type LangfuseImportPayload } from "../integrations/service";
import { SecretBoxError } from "../integrations/secret-box";
import { NotFoundError } from "../../http/errors";
import { normalizeLangfuseTrace } from "./normalize/langfuse";
import { normalizeLangfuseV2Observations } from "./normalize/langfuse-v2";
import type { NormalizeResult } from "./normalize/normalize-error";
import { describeError, storeIngested, type IngestedTrace } from "./store";

export interface LangfuseImportOptions {
  encryptionKey: () => Buffer;
  readerOptions?: ReaderOptions;
  /** Traces whose observations are fetched at once. */
  concurrency?: number;
  /** Traces stored (and checkpointed) together. */
  batchSize?: number;
}

/**
 * How the run reads: "list" pages the legacy trace list and fetches each trace's observations through v2
 * when offered, else v1 (same normalized result either way); "v2-only" (Cloud after the v1 sunset) scans v2
 * observations for trace ids and rebuilds each trace from its rows — traces with no observations are invisible there.
 */
type ReadMode = { kind: "list"; observations: "v1" | "v2" } | { kind: "v2-only" };

/** Everything a resumed run needs to continue where the last one stored its last batch. */
interface ImportCheckpoint {
  window: { from: string | null; to: string };
  mode: ReadMode;
  /** list mode: the trace-list page being worked on (1-based). */
  page: number;
  /** v2-only: the cursor that fetched the scan page being worked on (null = first page). */
  cursor: string | null;
  /** Traces of the current page already stored. */
  index: number;
  imported: number;
  failed: number;
}

/** One trace as read from Langfuse: the payload to keep as raw, and how to normalize it. */
interface FetchedTrace {
  raw: unknown;
  normalize: () => NormalizeResult;
}

const LIST_PAGE_LIMIT = 100;
const V2_SCAN_LIMIT = 1000;
/** A sync re-reads this much before the last cursor: traces still running then may have gained observations since. */
export const SYNC_LOOKBACK_MS = 15 * 60_000;

export async function runLangfuseImport(ctx: JobContext<LangfuseImportPayload>, options: LangfuseImportOptions): Promise<Record<string, unknown>> {
  const { workspaceId } = ctx.job;
  const { integrationId, mode } = ctx.payload;
  const integration = await getIntegration(ctx.database, workspaceId, integrationId).catch((error) => {
    throw error instanceof NotFoundError ? new PermanentJobError("The integration was deleted.") : error;
  });
  if (!integration.enabled) {
    if (mode === "sync") return { skipped: "integration disabled" };
    throw new PermanentJobError("The integration is disabled.");
  }
  let credentials;
  try {
    credentials = credentialsOf(integration, options.encryptionKey());
  } catch (error) {
    throw error instanceof SecretBoxError ? new PermanentJobError(error.message) : error;
  }
  const reader = new LangfuseReader(credentials, {
    ...options.readerOptions,
    signal: ctx.signal,
    onRetry: (notice) => {
      options.readerOptions?.onRetry?.(notice);
      void ctx.log(
        `${notice.operation}: ${notice.status === 429 ? "rate limited" : (notice.status ?? "request failed")}, retrying in ${(notice.waitMs / 1000).toFixed(1)} s (attempt ${notice.attempt})`,
      );
    },
  });
  const filter: Partial<ImportFilter> = mode === "import" ? (ctx.payload.filter ?? {}) : {};

  const saved = ctx.job.checkpoint as Partial<ImportCheckpoint> | null;
  let checkpoint: ImportCheckpoint;
  if (saved?.window && saved.mode) {
    checkpoint = saved as ImportCheckpoint;
    await ctx.log(`Resuming at ${checkpoint.mode.kind === "list" ? `page ${checkpoint.page}` : "the saved cursor"}, trace ${checkpoint.index + 1} of it (${checkpoint.imported + checkpoint.failed} done)`);
  } else {
    const readMode = await chooseReadMode(reader).catch((error) => {
      throw error instanceof LangfuseRequestError && !error.retryable ? new PermanentJobError(error.message) : error;
    });
    checkpoint = { window: importWindow(mode, filter, integration.syncCursor, ctx.job.createdAt), mode: readMode, page: 1, cursor: null, index: 0, imported: 0, failed: 0 };
    await ctx.checkpoint({ ...checkpoint });
    await ctx.log(
      `Reading ${readMode.kind === "list" ? `the trace list with ${readMode.observations} observations` : "v2 observations only (no trace list on this server)"}` +
        `, traces from ${checkpoint.window.from ?? "the beginning"} to ${checkpoint.window.to}`,
    );
  }

  const run = new ImportRun(ctx, checkpoint, reader, filter, integrationId, options);
  try {
    if (checkpoint.mode.kind === "list") await run.fromTraceList(checkpoint.mode.observations);
    else await run.fromV2Scan();
  } catch (error) {
    if (error instanceof LangfuseRequestError && !error.retryable) throw new PermanentJobError(error.message);
    throw error;
  }
  if (mode === "sync") await recordSync(ctx.database, workspaceId, integrationId, checkpoint.window.to);
  return { imported: checkpoint.imported, failedToNormalize: checkpoint.failed, readMode: checkpoint.mode, window: checkpoint.window };
}

async function chooseReadMode(reader: LangfuseReader): Promise<ReadMode> {
  const api = await reader.probe();
  if (api.traceList) return { kind: "list", observations: api.observationsV2 ? "v2" : "v1" };
  if (api.observationsV2) return { kind: "v2-only" };
  throw new PermanentJobError("This server offers neither the Langfuse trace list nor v2 observations.");
}

/** The window is fixed when the job first runs, so pages stay stable across resumes while new traces keep arriving. */
function importWindow(mode: "import" | "sync", filter: Partial<ImportFilter>, syncCursor: Record<string, unknown> | null, createdAt: Date) {
  if (mode === "sync") {
    const until = typeof syncCursor?.until === "string" ? Date.parse(syncCursor.until) : NaN;
    return { from: Number.isNaN(until) ? null : new Date(until - SYNC_LOOKBACK_MS).toISOString(), to: createdAt.toISOString() };
  }
  return { from: filter.from ?? null, to: filter.to ?? createdAt.toISOString() };
}

class ImportRun {
  private readonly concurrency: number;
  private readonly batchSize: number;
  private total = 0;

  constructor(
    private readonly ctx: JobContext<LangfuseImportPayload>,
    private readonly checkpoint: ImportCheckpoint,
    private readonly reader: LangfuseReader,
    private readonly filter: Partial<ImportFilter>,
    private readonly integrationId: string,
    options: LangfuseImportOptions,
  ) {
    this.concurrency = options.concurrency ?? 8;
    this.batchSize = options.batchSize ?? 50;
  }

  async fromTraceList(observations: "v1" | "v2"): Promise<void> {
    const cp = this.checkpoint;
    for (;;) {
      this.ctx.throwIfStopped();
      const page = await this.reader.listTraces({
        page: cp.page,
        limit: LIST_PAGE_LIMIT,
        fromTimestamp: cp.window.from ?? undefined,
        toTimestamp: cp.window.to,
        name: this.filter.name,
        tags: this.filter.tags,
        userId: this.filter.userId,
        sessionId: this.filter.sessionId,
        environment: this.filter.environment,
      });
      this.total = page.totalItems;
      await this.importTraces(page.data.slice(cp.index), async (trace) => {
        const id = String(trace.id);
        if (observations === "v2") {
          const rows = await this.reader.observationsV2(id);
          return { raw: { trace, observations: rows }, normalize: () => normalizeLangfuseV2Observations(trace, rows) };
        }
        const rows = await this.reader.observationsV1(id);
        return { raw: { trace, observations: rows }, normalize: () => normalizeLangfuseTrace(trace, rows) };
      });
      if (cp.page >= page.totalPages || page.data.length === 0) return;
      cp.page += 1;
      cp.index = 0;
      await this.ctx.checkpoint({ ...cp });
    }
  }

  async fromV2Scan(): Promise<void> {
    const cp = this.checkpoint;
    // Rows come newest first, so a trace's rows sit together: remembering the last two pages' ids avoids refetching a trace split over a page boundary.
    let previousPage = new Set<string>();
    for (;;) {
      this.ctx.throwIfStopped();
      const scan = await this.reader.scanObservationsV2({
        cursor: cp.cursor ?? undefined,
        limit: V2_SCAN_LIMIT,
        fromStartTime: cp.window.from ?? undefined,
        toStartTime: cp.window.to,
        userId: this.filter.userId,
        sessionId: this.filter.sessionId,
        environment: this.filter.environment,
      });
      const traceIds = [...new Set(scan.rows.filter((row) => this.matchesTraceContext(row)).map((row) => String(row.traceId)))].filter((id) => !previousPage.has(id));
      this.total = Math.max(this.total, cp.imported + cp.failed + traceIds.length - cp.index + (scan.nextCursor ? 1 : 0));
      await this.importTraces(
        traceIds.slice(cp.index).map((id) => ({ id })),
        async ({ id }) => {
          const rows = await this.reader.observationsV2(String(id));
          return { raw: { trace: null, observations: rows }, normalize: () => normalizeLangfuseV2Observations(null, rows) };
        },
      );
      if (!scan.nextCursor) return;
      previousPage = new Set(traceIds);
      cp.cursor = scan.nextCursor;
      cp.index = 0;
      await this.ctx.checkpoint({ ...cp });
    }
  }

  /** v2 rows carry the trace's name and tags (trace_context): the filters the v2 API cannot apply itself. */
  private matchesTraceContext(row: JsonRecord): boolean {
    if (this.filter.name && row.traceName !== this.filter.name) return false;
    const tags = Array.isArray(row.tags) ? row.tags : [];
    return (this.filter.tags ?? []).every((tag) => tags.includes(tag));
  }

  /** Fetches, normalizes and stores traces in batches, checkpointing after each stored batch. */
  private async importTraces(
    items: JsonRecord[],
    fetchOne: (item: JsonRecord) => Promise<FetchedTrace>,
  ): Promise<void> {
    const cp = this.checkpoint;
    for (let start = 0; start < items.length; start += this.batchSize) {
      this.ctx.throwIfStopped();
      const batch = items.slice(start, start + this.batchSize);
      const fetched = await mapWithConcurrency(batch, this.concurrency, fetchOne);
      const stored: IngestedTrace[] = fetched.map((entry, i) => this.toIngested(batch[i]!, entry));
      await storeIngested(this.ctx.database, this.ctx.job.workspaceId, stored);
      const failed = stored.filter((item) => item.normalized === null);
      for (const item of failed.slice(0, 20)) await this.ctx.log(`Trace ${item.externalId} stored without normalizing: ${item.normalizeError}`);
      cp.index += batch.length;
      cp.imported += batch.length - failed.length;
      cp.failed += failed.length;
      await this.ctx.checkpoint({ ...cp });
      await this.ctx.progress({ done: cp.imported + cp.failed, total: Math.max(this.total, cp.imported + cp.failed), imported: cp.imported, failed: cp.failed });
    }
  }

  private toIngested(item: JsonRecord, entry: FetchedTrace): IngestedTrace {
    const externalId = String(item.id);
    try {
      const { normalized } = entry.normalize();
      return { source: "langfuse", externalId, raw: entry.raw, normalized, integrationId: this.integrationId };
    } catch (error) {
      const timestamp = typeof item.timestamp === "string" && !Number.isNaN(Date.parse(item.timestamp)) ? new Date(item.timestamp) : undefined;
      return {
        source: "langfuse",
        externalId,
        raw: entry.raw,
        normalized: null,
        normalizeError: describeError(error),
        name: typeof item.name === "string" ? item.name : null,
        timestamp,
        integrationId: this.integrationId,
      };
    }
  }
}

export async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  });
  await Promise.all(workers);
  return results;
}
