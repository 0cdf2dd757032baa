// The Postgres-backed job queue: enqueue, claim with SKIP LOCKED, lease heartbeat, retry with backoff, cancel, pause.
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Database, Db } from "../db/client";
import { rowsOf } from "../db/migrate";
import { jobEvents, jobs } from "../db/schema";

export type Job = typeof jobs.$inferSelect;
export type JobEvent = typeof jobEvents.$inferSelect;

/** NOTIFY channels: a job became claimable, and a job has a new event (payload: job id). */
export const JOBS_CHANNEL = "iofold_jobs";
export const JOB_EVENTS_CHANNEL = "iofold_job_events";

export const TERMINAL_STATUSES = ["succeeded", "failed", "cancelled"] as const;

export interface EnqueueOptions {
  workspaceId: string;
  type: string;
  payload?: Record<string, unknown>;
  maxAttempts?: number;
  createdBy?: string | null;
}

export async function enqueueJob(database: Database, options: EnqueueOptions): Promise<Job> {
  const [job] = await database.db
    .insert(jobs)
    .values({
      workspaceId: options.workspaceId,
      type: options.type,
      payload: options.payload ?? {},
      maxAttempts: options.maxAttempts ?? 3,
      createdBy: options.createdBy ?? null,
    })
    .returning();
  await appendJobEvent(database, job!.id, "status", { status: "queued" });
  await database.notify(JOBS_CHANNEL, job!.id);
  return job!;
}

/**
 * Claims the oldest runnable job: queued and due, or running with an expired lease (its worker died).
 * SKIP LOCKED lets many workers claim concurrently without blocking or double-claiming.
 */
export async function claimJob(db: Db, workerId: string, types: string[], leaseMs: number): Promise<Job | null> {
  if (types.length === 0) return null;
  const result = await db.execute(sql`
    update jobs set status = 'running', attempts = attempts + 1, locked_by = ${workerId},
      lease_until = now() + make_interval(secs => ${leaseMs / 1000}), started_at = coalesce(started_at, now())
    where id = (
      select id from jobs
      where ${inArray(jobs.type, types)}
        and ((status = 'queued' and run_at <= now()) or (status = 'running' and lease_until < now()))
      order by run_at, id
      limit 1
      for update skip locked
    )
    returning id`);
  const id = rowsOf<{ id: string }>(result)[0]?.id;
  if (!id) return null;
  const [job] = await db.select().from(jobs).where(eq(jobs.id, id));
  return job ?? null;
}

/** Extends the lease; returns what the user asked of the job, or "lost" when another worker owns it now. */
export async function heartbeat(db: Db, jobId: string, workerId: string, leaseMs: number): Promise<"ok" | "cancel" | "pause" | "lost"> {
  const rows = await db
    .update(jobs)
    .set({ leaseUntil: sql`now() + make_interval(secs => ${leaseMs / 1000})` })
    .where(and(eq(jobs.id, jobId), eq(jobs.lockedBy, workerId), eq(jobs.status, "running")))
    .returning({ requestedState: jobs.requestedState });
  if (rows.length === 0) return "lost";
  return rows[0]!.requestedState ?? "ok";
}

/** Finishes a job this worker still owns; false when its lease was lost (another worker finishes it). */
export async function finishJob(
  database: Database,
  jobId: string,
  workerId: string,
  outcome: { status: "succeeded" | "cancelled" | "paused"; result?: Record<string, unknown> },
): Promise<boolean> {
  const rows = await database.db
    .update(jobs)
    .set({
      status: outcome.status,
      result: outcome.result ?? null,
      lockedBy: null,
      leaseUntil: null,
      requestedState: null,
      finishedAt: outcome.status === "paused" ? null : new Date(),
    })
    .where(and(eq(jobs.id, jobId), eq(jobs.lockedBy, workerId), eq(jobs.status, "running")))
    .returning({ id: jobs.id });
  if (rows.length === 0) return false;
  await appendJobEvent(database, jobId, "status", { status: outcome.status, ...(outcome.result ? { result: outcome.result } : {}) });
  return true;
}

/** Exponential backoff with full jitter: 1 s, 2 s, 4 s… capped at 5 minutes. */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(300_000, 1000 * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Records a failed attempt: back to the queue after a backoff, or failed for good when attempts are spent. */
export async function failJob(database: Database, job: Job, workerId: string, message: string, retryable = true): Promise<void> {
  const willRetry = retryable && job.attempts < job.maxAttempts;
  const rows = await database.db
    .update(jobs)
    .set(
      willRetry
        ? { status: "queued", runAt: new Date(Date.now() + retryDelayMs(job.attempts)), lockedBy: null, leaseUntil: null, error: message }
        : { status: "failed", lockedBy: null, leaseUntil: null, error: message, finishedAt: new Date() },
    )
    .where(and(eq(jobs.id, job.id), eq(jobs.lockedBy, workerId), eq(jobs.status, "running")))
    .returning({ id: jobs.id });
  if (rows.length === 0) return;
  await appendJobEvent(database, job.id, "status", { status: willRetry ? "queued" : "failed", error: message, attempt: job.attempts });
}

/** Cancels at once when not running; a running job is asked to stop at its next checkpoint. */
export async function requestCancel(database: Database, workspaceId: string, jobId: string): Promise<Job | null> {
  const immediate = await database.db
    .update(jobs)
    .set({ status: "cancelled", finishedAt: new Date(), lockedBy: null, leaseUntil: null })
    .where(and(eq(jobs.id, jobId), eq(jobs.workspaceId, workspaceId), inArray(jobs.status, ["queued", "paused"])))
    .returning();
  if (immediate[0]) {
    await appendJobEvent(database, jobId, "status", { status: "cancelled" });
    return immediate[0];
  }
  const [asked] = await database.db
    .update(jobs)
    .set({ requestedState: "cancel" })
    .where(and(eq(jobs.id, jobId), eq(jobs.workspaceId, workspaceId), eq(jobs.status, "running")))
    .returning();
  return asked ?? null;
}

export async function requestPause(database: Database, workspaceId: string, jobId: string): Promise<Job | null> {
  const [asked] = await database.db
    .update(jobs)
    .set({ requestedState: "pause" })
    .where(and(eq(jobs.id, jobId), eq(jobs.workspaceId, workspaceId), eq(jobs.status, "running")))
    .returning();
  return asked ?? null;
}

export async function resumeJob(database: Database, workspaceId: string, jobId: string): Promise<Job | null> {
  const [resumed] = await database.db
    .update(jobs)
    .set({ status: "queued", runAt: new Date(), requestedState: null })
    .where(and(eq(jobs.id, jobId), eq(jobs.workspaceId, workspaceId), eq(jobs.status, "paused")))
    .returning();
  if (!resumed) return null;
  await appendJobEvent(database, jobId, "status", { status: "queued" });
  await database.notify(JOBS_CHANNEL, jobId);
  return resumed;
}

export async function appendJobEvent(
  database: Database,
  jobId: string,
  kind: JobEvent["kind"],
  data: Record<string, unknown>,
): Promise<void> {
  await database.db.insert(jobEvents).values({ jobId, kind, data });
  if (kind === "progress") await database.db.update(jobs).set({ progress: data }).where(eq(jobs.id, jobId));
  await database.notify(JOB_EVENTS_CHANNEL, jobId);
}
