// The eval-run job end to end: traces from the database, through the real jail, into execution rows.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { and, eq, sql } from "drizzle-orm";
import { rowsOf } from "../../db/migrate";
import { executions, jobs, traces, users, workspaces } from "../../db/schema";
import { startEvalRun } from "../../modules/executions/service";
import { createMemoryLogger } from "../../logger";
import { createTestDatabase, type TestDatabase } from "../../../test/support/database";
import { createEvalVersion, labelTraces } from "../../../test/support/evals";
import { insertTraces, makeTrace } from "../../../test/support/traces";
import { idleThreadIds, takeThread } from "../../sandbox/thread-pool";
import { startWorker, type Worker } from "../worker";
import { runEvalJob } from "./run-eval";

let t: TestDatabase;
let worker: Worker;
let workspaceId: string;
let userId: string;

const EVAL = `
import re
def evaluate(trace):
    out = trace["output"] or ""
    if "HANG" in out:
        while True:
            pass
    if "BOOM" in out:
        raise ValueError("boom")
    ok = re.search(r"ships", out) is not None
    return ok, "mentions shipping" if ok else "no shipping info"
`;

beforeAll(async () => {
  t = await createTestDatabase();
  const [w] = await t.database.db.insert(workspaces).values({ name: "W" }).returning();
  const [u] = await t.database.db.insert(users).values({ email: "r@x.co", name: "R", passwordHash: "x" }).returning();
  workspaceId = w!.id;
  userId = u!.id;
  const outputs = Array.from({ length: 60 }, (_, i) => (i === 7 ? "HANG" : i === 8 ? "BOOM" : i % 2 ? "Your order ships today" : "Sorry, no idea"));
  await insertTraces(t.database, workspaceId, outputs.map((output, i) => makeTrace({ id: `r${String(i).padStart(2, "0")}`, output })));
  worker = await startWorker({ database: t.database, definitions: [runEvalJob], logger: createMemoryLogger(), concurrency: 1, pollMs: 50, leaseMs: 600 });
}, 30_000);
afterAll(async () => {
  await worker.stop();
  await t.drop();
});

async function waitForJob(id: string) {
  for (let i = 0; i < 400; i++) {
    const [job] = await t.database.db.select().from(jobs).where(eq(jobs.id, id));
    if (["succeeded", "failed", "cancelled", "paused"].includes(job!.status)) return job!;
    await Bun.sleep(50);
  }
  throw new Error("job did not finish");
}

test("every trace in scope gets exactly one execution; a hang and an exception fail only their own trace", async () => {
  const { version } = await createEvalVersion(t.database, workspaceId, EVAL, { timeoutMs: 300 });
  const job = await startEvalRun(t.database, { workspaceId, evalVersionId: version.id, scope: { kind: "all" } });
  const done = await waitForJob(job.id);
  expect(done.status).toBe("succeeded");
  expect(done.result).toMatchObject({ done: 60, total: 60, errors: 2, passed: 29, failed: 29 });
  const rows = await t.database.db.select().from(executions).where(eq(executions.evalVersionId, version.id));
  expect(rows.length).toBe(60);
  const byTrace = new Map(await Promise.all(rows.map(async (r) => [(await t.database.db.select({ e: traces.externalId }).from(traces).where(eq(traces.id, r.traceId)))[0]!.e, r] as const)));
  expect(byTrace.get("r07")!.errorKind).toBe("timeout");
  expect(byTrace.get("r08")!.errorKind).toBe("exception");
  expect(byTrace.get("r08")!.traceback).toContain("ValueError: boom");
  expect(byTrace.get("r01")!.passed).toBe(true);
  expect(byTrace.get("r01")!.reason).toBe("mentions shipping");
  expect(byTrace.get("r00")!.passed).toBe(false);

  // Rerunning only what is missing or errored touches exactly the two errored traces.
  const rerun = await startEvalRun(t.database, { workspaceId, evalVersionId: version.id, scope: { kind: "all" }, onlyMissing: true });
  expect((await waitForJob(rerun.id)).result).toMatchObject({ done: 2, total: 2, errors: 2 });
  expect((await t.database.db.select().from(executions).where(eq(executions.evalVersionId, version.id))).length).toBe(60);

  // A full rerun scores every trace again and replaces each row in place.
  const before = new Map(rows.map((r) => [r.traceId, r]));
  const full = await startEvalRun(t.database, { workspaceId, evalVersionId: version.id, scope: { kind: "all" } });
  expect((await waitForJob(full.id)).result).toMatchObject({ done: 60, total: 60, errors: 2, passed: 29, failed: 29 });
  const replaced = await t.database.db.select().from(executions).where(eq(executions.evalVersionId, version.id));
  expect(replaced.length).toBe(60);
  for (const row of replaced) {
    expect(row.createdAt.getTime()).toBeGreaterThan(before.get(row.traceId)!.createdAt.getTime());
  }
});

test("an eval-set run covers the labeled traces only", async () => {
  const { version, evalSet } = await createEvalVersion(t.database, workspaceId, EVAL);
  const some = (await t.database.db.select().from(traces).where(eq(traces.workspaceId, workspaceId))).slice(10, 15);
  await labelTraces(t.database, workspaceId, evalSet.id, userId, some.map((s) => ({ traceId: s.id, label: "positive" })));
  const job = await startEvalRun(t.database, { workspaceId, evalVersionId: version.id, scope: { kind: "eval-set", evalSetId: evalSet.id } });
  expect((await waitForJob(job.id)).result).toMatchObject({ done: 5, total: 5 });
});

test("an eval that fails the static check fails the job at once with the line named", async () => {
  const { version } = await createEvalVersion(t.database, workspaceId, "import os\ndef evaluate(trace):\n    return True, 'x'\n");
  const job = await startEvalRun(t.database, { workspaceId, evalVersionId: version.id, scope: { kind: "all" } });
  const done = await waitForJob(job.id);
  expect(done.status).toBe("failed");
  expect(done.attempts).toBe(1);
  expect(done.error).toContain("line 1");
  expect((await t.database.db.select().from(executions).where(eq(executions.evalVersionId, version.id))).length).toBe(0);
});

test("pause keeps finished results; resume completes the rest without duplicates", async () => {
  // Slow enough (~0.2 s a trace) that the pause lands mid-run even on an idle machine.
  const slow = `def evaluate(trace):\n    total = sum(range(15000000))\n    return True, "ok %d" % total\n`;
  const { version } = await createEvalVersion(t.database, workspaceId, slow);
  const job = await startEvalRun(t.database, { workspaceId, evalVersionId: version.id, scope: { kind: "all" } });
  for (let i = 0; i < 200; i++) {
    const [row] = await t.database.db.select().from(jobs).where(eq(jobs.id, job.id));
    if (row!.status === "running" && Number(row!.progress.done ?? 0) > 0) break;
    await Bun.sleep(25);
  }
  await t.database.db.update(jobs).set({ requestedState: "pause" }).where(eq(jobs.id, job.id));
  const paused = await waitForJob(job.id);
  expect(paused.error).toBeNull();
  expect(paused.status).toBe("paused");
  const partial = (await t.database.db.select().from(executions).where(eq(executions.evalVersionId, version.id))).length;
  expect(partial).toBeGreaterThan(0);
  expect(partial).toBeLessThan(60);
  await t.database.db.update(jobs).set({ status: "queued", requestedState: null }).where(eq(jobs.id, job.id));
  const finished = await waitForJob(job.id);
  expect(finished.status).toBe("succeeded");
  expect(finished.result).toMatchObject({ total: 60 - partial, done: 60 - partial });
  const rows = await t.database.db.select().from(executions).where(and(eq(executions.evalVersionId, version.id)));
  expect(rows.length).toBe(60);
}, 60_000);

test("a large run right after a bulk import refreshes the planner's statistics of traces before it reads them", async () => {
  const [fresh] = await t.database.db.insert(workspaces).values({ name: "Bulk" }).returning();
  await insertTraces(t.database, fresh!.id, Array.from({ length: 5_000 }, (_, i) => makeTrace({ id: `bulk-${i}`, output: "ships" })));
  const { version } = await createEvalVersion(t.database, fresh!.id, "def evaluate(trace):\n    return True, 'ok'\n");
  const job = await startEvalRun(t.database, { workspaceId: fresh!.id, evalVersionId: version.id, scope: { kind: "all" } });
  expect((await waitForJob(job.id)).result).toMatchObject({ done: 5_000, errors: 0 });
  // Analyzed before the first result was written (an analyze after the run, e.g. the worker's own pass, is too late).
  const [row] = rowsOf<{ analyzed: string | null; first: string }>(
    await t.database.db.execute(sql`
      select (select last_analyze from pg_stat_user_tables where relname = 'traces')::text as analyzed,
        (select min(created_at) from executions where eval_version_id = ${version.id})::text as first`),
  );
  expect(row!.analyzed).not.toBeNull();
  expect(new Date(row!.analyzed!).getTime()).toBeLessThan(new Date(row!.first).getTime());
}, 60_000);

test("on PGlite the job readies the sandbox's thread when a worker starts; on Postgres, which feeds the jail from this thread, it does not", async () => {
  await takeThread().retire(); // the pool empty, whatever earlier runs left in it
  runEvalJob.prepare!(t.database);
  expect(idleThreadIds()).toHaveLength(t.database.kind === "pglite" ? 1 : 0);
});
