// Comparison tables: ground truth and verdicts kept per (eval set, trace), the history of exports, and metric snapshots for trends.
import { sql } from "drizzle-orm";
import { customType, index, integer, jsonb, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { createdAt, idColumn, tstz } from "./columns";
import { evalSets, evalVersions, labels } from "./evals";
import { users, workspaces } from "./identity";
import { traces } from "./traces";

/** Postgres bytea; read and written only from SQL (get_byte, triggers), never by the app. */
const bytea = customType<{ data: Uint8Array }>({ dataType: () => "bytea" });

/**
 * What an eval set knows about a trace, one row per (set, trace) with a label or a run of one of the set's versions,
 * kept by triggers in the transaction of each write (migrations/0008_matrix_maintained.sql) so the matrix and the
 * metrics read one narrow row per trace instead of grouping label rows and joining executions once per version:
 * - the ground truth, from feedback and resolutions: `label` settled by the rule in `ground_truth_of` (a resolution
 *   wins, else the label every reviewer gave, else null) and `reviewers` (0 = not labelled);
 * - every version's verdict, from executions: byte `eval_versions.set_slot` of `verdicts` is 0 no verdict
 *   (not run), 1 errored, 2 fail, 3 pass.
 */
export const setTraces = pgTable("set_traces", {
  // No foreign keys: the rows are derived, written only by the triggers on feedback, resolutions and executions (whose
  // own keys hold the set, the trace and the workspace), and deleted with their trace or set by triggers on those
  // tables (migrations/0012_set_traces_without_keys.sql). Checking keys cost every run result two lookups.
  evalSetId: text("eval_set_id").notNull(),
  traceId: text("trace_id").notNull(),
  workspaceId: text("workspace_id").notNull(),
  label: text("label", { enum: labels }),
  reviewers: integer("reviewers").notNull().default(0),
  verdicts: bytea("verdicts").notNull().default(sql`''::bytea`),
}, (t) => [
  primaryKey({ columns: [t.evalSetId, t.traceId] }),
  // The set's labelled traces (its matrix rows and metrics), without the traces a version merely ran on.
  index("set_traces_labelled_idx").on(t.evalSetId, t.traceId).where(sql`${t.reviewers} > 0`),
]);

export const exportKinds = ["matrix", "executions"] as const;
export const exportFormats = ["csv", "jsonl", "xlsx"] as const;
export const exportStatuses = ["streaming", "finished", "failed"] as const;

/** One download of the matrix or of a version's executions: what was asked, and how it went. */
export const exportsHistory = pgTable("exports", {
  id: idColumn(),
  workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
  kind: text("kind", { enum: exportKinds }).notNull(),
  format: text("format", { enum: exportFormats }).notNull(),
  evalSetId: text("eval_set_id").references(() => evalSets.id, { onDelete: "set null" }),
  evalVersionId: text("eval_version_id").references(() => evalVersions.id, { onDelete: "set null" }),
  /** The active filter as a query string, so the same export can be asked again. */
  filter: text("filter").notNull().default(""),
  status: text("status", { enum: exportStatuses }).notNull().default("streaming"),
  rowCount: integer("row_count"),
  bytes: integer("bytes"),
  error: text("error"),
  createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
  createdAt: createdAt(),
  finishedAt: tstz("finished_at"),
}, (t) => [index("exports_workspace_idx").on(t.workspaceId, t.createdAt)]);

export const snapshotTriggers = ["computed", "job"] as const;

/**
 * A version's agreement counts at one moment. A row is written only when the counts differ from the version's
 * latest snapshot (labels changed, or a run changed verdicts), so the table is the trend over time.
 */
export const metricSnapshots = pgTable("metric_snapshots", {
  id: idColumn(),
  workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
  evalSetId: text("eval_set_id").notNull().references(() => evalSets.id, { onDelete: "cascade" }),
  evalVersionId: text("eval_version_id").notNull().references(() => evalVersions.id, { onDelete: "cascade" }),
  /** Hash of `counts`: equal counts mean equal metrics, so no new row. */
  fingerprint: text("fingerprint").notNull(),
  trigger: text("trigger", { enum: snapshotTriggers }).notNull(),
  /** The counts behind every figure (confusion matrices per split, errors); ratios are recomputed from them. */
  counts: jsonb("counts").$type<Record<string, unknown>>().notNull(),
  createdAt: createdAt(),
}, (t) => [index("metric_snapshots_version_idx").on(t.evalVersionId, t.createdAt)]);
