// Database access for the demo data set: flags, the demo eval set, and removal.
import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { evalSets, traces, workspaces } from "../../db/schema";

export async function setHasDemoData(db: Db, workspaceId: string, value: boolean) {
  await db.update(workspaces).set({ hasDemoData: value }).where(eq(workspaces.id, workspaceId));
}

export async function insertDemoEvalSet(db: Db, workspaceId: string, name: string, rubric: string): Promise<string> {
  const [set] = await db.insert(evalSets).values({ workspaceId, name, rubric, isDemo: true }).returning({ id: evalSets.id });
  return set!.id;
}

export async function demoTraceIds(db: Db, workspaceId: string): Promise<string[]> {
  const rows = await db.select({ id: traces.id }).from(traces).where(and(eq(traces.workspaceId, workspaceId), eq(traces.isDemo, true)));
  return rows.map((r) => r.id);
}

export async function deleteDemoRows(db: Db, workspaceId: string) {
  await db.transaction(async (tx) => {
    await tx.delete(evalSets).where(and(eq(evalSets.workspaceId, workspaceId), eq(evalSets.isDemo, true)));
    await tx.delete(traces).where(and(eq(traces.workspaceId, workspaceId), eq(traces.isDemo, true)));
    await tx.update(workspaces).set({ hasDemoData: false }).where(eq(workspaces.id, workspaceId));
  });
}
