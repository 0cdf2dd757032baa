// Job "eval.run": runs one eval version over a set of traces in the sandbox and upserts one execution per trace.
import { defineJob, PermanentJobError } from "../definition";
import type { RunEvalPayload } from "../../modules/executions/model";
import * as q from "../../modules/executions/queries";
import { executionRow, RUN_EVAL_JOB } from "../../modules/executions/service";
import { EvalLoadError, runBatch, SandboxUnavailableError, type TraceItem, type TraceResult } from "../../sandbox";

const PAGE = 500;
const WRITE_BATCH = 250;
const PROGRESS_EVERY_MS = 500;
/** Runs over at least this many traces refresh planner statistics first (a bulk import may have just landed). */
const STATISTICS_FROM = 5_000;

export const runEvalJob = defineJob<RunEvalPayload>({
  type: RUN_EVAL_JOB,
  maxAttempts: 3,
  async run(ctx) {
    const { workspaceId } = ctx.job;
    const { evalVersionId, scope, onlyMissing } = ctx.payload;
    const db = ctx.database.db;
    const version = await q.findEvalVersion(db, workspaceId, evalVersionId);
    if (!version) throw new PermanentJobError(`Eval version ${evalVersionId} no longer exists.`);

    // A resumed or retried run keeps its start time: traces with a result since then are done.
    const since = ctx.job.checkpoint?.since ? new Date(String(ctx.job.checkpoint.since)) : new Date();
    if (!ctx.job.checkpoint?.since) await ctx.checkpoint({ since: since.toISOString() });
    const total = await q.countPending(db, workspaceId, scope, evalVersionId, since, onlyMissing);
    const counts = { done: 0, total, passed: 0, failed: 0, errors: 0 };
    await ctx.progress({ ...counts, rate: 0 });
    if (total === 0) return { ...counts };
    if (total >= STATISTICS_FROM) await q.refreshPlannerStatistics(db);

    // The next page is fetched while the jail works through the current one.
    async function* pendingTraces(): AsyncGenerator<TraceItem> {
      const fetchPage = (afterId: string | null) => {
        const page = q.pendingTracesPage(db, workspaceId, scope, evalVersionId, since, onlyMissing, afterId, PAGE);
        page.catch(() => {}); // a prefetch abandoned by a cancelled run must not surface as an unhandled rejection
        return page;
      };
      let next = fetchPage(null);
      while (true) {
        const page = await next;
        if (!page.exhausted) next = fetchPage(page.lastId);
        for (const row of page.rows) yield { id: row.id, traceJson: row.normalizedJson };
        if (page.exhausted) return;
      }
    }

    const started = performance.now();
    let lastProgress = started;
    let pending: TraceResult[] = [];
    // One write in flight at a time, overlapping the jail; waiting for it before the next bounds memory.
    let writing: Promise<void> = Promise.resolve();
    const flush = async () => {
      const batch = pending;
      pending = [];
      await writing;
      const ranAt = new Date();
      writing = q.upsertExecutions(db, batch.map((r) => executionRow(workspaceId, evalVersionId, r, ranAt)));
    };

    try {
      for await (const result of runBatch({ code: version.code, traces: pendingTraces(), timeoutMs: version.timeoutMs, signal: ctx.signal })) {
        pending.push(result);
        counts.done++;
        if (!result.ok) counts.errors++;
        else if (result.passed) counts.passed++;
        else counts.failed++;
        if (pending.length >= WRITE_BATCH) await flush();
        const now = performance.now();
        if (now - lastProgress >= PROGRESS_EVERY_MS) {
          lastProgress = now;
          await ctx.progress({ ...counts, rate: Math.round(counts.done / ((now - started) / 1000)) });
        }
      }
      await flush();
      await writing;
    } catch (error) {
      // Results already received are kept: a resumed run skips them.
      await flush().catch(() => {});
      await writing.catch(() => {});
      if (error instanceof EvalLoadError) {
        const details = error.staticErrors.map((e) => e.message).join("; ");
        throw new PermanentJobError(`The eval could not load (${error.kind}): ${details || error.message}`);
      }
      if (error instanceof SandboxUnavailableError) throw new PermanentJobError(error.message);
      throw error;
    }
    const seconds = (performance.now() - started) / 1000;
    await ctx.progress({ ...counts, rate: Math.round(counts.done / Math.max(seconds, 0.001)) });
    return { ...counts, seconds: Math.round(seconds * 100) / 100 };
  },
});
