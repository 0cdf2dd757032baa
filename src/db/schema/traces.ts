// Trace tables: the normalized trace an eval receives, the raw source payload, list columns, and saved trace filters.
import { sql } from "drizzle-orm";
import { boolean, customType, doublePrecision, index, integer, json, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, idColumn, tstz, updatedAt } from "./columns";
import { users, workspaces } from "./identity";
import { integrations } from "./integrations";

/** Postgres full-text vector; written from SQL (to_tsvector), never read back by the app. */
const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });

export const traces = pgTable("traces", {
  id: idColumn(),
  workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
  source: text("source").notNull(),
  externalId: text("external_id").notNull(),
  integrationId: text("integration_id").references(() => integrations.id, { onDelete: "set null" }),
  name: text("name"),
  timestamp: tstz("timestamp").notNull(),
  // Both documents are `json`, not `jsonb`: they are written and read back whole, never queried inside. json keeps the
  // text as written, costs the server a syntax check instead of a rebuild on import, and is sent to the jail as stored.
  /** The normalized trace (DESIGN.md contract); null when normalization failed. */
  normalized: json("normalized").$type<Record<string, unknown>>(),
  /** The source payload exactly as received, kept so traces can be re-normalized. */
  raw: json("raw").notNull(),
  schemaVersion: integer("schema_version").notNull(),
  normalizeError: text("normalize_error"),
  hasErrors: boolean("has_errors").notNull().default(false),
  tags: text("tags").array().notNull().default(sql`'{}'::text[]`),
  userId: text("user_id"),
  sessionId: text("session_id"),
  environment: text("environment"),
  toolNames: text("tool_names").array().notNull().default(sql`'{}'::text[]`),
  models: text("models").array().notNull().default(sql`'{}'::text[]`),
  latencyMs: doublePrecision("latency_ms"),
  costUsd: doublePrecision("cost_usd"),
  stepCount: integer("step_count").notNull().default(0),
  /** Short plain-text preview of input and output for the list page. */
  inputPreview: text("input_preview"),
  outputPreview: text("output_preview"),
  isDemo: boolean("is_demo").notNull().default(false),
  /** Words of the input and output text, for the trace list's full-text search (works on PGlite too). */
  searchVector: tsvector("search_vector"),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  uniqueIndex("traces_source_external_idx").on(t.workspaceId, t.source, t.externalId),
  index("traces_list_idx").on(t.workspaceId, t.timestamp.desc(), t.id.desc()),
  // Eval runs walk a workspace's traces in id order, page by page.
  index("traces_workspace_id_idx").on(t.workspaceId, t.id),
  index("traces_name_idx").on(t.workspaceId, t.name),
  index("traces_tags_idx").using("gin", t.tags),
  index("traces_tool_names_idx").using("gin", t.toolNames),
  index("traces_models_idx").using("gin", t.models),
  index("traces_user_idx").on(t.workspaceId, t.userId),
  index("traces_session_idx").on(t.workspaceId, t.sessionId),
  index("traces_search_idx").using("gin", t.searchVector),
]);

/** A trace-list filter saved under a name for the whole workspace: applied on the trace list, or as the matrix's rows. */
export const savedFilters = pgTable("saved_filters", {
  id: idColumn(),
  workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
  name: text("name").notNull(),
  /** The filter as the trace list's query string, normalized (no cursor, no page size). */
  query: text("query").notNull(),
  createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [uniqueIndex("saved_filters_name_idx").on(t.workspaceId, t.name)]);
