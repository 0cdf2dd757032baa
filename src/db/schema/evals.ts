// Eval tables: eval sets (a rubric), human feedback, evals, their versions, and executions.
import { boolean, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, idColumn, tstz, updatedAt } from "./columns";
import { users, workspaces } from "./identity";
import { traces } from "./traces";

export const evalSets = pgTable("eval_sets", {
  id: idColumn(),
  workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
  name: text("name").notNull(),
  rubric: text("rubric").notNull(),
  labelsPerTrace: integer("labels_per_trace").notNull().default(1),
  /** How many version slots (eval_versions.set_slot) the set has handed out; a database trigger counts them. */
  versionSlots: integer("version_slots").notNull().default(0),
  isDemo: boolean("is_demo").notNull().default(false),
  archivedAt: tstz("archived_at"),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [index("eval_sets_workspace_idx").on(t.workspaceId)]);

export const labels = ["positive", "negative", "neutral"] as const;
export type Label = (typeof labels)[number];

/** One reviewer's current label of one trace for one eval set. */
export const feedback = pgTable("feedback", {
  id: idColumn(),
  workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
  evalSetId: text("eval_set_id").notNull().references(() => evalSets.id, { onDelete: "cascade" }),
  traceId: text("trace_id").notNull().references(() => traces.id, { onDelete: "cascade" }),
  userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  label: text("label", { enum: labels }).notNull(),
  note: text("note").notNull().default(""),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  uniqueIndex("feedback_reviewer_idx").on(t.evalSetId, t.traceId, t.userId),
  index("feedback_trace_idx").on(t.workspaceId, t.traceId),
]);

export const evals = pgTable("evals", {
  id: idColumn(),
  workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
  evalSetId: text("eval_set_id").notNull().references(() => evalSets.id, { onDelete: "cascade" }),
  name: text("name").notNull(),
  activeVersionId: text("active_version_id"),
  createdAt: createdAt(),
}, (t) => [index("evals_set_idx").on(t.workspaceId, t.evalSetId)]);

export const evalOrigins = ["llm", "synthesizer", "manual"] as const;

export const evalVersions = pgTable("eval_versions", {
  id: idColumn(),
  workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
  evalId: text("eval_id").notNull().references(() => evals.id, { onDelete: "cascade" }),
  version: integer("version").notNull(),
  parentId: text("parent_id"),
  origin: text("origin", { enum: evalOrigins }).notNull(),
  code: text("code").notNull(),
  timeoutMs: integer("timeout_ms").notNull().default(2000),
  /** Feedback ids the version was made from: metrics on these are not honest estimates. */
  /**
   * The version's position among every version of the eval set, 0, 1, 2… in creation order: its byte in
   * trace_verdicts.verdicts. Assigned by a database trigger on insert (whatever the default says); never reused.
   */
  setSlot: integer("set_slot").notNull().default(0),
  trainingFeedbackIds: jsonb("training_feedback_ids").$type<string[]>().notNull().default([]),
  metrics: jsonb("metrics").$type<Record<string, unknown>>(),
  prompt: text("prompt"),
  model: text("model"),
  tokensIn: integer("tokens_in"),
  tokensOut: integer("tokens_out"),
  costUsd: doublePrecision("cost_usd"),
  createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
  createdAt: createdAt(),
}, (t) => [uniqueIndex("eval_versions_number_idx").on(t.evalId, t.version)]);

export const executionErrorKinds = ["timeout", "exception", "invalid_return", "memory", "killed", "output_limit"] as const;

/** One eval version's verdict on one trace, keyed by (version, trace) so reruns upsert. */
export const executions = pgTable("executions", {
  // No foreign keys: a row-level key check costs every run result a query per key. Statement triggers (migration
  // 0013) check and lock a whole batch's versions and traces at once, and delete these rows with their version or trace.
  workspaceId: text("workspace_id").notNull(),
  evalVersionId: text("eval_version_id").notNull(),
  traceId: text("trace_id").notNull(),
  passed: boolean("passed"),
  reason: text("reason"),
  errorKind: text("error_kind", { enum: executionErrorKinds }),
  errorMessage: text("error_message"),
  traceback: text("traceback"),
  stdout: text("stdout"),
  durationMs: doublePrecision("duration_ms"),
  createdAt: createdAt(),
}, (t) => [
  // The natural key is the primary key: a surrogate id cost every run result one more index entry (migration 0014).
  primaryKey({ name: "executions_version_trace_pk", columns: [t.evalVersionId, t.traceId] }),
  index("executions_trace_idx").on(t.workspaceId, t.traceId),
]);

