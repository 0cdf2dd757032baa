// Database access for eval sets: list with progress, create, edit with rubric versions, archive, and label export pages.
import { and, asc, desc, eq, gt, isNotNull, isNull, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { evalSets, feedback, resolutions, reviewQueues, rubricVersions, traces, users } from "../../db/schema";

export type EvalSet = typeof evalSets.$inferSelect;
export type RubricVersion = typeof rubricVersions.$inferSelect;

export async function listEvalSets(db: Db, workspaceId: string, archived: boolean) {
  const rows = await db
    .select({
      set: evalSets,
      items: sql<number>`(select count(*) from queue_items qi where qi.eval_set_id = ${evalSets.id} and qi.workspace_id = ${workspaceId})::int`,
      done: sql<number>`(select count(*) from queue_items qi where qi.eval_set_id = ${evalSets.id} and qi.workspace_id = ${workspaceId} and qi.label_count >= ${evalSets.labelsPerTrace})::int`,
      labels: sql<number>`(select count(*) from feedback f where f.eval_set_id = ${evalSets.id} and f.workspace_id = ${workspaceId})::int`,
    })
    .from(evalSets)
    .where(and(eq(evalSets.workspaceId, workspaceId), archived ? isNotNull(evalSets.archivedAt) : isNull(evalSets.archivedAt)))
    .orderBy(desc(evalSets.createdAt));
  return rows.map((r) => ({ ...r.set, items: Number(r.items), done: Number(r.done), labels: Number(r.labels) }));
}

export async function findEvalSet(db: Db, workspaceId: string, id: string) {
  const [row] = await db.select().from(evalSets).where(and(eq(evalSets.workspaceId, workspaceId), eq(evalSets.id, id)));
  return row ?? null;
}

/** The set, its first rubric version and its queue, together. */
export async function insertEvalSet(db: Db, values: { workspaceId: string; name: string; rubric: string; labelsPerTrace: number; createdBy: string }) {
  return db.transaction(async (tx) => {
    const [set] = await tx
      .insert(evalSets)
      .values({ workspaceId: values.workspaceId, name: values.name, rubric: values.rubric, labelsPerTrace: values.labelsPerTrace })
      .returning();
    await tx.insert(rubricVersions).values({ workspaceId: values.workspaceId, evalSetId: set!.id, version: 1, rubric: values.rubric, createdBy: values.createdBy });
    await tx.insert(reviewQueues).values({ workspaceId: values.workspaceId, evalSetId: set!.id });
    return set!;
  });
}

/** Updates a set; a changed rubric becomes a new version (a set from before versioning first gets its original as v1). */
export async function updateEvalSet(db: Db, current: EvalSet, values: { name: string; rubric: string; labelsPerTrace: number; editedBy: string }) {
  return db.transaction(async (tx) => {
    if (values.rubric !== current.rubric) {
      const [latest] = await tx
        .select({ version: rubricVersions.version })
        .from(rubricVersions)
        .where(and(eq(rubricVersions.workspaceId, current.workspaceId), eq(rubricVersions.evalSetId, current.id)))
        .orderBy(desc(rubricVersions.version))
        .limit(1)
        .for("update");
      let version = latest?.version ?? 0;
      if (!latest) {
        await tx.insert(rubricVersions).values({ workspaceId: current.workspaceId, evalSetId: current.id, version: 1, rubric: current.rubric, createdAt: current.createdAt });
        version = 1;
      }
      await tx.insert(rubricVersions).values({ workspaceId: current.workspaceId, evalSetId: current.id, version: version + 1, rubric: values.rubric, createdBy: values.editedBy });
    }
    const [set] = await tx
      .update(evalSets)
      .set({ name: values.name, rubric: values.rubric, labelsPerTrace: values.labelsPerTrace, updatedAt: sql`now()` })
      .where(and(eq(evalSets.workspaceId, current.workspaceId), eq(evalSets.id, current.id)))
      .returning();
    return set!;
  });
}

export async function setArchived(db: Db, workspaceId: string, id: string, archived: boolean) {
  await db
    .update(evalSets)
    .set({ archivedAt: archived ? sql`now()` : null, updatedAt: sql`now()` })
    .where(and(eq(evalSets.workspaceId, workspaceId), eq(evalSets.id, id)));
}

export async function rubricHistory(db: Db, workspaceId: string, evalSetId: string) {
  return db
    .select({ version: rubricVersions, author: users.name })
    .from(rubricVersions)
    .leftJoin(users, eq(users.id, rubricVersions.createdBy))
    .where(and(eq(rubricVersions.workspaceId, workspaceId), eq(rubricVersions.evalSetId, evalSetId)))
    .orderBy(desc(rubricVersions.version));
}

export interface ExportRow {
  feedbackId: string;
  traceId: string;
  source: string;
  sourceId: string;
  traceName: string | null;
  reviewerId: string;
  reviewerName: string;
  reviewerEmail: string;
  label: string;
  note: string;
  resolvedLabel: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** One page of labels for export, in feedback id order after `afterId` (keyset, so memory stays flat). */
export async function exportPage(db: Db, workspaceId: string, evalSetId: string, afterId: string | null, limit: number): Promise<ExportRow[]> {
  return db
    .select({
      feedbackId: feedback.id,
      traceId: feedback.traceId,
      source: traces.source,
      sourceId: traces.externalId,
      traceName: traces.name,
      reviewerId: feedback.userId,
      reviewerName: users.name,
      reviewerEmail: users.email,
      label: feedback.label,
      note: feedback.note,
      resolvedLabel: resolutions.label,
      createdAt: feedback.createdAt,
      updatedAt: feedback.updatedAt,
    })
    .from(feedback)
    .innerJoin(traces, eq(traces.id, feedback.traceId))
    .innerJoin(users, eq(users.id, feedback.userId))
    .leftJoin(resolutions, and(eq(resolutions.evalSetId, feedback.evalSetId), eq(resolutions.traceId, feedback.traceId)))
    .where(and(eq(feedback.workspaceId, workspaceId), eq(feedback.evalSetId, evalSetId), afterId ? gt(feedback.id, afterId) : undefined))
    .orderBy(asc(feedback.id))
    .limit(limit);
}
