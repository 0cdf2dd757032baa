// Database access for saved trace filters: list, save by name (replacing one of the same name), find, delete.
import { and, asc, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { savedFilters } from "../../db/schema";
import type { SavedFilter } from "./model";

const columns = { id: savedFilters.id, name: savedFilters.name, query: savedFilters.query, createdBy: savedFilters.createdBy, createdAt: savedFilters.createdAt };

export async function listSavedFilters(db: Db, workspaceId: string): Promise<SavedFilter[]> {
  return db.select(columns).from(savedFilters).where(eq(savedFilters.workspaceId, workspaceId)).orderBy(asc(savedFilters.name));
}

/** Saving under a name the workspace already uses replaces that filter (same id, so matrix links to it keep working), with its new author. */
export async function upsertSavedFilter(db: Db, values: { workspaceId: string; name: string; query: string; createdBy: string }): Promise<SavedFilter> {
  const [row] = await db
    .insert(savedFilters)
    .values(values)
    .onConflictDoUpdate({ target: [savedFilters.workspaceId, savedFilters.name], set: { query: values.query, createdBy: values.createdBy, updatedAt: sql`now()` } })
    .returning(columns);
  return row!;
}

export async function findSavedFilter(db: Db, workspaceId: string, id: string): Promise<SavedFilter | null> {
  const [row] = await db.select(columns).from(savedFilters).where(and(eq(savedFilters.workspaceId, workspaceId), eq(savedFilters.id, id)));
  return row ?? null;
}

export async function findSavedFilterByName(db: Db, workspaceId: string, name: string): Promise<SavedFilter | null> {
  const [row] = await db.select(columns).from(savedFilters).where(and(eq(savedFilters.workspaceId, workspaceId), eq(savedFilters.name, name)));
  return row ?? null;
}

export async function deleteSavedFilter(db: Db, workspaceId: string, id: string): Promise<boolean> {
  const rows = await db.delete(savedFilters).where(and(eq(savedFilters.workspaceId, workspaceId), eq(savedFilters.id, id))).returning({ id: savedFilters.id });
  return rows.length > 0;
}
