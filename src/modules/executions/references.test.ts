// An execution's eval version and trace (checked per statement, migrations 0013 and 0015): they must exist in its workspace, stay for as long as it is being written, and take it with them when deleted.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { eq, inArray } from "drizzle-orm";
import { evalVersions, executions, traces, workspaces } from "../../db/schema";
import { createTestDatabase, type TestDatabase } from "../../../test/support/database";
import { createEvalVersion } from "../../../test/support/evals";
import { insertTraces, makeTrace } from "../../../test/support/traces";

let tdb: TestDatabase;
let workspaceId: string;
let otherWorkspaceId: string;
let versionId: string;

const db = () => tdb.database.db;
type Conn = Pick<ReturnType<typeof db>, "insert">;

beforeAll(async () => {
  tdb = await createTestDatabase();
  [{ id: workspaceId }, { id: otherWorkspaceId }] = await db().insert(workspaces).values([{ name: "acme" }, { name: "other" }]).returning();
  versionId = (await createEvalVersion(tdb.database, workspaceId, "def evaluate(trace):\n    return True, 'ok'\n")).version.id;
}, 30_000);
afterAll(() => tdb.drop());

async function newTrace(externalId: string, inWorkspace = workspaceId): Promise<string> {
  await insertTraces(tdb.database, inWorkspace, [makeTrace({ id: externalId })]);
  return (await db().select({ id: traces.id }).from(traces).where(eq(traces.externalId, externalId)))[0]!.id;
}

const ran = (conn: Conn, traceId: string, evalVersionId = versionId, inWorkspace = workspaceId) =>
  conn.insert(executions).values({ workspaceId: inWorkspace, evalVersionId, traceId, passed: true, reason: "ok" });

const resultsOf = async (traceIds: string[]) => (await db().select().from(executions).where(inArray(executions.traceId, traceIds))).length;

/** The database error behind a rejected statement (drizzle wraps it as the cause). */
async function failure(write: Promise<unknown>): Promise<{ code?: string; message: string }> {
  const error = await write.then(() => null, (caught: { cause?: { code?: string; message: string }; message: string }) => caught.cause ?? caught);
  expect(error).not.toBeNull();
  return error!;
}

test("a batch whose versions and traces all exist is written; one missing trace fails the whole statement, naming it", async () => {
  const [a, b] = [await newTrace("ok-a"), await newTrace("ok-b")];
  await db().insert(executions).values([a, b].map((traceId) => ({ workspaceId, evalVersionId: versionId, traceId, passed: true })));
  expect(await resultsOf([a, b])).toBe(2);

  const c = await newTrace("ok-c");
  const rows = [c, "no-such-trace"].map((traceId) => ({ workspaceId, evalVersionId: versionId, traceId, passed: true }));
  const error = await failure(db().insert(executions).values(rows));
  expect(error.code).toBe("23503");
  expect(error.message).toBe("an execution refers to a missing trace no-such-trace of its workspace");
  expect(await resultsOf([c])).toBe(0);
});

test("a missing eval version, or a version or trace of another workspace, is refused", async () => {
  const traceId = await newTrace("tenancy");
  expect((await failure(ran(db(), traceId, "no-such-version"))).message).toBe("an execution refers to a missing eval version no-such-version of its workspace");
  const foreignTrace = await newTrace("foreign", otherWorkspaceId);
  expect((await failure(ran(db(), foreignTrace))).code).toBe("23503");
  const foreignVersion = (await createEvalVersion(tdb.database, otherWorkspaceId, "def evaluate(trace):\n    return True, 'ok'\n")).version.id;
  expect((await failure(ran(db(), traceId, foreignVersion))).message).toContain(`missing eval version ${foreignVersion}`);
  expect(await resultsOf([traceId, foreignTrace])).toBe(0);
});

test("an execution's version and trace cannot be changed; an upsert still rewrites the rest of the row", async () => {
  const [first, second] = [await newTrace("keys-1"), await newTrace("keys-2")];
  await ran(db(), first);
  const error = await failure(db().update(executions).set({ traceId: second }).where(eq(executions.traceId, first)));
  expect(error.message).toBe("an execution's eval version and trace cannot change");
  await ran(db(), first).onConflictDoUpdate({ target: [executions.evalVersionId, executions.traceId], set: { passed: false, reason: "rerun" } });
  const [row] = await db().select().from(executions).where(eq(executions.traceId, first));
  expect([row!.passed, row!.reason]).toEqual([false, "rerun"]);
});

test("deleting traces or a version deletes their executions, and only theirs", async () => {
  const [gone, kept] = [await newTrace("del-gone"), await newTrace("del-kept")];
  const second = (await createEvalVersion(tdb.database, workspaceId, "def evaluate(trace):\n    return False, 'no'\n")).version.id;
  for (const traceId of [gone, kept]) for (const version of [versionId, second]) await ran(db(), traceId, version);
  await db().delete(traces).where(eq(traces.id, gone));
  expect([await resultsOf([gone]), await resultsOf([kept])]).toEqual([0, 2]);
  await db().delete(evalVersions).where(eq(evalVersions.id, second));
  const left = await db().select().from(executions).where(eq(executions.traceId, kept));
  expect(left.map((e) => e.evalVersionId)).toEqual([versionId]);
});

test("a trace deleted while its result is being written: the delete waits, then takes the result with it", async () => {
  const traceId = await newTrace("race-write-first");
  const hold = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  // On Postgres the delete waits for the writer's lock; PGlite runs the two one after the other.
  await Promise.all([
    db().transaction(async (tx) => {
      await ran(tx, traceId);
      await hold(150);
    }),
    hold(30).then(() => db().delete(traces).where(eq(traces.id, traceId))),
  ]);
  expect(await resultsOf([traceId])).toBe(0);
  expect(await db().select().from(traces).where(eq(traces.id, traceId))).toEqual([]);
});

test("a result written while its trace is being deleted waits, then is refused", async () => {
  const traceId = await newTrace("race-delete-first");
  const hold = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const [, written] = await Promise.all([
    db().transaction(async (tx) => {
      await tx.delete(traces).where(eq(traces.id, traceId));
      await hold(150);
    }),
    hold(30).then(() => failure(ran(db(), traceId))),
  ]);
  expect(written.code).toBe("23503");
  expect(await resultsOf([traceId])).toBe(0);
});

test("a rerun rewriting a trace's result while the trace is deleted: the delete waits, takes that result and leaves the others", async () => {
  const [rewritten, fresh] = [await newTrace("race-rerun-old"), await newTrace("race-rerun-new")];
  await ran(db(), rewritten);
  const hold = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const rerun = (tx: Conn) =>
    tx
      .insert(executions)
      .values([rewritten, fresh].map((traceId) => ({ workspaceId, evalVersionId: versionId, traceId, passed: false, reason: "rerun" })))
      .onConflictDoUpdate({ target: [executions.evalVersionId, executions.traceId], set: { passed: false, reason: "rerun" } });
  await Promise.all([
    db().transaction(async (tx) => {
      await rerun(tx);
      await hold(150);
    }),
    hold(30).then(() => db().delete(traces).where(eq(traces.id, rewritten))),
  ]);
  expect([await resultsOf([rewritten]), await resultsOf([fresh])]).toEqual([0, 1]);
});
