// Pushing a version's verdicts to Langfuse as BOOLEAN scores: deterministic score ids, the score config, and a client that honours 429 Retry-After.
import { LangfuseClient } from "@langfuse/client";
import { and, asc, count, eq, gt, isNotNull, isNull, sql } from "drizzle-orm";
import type { Database, Db } from "../../db/client";
import { evals, evalVersions, executions, traces } from "../../db/schema";
import { enqueueJob } from "../../jobs/queue";
import { NotFoundError, ValidationError } from "../../http/errors";
import { retryAfterOf, type LangfuseCredentials } from "../integrations/langfuse-adapter";
import { getIntegration } from "../integrations/service";

export const LANGFUSE_SCORE_PUSH_JOB = "langfuse.score-push";

export interface ScorePushPayload {
  evalVersionId: string;
  integrationId: string;
}

/**
 * The score id of (version, trace): a UUID made from a SHA-256 of both ids, so a retried request, a resumed
 * job or a second push of the same version updates the same Langfuse score instead of adding one.
 */
export function scoreIdFor(evalVersionId: string, traceId: string): string {
  const hex = new Bun.CryptoHasher("sha256").update(`iofold-score:${evalVersionId}:${traceId}`).digest("hex");
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** One score name per eval (not per version): Langfuse charts a name over time, and the version is in metadata. */
export function scoreNameFor(evalName: string): string {
  return `iofold.${evalName.trim().toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_|_$/g, "") || "eval"}`;
}

export interface Verdict {
  traceId: string;
  externalId: string;
  passed: boolean;
  reason: string | null;
}

export function scoreBody(input: { version: { id: string; version: number; evalName: string }; configId: string; verdict: Verdict }) {
  const { version, verdict } = input;
  return {
    id: scoreIdFor(version.id, verdict.traceId),
    traceId: verdict.externalId,
    name: scoreNameFor(version.evalName),
    value: verdict.passed ? 1 : 0,
    dataType: "BOOLEAN" as const,
    configId: input.configId,
    comment: verdict.reason ?? undefined,
    metadata: { iofold_eval_version_id: version.id, iofold_eval_version: version.version },
  };
}

export type ScoreBody = ReturnType<typeof scoreBody>;

/** What the push needs of the version: its eval's name and number. */
export async function findVersionForPush(db: Db, workspaceId: string, versionId: string) {
  const [row] = await db
    .select({ id: evalVersions.id, version: evalVersions.version, evalName: evals.name })
    .from(evalVersions)
    .innerJoin(evals, eq(evals.id, evalVersions.evalId))
    .where(and(eq(evalVersions.workspaceId, workspaceId), eq(evalVersions.id, versionId)));
  return row ?? null;
}

function pushableVerdicts(workspaceId: string, versionId: string, integrationId: string) {
  return and(
    eq(executions.workspaceId, workspaceId),
    eq(executions.evalVersionId, versionId),
    isNull(executions.errorKind),
    isNotNull(executions.passed),
    eq(traces.integrationId, integrationId),
  );
}

/** Verdicts (not errors) on traces imported through the integration: only those exist in that Langfuse project. */
export async function countPushable(db: Db, workspaceId: string, versionId: string, integrationId: string) {
  const [row] = await db
    .select({ n: count() })
    .from(executions)
    .innerJoin(traces, eq(traces.id, executions.traceId))
    .where(pushableVerdicts(workspaceId, versionId, integrationId));
  return row?.n ?? 0;
}

export async function pushableVerdictPage(db: Db, workspaceId: string, versionId: string, integrationId: string, afterTraceId: string | null, limit: number): Promise<Verdict[]> {
  const rows = await db
    .select({ traceId: executions.traceId, externalId: traces.externalId, passed: executions.passed, reason: executions.reason })
    .from(executions)
    .innerJoin(traces, eq(traces.id, executions.traceId))
    .where(and(pushableVerdicts(workspaceId, versionId, integrationId), afterTraceId ? gt(executions.traceId, afterTraceId) : sql`true`))
    .orderBy(asc(executions.traceId))
    .limit(limit);
  return rows.map((r) => ({ ...r, passed: r.passed === true }));
}

export class ScorePushError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export interface WriterOptions {
  signal?: AbortSignal;
  /** Tries per request before the job's own retry takes over. */
  maxAttempts?: number;
  maxDelayMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  onRetry?: (notice: { attempt: number; status: number | null; waitMs: number }) => void;
}

const abortableSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });

/** Writes scores and score configs through the official client; our retry loop, so Retry-After is honoured exactly. */
export class LangfuseScoreWriter {
  private readonly client: LangfuseClient;

  constructor(
    credentials: LangfuseCredentials,
    private readonly options: WriterOptions = {},
  ) {
    this.client = new LangfuseClient({ publicKey: credentials.publicKey, secretKey: credentials.secretKey, baseUrl: credentials.baseUrl.replace(/\/+$/, "") });
  }

  private async request<T>(call: (o: { maxRetries: number; timeoutInSeconds: number; abortSignal?: AbortSignal }) => Promise<T>): Promise<T> {
    const maxAttempts = this.options.maxAttempts ?? 8;
    const maxDelay = this.options.maxDelayMs ?? 60_000;
    for (let attempt = 1; ; attempt++) {
      this.options.signal?.throwIfAborted();
      try {
        return await call({ maxRetries: 0, timeoutInSeconds: 30, abortSignal: this.options.signal });
      } catch (error) {
        this.options.signal?.throwIfAborted();
        const status = typeof (error as { statusCode?: unknown }).statusCode === "number" ? (error as { statusCode: number }).statusCode : null;
        const retryable = status === null || status === 408 || status === 429 || status >= 500;
        if (!retryable || attempt >= maxAttempts) {
          const detail = (error as { body?: { message?: string } }).body?.message ?? (error instanceof Error ? error.message : String(error));
          throw new ScorePushError(`Langfuse answered ${status ?? "no response"}: ${detail}`, status, retryable);
        }
        const retryAfter = retryAfterOf(error);
        const waitMs = Math.min(maxDelay, retryAfter ?? Math.round(Math.random() * 500 * 2 ** (attempt - 1)));
        this.options.onRetry?.({ attempt, status, waitMs });
        await (this.options.sleep ?? abortableSleep)(waitMs, this.options.signal);
      }
    }
  }

  /** The BOOLEAN score config with this name, created when the project has none (archived ones do not count). */
  async ensureBooleanConfig(name: string, description: string): Promise<string> {
    for (let page = 1; ; page++) {
      const response = await this.request((o) => this.client.api.scoreConfigs.get({ page, limit: 100 }, o));
      const found = response.data.find((c) => c.name === name && c.dataType === "BOOLEAN" && !c.isArchived);
      if (found) return found.id;
      if (page >= (response.meta?.totalPages ?? 1)) break;
    }
    const created = await this.request((o) => this.client.api.scoreConfigs.create({ name, dataType: "BOOLEAN", description }, o));
    return created.id;
  }

  async createScore(body: ScoreBody): Promise<void> {
    await this.request((o) => this.client.api.scores.create(body, o));
  }
}

/** Starts the push job after checking the version and the integration exist in the workspace. */
export async function startScorePush(database: Database, input: { workspaceId: string; evalVersionId: string; integrationId: string; createdBy: string | null }) {
  if (!(await findVersionForPush(database.db, input.workspaceId, input.evalVersionId))) throw new NotFoundError("Eval version");
  const integration = await getIntegration(database, input.workspaceId, input.integrationId);
  if (!integration.enabled) throw new ValidationError("This Langfuse integration is disabled: enable it before pushing scores.");
  const payload: ScorePushPayload = { evalVersionId: input.evalVersionId, integrationId: input.integrationId };
  return enqueueJob(database, { workspaceId: input.workspaceId, type: LANGFUSE_SCORE_PUSH_JOB, payload: { ...payload }, createdBy: input.createdBy, maxAttempts: 5 });
}
