// Identity and tenancy tables: users, workspaces, memberships, sessions, API tokens.
import { boolean, index, pgTable, primaryKey, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, idColumn, tstz } from "./columns";

export const users = pgTable("users", {
  id: idColumn(),
  email: text("email").notNull(),
  name: text("name").notNull(),
  passwordHash: text("password_hash").notNull(),
  createdAt: createdAt(),
}, (t) => [uniqueIndex("users_email_idx").on(t.email)]);

export const workspaces = pgTable("workspaces", {
  id: idColumn(),
  name: text("name").notNull(),
  /** True until the demo data set has been removed or was never seeded. */
  hasDemoData: boolean("has_demo_data").notNull().default(false),
  createdAt: createdAt(),
});

export const memberRoles = ["owner", "admin", "reviewer"] as const;
export type MemberRole = (typeof memberRoles)[number];

export const members = pgTable("members", {
  workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
  userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  role: text("role", { enum: memberRoles }).notNull(),
  createdAt: createdAt(),
}, (t) => [primaryKey({ columns: [t.workspaceId, t.userId] }), index("members_user_idx").on(t.userId)]);

export const sessions = pgTable("sessions", {
  /** SHA-256 of the cookie token: a leaked table cannot be replayed as cookies. */
  id: text("id").primaryKey(),
  userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
  csrfToken: text("csrf_token").notNull(),
  expiresAt: tstz("expires_at").notNull(),
  createdAt: createdAt(),
}, (t) => [index("sessions_user_idx").on(t.userId)]);

export const apiTokens = pgTable("api_tokens", {
  id: idColumn(),
  workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
  userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  name: text("name").notNull(),
  /** SHA-256 of the token; the token itself is shown once at creation. */
  tokenHash: text("token_hash").notNull(),
  /** First characters of the token, so a user can tell tokens apart. */
  prefix: text("prefix").notNull(),
  lastUsedAt: tstz("last_used_at"),
  revokedAt: tstz("revoked_at"),
  createdAt: createdAt(),
}, (t) => [uniqueIndex("api_tokens_hash_idx").on(t.tokenHash), index("api_tokens_workspace_idx").on(t.workspaceId)]);
