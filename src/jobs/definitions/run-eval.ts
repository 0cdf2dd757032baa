// Job "eval.run": runs one eval version over a set of traces in the sandbox and upserts one execution per trace.
import { vacuumWhereDue } from "../../db/pglite-vacuum";
import { defineJob, PermanentJobError } from "../definition";
import type { RunEvalPayload } from "../../modules/executions/model";
import * as q from "../../modules/executions/queries";
import { RUN_EVAL_JOB } from "../../modules/executions/service";
import {
  EvalLoadError,
  prepareThread,
  readSandboxSettings,
  runBatch,
  runBatchOnThread,
  SandboxUnavailableError,
  type TraceItem,
  type TraceResult,
} from "../../sandbox";

/** Traces read per statement; the next page is read while the jail works through this one. */
export const TRACES_PER_PAGE = 1000;
export const RESULTS_PER_WRITE = 500;
/**
 * Upserts running at once. Writing a result costs the server more than reading its trace (index and foreign-key
 * checks, the matrix's verdict trigger): with one write in flight the jail waited on it; a second uses the idle core.
 * Batches hold disjoint traces, so they never conflict, and done-ness is per trace, so their commit order is irrelevant.
 */
const WRITES_IN_FLIGHT = 2;
const PROGRESS_EVERY_MS = 500;
/** Runs over at least this many traces refresh planner statistics first (a bulk import may have just landed). */
const STATISTICS_FROM = 5_000;

export const runEvalJob = defineJob<RunEvalPayload>({
  type: RUN_EVAL_JOB,
  maxAttempts: 3,
  // PGlite runs feed the jail from a worker thread (see below): the first run finds it started, its modules loaded.
  prepare(database) {
    if (database.kind === "pglite") prepareThread();
  },
  async run(ctx) {
    const { workspaceId } = ctx.job;
    const { evalVersionId, scope, onlyMissing } = ctx.payload;
    const db = ctx.database.db;
    const version = await q.findEvalVersion(db, workspaceId, evalVersionId);
    if (!version) throw new PermanentJobError(`Eval version ${evalVersionId} no longer exists.`);

    // A resumed or retried run keeps its start time: traces with a result since then are done.
    const resumed = Boolean(ctx.job.checkpoint?.since);
    const since = resumed ? new Date(String(ctx.job.checkpoint!.since)) : new Date();
    if (!resumed) await ctx.checkpoint({ since: since.toISOString() });
    const selection = { workspaceId, scope, evalVersionId, since, onlyMissing, fresh: !resumed && !onlyMissing };
    // A version's first run writes only rows that cannot exist yet: plain inserts, cheaper than upserts.
    const allNew = !resumed && !(await q.hasExecutions(db, evalVersionId));
    const total = await q.countPending(db, selection);
    const counts = { done: 0, total, passed: 0, failed: 0, errors: 0 };
    await ctx.progress({ ...counts, rate: 0 });
    if (total === 0) return { ...counts };

    // PGlite's counters are exact (one backend): its tables are vacuumed and analyzed only where autovacuum would,
    // which after the worker's own pass is usually nowhere (an ANALYZE at 100k traces blocks this thread 0.2-0.3 s).
    // Postgres' counters can lag an import by seconds, so its run always refreshes the columns it filters on.
    const refreshStatistics = () => (ctx.database.kind === "pglite" ? vacuumWhereDue(ctx.database) : q.refreshPlannerStatistics(db));

    // The next page is fetched while the jail works through the current one; the first while the interpreters start.
    async function* pendingTraces(): AsyncGenerator<TraceItem> {
      if (total >= STATISTICS_FROM) await refreshStatistics();
      const fetchPage = (afterId: string | null) => {
        const page = q.pendingTracesPage(ctx.database, selection, afterId, TRACES_PER_PAGE);
        page.catch(() => {}); // a prefetch abandoned by a cancelled run must not surface as an unhandled rejection
        return page;
      };
      let next = fetchPage(null);
      while (true) {
        const page = await next;
        if (!page.exhausted) next = fetchPage(page.lastId);
        for (const { id, json } of page.rows) yield typeof json === "string" ? { id, traceJson: json } : { id, traceBytes: json };
        if (page.exhausted) return;
      }
    }

    const started = performance.now();
    let lastProgress = started;
    let pending: TraceResult[] = [];
    // Waiting for a write slot before the next batch bounds memory; a failed write fails the run at the next flush.
    const writes = new Set<Promise<void>>();
    let writeError: unknown;
    const flush = async () => {
      while (writes.size >= WRITES_IN_FLIGHT) await Promise.race(writes);
      if (writeError) throw writeError;
      const batch = pending;
      pending = [];
      if (batch.length === 0) return;
      const write = q.upsertExecutions(db, { workspaceId, evalVersionId, ranAt: new Date() }, batch, { allNew }).then(
        () => void writes.delete(write),
        (error) => {
          writes.delete(write);
          writeError ??= error;
        },
      );
      writes.add(write);
    };
    const drain = async () => {
      await Promise.all(writes);
      if (writeError) throw writeError;
    };

    // PGlite runs each statement on this thread, blocking it for tens of milliseconds: the jail is then fed and read
    // from a worker thread, or it would wait out every statement. With Postgres this thread is mostly idle, and the
    // worker's start and copies would cost more than they save (bench/sandbox/thread-feeding.ts).
    // That thread then needs a core of its own: with an interpreter on every core it is preempted, and the whole run
    // waits on it (bench/sandbox/end-to-end.ts, 100k traces on 2 cores: 8.4–10.1k/s with 2 interpreters, 10.9–11.6k/s with 1).
    const pglite = ctx.database.kind === "pglite";
    const run = pglite ? runBatchOnThread : runBatch;
    const concurrency = pglite ? readSandboxSettings(process.env, { coresTaken: 1 }).concurrency : undefined;
    try {
      const options = { code: version.code, traces: pendingTraces(), timeoutMs: version.timeoutMs, signal: ctx.signal, startAtOnce: true, concurrency };
      for await (const result of run(options)) {
        pending.push(result);
        counts.done++;
        if (!result.ok) counts.errors++;
        else if (result.passed) counts.passed++;
        else counts.failed++;
        if (pending.length >= RESULTS_PER_WRITE) await flush();
        const now = performance.now();
        if (now - lastProgress >= PROGRESS_EVERY_MS) {
          lastProgress = now;
          await ctx.progress({ ...counts, rate: Math.round(counts.done / ((now - started) / 1000)) });
        }
      }
      await flush();
      await drain();
    } catch (error) {
      // Results already received are kept: a resumed run skips them.
      await flush().catch(() => {});
      await drain().catch(() => {});
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
