// Integration table: connections to trace sources such as Langfuse projects.
import { boolean, index, jsonb, pgTable, text } from "drizzle-orm/pg-core";
import { createdAt, idColumn, tstz, updatedAt } from "./columns";
import { workspaces } from "./identity";

export const integrations = pgTable("integrations", {
  id: idColumn(),
  workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
  kind: text("kind", { enum: ["langfuse"] }).notNull(),
  name: text("name").notNull(),
  /** Non-secret settings (host URL, public key, import filters). */
  settings: jsonb("settings").$type<Record<string, unknown>>().notNull().default({}),
  /** AES-GCM ciphertext of the secret key; never rendered back. */
  secretCiphertext: text("secret_ciphertext").notNull(),
  enabled: boolean("enabled").notNull().default(true),
  /** Where the last incremental sync ended, so the next one resumes there. */
  syncCursor: jsonb("sync_cursor").$type<Record<string, unknown>>(),
  syncIntervalMinutes: text("sync_interval_minutes"),
  lastSyncedAt: tstz("last_synced_at"),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [index("integrations_workspace_idx").on(t.workspaceId)]);
