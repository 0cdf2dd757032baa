// The one adapter between iofold and a Langfuse server: reads through the official client, with our own retry, backoff and timeout policy.
import { LangfuseClient } from "@langfuse/client";

export type JsonRecord = Record<string, unknown>;

export interface LangfuseCredentials {
  baseUrl: string;
  publicKey: string;
  secretKey: string;
}

export interface RetryPolicy {
  /** Tries per request, the first included; past them the error surfaces (the job's own retry takes over). */
  maxAttempts: number;
  /** A request slower than this is abandoned and retried. */
  timeoutMs: number;
  /** First backoff after a 5xx or network error; doubles per attempt, with full jitter. */
  baseDelayMs: number;
  /** Cap for backoff and for a server's Retry-After. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 8, timeoutMs: 30_000, baseDelayMs: 500, maxDelayMs: 60_000 };

export interface RetryNotice {
  operation: string;
  attempt: number;
  status: number | null;
  waitMs: number;
  reason: string;
}

export interface ReaderOptions {
  policy?: Partial<RetryPolicy>;
  /** Aborts waits and in-flight requests (the job was cancelled or paused). */
  signal?: AbortSignal;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  onRetry?: (notice: RetryNotice) => void;
}

export class LangfuseRequestError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/** Which read APIs the server offers: the legacy trace list (v1, gone from Cloud after 2026-11-16) and v2 observations (Langfuse v4). */
export interface LangfuseApiSupport {
  traceList: boolean;
  observationsV2: boolean;
}

export interface TraceListQuery {
  page: number;
  limit: number;
  fromTimestamp?: string;
  toTimestamp?: string;
  name?: string;
  tags?: string[];
  userId?: string;
  sessionId?: string;
  environment?: string;
}

export interface V2ScanQuery {
  cursor?: string;
  limit: number;
  fromStartTime?: string;
  toStartTime?: string;
  userId?: string;
  sessionId?: string;
  environment?: string;
}

/** The fields groups the v2 normalizer needs (trace_context too: without a trace object it supplies name and tags). */
export const V2_FULL_FIELDS = "core,basic,time,io,metadata,model,usage,trace_context";
const V1_PAGE_LIMIT = 100;
const V2_PAGE_LIMIT = 1000;

type RequestOptions = { maxRetries: number; timeoutInSeconds: number; abortSignal?: AbortSignal };

export class LangfuseReader {
  private readonly client: LangfuseClient;
  private readonly policy: RetryPolicy;

  constructor(
    credentials: LangfuseCredentials,
    private readonly options: ReaderOptions = {},
  ) {
    this.client = new LangfuseClient({ publicKey: credentials.publicKey, secretKey: credentials.secretKey, baseUrl: credentials.baseUrl.replace(/\/+$/, "") });
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
  }

  /** Asks each read API for one item: 404/410 means the server does not offer it; 401 throws (wrong keys or host). */
  async probe(): Promise<LangfuseApiSupport> {
    const offered = async (operation: string, call: (o: RequestOptions) => Promise<unknown>) => {
      try {
        await this.request(operation, call);
        return true;
      } catch (error) {
        if (error instanceof LangfuseRequestError && (error.status === 404 || error.status === 410)) return false;
        throw error;
      }
    };
    const observationsV2 = await offered("probe v2 observations", (o) => this.client.api.observations.getMany({ limit: 1, fields: "core" }, o));
    const traceList = await offered("probe trace list", (o) => this.client.api.trace.list({ limit: 1, page: 1 }, o));
    return { traceList, observationsV2 };
  }

  /** One page of the legacy trace list, oldest first so pages stay stable while new traces arrive. */
  async listTraces(query: TraceListQuery): Promise<{ data: JsonRecord[]; totalItems: number; totalPages: number }> {
    const response = (await this.request(`trace list page ${query.page}`, (o) =>
      this.client.api.trace.list(
        {
          page: query.page,
          limit: query.limit,
          orderBy: "timestamp.asc",
          fromTimestamp: query.fromTimestamp,
          toTimestamp: query.toTimestamp,
          name: query.name,
          tags: query.tags && query.tags.length > 0 ? query.tags : undefined,
          userId: query.userId,
          sessionId: query.sessionId,
          environment: query.environment,
        },
        o,
      ),
    )) as unknown as { data: JsonRecord[]; meta: { totalItems?: number; totalPages?: number } };
    return { data: response.data, totalItems: Number(response.meta.totalItems ?? 0), totalPages: Number(response.meta.totalPages ?? 0) };
  }

  /** Every v1 observation of a trace, all pages. */
  async observationsV1(traceId: string): Promise<JsonRecord[]> {
    const all: JsonRecord[] = [];
    for (let page = 1; ; page++) {
      const response = (await this.request(`v1 observations of ${traceId}`, (o) =>
        this.client.api.legacy.observationsV1.getMany({ traceId, page, limit: V1_PAGE_LIMIT }, o),
      )) as unknown as { data: JsonRecord[]; meta: { totalPages?: number } };
      all.push(...response.data);
      if (page >= Number(response.meta.totalPages ?? 0) || response.data.length === 0) return all;
    }
  }

  /** Every v2 observation row of a trace (all field groups), all cursor pages. */
  async observationsV2(traceId: string): Promise<JsonRecord[]> {
    const all: JsonRecord[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.scanObservationsV2({ cursor, limit: V2_PAGE_LIMIT }, { traceId, fields: V2_FULL_FIELDS });
      all.push(...page.rows);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return all;
  }

  /** One cursor page of v2 observations across traces (newest start first). */
  async scanObservationsV2(query: V2ScanQuery, extra: { traceId?: string; fields?: string } = {}): Promise<{ rows: JsonRecord[]; nextCursor: string | null }> {
    const response = (await this.request(extra.traceId ? `v2 observations of ${extra.traceId}` : "v2 observation scan", (o) =>
      this.client.api.observations.getMany(
        {
          limit: query.limit,
          cursor: query.cursor,
          fields: extra.fields ?? "core,trace_context",
          traceId: extra.traceId,
          fromStartTime: query.fromStartTime,
          toStartTime: query.toStartTime,
          userId: query.userId,
          sessionId: query.sessionId,
          environment: query.environment,
        },
        o,
      ),
    )) as unknown as { data: JsonRecord[]; meta?: { cursor?: string | null } };
    return { rows: response.data, nextCursor: response.meta?.cursor ?? null };
  }

  /** Runs one API call, retrying 429 (after Retry-After), 408/5xx and network errors or timeouts (exponential backoff, full jitter). */
  private async request<T>(operation: string, call: (options: RequestOptions) => Promise<T>): Promise<T> {
    const { signal } = this.options;
    for (let attempt = 1; ; attempt++) {
      signal?.throwIfAborted();
      let failure: LangfuseRequestError;
      let retryAfterMs: number | null = null;
      try {
        return await call({ maxRetries: 0, timeoutInSeconds: this.policy.timeoutMs / 1000, abortSignal: signal });
      } catch (error) {
        signal?.throwIfAborted();
        failure = classify(error, operation);
        retryAfterMs = retryAfterOf(error);
      }
      if (!failure.retryable || attempt >= this.policy.maxAttempts) throw failure;
      const backoff = Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** (attempt - 1));
      const waitMs = retryAfterMs !== null ? Math.min(this.policy.maxDelayMs, retryAfterMs) : Math.round((this.options.random ?? Math.random)() * backoff);
      this.options.onRetry?.({ operation, attempt, status: failure.status, waitMs, reason: failure.message });
      await (this.options.sleep ?? abortableSleep)(waitMs, signal);
    }
  }
}

/** Turns whatever the client threw into a status, a retry decision and a message a user can act on. */
function classify(error: unknown, operation: string): LangfuseRequestError {
  const status = typeof (error as { statusCode?: unknown })?.statusCode === "number" ? (error as { statusCode: number }).statusCode : null;
  const detail = bodyMessage(error) ?? (error instanceof Error ? error.message : String(error));
  if (status === null) return new LangfuseRequestError(`${operation}: ${/timeout/i.test(detail) ? "timed out" : detail}`, null, true);
  if (status === 401 || status === 403) {
    return new LangfuseRequestError(`Langfuse rejected the credentials (HTTP ${status}): check the host URL, public key and secret key. ${detail}`, status, false);
  }
  const retryable = status === 408 || status === 429 || status >= 500;
  return new LangfuseRequestError(`${operation}: HTTP ${status}: ${detail}`, status, retryable);
}

function bodyMessage(error: unknown): string | null {
  const body = (error as { body?: unknown })?.body;
  if (body && typeof body === "object" && typeof (body as { message?: unknown }).message === "string") return (body as { message: string }).message;
  return typeof body === "string" && body !== "" ? body.slice(0, 300) : null;
}

/** Retry-After as seconds or an HTTP date, in milliseconds; null when absent or unreadable. */
export function retryAfterOf(error: unknown, now = Date.now()): number | null {
  const headers = (error as { rawResponse?: { headers?: Headers } })?.rawResponse?.headers;
  const value = headers?.get?.("retry-after");
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
