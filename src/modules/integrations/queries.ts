// Database access for integrations: every query filters by workspace.
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { integrations, jobs } from "../../db/schema";

export type IntegrationRow = typeof integrations.$inferSelect;

/** Job types that read from an integration; their payload carries `integrationId`. */
export const INTEGRATION_JOB_TYPES = ["langfuse.import"];

export async function listIntegrations(db: Db, workspaceId: string): Promise<IntegrationRow[]> {
  return db.select().from(integrations).where(eq(integrations.workspaceId, workspaceId)).orderBy(integrations.createdAt);
}

export async function findIntegration(db: Db, workspaceId: string, id: string): Promise<IntegrationRow | null> {
  const [row] = await db.select().from(integrations).where(and(eq(integrations.workspaceId, workspaceId), eq(integrations.id, id)));
  return row ?? null;
}

export async function insertIntegration(db: Db, values: typeof integrations.$inferInsert): Promise<IntegrationRow> {
  const [row] = await db.insert(integrations).values(values).returning();
  return row!;
}

export async function updateIntegration(db: Db, workspaceId: string, id: string, values: Partial<typeof integrations.$inferInsert>) {
  const [row] = await db
    .update(integrations)
    .set({ ...values, updatedAt: new Date() })
    .where(and(eq(integrations.workspaceId, workspaceId), eq(integrations.id, id)))
    .returning();
  return row ?? null;
}

export async function deleteIntegration(db: Db, workspaceId: string, id: string): Promise<boolean> {
  const rows = await db.delete(integrations).where(and(eq(integrations.workspaceId, workspaceId), eq(integrations.id, id))).returning({ id: integrations.id });
  return rows.length > 0;
}

/** The newest import/sync job of each integration, for the page's status column. */
export async function latestJobs(db: Db, workspaceId: string, integrationIds: string[]) {
  if (integrationIds.length === 0) return [];
  return db
    .selectDistinctOn([sql`${jobs.payload}->>'integrationId'`], {
      integrationId: sql<string>`${jobs.payload}->>'integrationId'`,
      id: jobs.id,
      type: jobs.type,
      status: jobs.status,
      error: jobs.error,
      createdAt: jobs.createdAt,
    })
    .from(jobs)
    .where(
      and(
        eq(jobs.workspaceId, workspaceId),
        inArray(jobs.type, INTEGRATION_JOB_TYPES),
        inArray(sql`${jobs.payload}->>'integrationId'`, integrationIds),
      ),
    )
    .orderBy(sql`${jobs.payload}->>'integrationId'`, desc(jobs.createdAt));
}

/**
 * Enabled integrations with a schedule whose next sync is due: the interval has passed since the last
 * successful sync and since the last attempt, and no import of theirs is queued or running. Across workspaces:
 * the scheduler serves them all, and each enqueued job carries its row's workspace.
 */
export async function dueForSync(db: Db, now: Date): Promise<Array<{ id: string; workspaceId: string }>> {
  // postgres.js does not serialize a Date inside raw sql: pass the instant as text.
  const at = sql`${now.toISOString()}::timestamptz`;
  return db
    .select({ id: integrations.id, workspaceId: integrations.workspaceId })
    .from(integrations)
    .where(
      and(
        eq(integrations.enabled, true),
        sql`${integrations.syncIntervalMinutes} is not null`,
        sql`coalesce(${integrations.lastSyncedAt}, '-infinity') + make_interval(mins => ${integrations.syncIntervalMinutes}::int) <= ${at}`,
        sql`not exists (
          select 1 from ${jobs}
          where ${jobs.workspaceId} = ${integrations.workspaceId}
            and ${jobs.type} in ${INTEGRATION_JOB_TYPES}
            and ${jobs.payload}->>'integrationId' = ${integrations.id}
            and (${jobs.status} in ('queued', 'running', 'paused')
              or ${jobs.createdAt} + make_interval(mins => ${integrations.syncIntervalMinutes}::int) > ${at}))`,
      ),
    );
}

/** Queued jobs inserted inside the caller's transaction (the scheduler's), returning their ids. */
export async function insertQueuedJobs(db: Db, type: string, items: Array<{ workspaceId: string; payload: Record<string, unknown> }>): Promise<string[]> {
  if (items.length === 0) return [];
  const rows = await db
    .insert(jobs)
    .values(items.map((item) => ({ workspaceId: item.workspaceId, type, payload: item.payload, maxAttempts: 3 })))
    .returning({ id: jobs.id });
  return rows.map((row) => row.id);
}
