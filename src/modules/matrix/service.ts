// Matrix logic: which versions to show, which rows (the set's or a saved filter's), one page, a cell's drill-down, relabel / send to queue, and runs.
import type { Database } from "../../db/client";
import type { Label } from "../../db/schema";
import { NotFoundError, ValidationError } from "../../http/errors";
import { startEvalRun } from "../executions/service";
import type { RunScope } from "../executions/model";
import { addTracesToQueue, saveLabel } from "../review/service";
import { savedTraceFilter } from "../saved-filters/service";
import type { TraceFilter } from "../traces/model";
import { decodeMatrixCursor, encodeMatrixCursor, parseMatrixQuery, type MatrixFilter, type MatrixRequest, type VersionColumn } from "./model";
import * as q from "./queries";

const PAGE_SIZE = 50;
/** Without an explicit choice: this many versions, active ones first, then the newest. */
const DEFAULT_VERSIONS = 4;
/** A "run over the filter" collects trace ids up to the run API's own limit. */
const MAX_FILTER_RUN = 100_000;

export async function requireEvalSet(database: Database, workspaceId: string, evalSetId: string) {
  const set = await q.findEvalSet(database.db, workspaceId, evalSetId);
  if (!set) throw new NotFoundError("Eval set");
  return set;
}

export function chooseVersions(all: VersionColumn[], requested: string[]): VersionColumn[] {
  if (requested.length > 0) {
    const byId = new Map(all.map((v) => [v.id, v]));
    return requested.map((id) => byId.get(id)).filter((v): v is VersionColumn => v !== undefined);
  }
  return [...all.filter((v) => v.active), ...all.filter((v) => !v.active)].slice(0, DEFAULT_VERSIONS);
}

/**
 * The rows' source: with `rows=<saved filter id>` every trace of that saved trace filter, labelled in the set or not (so
 * versions can be compared, and traces labelled, on any slice of traffic); otherwise the set's labelled traces.
 */
export async function rowSource(database: Database, workspaceId: string, filter: MatrixFilter): Promise<{ name: string; filter: TraceFilter } | null> {
  if (!filter.rows) return null;
  const { saved, filter: traceFilter } = await savedTraceFilter(database, workspaceId, filter.rows);
  return { name: saved.name, filter: traceFilter };
}

export async function loadMatrix(database: Database, workspaceId: string, evalSetId: string, request: MatrixRequest) {
  const set = await requireEvalSet(database, workspaceId, evalSetId);
  const [allVersions, source] = await Promise.all([q.versionsOfSet(database.db, workspaceId, evalSetId), rowSource(database, workspaceId, request.filter)]);
  const shown = chooseVersions(allVersions, request.versionIds);
  const limit = request.filter.limit ?? PAGE_SIZE;
  const rows = await q.matrixPage(database.db, {
    workspaceId,
    evalSetId,
    versions: shown,
    rows: source?.filter,
    filter: request.filter,
    cursor: decodeMatrixCursor(request.filter.cursor),
    limit: limit + 1,
  });
  const hasMore = rows.length > limit;
  const page = rows.slice(0, limit);
  // Reviewer columns come from the page's own labels: listing every reviewer of the set would read all its labels.
  const reviewers = await q.reviewersByIds(database.db, [...new Set(page.flatMap((r) => Object.keys(r.votes)))].sort());
  const last = page.at(-1);
  return {
    set,
    allVersions,
    shown,
    /** The saved filter the rows come from, if any. */
    source: source ? { name: source.name } : null,
    reviewers,
    rows: page,
    nextCursor: hasMore && last ? encodeMatrixCursor({ value: last.sortValue, id: last.traceId }) : null,
  };
}

/** Everything the drill-down shows for one trace and (optionally) one version's execution. */
export async function drillDown(database: Database, workspaceId: string, evalSetId: string, traceId: string, versionId: string | null) {
  await requireEvalSet(database, workspaceId, evalSetId);
  const trace = await q.findTrace(database.db, workspaceId, traceId);
  if (!trace) throw new NotFoundError("Trace");
  const version = versionId ? await q.findVersion(database.db, workspaceId, versionId) : null;
  if (versionId && !version) throw new NotFoundError("Eval version");
  const [execution, votes] = await Promise.all([
    version ? q.findExecution(database.db, workspaceId, version.version.id, traceId) : Promise.resolve(null),
    q.votesOnTrace(database.db, workspaceId, evalSetId, traceId),
  ]);
  const row = await q.matrixRowFor(database.db, workspaceId, evalSetId, [], traceId);
  return { trace, version, execution, votes, truth: row?.truth ?? null };
}

export interface MatrixActor {
  workspaceId: string;
  evalSetId: string;
  userId: string;
}

/**
 * Writes the user's own label through the review module (history, undo and the set's labels-per-trace rule
 * apply as in the queue); the trace joins the set's queue first if it is not in it.
 */
export async function relabel(database: Database, actor: MatrixActor, traceId: string, label: Label) {
  await requireTraceInWorkspace(database, actor.workspaceId, traceId);
  let item = await q.queueItemFor(database.db, actor.workspaceId, actor.evalSetId, traceId);
  if (!item) {
    await addTracesToQueue(database, actor.workspaceId, actor.evalSetId, [traceId], actor.userId);
    item = await q.queueItemFor(database.db, actor.workspaceId, actor.evalSetId, traceId);
  }
  if (!item) throw new NotFoundError("Queue item");
  return saveLabel(database, actor, { op_id: `matrix-${Bun.randomUUIDv7()}`, item_id: item.id, label });
}

export async function sendToQueue(database: Database, actor: MatrixActor, traceId: string) {
  await requireTraceInWorkspace(database, actor.workspaceId, traceId);
  return addTracesToQueue(database, actor.workspaceId, actor.evalSetId, [traceId], actor.userId);
}

async function requireTraceInWorkspace(database: Database, workspaceId: string, traceId: string) {
  if ((await q.traceIdsInWorkspace(database.db, workspaceId, [traceId])).length === 0) throw new NotFoundError("Trace");
}

/** Starts the sandbox job for a version over the set, the matrix's current filter, or every trace. */
export async function startRun(
  database: Database,
  actor: MatrixActor,
  input: { versionId: string; scope: "set" | "filter" | "all"; onlyMissing: boolean; filterQuery?: string },
) {
  const version = await q.findVersion(database.db, actor.workspaceId, input.versionId);
  if (!version) throw new NotFoundError("Eval version");
  let scope: RunScope;
  if (input.scope === "all") scope = { kind: "all" };
  else if (input.scope === "set") scope = { kind: "eval-set", evalSetId: actor.evalSetId };
  else {
    const parsed = parseMatrixQuery(new URLSearchParams(input.filterQuery ?? ""));
    if (!parsed.success) throw new ValidationError("The matrix filter is not valid.", parsed.issues);
    const [all, source] = await Promise.all([q.versionsOfSet(database.db, actor.workspaceId, actor.evalSetId), rowSource(database, actor.workspaceId, parsed.data.filter)]);
    const traceIds = await q.matrixTraceIds(database.db, {
      workspaceId: actor.workspaceId,
      evalSetId: actor.evalSetId,
      versions: chooseVersions(all, parsed.data.versionIds),
      rows: source?.filter,
      filter: { ...parsed.data.filter, cursor: undefined },
      cursor: null,
      limit: MAX_FILTER_RUN,
    });
    if (traceIds.length === 0) throw new ValidationError("No trace matches the current filter.");
    scope = { kind: "traces", traceIds };
  }
  return startEvalRun(database, { workspaceId: actor.workspaceId, evalVersionId: version.version.id, scope, onlyMissing: input.onlyMissing, createdBy: actor.userId });
}
