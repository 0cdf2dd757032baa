// Database access for the jobs pages: listing, one job, and its events after a given id.
import { and, asc, desc, eq, gt, lt } from "drizzle-orm";
import type { Db } from "../../db/client";
import { jobEvents, jobs } from "../../db/schema";

export async function listJobs(db: Db, workspaceId: string, before: string | null, limit: number) {
  const rows = await db
    .select()
    .from(jobs)
    .where(and(eq(jobs.workspaceId, workspaceId), before ? lt(jobs.id, before) : undefined))
    .orderBy(desc(jobs.id))
    .limit(limit + 1);
  return { rows: rows.slice(0, limit), hasMore: rows.length > limit };
}

export async function findJob(db: Db, workspaceId: string, id: string) {
  const [row] = await db.select().from(jobs).where(and(eq(jobs.workspaceId, workspaceId), eq(jobs.id, id)));
  return row ?? null;
}

export async function eventsAfter(db: Db, jobId: string, afterId: number, limit = 500) {
  return db
    .select()
    .from(jobEvents)
    .where(and(eq(jobEvents.jobId, jobId), gt(jobEvents.id, afterId)))
    .orderBy(asc(jobEvents.id))
    .limit(limit);
}
