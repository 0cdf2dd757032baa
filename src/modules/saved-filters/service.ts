// Saved trace filters: normalized before they are stored, listed per workspace, deleted by their author or an admin, and read back as trace filters.
import type { Database } from "../../db/client";
import { AppError, NotFoundError, ValidationError } from "../../http/errors";
import { filterToQuery, traceFilterInput, type TraceFilter } from "../traces/model";
import type { SavedFilter } from "./model";
import * as q from "./queries";

/** A trace-list query string as a filter, or a validation error naming the bad field. */
export function parseTraceQuery(query: string): TraceFilter {
  const parsed = traceFilterInput.safeParse(Object.fromEntries(new URLSearchParams(query)));
  if (!parsed.success) throw new ValidationError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "), parsed.error.issues);
  return parsed.data;
}

/** Parsed and written back, so a stored query always parses, in one spelling, without a page position or size. */
export function normalizeTraceQuery(query: string): string {
  return filterToQuery({ ...parseTraceQuery(query), cursor: undefined, limit: undefined });
}

export interface FilterActor {
  workspaceId: string;
  userId: string;
  /** Owners and admins manage every saved filter; others only those they saved. */
  canManage: boolean;
}

const mayChange = (actor: FilterActor, filter: SavedFilter) => actor.canManage || filter.createdBy === actor.userId;

/** Saves under a name; the same name again replaces that filter, which only its author or an admin may do. */
export async function saveFilter(database: Database, actor: FilterActor, input: { name: string; filter: string }): Promise<SavedFilter> {
  const query = normalizeTraceQuery(input.filter);
  const existing = await q.findSavedFilterByName(database.db, actor.workspaceId, input.name);
  if (existing && !mayChange(actor, existing)) throw new AppError(409, "name_taken", `A saved filter named “${input.name}” exists already: choose another name.`);
  return q.upsertSavedFilter(database.db, { workspaceId: actor.workspaceId, name: input.name, query, createdBy: actor.userId });
}

export async function listSavedFilters(database: Database, workspaceId: string): Promise<SavedFilter[]> {
  return q.listSavedFilters(database.db, workspaceId);
}

export async function requireSavedFilter(database: Database, workspaceId: string, id: string): Promise<SavedFilter> {
  const found = await q.findSavedFilter(database.db, workspaceId, id);
  if (!found) throw new NotFoundError("Saved filter");
  return found;
}

/** The saved filter's traces as a trace filter (the matrix uses it as its rows). */
export async function savedTraceFilter(database: Database, workspaceId: string, id: string): Promise<{ saved: SavedFilter; filter: TraceFilter }> {
  const saved = await requireSavedFilter(database, workspaceId, id);
  return { saved, filter: parseTraceQuery(saved.query) };
}

/** Filters are shared by the workspace: whoever saved one, or an owner or admin, may delete it. */
export async function deleteFilter(database: Database, actor: FilterActor, id: string): Promise<void> {
  const found = await requireSavedFilter(database, actor.workspaceId, id);
  if (!mayChange(actor, found)) throw new AppError(403, "forbidden", "Only whoever saved this filter, or an owner or admin, can delete it.");
  await q.deleteSavedFilter(database.db, actor.workspaceId, id);
}

/** The filters as the trace list shows them to one viewer: deletable where `deleteFilter` would allow it. */
export function filtersForViewer(filters: SavedFilter[], viewer: FilterActor) {
  return filters.map((f) => ({ id: f.id, name: f.name, query: f.query, canDelete: mayChange(viewer, f) }));
}
