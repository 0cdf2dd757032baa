// Eval runs: starting one as a job, and scoring single traces online.
import type { Database } from "../../db/client";
import { AppError, NotFoundError, ValidationError } from "../../http/errors";
import { enqueueJob } from "../../jobs/queue";
import { EvalLoadError, type TraceResult, type WarmPool } from "../../sandbox";
import { NormalizedTraceSchema } from "../traces/normalized-schema";
import { findTrace } from "../traces/queries";
import type { RunScope, ScoreInput } from "./model";
import * as q from "./queries";

export const RUN_EVAL_JOB = "eval.run";

export async function startEvalRun(
  database: Database,
  input: { workspaceId: string; evalVersionId: string; scope: RunScope; onlyMissing?: boolean; createdBy?: string | null },
) {
  const version = await q.findEvalVersion(database.db, input.workspaceId, input.evalVersionId);
  if (!version) throw new NotFoundError("Eval version");
  return enqueueJob(database, {
    workspaceId: input.workspaceId,
    type: RUN_EVAL_JOB,
    payload: { evalVersionId: version.id, scope: input.scope, onlyMissing: input.onlyMissing ?? false },
    createdBy: input.createdBy ?? null,
    maxAttempts: 3,
  });
}

/** Scores one trace on a warm jailed interpreter of the version: no process start on the hot path. */
export async function scoreOnline(database: Database, pool: WarmPool, workspaceId: string, evalVersionId: string, input: ScoreInput) {
  const version = await q.findEvalVersion(database.db, workspaceId, evalVersionId);
  if (!version) throw new NotFoundError("Eval version");
  let traceId: string | null = null;
  let trace: unknown;
  if ("trace_id" in input) {
    const row = await findTrace(database.db, workspaceId, input.trace_id);
    if (!row) throw new NotFoundError("Trace");
    if (!row.normalized) throw new ValidationError(`Trace ${row.id} was not normalized (${row.normalizeError ?? "unknown error"}); it cannot be scored.`);
    traceId = row.id;
    trace = row.normalized;
  } else {
    const parsed = NormalizedTraceSchema.safeParse(input.trace);
    if (!parsed.success) throw new ValidationError("`trace` is not a normalized trace.", parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
    trace = parsed.data;
  }
  let result: TraceResult;
  try {
    result = await pool.score(version.code, trace, traceId ?? undefined);
  } catch (error) {
    if (error instanceof EvalLoadError) throw new AppError(422, "eval_cannot_load", `The eval could not load (${error.kind}): ${error.message}`, error.staticErrors);
    throw error;
  }
  if (traceId && "store" in input && input.store) {
    await q.upsertExecutions(database.db, { workspaceId, evalVersionId: version.id, ranAt: new Date() }, [{ ...result, id: traceId }]);
  }
  return result.ok
    ? { trace_id: traceId, passed: result.passed, reason: result.reason, duration_ms: result.duration_ms, stdout: result.stdout, error: null }
    : { trace_id: traceId, passed: null, reason: null, duration_ms: null, stdout: null, error: result.error };
}
