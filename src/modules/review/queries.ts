// Database access for the review queue: items, claiming with reservations, labels with history, skips, agreement, resolutions.
import { and, asc, desc, eq, inArray, isNull, sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client";
import { rowsOf } from "../../db/migrate";
import {
  evalSets,
  feedback,
  feedbackHistory,
  queueItems,
  queueSkips,
  resolutions,
  reviewQueues,
  traces,
  users,
  type FeedbackSnapshot,
  type HistoryAction,
  type Label,
  type QueueStrategy,
} from "../../db/schema";

export type QueueItem = typeof queueItems.$inferSelect;
export type FeedbackRow = typeof feedback.$inferSelect;
export type HistoryRow = typeof feedbackHistory.$inferSelect;
export type ReviewQueue = typeof reviewQueues.$inferSelect;

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
type Conn = Db | Tx;

export async function findEvalSet(db: Conn, workspaceId: string, evalSetId: string) {
  const [row] = await db.select().from(evalSets).where(and(eq(evalSets.workspaceId, workspaceId), eq(evalSets.id, evalSetId)));
  return row ?? null;
}

export async function findQueue(db: Conn, workspaceId: string, evalSetId: string): Promise<ReviewQueue | null> {
  const [row] = await db.select().from(reviewQueues).where(and(eq(reviewQueues.workspaceId, workspaceId), eq(reviewQueues.evalSetId, evalSetId)));
  return row ?? null;
}

/** The eval set with its queue (null until the set's queue is first used), in one round trip. */
export async function findSetWithQueue(db: Conn, workspaceId: string, evalSetId: string) {
  const [row] = await db
    .select({ set: evalSets, queue: reviewQueues })
    .from(evalSets)
    .leftJoin(reviewQueues, eq(reviewQueues.evalSetId, evalSets.id))
    .where(and(eq(evalSets.workspaceId, workspaceId), eq(evalSets.id, evalSetId)));
  return row ?? null;
}

export async function insertQueueIfMissing(db: Conn, workspaceId: string, evalSetId: string) {
  await db.insert(reviewQueues).values({ workspaceId, evalSetId }).onConflictDoNothing();
}

export async function updateQueue(db: Conn, workspaceId: string, evalSetId: string, values: Partial<Pick<ReviewQueue, "strategy" | "seed" | "sourceFilter">>) {
  await db
    .update(reviewQueues)
    .set({ ...values, updatedAt: sql`now()` })
    .where(and(eq(reviewQueues.workspaceId, workspaceId), eq(reviewQueues.evalSetId, evalSetId)));
}

/** The sort key of a trace `t` under a strategy: lower is served first. */
function sortKeySql(strategy: QueueStrategy, seed: number): SQL {
  if (strategy === "random") return sql`(('x' || substr(md5(${String(seed)} || t.id), 1, 8))::bit(32)::int)::float8`;
  return sql`(-extract(epoch from t.timestamp))::float8`;
}

function textArray(values: string[]): SQL {
  return sql`array[${sql.join(values.map((v) => sql`${v}`), sql`, `)}]::text[]`;
}

/** Adds traces of the workspace to the queue; a trace already there is left alone. Returns how many were added. */
export async function insertItems(
  db: Conn,
  input: { workspaceId: string; evalSetId: string; traceIds: string[]; addedBy: string | null; strategy: QueueStrategy; seed: number },
): Promise<number> {
  const traceIds = [...new Set(input.traceIds)];
  if (traceIds.length === 0) return 0;
  const newIds = traceIds.map(() => Bun.randomUUIDv7());
  const result = await db.execute(sql`
    insert into queue_items (id, workspace_id, eval_set_id, trace_id, label_count, sort_key, added_by)
    select v.new_id, t.workspace_id, ${input.evalSetId}, t.id,
      (select count(*) from feedback f where f.eval_set_id = ${input.evalSetId} and f.trace_id = t.id)::int,
      ${sortKeySql(input.strategy, input.seed)}, ${input.addedBy}
    from unnest(${textArray(traceIds)}, ${textArray(newIds)}) as v(trace_id, new_id)
    join traces t on t.id = v.trace_id and t.workspace_id = ${input.workspaceId}
    on conflict (eval_set_id, trace_id) do nothing
    returning id`);
  return rowsOf(result).length;
}

/** Recomputes every item's sort key for newest or random order. */
export async function reorderItems(db: Conn, workspaceId: string, evalSetId: string, strategy: QueueStrategy, seed: number) {
  await db.execute(sql`
    update queue_items qi set sort_key = ${sortKeySql(strategy, seed)}, priority = 0
    from traces t
    where t.id = qi.trace_id and qi.workspace_id = ${workspaceId} and qi.eval_set_id = ${evalSetId}`);
}

/**
 * "Most informative" first: traces where the set's current eval versions (each eval's active version, else its
 * latest) split pass/fail, errored, or contradict a human label. Newest breaks ties, so with no executions
 * the order is plain newest.
 */
export async function prioritiseInformative(db: Conn, workspaceId: string, evalSetId: string) {
  await reorderItems(db, workspaceId, evalSetId, "newest", 0);
  await db.execute(sql`
    with current_versions as (
      select v.id from eval_versions v join evals e on e.id = v.eval_id
      where e.workspace_id = ${workspaceId} and e.eval_set_id = ${evalSetId}
        and v.id = coalesce(e.active_version_id, (select v2.id from eval_versions v2 where v2.eval_id = e.id order by v2.version desc limit 1))
    ), verdicts as (
      select x.trace_id,
        count(*) filter (where x.passed) as passes,
        count(*) filter (where x.passed = false) as fails,
        count(*) filter (where x.error_kind is not null) as errors
      from executions x
      where x.workspace_id = ${workspaceId} and x.eval_version_id in (select id from current_versions)
      group by x.trace_id
    ), labelled as (
      select trace_id, count(*) filter (where label = 'positive') as pos, count(*) filter (where label = 'negative') as neg
      from feedback where workspace_id = ${workspaceId} and eval_set_id = ${evalSetId} group by trace_id
    ), scores as (
      select qi.id,
        (case when v.passes + v.fails > 0 then 2.0 * least(v.passes, v.fails) / (v.passes + v.fails) else 0 end)
        + (case when v.errors > 0 then 0.5 else 0 end)
        + (case when l.pos > 0 and v.fails > v.passes then 1 when l.neg > 0 and v.passes > v.fails then 1 else 0 end) as score
      from queue_items qi
      join verdicts v on v.trace_id = qi.trace_id
      left join labelled l on l.trace_id = qi.trace_id
      where qi.workspace_id = ${workspaceId} and qi.eval_set_id = ${evalSetId}
    )
    update queue_items qi set priority = -s.score from scores s where qi.id = s.id`);
}

interface ClaimScope {
  workspaceId: string;
  evalSetId: string;
  userId: string;
  labelsPerTrace: number;
  exclude: string[];
}

/**
 * Conditions every item handed to a reviewer meets: still needs labels, not labelled by them, not held by the
 * browser. With one label per trace, `label_count < 1` already means "nobody labelled it". The per-reviewer
 * checks are written as `(select … limit 1) is null` on purpose: that stays a per-row probe of the unique index
 * (the index scan stops at the first servable item) instead of an anti-join that reads all of a reviewer's labels.
 */
function servableSql(scope: ClaimScope): SQL {
  const excluded = scope.exclude.length ? sql`and not (qi.id = any(${textArray(scope.exclude)}))` : sql``;
  const notMine =
    scope.labelsPerTrace > 1
      ? sql`and (select 1 from feedback f where f.eval_set_id = qi.eval_set_id and f.trace_id = qi.trace_id and f.user_id = ${scope.userId} limit 1) is null`
      : sql``;
  return sql`qi.workspace_id = ${scope.workspaceId} and qi.eval_set_id = ${scope.evalSetId} and qi.label_count < ${scope.labelsPerTrace}
    ${excluded} ${notMine}`;
}

export interface ClaimedItem {
  id: string;
  traceId: string;
}

function claimed(result: unknown): ClaimedItem | null {
  const row = rowsOf<{ id: string; trace_id: string }>(result)[0];
  return row ? { id: row.id, traceId: row.trace_id } : null;
}

/**
 * Reserves the item the reviewer should see next, in one statement: their own live reservation first (after a
 * reload, the item they were on), renewed; else the next item by fewest labels, then the queue's order, among
 * those they have not skipped; else one they skipped (when nothing else is left). Items reserved to someone else
 * are passed over until their reservation expires; SKIP LOCKED keeps concurrent claims apart. `coalesce` runs
 * each candidate query only when the ones before it found nothing.
 */
export async function claimItem(db: Conn, scope: ClaimScope, reservationSeconds: number): Promise<ClaimedItem | null> {
  const order = sql`order by qi.label_count, qi.priority, qi.sort_key, qi.id limit 1 for update skip locked`;
  const skip = sql`(select 1 from queue_skips k where k.eval_set_id = qi.eval_set_id and k.trace_id = qi.trace_id and k.user_id = ${scope.userId} limit 1)`;
  const claimable = (skipped: boolean) => sql`(
      select qi.id from queue_items qi
      where ${servableSql(scope)}
        and (qi.reserved_until is null or qi.reserved_until < now() or qi.reserved_by = ${scope.userId})
        and ${skip} is ${skipped ? sql`not null` : sql`null`}
      ${order}
    )`;
  const result = await db.execute(sql`
    update queue_items set reserved_by = ${scope.userId}, reserved_until = now() + make_interval(secs => ${reservationSeconds})
    where id = coalesce(
      (select qi.id from queue_items qi where ${servableSql(scope)} and qi.reserved_by = ${scope.userId} and qi.reserved_until > now() ${order}),
      ${claimable(false)},
      ${claimable(true)}
    )
    returning id, trace_id`);
  return claimed(result);
}

export async function findItem(db: Conn, workspaceId: string, evalSetId: string, itemId: string) {
  const [row] = await db
    .select()
    .from(queueItems)
    .where(and(eq(queueItems.workspaceId, workspaceId), eq(queueItems.evalSetId, evalSetId), eq(queueItems.id, itemId)));
  return row ?? null;
}

/** Locks an item for the rest of the transaction: saves to one trace are applied one at a time. */
export async function lockItem(tx: Tx, workspaceId: string, evalSetId: string, where: { itemId: string } | { traceId: string }) {
  const key = "itemId" in where ? eq(queueItems.id, where.itemId) : eq(queueItems.traceId, where.traceId);
  const [row] = await tx
    .select()
    .from(queueItems)
    .where(and(eq(queueItems.workspaceId, workspaceId), eq(queueItems.evalSetId, evalSetId), key))
    .for("update");
  return row ?? null;
}

/** Locks an item and reads its eval set's labels-per-trace and archive state, in one round trip. */
export async function lockItemWithSet(tx: Tx, workspaceId: string, evalSetId: string, itemId: string) {
  const [row] = await tx
    .select({ item: queueItems, labelsPerTrace: evalSets.labelsPerTrace, archivedAt: evalSets.archivedAt })
    .from(queueItems)
    .innerJoin(evalSets, eq(evalSets.id, queueItems.evalSetId))
    .where(and(eq(queueItems.workspaceId, workspaceId), eq(queueItems.evalSetId, evalSetId), eq(queueItems.id, itemId)))
    .for("update", { of: queueItems });
  return row ?? null;
}

export async function lockItemsByTrace(tx: Tx, workspaceId: string, evalSetId: string, traceIds: string[]) {
  if (traceIds.length === 0) return [];
  return tx
    .select()
    .from(queueItems)
    .where(and(eq(queueItems.workspaceId, workspaceId), eq(queueItems.evalSetId, evalSetId), inArray(queueItems.traceId, traceIds)))
    .orderBy(asc(queueItems.id))
    .for("update");
}

export async function setItemState(tx: Tx, itemId: string, values: { labelCountDelta: number; reservedBy?: string | null; reservationSeconds?: number }) {
  const reservation =
    values.reservedBy === undefined
      ? {}
      : values.reservedBy === null
        ? { reservedBy: null, reservedUntil: null }
        : { reservedBy: values.reservedBy, reservedUntil: sql`now() + make_interval(secs => ${values.reservationSeconds ?? 600})` };
  await tx
    .update(queueItems)
    .set({ labelCount: sql`${queueItems.labelCount} + ${values.labelCountDelta}`, ...reservation })
    .where(eq(queueItems.id, itemId));
}

export async function releaseReservation(db: Conn, itemId: string, userId: string) {
  await db
    .update(queueItems)
    .set({ reservedBy: null, reservedUntil: null })
    .where(and(eq(queueItems.id, itemId), eq(queueItems.reservedBy, userId)));
}

export async function findFeedback(db: Conn, workspaceId: string, evalSetId: string, traceId: string, userId: string): Promise<FeedbackRow | null> {
  const [row] = await db
    .select()
    .from(feedback)
    .where(and(eq(feedback.workspaceId, workspaceId), eq(feedback.evalSetId, evalSetId), eq(feedback.traceId, traceId), eq(feedback.userId, userId)));
  return row ?? null;
}

export async function feedbackForTraces(db: Conn, workspaceId: string, evalSetId: string, userId: string, traceIds: string[]) {
  if (traceIds.length === 0) return [];
  return db
    .select()
    .from(feedback)
    .where(and(eq(feedback.workspaceId, workspaceId), eq(feedback.evalSetId, evalSetId), eq(feedback.userId, userId), inArray(feedback.traceId, traceIds)));
}

export function snapshot(row: FeedbackRow | null): FeedbackSnapshot | null {
  return row ? { id: row.id, label: row.label, note: row.note, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() } : null;
}

/** Writes a reviewer's label exactly as given (insert or update), or removes it (`null`). */
export async function writeFeedback(
  tx: Tx,
  key: { workspaceId: string; evalSetId: string; traceId: string; userId: string },
  current: FeedbackRow | null,
  next: { id?: string; label: Label; note: string; createdAt?: Date; updatedAt?: Date } | null,
) {
  if (next === null) {
    if (current) await tx.delete(feedback).where(eq(feedback.id, current.id));
    return;
  }
  // Timestamps are written from JS (millisecond precision) so a snapshot restores them exactly.
  const now = new Date();
  if (current && (!next.id || next.id === current.id)) {
    await tx
      .update(feedback)
      .set({ label: next.label, note: next.note, updatedAt: next.updatedAt ?? now })
      .where(eq(feedback.id, current.id));
    return;
  }
  if (current) await tx.delete(feedback).where(eq(feedback.id, current.id));
  await tx.insert(feedback).values({ ...key, id: next.id, label: next.label, note: next.note, createdAt: next.createdAt ?? now, updatedAt: next.updatedAt ?? now });
}

export async function findHistoryByOp(db: Conn, workspaceId: string, opId: string): Promise<HistoryRow | null> {
  const [row] = await db.select().from(feedbackHistory).where(and(eq(feedbackHistory.workspaceId, workspaceId), eq(feedbackHistory.opId, opId)));
  return row ?? null;
}

type HistoryEntry = Parameters<typeof insertHistory>[1][number];

/**
 * The reviewer's feedback row for the trace of an item. Takes the item id rather than its trace id so it can be
 * sent together with the item lock (`lockItemWithSet`) instead of after it: queued behind the lock on the same
 * connection, it still reads a snapshot taken once the lock is held.
 */
export async function findFeedbackForItem(db: Conn, workspaceId: string, evalSetId: string, itemId: string, userId: string): Promise<FeedbackRow | null> {
  const itemTrace = sql`(select ${queueItems.traceId} from ${queueItems} where ${queueItems.id} = ${itemId} and ${queueItems.workspaceId} = ${workspaceId} and ${queueItems.evalSetId} = ${evalSetId})`;
  const [row] = await db
    .select()
    .from(feedback)
    .where(and(eq(feedback.workspaceId, workspaceId), eq(feedback.evalSetId, evalSetId), eq(feedback.userId, userId), sql`${feedback.traceId} = ${itemTrace}`));
  return row ?? null;
}

/**
 * Applies one reviewer's label change in a single statement: records it under the client's op id and, only when
 * that op id is new, writes the feedback row (update of `current`, or insert) and the item's label count and
 * reservation. False when the op id was recorded before (a retry): then nothing is written.
 */
export async function recordLabelChange(
  tx: Tx,
  entry: HistoryEntry & { opId: string },
  item: { id: string; releaseReservation: boolean },
  current: FeedbackRow | null,
  next: { label: Label; note: string },
): Promise<boolean> {
  const h = historyValues(entry);
  // Timestamps are written from JS (millisecond precision) so a snapshot restores them exactly.
  const now = new Date().toISOString();
  const writeFeedback = current
    ? sql`update feedback set label = ${next.label}, note = ${next.note}, updated_at = ${now}::timestamptz
        where id = ${current.id} and exists (select 1 from recorded)`
    : sql`insert into feedback (id, workspace_id, eval_set_id, trace_id, user_id, label, note, created_at, updated_at)
        select ${Bun.randomUUIDv7()}, ${entry.workspaceId}, ${entry.evalSetId}, ${entry.traceId}, ${entry.reviewerId}, ${next.label}, ${next.note}, ${now}::timestamptz, ${now}::timestamptz
        where exists (select 1 from recorded)`;
  const release = item.releaseReservation ? sql`, reserved_by = null, reserved_until = null` : sql``;
  const result = await tx.execute(sql`
    with recorded as (
      insert into feedback_history (id, workspace_id, eval_set_id, trace_id, reviewer_id, actor_id, action, from_label, from_note, to_label, to_note, previous, op_id, batch_id)
      values (${Bun.randomUUIDv7()}, ${h.workspaceId}, ${h.evalSetId}, ${h.traceId}, ${h.reviewerId}, ${h.actorId}, ${h.action}, ${h.fromLabel}, ${h.fromNote},
        ${h.toLabel}, ${h.toNote}, ${h.previous === null ? null : JSON.stringify(h.previous)}::jsonb, ${h.opId}, ${h.batchId})
      on conflict (workspace_id, op_id) do nothing
      returning id
    ), written as (${writeFeedback}), counted as (
      update queue_items set label_count = label_count + ${current ? 0 : 1} ${release}
      where id = ${item.id} and exists (select 1 from recorded)
    )
    select count(*)::int as recorded from recorded`);
  return Number(rowsOf<{ recorded: number }>(result)[0]?.recorded ?? 0) > 0;
}

function historyValues(v: HistoryEntry) {
  return {
    workspaceId: v.workspaceId,
    evalSetId: v.evalSetId,
    traceId: v.traceId,
    reviewerId: v.reviewerId,
    actorId: v.actorId,
    action: v.action,
    fromLabel: v.from?.label ?? null,
    fromNote: v.from?.note ?? null,
    toLabel: v.to?.label ?? null,
    toNote: v.to?.note ?? null,
    previous: v.from ? (v.from.createdAt instanceof Date ? snapshot(v.from as FeedbackRow) : (v.from as FeedbackSnapshot)) : null,
    opId: v.opId ?? null,
    batchId: v.batchId ?? null,
  };
}

export async function insertHistory(
  tx: Conn,
  values: {
    workspaceId: string;
    evalSetId: string;
    traceId: string;
    reviewerId: string;
    actorId: string;
    action: HistoryAction;
    from: FeedbackRow | FeedbackSnapshot | null;
    to: { label: Label; note: string } | null;
    opId?: string | null;
    batchId?: string | null;
  }[],
) {
  if (values.length === 0) return;
  await tx.insert(feedbackHistory).values(values.map(historyValues));
}

/** The reviewer's latest label or note change in the set that has not been undone: what `u` reverts. */
export async function lastUndoable(tx: Tx, workspaceId: string, evalSetId: string, userId: string): Promise<HistoryRow | null> {
  const [row] = await tx
    .select()
    .from(feedbackHistory)
    .where(
      and(
        eq(feedbackHistory.workspaceId, workspaceId),
        eq(feedbackHistory.evalSetId, evalSetId),
        eq(feedbackHistory.actorId, userId),
        inArray(feedbackHistory.action, ["label", "note"]),
        isNull(feedbackHistory.undoneAt),
      ),
    )
    .orderBy(desc(feedbackHistory.id))
    .limit(1)
    .for("update");
  return row ?? null;
}

export async function markUndone(tx: Conn, historyIds: string[]) {
  if (historyIds.length === 0) return;
  await tx.update(feedbackHistory).set({ undoneAt: sql`now()` }).where(inArray(feedbackHistory.id, historyIds));
}

export async function batchHistory(tx: Conn, workspaceId: string, evalSetId: string, batchId: string) {
  return tx
    .select()
    .from(feedbackHistory)
    .where(and(eq(feedbackHistory.workspaceId, workspaceId), eq(feedbackHistory.evalSetId, evalSetId), eq(feedbackHistory.batchId, batchId), eq(feedbackHistory.action, "bulk")))
    .orderBy(asc(feedbackHistory.id));
}

export async function historyForTrace(db: Conn, workspaceId: string, evalSetId: string, traceId: string) {
  return db
    .select({ row: feedbackHistory, reviewerName: users.name })
    .from(feedbackHistory)
    .leftJoin(users, eq(users.id, feedbackHistory.reviewerId))
    .where(and(eq(feedbackHistory.workspaceId, workspaceId), eq(feedbackHistory.evalSetId, evalSetId), eq(feedbackHistory.traceId, traceId)))
    .orderBy(asc(feedbackHistory.id));
}

export async function insertSkip(db: Conn, values: { workspaceId: string; evalSetId: string; traceId: string; userId: string }) {
  await db.insert(queueSkips).values(values).onConflictDoNothing();
}

export async function deleteSkips(db: Conn, workspaceId: string, evalSetId: string, userId: string) {
  await db.delete(queueSkips).where(and(eq(queueSkips.workspaceId, workspaceId), eq(queueSkips.evalSetId, evalSetId), eq(queueSkips.userId, userId)));
}

/** Queue counts: items, items with all the labels they need, items reserved now, and the reviewer's skips. */
export async function queueCounts(db: Conn, workspaceId: string, evalSetId: string, labelsPerTrace: number) {
  const [row] = await db
    .select({
      total: sql<number>`count(*)::int`,
      done: sql<number>`(count(*) filter (where ${queueItems.labelCount} >= ${labelsPerTrace}))::int`,
      reserved: sql<number>`(count(*) filter (where ${queueItems.reservedUntil} > now()))::int`,
    })
    .from(queueItems)
    .where(and(eq(queueItems.workspaceId, workspaceId), eq(queueItems.evalSetId, evalSetId)));
  return { total: Number(row?.total ?? 0), done: Number(row?.done ?? 0), reserved: Number(row?.reserved ?? 0) };
}

/** Label counts per reviewer and label. */
export async function labelCountsByReviewer(db: Conn, workspaceId: string, evalSetId: string) {
  const rows = await db
    .select({
      userId: feedback.userId,
      name: users.name,
      label: feedback.label,
      n: sql<number>`count(*)::int`,
      lastAt: sql<Date>`max(${feedback.updatedAt})`,
    })
    .from(feedback)
    .innerJoin(users, eq(users.id, feedback.userId))
    .where(and(eq(feedback.workspaceId, workspaceId), eq(feedback.evalSetId, evalSetId)))
    .groupBy(feedback.userId, users.name, feedback.label);
  return rows.map((r) => ({ ...r, n: Number(r.n), lastAt: r.lastAt ? new Date(r.lastAt) : null }));
}

/** Ground-truth counts per label: a resolution where there is one, else the label every reviewer gave. */
export async function groundTruthCounts(db: Conn, workspaceId: string, evalSetId: string) {
  const result = await db.execute(sql`
    select label, count(*)::int as n from (
      select coalesce(r.label, case when count(distinct f.label) = 1 then min(f.label) end) as label
      from feedback f
      left join resolutions r on r.eval_set_id = f.eval_set_id and r.trace_id = f.trace_id and r.workspace_id = f.workspace_id
      where f.workspace_id = ${workspaceId} and f.eval_set_id = ${evalSetId}
      group by f.trace_id, r.label
    ) g where label is not null group by label`);
  const counts: Record<Label, number> = { positive: 0, negative: 0, neutral: 0 };
  for (const row of rowsOf<{ label: Label; n: number }>(result)) counts[row.label] = Number(row.n);
  return counts;
}

/** Every feedback row and resolution of a set, ordered by trace: the input of ground truth. */
export async function allFeedback(db: Conn, workspaceId: string, evalSetId: string) {
  return db
    .select({ id: feedback.id, traceId: feedback.traceId, label: feedback.label, note: feedback.note })
    .from(feedback)
    .where(and(eq(feedback.workspaceId, workspaceId), eq(feedback.evalSetId, evalSetId)))
    .orderBy(asc(feedback.traceId), asc(feedback.id));
}

export async function allResolutions(db: Conn, workspaceId: string, evalSetId: string) {
  return db.select().from(resolutions).where(and(eq(resolutions.workspaceId, workspaceId), eq(resolutions.evalSetId, evalSetId)));
}

/** Label pairs of every two reviewers on the traces both labelled, counted. */
export async function reviewerPairCounts(db: Conn, workspaceId: string, evalSetId: string) {
  const result = await db.execute(sql`
    select f1.user_id as a, f2.user_id as b, f1.label as la, f2.label as lb, count(*)::int as n
    from feedback f1
    join feedback f2 on f2.eval_set_id = f1.eval_set_id and f2.trace_id = f1.trace_id and f2.user_id > f1.user_id and f2.workspace_id = f1.workspace_id
    where f1.workspace_id = ${workspaceId} and f1.eval_set_id = ${evalSetId}
    group by 1, 2, 3, 4`);
  return rowsOf<{ a: string; b: string; la: Label; lb: Label; n: number }>(result).map((r) => ({ ...r, n: Number(r.n) }));
}

export async function userNames(db: Conn, userIds: string[]) {
  if (userIds.length === 0) return new Map<string, string>();
  const rows = await db.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, userIds));
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** Traces whose reviewers gave different labels: unresolved first, most recently labelled first. */
export async function disagreementTraceIds(db: Conn, workspaceId: string, evalSetId: string, limit: number) {
  const result = await db.execute(sql`
    select f.trace_id, (r.id is not null) as resolved
    from feedback f
    left join resolutions r on r.eval_set_id = f.eval_set_id and r.trace_id = f.trace_id and r.workspace_id = f.workspace_id
    where f.workspace_id = ${workspaceId} and f.eval_set_id = ${evalSetId}
    group by f.trace_id, r.id
    having count(distinct f.label) > 1
    order by (r.id is not null), max(f.updated_at) desc, f.trace_id
    limit ${limit}`);
  return rowsOf<{ trace_id: string; resolved: boolean }>(result).map((r) => r.trace_id);
}

export async function countDisagreements(db: Conn, workspaceId: string, evalSetId: string) {
  const result = await db.execute(sql`
    select count(*)::int as total, (count(*) filter (where resolved))::int as resolved from (
      select f.trace_id, bool_or(r.id is not null) as resolved
      from feedback f
      left join resolutions r on r.eval_set_id = f.eval_set_id and r.trace_id = f.trace_id and r.workspace_id = f.workspace_id
      where f.workspace_id = ${workspaceId} and f.eval_set_id = ${evalSetId}
      group by f.trace_id having count(distinct f.label) > 1
    ) d`);
  const row = rowsOf<{ total: number; resolved: number }>(result)[0];
  return { total: Number(row?.total ?? 0), resolved: Number(row?.resolved ?? 0) };
}

export async function disagreementDetails(db: Conn, workspaceId: string, evalSetId: string, traceIds: string[]) {
  if (traceIds.length === 0) return { votes: [], traceRows: [], resolved: [] };
  const votes = await db
    .select({ traceId: feedback.traceId, userId: feedback.userId, name: users.name, label: feedback.label, note: feedback.note })
    .from(feedback)
    .innerJoin(users, eq(users.id, feedback.userId))
    .where(and(eq(feedback.workspaceId, workspaceId), eq(feedback.evalSetId, evalSetId), inArray(feedback.traceId, traceIds)))
    .orderBy(asc(users.name));
  const traceRows = await db
    .select({ id: traces.id, name: traces.name, timestamp: traces.timestamp, inputPreview: traces.inputPreview, outputPreview: traces.outputPreview })
    .from(traces)
    .where(and(eq(traces.workspaceId, workspaceId), inArray(traces.id, traceIds)));
  const resolved = await db
    .select({ row: resolutions, name: users.name })
    .from(resolutions)
    .leftJoin(users, eq(users.id, resolutions.resolvedBy))
    .where(and(eq(resolutions.workspaceId, workspaceId), eq(resolutions.evalSetId, evalSetId), inArray(resolutions.traceId, traceIds)));
  return { votes, traceRows, resolved };
}

export async function upsertResolution(db: Conn, values: { workspaceId: string; evalSetId: string; traceId: string; label: Label; note: string; resolvedBy: string }) {
  await db
    .insert(resolutions)
    .values(values)
    .onConflictDoUpdate({
      target: [resolutions.evalSetId, resolutions.traceId],
      set: { label: values.label, note: values.note, resolvedBy: values.resolvedBy, updatedAt: sql`now()` },
    });
}

export async function traceIdsInWorkspace(db: Conn, workspaceId: string, traceIds: string[]) {
  if (traceIds.length === 0) return [];
  const rows = await db.select({ id: traces.id }).from(traces).where(and(eq(traces.workspaceId, workspaceId), inArray(traces.id, traceIds)));
  return rows.map((r) => r.id);
}
