// Review tables: rubric versions, the review queue (items with reservations, skips), label history, and resolutions.
import { doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, idColumn, tstz, updatedAt } from "./columns";
import { evalSets, labels } from "./evals";
import { users, workspaces } from "./identity";
import { traces } from "./traces";

/** Every rubric an eval set has had, so a changed question stays visible next to labels given under the old one. */
export const rubricVersions = pgTable("rubric_versions", {
  id: idColumn(),
  workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
  evalSetId: text("eval_set_id").notNull().references(() => evalSets.id, { onDelete: "cascade" }),
  version: integer("version").notNull(),
  rubric: text("rubric").notNull(),
  createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
  createdAt: createdAt(),
}, (t) => [uniqueIndex("rubric_versions_number_idx").on(t.evalSetId, t.version)]);

export const queueStrategies = ["newest", "random", "informative"] as const;
export type QueueStrategy = (typeof queueStrategies)[number];

/** One review queue per eval set: how its items are ordered and where they came from. */
export const reviewQueues = pgTable("review_queues", {
  evalSetId: text("eval_set_id").primaryKey().references(() => evalSets.id, { onDelete: "cascade" }),
  workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
  strategy: text("strategy", { enum: queueStrategies }).notNull().default("newest"),
  seed: integer("seed").notNull().default(1),
  /** The trace-list query string the queue was last filled from, so it can be synced again. */
  sourceFilter: text("source_filter"),
  reservationSeconds: integer("reservation_seconds").notNull().default(600),
  updatedAt: updatedAt(),
});

/**
 * A trace in an eval set's queue, once (unique per set and trace). `label_count` (reviewers who labelled it)
 * and the two sort columns make "next item" one index range scan; a reservation holds it for one reviewer.
 */
export const queueItems = pgTable("queue_items", {
  id: idColumn(),
  workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
  evalSetId: text("eval_set_id").notNull().references(() => evalSets.id, { onDelete: "cascade" }),
  traceId: text("trace_id").notNull().references(() => traces.id, { onDelete: "cascade" }),
  labelCount: integer("label_count").notNull().default(0),
  /** Lower first: minus the disagreement score under "most informative", else 0. */
  priority: doublePrecision("priority").notNull().default(0),
  /** Lower first: minus the trace time (newest) or a seeded hash (random). */
  sortKey: doublePrecision("sort_key").notNull().default(0),
  reservedBy: text("reserved_by").references(() => users.id, { onDelete: "set null" }),
  reservedUntil: tstz("reserved_until"),
  addedBy: text("added_by").references(() => users.id, { onDelete: "set null" }),
  createdAt: createdAt(),
}, (t) => [
  uniqueIndex("queue_items_trace_idx").on(t.evalSetId, t.traceId),
  index("queue_items_next_idx").on(t.evalSetId, t.labelCount, t.priority, t.sortKey, t.id),
  index("queue_items_reserved_idx").on(t.evalSetId, t.reservedBy),
]);

/** A reviewer passed on an item: it comes back to them only once nothing else is left. */
export const queueSkips = pgTable("queue_skips", {
  workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
  evalSetId: text("eval_set_id").notNull().references(() => evalSets.id, { onDelete: "cascade" }),
  traceId: text("trace_id").notNull().references(() => traces.id, { onDelete: "cascade" }),
  userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  createdAt: createdAt(),
}, (t) => [primaryKey({ columns: [t.evalSetId, t.traceId, t.userId] })]);

export const historyActions = ["label", "note", "undo", "bulk", "bulk_undo"] as const;
export type HistoryAction = (typeof historyActions)[number];

/** A feedback row as it was, kept whole so undo can put it back exactly (same id and timestamps). */
export interface FeedbackSnapshot {
  id: string;
  label: (typeof labels)[number];
  note: string;
  createdAt: string;
  updatedAt: string;
}

/** Every change to a reviewer's label: who, when, from → to. `previous` is what undo restores. */
export const feedbackHistory = pgTable("feedback_history", {
  id: idColumn(),
  workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
  evalSetId: text("eval_set_id").notNull().references(() => evalSets.id, { onDelete: "cascade" }),
  traceId: text("trace_id").notNull().references(() => traces.id, { onDelete: "cascade" }),
  /** Whose label changed. */
  reviewerId: text("reviewer_id").references(() => users.id, { onDelete: "set null" }),
  /** Who changed it (the reviewer, or an admin's bulk label). */
  actorId: text("actor_id").references(() => users.id, { onDelete: "set null" }),
  action: text("action", { enum: historyActions }).notNull(),
  fromLabel: text("from_label", { enum: labels }),
  fromNote: text("from_note"),
  toLabel: text("to_label", { enum: labels }),
  toNote: text("to_note"),
  previous: jsonb("previous").$type<FeedbackSnapshot | null>(),
  /** The client's id for the operation: a retried save that already landed is recognised, not applied twice. */
  opId: text("op_id"),
  /** Groups the rows of one bulk label, so the whole batch can be undone. */
  batchId: text("batch_id"),
  undoneAt: tstz("undone_at"),
  createdAt: createdAt(),
}, (t) => [
  uniqueIndex("feedback_history_op_idx").on(t.workspaceId, t.opId),
  index("feedback_history_actor_idx").on(t.evalSetId, t.actorId, t.id),
  index("feedback_history_trace_idx").on(t.evalSetId, t.traceId),
  index("feedback_history_batch_idx").on(t.batchId),
]);

/** The settled label of a trace whose reviewers disagreed: the eval set's ground truth for that trace. */
export const resolutions = pgTable("resolutions", {
  id: idColumn(),
  workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
  evalSetId: text("eval_set_id").notNull().references(() => evalSets.id, { onDelete: "cascade" }),
  traceId: text("trace_id").notNull().references(() => traces.id, { onDelete: "cascade" }),
  label: text("label", { enum: labels }).notNull(),
  note: text("note").notNull().default(""),
  resolvedBy: text("resolved_by").references(() => users.id, { onDelete: "set null" }),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [uniqueIndex("resolutions_trace_idx").on(t.evalSetId, t.traceId)]);
