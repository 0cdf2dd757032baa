// Job tables: the Postgres-backed queue and its replayable progress events.
import { bigserial, index, integer, jsonb, pgTable, text } from "drizzle-orm/pg-core";
import { createdAt, idColumn, tstz } from "./columns";
import { users, workspaces } from "./identity";

export const jobStatuses = ["queued", "running", "paused", "succeeded", "failed", "cancelled"] as const;
export type JobStatus = (typeof jobStatuses)[number];

export const jobs = pgTable("jobs", {
  id: idColumn(),
  workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
  type: text("type").notNull(),
  payload: jsonb("payload").$type<Record<string, unknown>>().notNull().default({}),
  status: text("status", { enum: jobStatuses }).notNull().default("queued"),
  attempts: integer("attempts").notNull().default(0),
  maxAttempts: integer("max_attempts").notNull().default(3),
  /** Not claimable before this time: how retries back off. */
  runAt: tstz("run_at").notNull().defaultNow(),
  lockedBy: text("locked_by"),
  /** A running job whose lease has passed belongs to a dead worker and is claimable again. */
  leaseUntil: tstz("lease_until"),
  /** Latest progress snapshot {done,total,...}; the events hold the history. */
  progress: jsonb("progress").$type<Record<string, unknown>>().notNull().default({}),
  result: jsonb("result").$type<Record<string, unknown>>(),
  /** A handler's own resumable state (cursor, counters), saved as it goes. */
  checkpoint: jsonb("checkpoint").$type<Record<string, unknown>>(),
  error: text("error"),
  /** Set by a user; the running handler sees it at its next checkpoint. */
  requestedState: text("requested_state", { enum: ["cancel", "pause"] }),
  createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
  createdAt: createdAt(),
  startedAt: tstz("started_at"),
  finishedAt: tstz("finished_at"),
}, (t) => [
  index("jobs_claim_idx").on(t.status, t.runAt),
  index("jobs_workspace_idx").on(t.workspaceId, t.createdAt.desc()),
]);

export const jobEvents = pgTable("job_events", {
  /** Monotonic, so it doubles as the SSE event id a client resumes from. */
  id: bigserial("id", { mode: "number" }).primaryKey(),
  jobId: text("job_id").notNull().references(() => jobs.id, { onDelete: "cascade" }),
  kind: text("kind", { enum: ["status", "progress", "log"] }).notNull(),
  data: jsonb("data").$type<Record<string, unknown>>().notNull(),
  createdAt: createdAt(),
}, (t) => [index("job_events_job_idx").on(t.jobId, t.id)]);
