// Eval set logic: create, edit (versioned rubric), archive, the overview's progress figures, and streamed label export.
import type { Database } from "../../db/client";
import type { Label, MemberRole } from "../../db/schema";
import { AppError, NotFoundError } from "../../http/errors";
import { ensureQueue, groundTruthCounts, queueProgress, reviewerCounts } from "../review/service";
import { generationShortfall, type EvalSetInput } from "./model";
import * as q from "./queries";

const EXPORT_PAGE = 1000;

/** Creating, editing and archiving eval sets is for owners and admins; reviewers label. */
export function requireManager(role: MemberRole) {
  if (role !== "owner" && role !== "admin") throw new AppError(403, "forbidden", "Only workspace owners and admins can change eval sets.");
}

export async function listEvalSets(database: Database, workspaceId: string, archived = false) {
  return q.listEvalSets(database.db, workspaceId, archived);
}

export async function getEvalSet(database: Database, workspaceId: string, id: string) {
  const set = await q.findEvalSet(database.db, workspaceId, id);
  if (!set) throw new NotFoundError("Eval set");
  return set;
}

export async function createEvalSet(database: Database, workspaceId: string, userId: string, input: EvalSetInput) {
  return q.insertEvalSet(database.db, { workspaceId, name: input.name, rubric: input.rubric, labelsPerTrace: input.labels_per_trace, createdBy: userId });
}

export async function updateEvalSet(database: Database, workspaceId: string, id: string, userId: string, input: EvalSetInput) {
  const current = await getEvalSet(database, workspaceId, id);
  return q.updateEvalSet(database.db, current, { name: input.name, rubric: input.rubric, labelsPerTrace: input.labels_per_trace, editedBy: userId });
}

export async function setArchived(database: Database, workspaceId: string, id: string, archived: boolean) {
  await getEvalSet(database, workspaceId, id);
  await q.setArchived(database.db, workspaceId, id, archived);
}

export async function rubricHistory(database: Database, workspaceId: string, id: string) {
  return q.rubricHistory(database.db, workspaceId, id);
}

export interface ReviewerProgress {
  userId: string;
  name: string;
  total: number;
  byLabel: Record<Label, number>;
  lastAt: Date | null;
}

/** Everything the overview shows about labelling progress. */
export async function overview(database: Database, workspaceId: string, id: string) {
  const set = await getEvalSet(database, workspaceId, id);
  const queue = await ensureQueue(database, workspaceId, id);
  const progress = await queueProgress(database, workspaceId, id, set.labelsPerTrace);
  const counts = await reviewerCounts(database, workspaceId, id);
  const byLabel: Record<Label, number> = { positive: 0, negative: 0, neutral: 0 };
  const reviewers = new Map<string, ReviewerProgress>();
  for (const row of counts) {
    byLabel[row.label] += row.n;
    const reviewer = reviewers.get(row.userId) ?? { userId: row.userId, name: row.name, total: 0, byLabel: { positive: 0, negative: 0, neutral: 0 }, lastAt: null };
    reviewer.total += row.n;
    reviewer.byLabel[row.label] += row.n;
    if (row.lastAt && (!reviewer.lastAt || row.lastAt > reviewer.lastAt)) reviewer.lastAt = row.lastAt;
    reviewers.set(row.userId, reviewer);
  }
  const groundTruth = await groundTruthCounts(database, workspaceId, id);
  return {
    set,
    queue,
    progress,
    byLabel,
    groundTruth,
    shortfall: generationShortfall(groundTruth),
    reviewers: [...reviewers.values()].sort((a, b) => b.total - a.total),
  };
}

export type ExportFormat = "csv" | "jsonl";

const CSV_COLUMNS = ["trace_id", "source", "source_id", "trace_name", "reviewer_id", "reviewer_name", "reviewer_email", "label", "note", "resolved_label", "created_at", "updated_at"] as const;

function exportRecord(row: q.ExportRow): Record<(typeof CSV_COLUMNS)[number], string | null> {
  return {
    trace_id: row.traceId,
    source: row.source,
    source_id: row.sourceId,
    trace_name: row.traceName,
    reviewer_id: row.reviewerId,
    reviewer_name: row.reviewerName,
    reviewer_email: row.reviewerEmail,
    label: row.label,
    note: row.note,
    resolved_label: row.resolvedLabel,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

/** RFC 4180 field; a leading = + - @ is prefixed with ' so a spreadsheet never runs a note as a formula. */
function csvField(value: string | null): string {
  if (value === null) return "";
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The set's labels as CSV or JSON Lines, one reviewer's label per line, read and sent page by page. */
export async function* exportLabels(database: Database, workspaceId: string, id: string, format: ExportFormat): AsyncGenerator<string> {
  await getEvalSet(database, workspaceId, id);
  if (format === "csv") yield CSV_COLUMNS.join(",") + "\r\n";
  let after: string | null = null;
  for (;;) {
    const rows = await q.exportPage(database.db, workspaceId, id, after, EXPORT_PAGE);
    if (rows.length === 0) return;
    let chunk = "";
    for (const row of rows) {
      const record = exportRecord(row);
      chunk += format === "csv" ? CSV_COLUMNS.map((c) => csvField(record[c])).join(",") + "\r\n" : JSON.stringify(record) + "\n";
    }
    yield chunk;
    after = rows.at(-1)!.feedbackId;
  }
}
