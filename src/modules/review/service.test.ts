// Review service on a real database: queue filling and order, reservations, labels with history, undo, skip, bulk, agreement, ground truth.
import { afterAll, beforeAll, beforeEach, expect, test } from "bun:test";
import { eq, sql } from "drizzle-orm";
import { createTestApp, setUpOwner, type TestApp } from "../../../test/support/app";
import { insertTraces, makeTrace } from "../../../test/support/traces";
import { evalSets, evals, evalVersions, executions, feedback, feedbackHistory, queueItems, traces } from "../../db/schema";
import { rowsOf } from "../../db/migrate";
import { createUser } from "../auth/service";
import { createEvalSet } from "../eval-sets/service";
import * as review from "./service";


/** Setup hashes passwords (argon2) and opens a database: seconds on a busy two-core machine. */
const SETUP_MS = 30_000;
let t: TestApp;
let workspaceId: string;
let ada: string;
let bob: string;
let cy: string;

beforeAll(async () => {
  t = await createTestApp();
  await setUpOwner(t);
  const owner = (await t.deps.database.db.query.users.findFirst())!;
  ada = owner.id;
  workspaceId = (await t.deps.database.db.query.workspaces.findFirst())!.id;
  bob = (await createUser(t.deps.database, { name: "Bob", email: "bob@example.com", password: "a long password", workspaceId, role: "reviewer" })).user.id;
  cy = (await createUser(t.deps.database, { name: "Cy", email: "cy@example.com", password: "a long password", workspaceId, role: "reviewer" })).user.id;
  await insertTraces(
    t.deps.database,
    workspaceId,
    Array.from({ length: 12 }, (_, i) =>
      makeTrace({ id: `t${String(i).padStart(2, "0")}`, name: i % 2 ? "odd-run" : "even-run", timestamp: new Date(Date.UTC(2026, 0, 1 + i)).toISOString(), has_errors: i < 3 }),
    ),
  );
}, SETUP_MS);

afterAll(async () => {
  await t.close();
});

let setId: string;
const db = () => t.deps.database.db;
const scope = (userId: string) => ({ workspaceId, evalSetId: setId, userId });
let ops = 0;
const op = () => `op-test-${++ops}-${Date.now()}`;
const allTraceIds = async () => (await db().select({ id: traces.id }).from(traces).orderBy(traces.timestamp)).map((r) => r.id);

beforeEach(async () => {
  await db().delete(evalSets).where(eq(evalSets.workspaceId, workspaceId));
  setId = (await createEvalSet(t.deps.database, workspaceId, ada, { name: "Safe", rubric: "Safe?", labels_per_trace: 1 })).id;
});

async function labelNext(userId: string, label: "positive" | "negative" | "neutral", note?: string) {
  const item = await review.nextItem(t.deps.database, scope(userId), []);
  if (!item) throw new Error("queue empty");
  return review.saveLabel(t.deps.database, scope(userId), { op_id: op(), item_id: item.itemId, label, note });
}

test("a queue holds each trace once, filled from ids or from a trace filter across pages", async () => {
  const ids = await allTraceIds();
  expect(await review.addTracesToQueue(t.deps.database, workspaceId, setId, ids.slice(0, 5))).toEqual({ added: 5, seen: 5 });
  expect((await review.addFilterToQueue(t.deps.database, scope(ada), "name=odd")).added).toBe(4);
  expect((await review.addFilterToQueue(t.deps.database, scope(ada), "")).added).toBe(3);
  expect(await review.addTracesToQueue(t.deps.database, workspaceId, setId, ["not-a-trace", ids[0]!])).toEqual({ added: 0, seen: 2 });
  const count = await db().select({ n: sql<number>`count(*)::int` }).from(queueItems).where(eq(queueItems.evalSetId, setId));
  expect(Number(count[0]!.n)).toBe(12);
});

test("items come newest first, each reserved to one reviewer; a reload gets the same item back; expiry frees it", async () => {
  await review.addFilterToQueue(t.deps.database, scope(ada), "");
  const ids = await allTraceIds();
  const first = await review.nextItem(t.deps.database, scope(ada), []);
  expect(first!.traceId).toBe(ids.at(-1)!);
  expect((await review.nextItem(t.deps.database, scope(ada), []))!.itemId).toBe(first!.itemId);
  const second = await review.nextItem(t.deps.database, scope(ada), [first!.itemId]);
  expect(second!.traceId).toBe(ids.at(-2)!);
  const bobs = await review.nextItem(t.deps.database, scope(bob), []);
  expect([first!.itemId, second!.itemId]).not.toContain(bobs!.itemId);
  await db().update(queueItems).set({ reservedUntil: sql`now() - interval '1 second'` }).where(eq(queueItems.id, first!.itemId));
  expect((await review.nextItem(t.deps.database, scope(cy), []))!.itemId).toBe(first!.itemId);
});

test("a label is saved once with its history; a retried op is not applied twice; a full item refuses a second reviewer", async () => {
  await review.addFilterToQueue(t.deps.database, scope(ada), "");
  const item = (await review.nextItem(t.deps.database, scope(ada), []))!;
  const input = { op_id: "op-dup-1", item_id: item.itemId, label: "negative" as const, note: "leaked a card number" };
  expect((await review.saveLabel(t.deps.database, scope(ada), input)).duplicate).toBe(false);
  expect((await review.saveLabel(t.deps.database, scope(ada), input)).duplicate).toBe(true);
  const history = await db().select().from(feedbackHistory).where(eq(feedbackHistory.evalSetId, setId));
  expect(history.map((h) => [h.action, h.fromLabel, h.toLabel, h.toNote])).toEqual([["label", null, "negative", "leaked a card number"]]);
  const [row] = await db().select().from(queueItems).where(eq(queueItems.id, item.itemId));
  expect(row!.labelCount).toBe(1);
  expect(row!.reservedBy).toBeNull();
  await expect(review.saveLabel(t.deps.database, scope(bob), { op_id: op(), item_id: item.itemId, label: "positive" })).rejects.toMatchObject({ status: 409 });
  expect(await review.nextItem(t.deps.database, scope(bob), [])).not.toMatchObject({ itemId: item.itemId });
});

test("note-only saves keep the label; relabels record from → to", async () => {
  await review.addFilterToQueue(t.deps.database, scope(ada), "");
  const saved = await labelNext(ada, "positive");
  await review.saveLabel(t.deps.database, scope(ada), { op_id: op(), item_id: saved.itemId, note: "fine" });
  await review.saveLabel(t.deps.database, scope(ada), { op_id: op(), item_id: saved.itemId, label: "neutral" });
  const history = await db().select().from(feedbackHistory).where(eq(feedbackHistory.evalSetId, setId)).orderBy(feedbackHistory.id);
  expect(history.map((h) => [h.action, h.fromLabel, h.toLabel, h.fromNote, h.toNote])).toEqual([
    ["label", null, "positive", null, ""],
    ["note", "positive", "positive", "", "fine"],
    ["label", "positive", "neutral", "fine", "fine"],
  ]);
  await expect(review.saveLabel(t.deps.database, scope(bob), { op_id: op(), item_id: saved.itemId, note: "x" })).rejects.toMatchObject({ status: 422 });
});

test("undo restores the exact previous state, step by step, and hands the item back to the reviewer", async () => {
  await review.addFilterToQueue(t.deps.database, scope(ada), "");
  const saved = await labelNext(ada, "positive", "first");
  const rawRow = async () => rowsOf(await db().execute(sql`select id, label, note, created_at::text as c, updated_at::text as u from feedback where eval_set_id = ${setId}`));
  const [original] = await db().select().from(feedback).where(eq(feedback.evalSetId, setId));
  const originalRaw = await rawRow();
  await Bun.sleep(5);
  await review.saveLabel(t.deps.database, scope(ada), { op_id: op(), item_id: saved.itemId, label: "negative", note: "second" });
  const undone = await review.undoLast(t.deps.database, scope(ada), "undo-1");
  expect(undone).toMatchObject({ itemId: saved.itemId, label: "positive", note: "first" });
  const [restored] = await db().select().from(feedback).where(eq(feedback.evalSetId, setId));
  expect(restored).toEqual(original!);
  expect(await rawRow()).toEqual(originalRaw);
  expect((await review.undoLast(t.deps.database, scope(ada), "undo-1"))!.duplicate).toBe(true);
  expect(await review.undoLast(t.deps.database, scope(ada), "undo-2")).toMatchObject({ label: null, note: "" });
  expect(await db().select().from(feedback).where(eq(feedback.evalSetId, setId))).toEqual([]);
  const [item] = await db().select().from(queueItems).where(eq(queueItems.id, saved.itemId));
  expect(item!.labelCount).toBe(0);
  expect(item!.reservedBy).toBe(ada);
  expect(await review.undoLast(t.deps.database, scope(ada), "undo-3")).toBeNull();
  const actions = (await db().select().from(feedbackHistory).where(eq(feedbackHistory.evalSetId, setId)).orderBy(feedbackHistory.id)).map((h) => [h.action, h.fromLabel, h.toLabel, h.undoneAt !== null]);
  expect(actions).toEqual([
    ["label", null, "positive", true],
    ["label", "positive", "negative", true],
    ["undo", "negative", "positive", false],
    ["undo", "positive", null, false],
  ]);
});

test("a skipped item is served again only when nothing else is left", async () => {
  const ids = await allTraceIds();
  await review.addTracesToQueue(t.deps.database, workspaceId, setId, ids.slice(0, 2));
  const first = (await review.nextItem(t.deps.database, scope(ada), []))!;
  await review.skipItem(t.deps.database, scope(ada), first.itemId);
  const second = (await review.nextItem(t.deps.database, scope(ada), []))!;
  expect(second.itemId).not.toBe(first.itemId);
  await review.saveLabel(t.deps.database, scope(ada), { op_id: op(), item_id: second.itemId, label: "positive" });
  expect((await review.nextItem(t.deps.database, scope(ada), []))!.itemId).toBe(first.itemId);
});

test("with two labels per trace each reviewer labels a trace once, and a third is refused", async () => {
  await db().update(evalSets).set({ labelsPerTrace: 2 }).where(eq(evalSets.id, setId));
  const ids = await allTraceIds();
  await review.addTracesToQueue(t.deps.database, workspaceId, setId, ids.slice(0, 1));
  const a = await labelNext(ada, "positive");
  expect(await review.nextItem(t.deps.database, scope(ada), [])).toBeNull();
  const b = await labelNext(bob, "negative");
  expect(b.itemId).toBe(a.itemId);
  expect(await review.nextItem(t.deps.database, scope(cy), [])).toBeNull();
  await expect(review.saveLabel(t.deps.database, scope(cy), { op_id: op(), item_id: a.itemId, label: "neutral" })).rejects.toMatchObject({ status: 409 });
});

test("bulk label applies one label to many traces and its undo restores each exactly", async () => {
  const ids = await allTraceIds();
  await review.addTracesToQueue(t.deps.database, workspaceId, setId, ids.slice(0, 1));
  const before = await labelNext(ada, "positive", "keep me");
  const result = await review.bulkLabel(t.deps.database, scope(ada), "negative", review.traceIdsForFilter(t.deps.database, workspaceId, "errors=yes"));
  expect(result).toMatchObject({ changed: 3, seen: 3 });
  const labelled = await db().select().from(feedback).where(eq(feedback.evalSetId, setId));
  expect(labelled.map((f) => f.label).sort()).toEqual(["negative", "negative", "negative"]);
  expect(labelled.find((f) => f.traceId === before.traceId)!.note).toBe("keep me");
  expect(await review.undoBulk(t.deps.database, scope(ada), result.batchId)).toEqual({ reverted: 3, kept: 0 });
  const after = await db().select().from(feedback).where(eq(feedback.evalSetId, setId));
  expect(after.map((f) => [f.traceId, f.label, f.note])).toEqual([[before.traceId, "positive", "keep me"]]);
  const counts = await db().select({ n: queueItems.labelCount }).from(queueItems).where(eq(queueItems.evalSetId, setId));
  expect(counts.map((c) => c.n).sort()).toEqual([0, 0, 1]);
});

test("agreement: per-pair kappa, disagreements, resolutions, and the ground truth", async () => {
  await db().update(evalSets).set({ labelsPerTrace: 2 }).where(eq(evalSets.id, setId));
  const ids = await allTraceIds();
  await review.addTracesToQueue(t.deps.database, workspaceId, setId, ids.slice(0, 6));
  const plan: Record<string, ["positive" | "negative" | "neutral", "positive" | "negative" | "neutral"]> = {};
  const pattern: ["positive" | "negative" | "neutral", "positive" | "negative" | "neutral"][] = [
    ["positive", "positive"], ["negative", "negative"], ["positive", "negative"], ["negative", "negative"], ["positive", "positive"], ["neutral", "positive"],
  ];
  for (let i = 0; i < 6; i++) {
    const a = await review.nextItem(t.deps.database, scope(ada), []);
    plan[a!.traceId] = pattern[i]!;
    await review.saveLabel(t.deps.database, scope(ada), { op_id: op(), item_id: a!.itemId, label: pattern[i]![0] });
  }
  for (let i = 0; i < 6; i++) {
    const b = (await review.nextItem(t.deps.database, scope(bob), []))!;
    await review.saveLabel(t.deps.database, scope(bob), { op_id: op(), item_id: b.itemId, label: plan[b.traceId]![1], note: "bob says" });
  }
  const [pair] = await review.reviewerAgreement(t.deps.database, workspaceId, setId);
  expect(pair!.shared).toBe(6);
  expect(pair!.agreement).toBeCloseTo(4 / 6);
  // Decisive pairs: pos/pos ×2, neg/neg ×2, one pos/neg split: 2(2·2 − 0·1) / (2·2 + 3·3) = 8/13.
  expect(pair!.decisive).toBe(5);
  expect(pair!.kappa).toBeCloseTo(0.6153846, 5);
  const found = await review.disagreements(t.deps.database, workspaceId, setId);
  expect(found.total).toBe(2);
  expect(found.rows.every((r) => r.votes.length === 2)).toBe(true);
  const split = found.rows.find((r) => plan[r.traceId]![0] === "positive" && plan[r.traceId]![1] === "negative")!;
  await review.resolve(t.deps.database, scope(ada), split.traceId, "negative", "policy says fail");
  const truth = await review.groundTruthLabels(t.deps.database, workspaceId, setId);
  expect(truth).toHaveLength(5);
  const resolved = truth.find((g) => g.traceId === split.traceId)!;
  expect(resolved).toMatchObject({ label: "negative", source: "resolved", reviewers: 2, complete: true });
  expect(resolved.notes).toEqual(["bob says", "policy says fail"]);
  expect(truth.filter((g) => g.source === "unanimous").every((g) => g.feedbackIds.length === 2)).toBe(true);
  expect(await review.groundTruthCounts(t.deps.database, workspaceId, setId)).toEqual({ positive: 2, negative: 3, neutral: 0 });
  expect((await review.disagreements(t.deps.database, workspaceId, setId)).resolved).toBe(1);
});

test("most informative puts traces the evals split on first, and falls back to newest without executions", async () => {
  const ids = await allTraceIds();
  await review.addTracesToQueue(t.deps.database, workspaceId, setId, ids);
  await review.setQueueOrder(t.deps.database, workspaceId, setId, "informative");
  expect((await review.nextItem(t.deps.database, scope(ada), []))!.traceId).toBe(ids.at(-1)!);
  const [evalRow] = await db().insert(evals).values({ workspaceId, evalSetId: setId, name: "e" }).returning();
  const [v1] = await db().insert(evalVersions).values({ workspaceId, evalId: evalRow!.id, version: 1, origin: "manual", code: "" }).returning();
  const [other] = await db().insert(evals).values({ workspaceId, evalSetId: setId, name: "f" }).returning();
  const [v2] = await db().insert(evalVersions).values({ workspaceId, evalId: other!.id, version: 1, origin: "manual", code: "" }).returning();
  const split = ids[4]!;
  for (const traceId of ids) {
    await db().insert(executions).values([
      { workspaceId, evalVersionId: v1!.id, traceId, passed: true },
      { workspaceId, evalVersionId: v2!.id, traceId, passed: traceId !== split },
    ]);
  }
  await review.setQueueOrder(t.deps.database, workspaceId, setId, "informative");
  expect((await review.nextItem(t.deps.database, scope(bob), []))!.traceId).toBe(split);
  const releaseAll = () => db().update(queueItems).set({ reservedBy: null, reservedUntil: null }).where(eq(queueItems.evalSetId, setId));
  await releaseAll();
  await review.setQueueOrder(t.deps.database, workspaceId, setId, "random", 7);
  const randomFirst = (await review.nextItem(t.deps.database, scope(cy), []))!.traceId;
  await releaseAll();
  await review.setQueueOrder(t.deps.database, workspaceId, setId, "random", 7);
  expect((await review.nextItem(t.deps.database, scope(cy), []))!.traceId).toBe(randomFirst);
});
