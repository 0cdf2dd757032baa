// Database access for evals and their versions: lists, lookups, numbering, activation. Every query filters by workspace.
import { and, asc, desc, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { evals, evalSets, evalVersions, users } from "../../db/schema";

export type EvalRow = typeof evals.$inferSelect;
export type EvalVersionRow = typeof evalVersions.$inferSelect;
export type EvalVersionInsert = Omit<typeof evalVersions.$inferInsert, "id" | "version" | "createdAt">;

export async function listEvalSets(db: Db, workspaceId: string) {
  return db
    .select({ id: evalSets.id, name: evalSets.name, rubric: evalSets.rubric })
    .from(evalSets)
    .where(and(eq(evalSets.workspaceId, workspaceId), isNull(evalSets.archivedAt)))
    .orderBy(asc(evalSets.name));
}

export async function findEvalSet(db: Db, workspaceId: string, id: string) {
  const [row] = await db.select().from(evalSets).where(and(eq(evalSets.workspaceId, workspaceId), eq(evalSets.id, id)));
  return row ?? null;
}

/** Every eval with its set's name, its version count and its active version's number and held-out kappa. */
export async function listEvals(db: Db, workspaceId: string) {
  return db
    .select({
      id: evals.id,
      name: evals.name,
      evalSetId: evals.evalSetId,
      evalSetName: evalSets.name,
      activeVersionId: evals.activeVersionId,
      createdAt: evals.createdAt,
      versionCount: sql<number>`(select count(*)::int from eval_versions v where v.eval_id = ${evals.id} and v.workspace_id = ${workspaceId})`,
      activeVersion: sql<number | null>`(select v.version from eval_versions v where v.id = ${evals.activeVersionId} and v.workspace_id = ${workspaceId})`,
      activeKappa: sql<number | null>`(select (v.metrics->'cv'->>'kappa')::float8 from eval_versions v where v.id = ${evals.activeVersionId} and v.workspace_id = ${workspaceId})`,
    })
    .from(evals)
    .innerJoin(evalSets, eq(evalSets.id, evals.evalSetId))
    .where(eq(evals.workspaceId, workspaceId))
    .orderBy(desc(evals.createdAt));
}

export async function findEval(db: Db, workspaceId: string, id: string) {
  const [row] = await db.select().from(evals).where(and(eq(evals.workspaceId, workspaceId), eq(evals.id, id)));
  return row ?? null;
}

/** The set's first eval: generation adds versions to it rather than creating a new eval each time. */
export async function findEvalOfSet(db: Db, workspaceId: string, evalSetId: string) {
  const [row] = await db.select().from(evals).where(and(eq(evals.workspaceId, workspaceId), eq(evals.evalSetId, evalSetId))).orderBy(asc(evals.createdAt)).limit(1);
  return row ?? null;
}

export async function insertEval(db: Db, values: { workspaceId: string; evalSetId: string; name: string }) {
  const [row] = await db.insert(evals).values(values).returning();
  return row!;
}

export async function listVersions(db: Db, workspaceId: string, evalId: string) {
  return db
    .select({ version: evalVersions, authorName: users.name })
    .from(evalVersions)
    .leftJoin(users, eq(users.id, evalVersions.createdBy))
    .where(and(eq(evalVersions.workspaceId, workspaceId), eq(evalVersions.evalId, evalId)))
    .orderBy(desc(evalVersions.version));
}

export async function findVersion(db: Db, workspaceId: string, id: string) {
  const [row] = await db.select().from(evalVersions).where(and(eq(evalVersions.workspaceId, workspaceId), eq(evalVersions.id, id)));
  return row ?? null;
}

/** Numbers the version max + 1 inside the insert; the unique (eval, version) index turns a race into a retry. */
export async function insertVersion(db: Db, values: EvalVersionInsert): Promise<EvalVersionRow> {
  for (let attempt = 0; ; attempt++) {
    try {
      const [row] = await db
        .insert(evalVersions)
        .values({ ...values, version: sql`(select coalesce(max(version), 0) + 1 from eval_versions where eval_id = ${values.evalId} and workspace_id = ${values.workspaceId})` })
        .returning();
      return row!;
    } catch (error) {
      if (attempt >= 3 || !String((error as Error).message).includes("eval_versions_number_idx")) throw error;
    }
  }
}

export async function setActiveVersion(db: Db, workspaceId: string, evalId: string, versionId: string) {
  await db.update(evals).set({ activeVersionId: versionId }).where(and(eq(evals.workspaceId, workspaceId), eq(evals.id, evalId)));
}
