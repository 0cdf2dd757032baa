// API routes to run an eval version over traces (as a job), score one trace online, and read a results summary.
import { Elysia } from "elysia";
import { requireAuth } from "../../http/auth";
import type { AppDeps } from "../../http/context";
import { NotFoundError, ValidationError } from "../../http/errors";
import { runEvalInput, scoreInput } from "./model";
import * as q from "./queries";
import { scoreOnline, startEvalRun } from "./service";

export function executionRoutes(deps: AppDeps) {
  return new Elysia()
    .use(requireAuth(deps))
    .post("/api/v1/eval-versions/:id/runs", async ({ auth, params, body, set }) => {
      const parsed = runEvalInput.safeParse(body);
      if (!parsed.success) throw new ValidationError("Send {scope: {kind: all | eval-set | traces, …}, onlyMissing?}.", parsed.error.issues);
      const job = await startEvalRun(deps.database, { workspaceId: auth.workspace.id, evalVersionId: params.id, ...parsed.data, createdBy: auth.user.id });
      set.status = 202;
      return { job_id: job.id, status: job.status, url: `/jobs/${job.id}` };
    })
    .post("/api/v1/eval-versions/:id/score", async ({ auth, params, body }) => {
      const parsed = scoreInput.safeParse(body);
      if (!parsed.success) throw new ValidationError("Send {trace_id, store?} for a stored trace, or {trace} with a normalized trace.");
      return scoreOnline(deps.database, deps.scoringPool, auth.workspace.id, params.id, parsed.data);
    })
    .get("/api/v1/eval-versions/:id/summary", async ({ auth, params }) => {
      if (!(await q.findEvalVersion(deps.database.db, auth.workspace.id, params.id))) throw new NotFoundError("Eval version");
      return q.executionSummary(deps.database.db, auth.workspace.id, params.id);
    });
}
