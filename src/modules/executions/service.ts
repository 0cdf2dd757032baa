// Eval runs: starting one as a job, and turning sandbox results into execution rows.
import type { Database } from "../../db/client";
import { NotFoundError } from "../../http/errors";
import { enqueueJob } from "../../jobs/queue";
import type { TraceResult } from "../../sandbox";
import type { RunScope } from "./model";
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

export function executionRow(workspaceId: string, evalVersionId: string, result: TraceResult, ranAt: Date): q.ExecutionInsert {
  const base = { workspaceId, evalVersionId, traceId: result.id, createdAt: ranAt };
  if (result.ok) {
    return { ...base, passed: result.passed, reason: result.reason, durationMs: result.duration_ms, stdout: result.stdout || null, errorKind: null, errorMessage: null, traceback: null };
  }
  return { ...base, passed: null, reason: null, durationMs: null, stdout: null, errorKind: result.error.kind, errorMessage: result.error.message, traceback: result.error.traceback || null };
}
