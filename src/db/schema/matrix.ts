// Comparison tables: the history of matrix and execution exports, and metric snapshots for trends.
import { index, integer, jsonb, pgTable, text } from "drizzle-orm/pg-core";
import { createdAt, idColumn, tstz } from "./columns";
import { evalSets, evalVersions } from "./evals";
import { users, workspaces } from "./identity";

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
