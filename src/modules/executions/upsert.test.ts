// upsertExecutions: one row per (version, trace), rewritten by reruns; the all-new fast path falls back to an upsert.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { executions, traces, workspaces } from "../../db/schema";
import type { TraceResult } from "../../sandbox";
import { createTestDatabase, type TestDatabase } from "../../../test/support/database";
import { createEvalVersion } from "../../../test/support/evals";
import { insertTraces, makeTrace } from "../../../test/support/traces";
import { hasExecutions, upsertExecutions } from "./queries";

let tdb: TestDatabase;
let workspaceId: string;
let traceIds: string[];

beforeAll(async () => {
  tdb = await createTestDatabase();
  [{ id: workspaceId }] = await tdb.database.db.insert(workspaces).values({ name: "acme" }).returning();
  await insertTraces(tdb.database, workspaceId, ["a", "b", "c"].map((id) => makeTrace({ id })));
  traceIds = (await tdb.database.db.select({ id: traces.id }).from(traces).orderBy(traces.externalId)).map((row) => row.id);
}, 30_000);
afterAll(() => tdb.drop());

const passed = (id: string, reason: string): TraceResult => ({ id, ok: true, passed: true, reason, duration_ms: 1, stdout: "" });
const newVersion = async () => (await createEvalVersion(tdb.database, workspaceId, "def evaluate(trace):\n    return True, 'ok'\n")).version.id;
const rowsOf = async (evalVersionId: string) =>
  (await tdb.database.db.select().from(executions).where(eq(executions.evalVersionId, evalVersionId))).map((row) => [row.traceId, row.reason]).sort();

test("a version's first results are inserted, and a rerun rewrites them in place", async () => {
  const evalVersionId = await newVersion();
  expect(await hasExecutions(tdb.database.db, evalVersionId)).toBe(false);
  await upsertExecutions(tdb.database.db, { workspaceId, evalVersionId, ranAt: new Date() }, traceIds.map((id) => passed(id, "first")), { allNew: true });
  expect(await hasExecutions(tdb.database.db, evalVersionId)).toBe(true);
  await upsertExecutions(tdb.database.db, { workspaceId, evalVersionId, ranAt: new Date() }, [passed(traceIds[0]!, "rerun")]);
  expect(await rowsOf(evalVersionId)).toEqual([[traceIds[0], "rerun"], [traceIds[1], "first"], [traceIds[2], "first"]].sort());
});

test("a batch said to be all new that meets an existing row is written again as an upsert, losing nothing", async () => {
  const evalVersionId = await newVersion();
  const target = { workspaceId, evalVersionId, ranAt: new Date() };
  await upsertExecutions(tdb.database.db, target, [passed(traceIds[1]!, "written meanwhile")]);
  await upsertExecutions(tdb.database.db, target, traceIds.map((id) => passed(id, "this run")), { allNew: true });
  expect(await rowsOf(evalVersionId)).toEqual(traceIds.map((id) => [id, "this run"]).sort());
});

test("any other failure of an all-new batch is not retried: a missing trace still fails it, writing nothing", async () => {
  const evalVersionId = await newVersion();
  const write = upsertExecutions(tdb.database.db, { workspaceId, evalVersionId, ranAt: new Date() }, [passed(traceIds[0]!, "x"), passed("no-such-trace", "x")], { allNew: true });
  await expect(write).rejects.toThrow();
  expect(await rowsOf(evalVersionId)).toEqual([]);
});
