// Review logic: filling and ordering the queue, handing out items with reservations, labels with history and undo,
// skips, bulk labels, reviewer agreement, resolutions, and the ground truth other features build on.
import type { Database } from "../../db/client";
import type { Label, QueueStrategy } from "../../db/schema";
import { AppError, NotFoundError, ValidationError } from "../../http/errors";
import { cohensKappa, kappaInterval, type ConfusionMatrix, type Interval } from "../metrics/agreement";
import { traceFilterInput } from "../traces/model";
import { listTraces } from "../traces/queries";
import type { GroundTruthLabel, LabelInput, ReviewItem } from "./model";
import * as q from "./queries";

const CHUNK = 500;

export interface ReviewerScope {
  workspaceId: string;
  evalSetId: string;
  userId: string;
}

/** The eval set, or a 404 when it is not in this workspace. */
export async function requireEvalSet(database: Database, workspaceId: string, evalSetId: string) {
  const set = await q.findEvalSet(database.db, workspaceId, evalSetId);
  if (!set) throw new NotFoundError("Eval set");
  return set;
}

async function requireOpenEvalSet(database: Database, workspaceId: string, evalSetId: string) {
  const set = await requireEvalSet(database, workspaceId, evalSetId);
  if (set.archivedAt) throw new AppError(409, "archived", "This eval set is archived: unarchive it to change its labels.");
  return set;
}

/** Every eval set has one queue; sets made before the queue existed (or by other features) get it on first use. */
export async function ensureQueue(database: Database, workspaceId: string, evalSetId: string) {
  const existing = await q.findQueue(database.db, workspaceId, evalSetId);
  if (existing) return existing;
  await requireEvalSet(database, workspaceId, evalSetId);
  await q.insertQueueIfMissing(database.db, workspaceId, evalSetId);
  return (await q.findQueue(database.db, workspaceId, evalSetId))!;
}

async function* chunked(ids: Iterable<string> | AsyncIterable<string>, size = CHUNK): AsyncGenerator<string[]> {
  let chunk: string[] = [];
  for await (const id of ids) {
    chunk.push(id);
    if (chunk.length >= size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length) yield chunk;
}

/**
 * The ids of every trace matching a trace-list filter (its query string, as the list page sends it), across all
 * pages, newest first. Paging uses the list's own keyset query, so "the active filter" means what the list shows.
 */
export async function* traceIdsForFilter(database: Database, workspaceId: string, filterQuery: string): AsyncGenerator<string> {
  const params = Object.fromEntries(new URLSearchParams(filterQuery.replace(/^\?/, "")));
  delete params.cursor;
  delete params.limit;
  const parsed = traceFilterInput.safeParse(params);
  if (!parsed.success) throw new ValidationError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  let cursor: { timestamp: Date; id: string } | null = null;
  for (;;) {
    const page = await listTraces(database.db, workspaceId, parsed.data, cursor, 1000);
    for (const row of page.rows) yield row.id;
    const last = page.rows.at(-1);
    if (!page.hasMore || !last) return;
    cursor = { timestamp: last.timestamp, id: last.id };
  }
}

/**
 * Adds traces to an eval set's queue (for the trace list's "add to queue", with ids or `traceIdsForFilter`).
 * A trace already in the queue is not added again; ids of other workspaces are ignored.
 */
export async function addTracesToQueue(
  database: Database,
  workspaceId: string,
  evalSetId: string,
  traceIds: Iterable<string> | AsyncIterable<string>,
  addedBy: string | null = null,
): Promise<{ added: number; seen: number }> {
  const queue = await ensureQueue(database, workspaceId, evalSetId);
  let added = 0;
  let seen = 0;
  for await (const chunk of chunked(traceIds)) {
    seen += chunk.length;
    added += await q.insertItems(database.db, { workspaceId, evalSetId, traceIds: chunk, addedBy, strategy: queue.strategy === "random" ? "random" : "newest", seed: queue.seed });
  }
  if (added > 0 && queue.strategy === "informative") await q.prioritiseInformative(database.db, workspaceId, evalSetId);
  return { added, seen };
}

/** Fills the queue from a trace filter and remembers it, so "sync" can pick up traces that match later. */
export async function addFilterToQueue(database: Database, scope: ReviewerScope, filterQuery: string) {
  const result = await addTracesToQueue(database, scope.workspaceId, scope.evalSetId, traceIdsForFilter(database, scope.workspaceId, filterQuery), scope.userId);
  await q.updateQueue(database.db, scope.workspaceId, scope.evalSetId, { sourceFilter: filterQuery.replace(/^\?/, "") });
  return result;
}

export async function setQueueOrder(database: Database, workspaceId: string, evalSetId: string, strategy: QueueStrategy, seed?: number) {
  const queue = await ensureQueue(database, workspaceId, evalSetId);
  const nextSeed = seed ?? queue.seed;
  await q.updateQueue(database.db, workspaceId, evalSetId, { strategy, seed: nextSeed });
  if (strategy === "informative") await q.prioritiseInformative(database.db, workspaceId, evalSetId);
  else await q.reorderItems(database.db, workspaceId, evalSetId, strategy, nextSeed);
}

/**
 * The item a reviewer should see next, reserved to them: their own live reservation first (so a reload lands
 * where they were), else the next unreserved item they have not skipped, else one they skipped. `exclude` holds
 * what the browser already has (shown, prefetched, or being saved).
 */
export async function nextItem(database: Database, scope: ReviewerScope, exclude: string[]): Promise<ReviewItem | null> {
  const found = await q.findSetWithQueue(database.db, scope.workspaceId, scope.evalSetId);
  if (!found) throw new NotFoundError("Eval set");
  const { set } = found;
  if (set.archivedAt) return null;
  const queue = found.queue ?? (await ensureQueue(database, scope.workspaceId, scope.evalSetId));
  const claim = { ...scope, labelsPerTrace: set.labelsPerTrace, exclude };
  const item = await q.claimItem(database.db, claim, queue.reservationSeconds);
  return item ? { itemId: item.id, traceId: item.traceId, myLabel: null, myNote: "" } : null;
}

/** An item the reviewer has seen before (going back), with their current label. */
export async function reviewerItem(database: Database, scope: ReviewerScope, itemId: string): Promise<ReviewItem> {
  const item = await q.findItem(database.db, scope.workspaceId, scope.evalSetId, itemId);
  if (!item) throw new NotFoundError("Queue item");
  const mine = await q.findFeedback(database.db, scope.workspaceId, scope.evalSetId, item.traceId, scope.userId);
  return { itemId: item.id, traceId: item.traceId, myLabel: mine?.label ?? null, myNote: mine?.note ?? "" };
}

export interface SavedLabel {
  itemId: string;
  traceId: string;
  label: Label | null;
  note: string;
  /** True when this operation had already landed (a retry): nothing was applied again. */
  duplicate: boolean;
}

/**
 * Saves the reviewer's label and/or note for an item, in one transaction with its history row. The item row is
 * locked, so when the set asks for N labels no (N+1)th reviewer can add one: they get a 409 instead.
 * Round trips are what a save costs at scale: the lock and the two reads it guards go out together, and the
 * history row, feedback row and item counts are written by one statement.
 */
export async function saveLabel(database: Database, scope: ReviewerScope, input: LabelInput): Promise<SavedLabel> {
  return database.db.transaction(async (tx) => {
    const [locked, current, landed] = await inOrder(database, [
      () => q.lockItemWithSet(tx, scope.workspaceId, scope.evalSetId, input.item_id),
      () => q.findFeedbackForItem(tx, scope.workspaceId, scope.evalSetId, input.item_id, scope.userId),
      () => q.findHistoryByOp(tx, scope.workspaceId, input.op_id),
    ] as const);
    if (!locked) throw new NotFoundError("Queue item");
    if (locked.archivedAt) throw new AppError(409, "archived", "This eval set is archived: unarchive it to change its labels.");
    const { item } = locked;
    const key = { workspaceId: scope.workspaceId, evalSetId: scope.evalSetId, traceId: item.traceId, userId: scope.userId };
    const result = (label: Label | null, note: string, duplicate: boolean) => ({ itemId: item.id, traceId: item.traceId, label, note, duplicate });
    const label = input.label ?? current?.label;
    if (!label) throw new ValidationError("Choose a label before saving a note.");
    const note = input.note ?? current?.note ?? "";
    if (current && current.label === label && current.note === note) return result(label, note, landed !== null);
    if (!current && item.labelCount >= locked.labelsPerTrace) {
      throw new AppError(409, "already_labeled", "Another reviewer labelled this trace first: it already has every label the set asks for.");
    }
    const action = current && current.label === label ? "note" : "label";
    const recorded = await q.recordLabelChange(
      tx,
      { ...key, reviewerId: scope.userId, actorId: scope.userId, action, from: current, to: { label, note }, opId: input.op_id },
      { id: item.id, releaseReservation: item.reservedBy === scope.userId },
      current,
      { label, note },
    );
    if (!recorded) return result(current?.label ?? null, current?.note ?? "", true);
    return result(label, note, false);
  });
}

type Results<T extends readonly (() => Promise<unknown>)[]> = { -readonly [K in keyof T]: Awaited<ReturnType<T[K]>> };

/**
 * Runs queries of one transaction in the given order. postgres.js pipelines them on the transaction's connection
 * (sent together, executed one after the other, so each still sees what the ones before it did); PGlite runs
 * them one at a time.
 */
async function inOrder<T extends readonly (() => Promise<unknown>)[]>(database: Database, queries: T): Promise<Results<T>> {
  if (database.kind === "postgres") return (await Promise.all(queries.map((run) => run()))) as Results<T>;
  const results: unknown[] = [];
  for (const run of queries) results.push(await run());
  return results as Results<T>;
}

/**
 * Reverts the reviewer's latest label or note change in the set to exactly what it was before (the same
 * feedback row, label, note and timestamps, or no row), records the undo, and reserves the item back to
 * them. Returns null when there is nothing left to undo.
 */
export async function undoLast(database: Database, scope: ReviewerScope, opId: string): Promise<SavedLabel | null> {
  await requireOpenEvalSet(database, scope.workspaceId, scope.evalSetId);
  const queue = await ensureQueue(database, scope.workspaceId, scope.evalSetId);
  return database.db.transaction(async (tx) => {
    const landed = await q.findHistoryByOp(tx, scope.workspaceId, opId);
    if (landed) {
      const item = await q.lockItem(tx, scope.workspaceId, scope.evalSetId, { traceId: landed.traceId });
      return { itemId: item?.id ?? "", traceId: landed.traceId, label: landed.toLabel, note: landed.toNote ?? "", duplicate: true };
    }
    const last = await q.lastUndoable(tx, scope.workspaceId, scope.evalSetId, scope.userId);
    if (!last) return null;
    const item = await q.lockItem(tx, scope.workspaceId, scope.evalSetId, { traceId: last.traceId });
    if (!item) throw new NotFoundError("Queue item");
    const reviewerId = last.reviewerId ?? scope.userId;
    const key = { workspaceId: scope.workspaceId, evalSetId: scope.evalSetId, traceId: last.traceId, userId: reviewerId };
    const current = await q.findFeedback(tx, scope.workspaceId, scope.evalSetId, last.traceId, reviewerId);
    const previous = last.previous;
    await q.writeFeedback(
      tx,
      key,
      current,
      previous ? { id: previous.id, label: previous.label, note: previous.note, createdAt: new Date(previous.createdAt), updatedAt: new Date(previous.updatedAt) } : null,
    );
    await q.setItemState(tx, item.id, { labelCountDelta: (previous ? 1 : 0) - (current ? 1 : 0), reservedBy: scope.userId, reservationSeconds: queue.reservationSeconds });
    await q.markUndone(tx, [last.id]);
    await q.insertHistory(tx, [{ ...key, reviewerId, actorId: scope.userId, action: "undo", from: current, to: previous, opId }]);
    return { itemId: item.id, traceId: item.traceId, label: previous?.label ?? null, note: previous?.note ?? "", duplicate: false };
  });
}

/** Passes on an item: released for others, and served to this reviewer again only when nothing else is left. */
export async function skipItem(database: Database, scope: ReviewerScope, itemId: string) {
  const item = await q.findItem(database.db, scope.workspaceId, scope.evalSetId, itemId);
  if (!item) throw new NotFoundError("Queue item");
  await q.insertSkip(database.db, { workspaceId: scope.workspaceId, evalSetId: scope.evalSetId, traceId: item.traceId, userId: scope.userId });
  await q.releaseReservation(database.db, item.id, scope.userId);
}

/** Counts the traces a bulk action would touch, for the confirmation that states the count. */
export async function countTraces(ids: Iterable<string> | AsyncIterable<string>): Promise<number> {
  let n = 0;
  for await (const _ of ids) n++;
  return n;
}

/**
 * Gives many traces the same label as the acting reviewer (adding them to the queue as needed), keeping
 * notes they already had. One history row per changed trace, all under one batch id: `undoBulk` reverts it.
 */
export async function bulkLabel(
  database: Database,
  scope: ReviewerScope,
  label: Label,
  traceIds: Iterable<string> | AsyncIterable<string>,
): Promise<{ batchId: string; changed: number; seen: number }> {
  await requireOpenEvalSet(database, scope.workspaceId, scope.evalSetId);
  const batchId = Bun.randomUUIDv7();
  let changed = 0;
  let seen = 0;
  for await (const chunk of chunked(traceIds)) {
    seen += chunk.length;
    await addTracesToQueue(database, scope.workspaceId, scope.evalSetId, chunk, scope.userId);
    changed += await database.db.transaction(async (tx) => {
      const items = await q.lockItemsByTrace(tx, scope.workspaceId, scope.evalSetId, chunk);
      const existing = new Map((await q.feedbackForTraces(tx, scope.workspaceId, scope.evalSetId, scope.userId, items.map((i) => i.traceId))).map((f) => [f.traceId, f]));
      const history: Parameters<typeof q.insertHistory>[1] = [];
      for (const item of items) {
        const current = existing.get(item.traceId) ?? null;
        if (current?.label === label) continue;
        const key = { workspaceId: scope.workspaceId, evalSetId: scope.evalSetId, traceId: item.traceId, userId: scope.userId };
        await q.writeFeedback(tx, key, current, { label, note: current?.note ?? "" });
        if (!current) await q.setItemState(tx, item.id, { labelCountDelta: 1 });
        history.push({ ...key, reviewerId: scope.userId, actorId: scope.userId, action: "bulk", from: current, to: { label, note: current?.note ?? "" }, batchId });
      }
      await q.insertHistory(tx, history);
      return history.length;
    });
  }
  return { batchId, changed, seen };
}

/**
 * Undoes a bulk label: each trace goes back exactly to its state before the batch, unless its label was changed
 * again since (then the newer label is kept and counted in `kept`).
 */
export async function undoBulk(database: Database, scope: ReviewerScope, batchId: string): Promise<{ reverted: number; kept: number }> {
  await requireOpenEvalSet(database, scope.workspaceId, scope.evalSetId);
  const rows = (await q.batchHistory(database.db, scope.workspaceId, scope.evalSetId, batchId)).filter((r) => !r.undoneAt);
  if (rows.length === 0) throw new NotFoundError("Bulk label");
  let reverted = 0;
  let kept = 0;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    await database.db.transaction(async (tx) => {
      const items = new Map((await q.lockItemsByTrace(tx, scope.workspaceId, scope.evalSetId, chunk.map((r) => r.traceId))).map((it) => [it.traceId, it]));
      const history: Parameters<typeof q.insertHistory>[1] = [];
      for (const row of chunk) {
        const reviewerId = row.reviewerId ?? scope.userId;
        const key = { workspaceId: scope.workspaceId, evalSetId: scope.evalSetId, traceId: row.traceId, userId: reviewerId };
        const current = await q.findFeedback(tx, scope.workspaceId, scope.evalSetId, row.traceId, reviewerId);
        const item = items.get(row.traceId);
        if (!item || !current || current.label !== row.toLabel || current.note !== row.toNote) {
          kept++;
          continue;
        }
        const previous = row.previous;
        await q.writeFeedback(
          tx,
          key,
          current,
          previous ? { id: previous.id, label: previous.label, note: previous.note, createdAt: new Date(previous.createdAt), updatedAt: new Date(previous.updatedAt) } : null,
        );
        if (!previous) await q.setItemState(tx, item.id, { labelCountDelta: -1 });
        history.push({ ...key, reviewerId, actorId: scope.userId, action: "bulk_undo", from: current, to: previous, batchId });
        reverted++;
      }
      await q.markUndone(tx, chunk.map((r) => r.id));
      await q.insertHistory(tx, history);
    });
  }
  return { reverted, kept };
}

export interface ReviewerPair {
  a: { id: string; name: string };
  b: { id: string; name: string };
  /** Traces both labelled. */
  shared: number;
  /** Share of shared traces with the same label (all three labels). */
  agreement: number;
  /** Cohen's kappa on the traces both labelled positive or negative (neutral says "no judgment", so it is left out). */
  kappa: number;
  kappaInterval: Interval;
  decisive: number;
}

/** Per-pair agreement between reviewers, with Cohen's kappa from the metrics module. */
export async function reviewerAgreement(database: Database, workspaceId: string, evalSetId: string): Promise<ReviewerPair[]> {
  const counts = await q.reviewerPairCounts(database.db, workspaceId, evalSetId);
  const names = await q.userNames(database.db, [...new Set(counts.flatMap((c) => [c.a, c.b]))]);
  const pairs = new Map<string, { a: string; b: string; shared: number; same: number; m: ConfusionMatrix }>();
  for (const c of counts) {
    const key = `${c.a}|${c.b}`;
    const pair = pairs.get(key) ?? { a: c.a, b: c.b, shared: 0, same: 0, m: { failCaught: 0, failMissed: 0, falseFailure: 0, passAgreed: 0 } };
    pair.shared += c.n;
    if (c.la === c.lb) pair.same += c.n;
    // Reviewer a plays "human", b plays "eval" in the metrics module's matrix; kappa is symmetric.
    if (c.la === "negative" && c.lb === "negative") pair.m.failCaught += c.n;
    else if (c.la === "negative" && c.lb === "positive") pair.m.failMissed += c.n;
    else if (c.la === "positive" && c.lb === "negative") pair.m.falseFailure += c.n;
    else if (c.la === "positive" && c.lb === "positive") pair.m.passAgreed += c.n;
    pairs.set(key, pair);
  }
  return [...pairs.values()].map((p) => ({
    a: { id: p.a, name: names.get(p.a) ?? "?" },
    b: { id: p.b, name: names.get(p.b) ?? "?" },
    shared: p.shared,
    agreement: p.shared ? p.same / p.shared : 0,
    kappa: cohensKappa(p.m),
    kappaInterval: kappaInterval(p.m),
    decisive: p.m.failCaught + p.m.failMissed + p.m.falseFailure + p.m.passAgreed,
  }));
}

export interface Disagreement {
  traceId: string;
  traceName: string | null;
  timestamp: Date | null;
  inputPreview: string | null;
  outputPreview: string | null;
  votes: { userId: string; name: string; label: Label; note: string }[];
  resolution: { label: Label; note: string; by: string | null } | null;
}

/** Traces whose reviewers disagree, unresolved first, with each reviewer's label and note. */
export async function disagreements(database: Database, workspaceId: string, evalSetId: string, limit = 200) {
  const counts = await q.countDisagreements(database.db, workspaceId, evalSetId);
  const ids = await q.disagreementTraceIds(database.db, workspaceId, evalSetId, limit);
  return { ...counts, rows: await disagreementRows(database, workspaceId, evalSetId, ids) };
}

export async function disagreementRows(database: Database, workspaceId: string, evalSetId: string, traceIds: string[]): Promise<Disagreement[]> {
  const { votes, traceRows, resolved } = await q.disagreementDetails(database.db, workspaceId, evalSetId, traceIds);
  const traceById = new Map(traceRows.map((t) => [t.id, t]));
  const resolutionByTrace = new Map(resolved.map((r) => [r.row.traceId, r]));
  return traceIds.map((traceId) => {
    const trace = traceById.get(traceId);
    const resolution = resolutionByTrace.get(traceId);
    return {
      traceId,
      traceName: trace?.name ?? null,
      timestamp: trace?.timestamp ?? null,
      inputPreview: trace?.inputPreview ?? null,
      outputPreview: trace?.outputPreview ?? null,
      votes: votes.filter((v) => v.traceId === traceId),
      resolution: resolution ? { label: resolution.row.label, note: resolution.row.note, by: resolution.name } : null,
    };
  });
}

/** Settles a trace's label: from now on it is the set's ground truth for that trace, whatever reviewers said. */
export async function resolve(database: Database, scope: ReviewerScope, traceId: string, label: Label, note = "") {
  await requireOpenEvalSet(database, scope.workspaceId, scope.evalSetId);
  if ((await q.traceIdsInWorkspace(database.db, scope.workspaceId, [traceId])).length === 0) throw new NotFoundError("Trace");
  await q.upsertResolution(database.db, { workspaceId: scope.workspaceId, evalSetId: scope.evalSetId, traceId, label, note, resolvedBy: scope.userId });
  return (await disagreementRows(database, scope.workspaceId, scope.evalSetId, [traceId]))[0]!;
}

/**
 * THE GROUND TRUTH of an eval set, for eval generation and the comparison matrix. One entry per trace with a
 * settled label:
 * - a resolution (an admin settled a disagreement) wins: source "resolved";
 * - else, when every reviewer who labelled the trace gave the same label: source "unanimous" (this includes a
 *   single reviewer's label; `complete` says whether the set's labels-per-trace was reached);
 * - traces whose reviewers disagree and that nobody resolved are left out (see `disagreements`).
 * Neutral labels are included; generation normally keeps only positive (pass) and negative (fail).
 * Ordered by trace id.
 */
export async function groundTruthLabels(database: Database, workspaceId: string, evalSetId: string): Promise<GroundTruthLabel[]> {
  const set = await requireEvalSet(database, workspaceId, evalSetId);
  const rows = await q.allFeedback(database.db, workspaceId, evalSetId);
  const resolutionByTrace = new Map((await q.allResolutions(database.db, workspaceId, evalSetId)).map((r) => [r.traceId, r]));
  const byTrace = new Map<string, typeof rows>();
  for (const row of rows) byTrace.set(row.traceId, [...(byTrace.get(row.traceId) ?? []), row]);
  for (const traceId of resolutionByTrace.keys()) if (!byTrace.has(traceId)) byTrace.set(traceId, []);
  const result: GroundTruthLabel[] = [];
  for (const [traceId, votes] of [...byTrace].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const resolution = resolutionByTrace.get(traceId);
    const distinct = new Set(votes.map((v) => v.label));
    const label = resolution?.label ?? (distinct.size === 1 ? votes[0]!.label : null);
    if (!label) continue;
    const notes = votes.map((v) => v.note).filter((n) => n.trim() !== "");
    if (resolution?.note) notes.push(resolution.note);
    result.push({
      traceId,
      label,
      source: resolution ? "resolved" : "unanimous",
      reviewers: votes.length,
      complete: resolution !== undefined || votes.length >= set.labelsPerTrace,
      feedbackIds: votes.map((v) => v.id),
      notes,
    });
  }
  return result;
}

export async function historyOfTrace(database: Database, workspaceId: string, evalSetId: string, traceId: string) {
  return q.historyForTrace(database.db, workspaceId, evalSetId, traceId);
}

export async function clearSkips(database: Database, scope: ReviewerScope) {
  await q.deleteSkips(database.db, scope.workspaceId, scope.evalSetId, scope.userId);
}

export async function queueProgress(database: Database, workspaceId: string, evalSetId: string, labelsPerTrace: number) {
  return q.queueCounts(database.db, workspaceId, evalSetId, labelsPerTrace);
}

export async function reviewerCounts(database: Database, workspaceId: string, evalSetId: string) {
  return q.labelCountsByReviewer(database.db, workspaceId, evalSetId);
}

export async function groundTruthCounts(database: Database, workspaceId: string, evalSetId: string) {
  return q.groundTruthCounts(database.db, workspaceId, evalSetId);
}
