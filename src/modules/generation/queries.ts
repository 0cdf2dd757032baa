// Database access for generation: the labels and traces a run learns from, runs, and their candidates. Every query filters by workspace.
import { and, asc, countDistinct, desc, eq, inArray } from "drizzle-orm";
import type { Db } from "../../db/client";
import { feedback, generationCandidates, generationRuns, traces } from "../../db/schema";

export type GenerationRun = typeof generationRuns.$inferSelect;
export type GenerationCandidate = typeof generationCandidates.$inferSelect;
export type CandidateInsert = Omit<typeof generationCandidates.$inferInsert, "id" | "createdAt">;

/** One trace's label for generation, resolved across reviewers. */
export interface TraceLabel {
  traceId: string;
  label: "positive" | "negative" | "neutral";
  feedbackIds: string[];
  notes: string[];
}

/** How many traces of the set carry at least one label (settled or disputed). */
export async function labelledTraceCount(db: Db, workspaceId: string, evalSetId: string): Promise<number> {
  const [row] = await db
    .select({ n: countDistinct(feedback.traceId) })
    .from(feedback)
    .where(and(eq(feedback.workspaceId, workspaceId), eq(feedback.evalSetId, evalSetId)));
  return row?.n ?? 0;
}

/** Normalized traces by id, with `id` set to the stored trace id (what evals and executions key on). */
export async function normalizedTraces(db: Db, workspaceId: string, ids: string[]): Promise<Map<string, Record<string, unknown>>> {
  const out = new Map<string, Record<string, unknown>>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .select({ id: traces.id, normalized: traces.normalized })
      .from(traces)
      .where(and(eq(traces.workspaceId, workspaceId), inArray(traces.id, ids.slice(i, i + 500))));
    for (const row of rows) if (row.normalized) out.set(row.id, { ...row.normalized, id: row.id });
  }
  return out;
}

export async function insertRun(db: Db, values: Omit<typeof generationRuns.$inferInsert, "id" | "createdAt">) {
  const [row] = await db.insert(generationRuns).values(values).returning();
  return row!;
}

export async function updateRun(db: Db, workspaceId: string, id: string, values: Partial<Omit<GenerationRun, "id" | "workspaceId">>) {
  await db.update(generationRuns).set(values).where(and(eq(generationRuns.workspaceId, workspaceId), eq(generationRuns.id, id)));
}

export async function findRun(db: Db, workspaceId: string, id: string) {
  const [row] = await db.select().from(generationRuns).where(and(eq(generationRuns.workspaceId, workspaceId), eq(generationRuns.id, id)));
  return row ?? null;
}

export async function findRunOfVersion(db: Db, workspaceId: string, versionId: string) {
  const [row] = await db.select().from(generationRuns).where(and(eq(generationRuns.workspaceId, workspaceId), eq(generationRuns.chosenVersionId, versionId)));
  return row ?? null;
}

export async function listRunsOfEval(db: Db, workspaceId: string, evalId: string, limit = 20) {
  return db.select().from(generationRuns).where(and(eq(generationRuns.workspaceId, workspaceId), eq(generationRuns.evalId, evalId))).orderBy(desc(generationRuns.createdAt)).limit(limit);
}

/** A retried job recomputes its candidates: the earlier attempt's rows are replaced, never duplicated. */
export async function upsertCandidate(db: Db, values: CandidateInsert) {
  const [row] = await db
    .insert(generationCandidates)
    .values(values)
    .onConflictDoUpdate({ target: [generationCandidates.runId, generationCandidates.ordinal], set: { ...values } })
    .returning();
  return row!;
}

export async function markChosen(db: Db, workspaceId: string, candidateId: string) {
  await db.update(generationCandidates).set({ chosen: true }).where(and(eq(generationCandidates.workspaceId, workspaceId), eq(generationCandidates.id, candidateId)));
}

export async function listCandidates(db: Db, workspaceId: string, runId: string) {
  return db.select().from(generationCandidates).where(and(eq(generationCandidates.workspaceId, workspaceId), eq(generationCandidates.runId, runId))).orderBy(asc(generationCandidates.ordinal));
}

export async function findCandidate(db: Db, workspaceId: string, id: string) {
  const [row] = await db.select().from(generationCandidates).where(and(eq(generationCandidates.workspaceId, workspaceId), eq(generationCandidates.id, id)));
  return row ?? null;
}
