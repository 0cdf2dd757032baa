// set_traces (labels and verdict bytes kept by triggers) always equals what the label, resolution and execution rows say, through every way they are written, concurrent writes included.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { TestApp } from "../../../test/support/app";
import { insertTraces, makeTrace } from "../../../test/support/traces";
import { rowsOf } from "../../db/migrate";
import { evalVersions, executions, feedback, traces, type Label } from "../../db/schema";
import { bulkLabel, resolve, undoLast } from "../review/service";
import { relabel } from "./service";
import { buildMatrixFixture, openMatrixApp, type MatrixFixture } from "./test-fixture";

let t: TestApp;
let fx: MatrixFixture;
let workspaceId: string;
let ownerId: string;

beforeAll(async () => {
  ({ t, workspaceId, ownerId, fx } = await openMatrixApp());
}, 60_000);

afterAll(async () => {
  await t.close();
}, 30_000);

const db = () => t.deps.database.db;
const scope = () => ({ workspaceId, evalSetId: fx.set.id, userId: ownerId });
const CODES = { pass: 3, fail: 2, error: 1 } as const;

type Conn = Pick<ReturnType<typeof db>, "insert">;

/** A run's result written the way eval runs write them: an upsert on (version, trace). */
async function ran(conn: Conn, evalVersionId: string, traceId: string, passed: boolean | null, errorKind: "memory" | null = null) {
  await conn
    .insert(executions)
    .values({ workspaceId, evalVersionId, traceId, passed, errorKind, errorMessage: errorKind })
    .onConflictDoUpdate({ target: [executions.evalVersionId, executions.traceId], set: { passed, errorKind, errorMessage: errorKind } });
}

/** What set_traces must hold, worked out here from the base rows with the rule written out again in JS. */
async function expected() {
  const labels = await db().select().from(feedback).where(eq(feedback.evalSetId, fx.set.id));
  const resolved = rowsOf<{ trace_id: string; label: Label }>(await db().execute(sql`select trace_id, label from resolutions where eval_set_id = ${fx.set.id}`));
  const runs = await db()
    .select({ traceId: executions.traceId, slot: evalVersions.setSlot, passed: executions.passed, errorKind: executions.errorKind })
    .from(executions)
    .innerJoin(evalVersions, eq(evalVersions.id, executions.evalVersionId))
    .where(eq(evalVersions.evalId, fx.evaluation.id));
  const rows = new Map<string, { label: Label | null; reviewers: number; codes: Record<number, number> }>();
  const row = (traceId: string) => rows.get(traceId) ?? rows.set(traceId, { label: null, reviewers: 0, codes: {} }).get(traceId)!;
  for (const [traceId, votes] of Map.groupBy(labels, (f) => f.traceId)) {
    const distinct = new Set(votes.map((v) => v.label));
    Object.assign(row(traceId), { reviewers: votes.length, label: resolved.find((r) => r.trace_id === traceId)?.label ?? (distinct.size === 1 ? votes[0]!.label : null) });
  }
  for (const run of runs) row(run.traceId).codes[run.slot] = run.errorKind ? CODES.error : run.passed === null ? 0 : run.passed ? CODES.pass : CODES.fail;
  return rows;
}

async function actual() {
  const found = rowsOf<{ trace_id: string; label: Label | null; reviewers: number; verdicts: string }>(
    await db().execute(sql`select trace_id, label, reviewers, encode(verdicts, 'hex') as verdicts from set_traces where eval_set_id = ${fx.set.id}`),
  );
  return new Map(found.map((r) => [r.trace_id, { label: r.label, reviewers: Number(r.reviewers), bytes: Buffer.from(r.verdicts, "hex") }]));
}

/** Every pair with a label or a run has its row, with the label rule's answer and each live version's byte. */
async function expectInSync() {
  const [want, have] = await Promise.all([expected(), actual()]);
  const slots = (await db().select({ slot: evalVersions.setSlot }).from(evalVersions).where(eq(evalVersions.evalId, fx.evaluation.id))).map((v) => v.slot);
  for (const [traceId, w] of want) {
    const h = have.get(traceId);
    expect({ traceId, label: h?.label, reviewers: h?.reviewers }).toEqual({ traceId, label: w.label, reviewers: w.reviewers });
    for (const slot of slots) expect({ traceId, slot, code: h!.bytes[slot] ?? 0 }).toEqual({ traceId, slot, code: w.codes[slot] ?? 0 });
  }
  for (const [traceId, h] of have) if (!want.has(traceId)) expect({ traceId, reviewers: h.reviewers, label: h.label }).toEqual({ traceId, reviewers: 0, label: null });
}

test("the fixture's direct inserts are mirrored, versions get slots 0 and 1, and the disputed trace has a null label", async () => {
  expect([fx.v1.setSlot, fx.v2.setSlot]).toEqual([0, 1]);
  const have = await actual();
  expect(have.get(fx.id(6))).toMatchObject({ label: null, reviewers: 2 });
  expect([...have.get(fx.id(7))!.bytes]).toEqual([CODES.error, CODES.fail]);
  await expectInSync();
});

test("labels through the review module: relabel, resolution, undo, bulk label, and a deleted label", async () => {
  await relabel(t.deps.database, scope(), fx.id(2), "negative");
  await expectInSync();
  await resolve(t.deps.database, scope(), fx.id(6), "positive", "checked the refund");
  expect((await actual()).get(fx.id(6))).toMatchObject({ label: "positive", reviewers: 2 });
  await undoLast(t.deps.database, scope(), `undo-${Bun.randomUUIDv7()}`);
  expect((await actual()).get(fx.id(2))!.label).toBe("positive");
  const bulk = await bulkLabel(t.deps.database, scope(), "neutral", [fx.id(0), fx.id(1), fx.id(9)]);
  expect(bulk.changed).toBe(3);
  await expectInSync();
  await db().delete(feedback).where(and(eq(feedback.evalSetId, fx.set.id), eq(feedback.traceId, fx.id(4))));
  expect((await actual()).get(fx.id(4))).toMatchObject({ label: null, reviewers: 0 });
  await expectInSync();
});

test("verdicts: a rerun that changes the outcome, a new version's slot, a deleted run, a deleted trace", async () => {
  await ran(db(), fx.v1.id, fx.id(9), false);
  await ran(db(), fx.v2.id, fx.id(0), null, "memory");
  await expectInSync();
  const [v3] = await db().insert(evalVersions).values({ workspaceId, evalId: fx.evaluation.id, version: 3, origin: "manual", code: "def evaluate(t):\n    return True, ''\n" }).returning();
  expect(v3!.setSlot).toBe(2);
  await ran(db(), v3!.id, fx.id(3), true);
  expect([...(await actual()).get(fx.id(3))!.bytes]).toEqual([CODES.pass, CODES.fail, CODES.pass]);
  await db().delete(executions).where(and(eq(executions.evalVersionId, fx.v2.id), eq(executions.traceId, fx.id(3))));
  await expectInSync();
  await db().delete(traces).where(eq(traces.id, fx.id(8)));
  expect((await actual()).has(fx.id(8))).toBe(false);
  await expectInSync();
});

test("concurrent writes to a new pair keep both: two reviewers' labels, and two versions' verdicts", async () => {
  await insertTraces(t.deps.database, workspaceId, [makeTrace({ id: "fresh" })]);
  const [fresh] = await db().select().from(traces).where(eq(traces.externalId, "fresh"));
  const [bea] = rowsOf<{ id: string }>(await db().execute(sql`select id from users where id <> ${ownerId} limit 1`));
  const hold = (ms: number) => new Promise((r) => setTimeout(r, ms));
  // The first transaction holds its new row uncommitted while the second writes the same pair; on Postgres the
  // second waits for the first (PGlite runs them one after the other): either way neither write is lost.
  await Promise.all([
    db().transaction(async (tx) => {
      await tx.insert(feedback).values({ workspaceId, evalSetId: fx.set.id, traceId: fresh!.id, userId: ownerId, label: "positive" });
      await ran(tx, fx.v1.id, fresh!.id, true);
      await hold(150);
    }),
    (async () => {
      await hold(30);
      await db().transaction(async (tx) => {
        await tx.insert(feedback).values({ workspaceId, evalSetId: fx.set.id, traceId: fresh!.id, userId: bea!.id, label: "positive" });
        await ran(tx, fx.v2.id, fresh!.id, false);
      });
    })(),
  ]);
  const row = (await actual()).get(fresh!.id)!;
  expect({ label: row.label, reviewers: row.reviewers, bytes: [...row.bytes] }).toEqual({ label: "positive", reviewers: 2, bytes: [CODES.pass, CODES.fail] });
  await expectInSync();
});

test("one statement writing new and existing pairs, two versions of one new pair among them", async () => {
  await insertTraces(t.deps.database, workspaceId, [makeTrace({ id: "batch-new" })]);
  const [fresh] = await db().select().from(traces).where(eq(traces.externalId, "batch-new"));
  const rows = [
    { workspaceId, evalVersionId: fx.v1.id, traceId: fresh!.id, passed: true },
    { workspaceId, evalVersionId: fx.v2.id, traceId: fresh!.id, passed: false },
    { workspaceId, evalVersionId: fx.v1.id, traceId: fx.id(1), passed: true },
  ];
  await db().insert(executions).values(rows).onConflictDoUpdate({ target: [executions.evalVersionId, executions.traceId], set: { passed: sql`excluded.passed` } });
  expect([...(await actual()).get(fresh!.id)!.bytes]).toEqual([CODES.pass, CODES.fail]);
  await expectInSync();
});

test("one version's batch over new traces, traces with shorter rows, and unchanged verdicts, in one statement", async () => {
  await insertTraces(t.deps.database, workspaceId, ["one-a", "one-b"].map((id) => makeTrace({ id })));
  const fresh = (await db().select().from(traces).where(inArray(traces.externalId, ["one-a", "one-b"]))).map((row) => row.id);
  const [v4] = await db().insert(evalVersions).values({ workspaceId, evalId: fx.evaluation.id, version: 4, origin: "manual", code: "def evaluate(t):\n    return True, ''\n" }).returning();
  const batch = (passed: boolean) => [...fresh, fx.id(1), fx.id(2), fx.id(4)].map((traceId) => ({ workspaceId, evalVersionId: v4!.id, traceId, passed }));
  await db().insert(executions).values(batch(true));
  await expectInSync();
  // The same batch again: every byte already right, and a rerun flipping every verdict.
  await db().insert(executions).values(batch(true)).onConflictDoUpdate({ target: [executions.evalVersionId, executions.traceId], set: { passed: sql`excluded.passed` } });
  await expectInSync();
  await db().insert(executions).values(batch(false)).onConflictDoUpdate({ target: [executions.evalVersionId, executions.traceId], set: { passed: sql`excluded.passed` } });
  expect([...(await actual()).get(fresh[0]!)!.bytes].at(-1)).toBe(CODES.fail);
  await expectInSync();
});

test("set_traces rows go with their eval set, and with their workspace along with its executions", async () => {
  const [other] = rowsOf<{ id: string }>(await db().execute(sql`insert into workspaces (id, name) values (${Bun.randomUUIDv7()}, 'doomed') returning id`));
  const doomed = await buildMatrixFixture(t.deps.database, other!.id, ownerId);
  const second = await buildMatrixFixture(t.deps.database, other!.id, ownerId);
  await db().execute(sql`delete from eval_sets where id = ${doomed.set.id}`);
  const ofSet = async (id: string) => rowsOf<{ n: number }>(await db().execute(sql`select count(*)::int as n from set_traces where eval_set_id = ${id}`))[0]!.n;
  expect([await ofSet(doomed.set.id), await ofSet(second.set.id)]).toEqual([0, 10]);
  const left = async () =>
    rowsOf<{ executions: number; set_traces: number }>(
      await db().execute(sql`select (select count(*)::int from executions where workspace_id = ${other!.id}) as executions,
        (select count(*)::int from set_traces where workspace_id = ${other!.id}) as set_traces`),
    )[0]!;
  expect(await left()).toEqual({ executions: 19, set_traces: 10 }); // the second set's
  await db().execute(sql`delete from workspaces where id = ${other!.id}`);
  expect(await left()).toEqual({ executions: 0, set_traces: 0 });
});
