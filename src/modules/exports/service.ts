// Exports: the matrix or a version's executions as rows, encoded as CSV, JSONL or XLSX, streamed with backpressure and recorded in the history.
import type { Database } from "../../db/client";
import type { Label } from "../../db/schema";
import { NotFoundError } from "../../http/errors";
import type { MatrixCursor, MatrixRequest, VersionColumn } from "../matrix/model";
import * as matrixQueries from "../matrix/queries";
import { chooseVersions, requireEvalSet, rowSource } from "../matrix/service";
import { CONTENT_TYPES, type ExecutionFilter, type ExportFormat } from "./model";
import * as q from "./queries";
import { xlsxStream, type CellValue } from "./xlsx";

/** Rows read from the database per round trip while streaming. */
const PAGE = 1000;
/** Encoded text is handed to the response in pieces of about this size. */
const CHUNK_CHARS = 64 * 1024;

export interface ExportTable {
  columns: string[];
  rows: AsyncIterable<CellValue[]>;
}

const votesText = (votes: Record<string, Label>, names: Map<string, string>) =>
  Object.entries(votes)
    .map(([userId, label]) => `${names.get(userId) ?? userId}: ${label}`)
    .sort()
    .join("; ");

const verdictOf = (passed: boolean | null, errorKind: string | null) => (errorKind ? "error" : passed === null ? "" : passed ? "pass" : "fail");
const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The matrix with the active filter and sort, every page of it, one row per trace and a group of columns per version. */
export async function matrixTable(database: Database, workspaceId: string, evalSetId: string, request: MatrixRequest): Promise<{ table: ExportTable; shown: VersionColumn[] }> {
  await requireEvalSet(database, workspaceId, evalSetId);
  const [all, reviewers, source] = await Promise.all([
    matrixQueries.versionsOfSet(database.db, workspaceId, evalSetId),
    matrixQueries.reviewersOfSet(database.db, workspaceId, evalSetId),
    rowSource(database, workspaceId, request.filter),
  ]);
  const shown = chooseVersions(all, request.versionIds);
  const names = new Map(reviewers.map((r) => [r.id, r.name]));
  const columns = ["trace_id", "external_id", "source", "name", "timestamp", "label", "reviewers"];
  for (const v of shown) {
    const prefix = `${v.evalName} v${v.version}`;
    columns.push(...["verdict", "agrees", "reason", "error_kind", "error_message", "duration_ms", "ran_at"].map((c) => `${prefix} ${c}`));
  }
  async function* rows(): AsyncGenerator<CellValue[]> {
    let cursor: MatrixCursor | null = null;
    while (true) {
      const page = await matrixQueries.matrixExportPage(database.db, {
        workspaceId,
        evalSetId,
        versions: shown,
        rows: source?.filter,
        filter: { ...request.filter, cursor: undefined },
        cursor,
        limit: PAGE,
      });
      for (const { row, details } of page) {
        const cells: CellValue[] = [row.traceId, row.externalId, row.source, row.name, row.timestamp.toISOString(), row.truth, votesText(row.votes, names)];
        row.cells.forEach((cell, i) => {
          const d = details[i]!;
          cells.push(cell.verdict === "none" ? "" : cell.verdict, cell.agrees === null ? "" : cell.agrees ? "yes" : "no", d.reason, cell.errorKind, d.errorMessage, cell.durationMs, iso(d.ranAt));
        });
        yield cells;
      }
      if (page.length < PAGE) return;
      const last = page.at(-1)!.row;
      cursor = { value: last.sortValue, id: last.traceId };
    }
  }
  return { table: { columns, rows: rows() }, shown };
}

export async function requireVersion(database: Database, workspaceId: string, versionId: string) {
  const found = await matrixQueries.findVersion(database.db, workspaceId, versionId);
  if (!found) throw new NotFoundError("Eval version");
  return found;
}

/** One version's executions (every trace it ran on), with the ground truth of its eval set. */
export async function executionsTable(database: Database, workspaceId: string, versionId: string, filter: ExecutionFilter): Promise<ExportTable> {
  const found = await requireVersion(database, workspaceId, versionId);
  const names = new Map((await matrixQueries.reviewersOfSet(database.db, workspaceId, found.evalSetId)).map((r) => [r.id, r.name]));
  async function* rows(): AsyncGenerator<CellValue[]> {
    let after: string | null = null;
    while (true) {
      const page = await q.executionsPage(database.db, { workspaceId, evalSetId: found!.evalSetId, versionId, filter, afterTraceId: after, limit: PAGE });
      for (const r of page) {
        yield [r.traceId, r.externalId, r.source, r.name, r.timestamp.toISOString(), r.label, votesText(r.votes, names), verdictOf(r.passed, r.errorKind), r.reason, r.errorKind, r.errorMessage, r.durationMs, r.ranAt.toISOString()];
      }
      if (page.length < PAGE) return;
      after = page.at(-1)!.traceId;
    }
  }
  return {
    columns: ["trace_id", "external_id", "source", "name", "timestamp", "label", "reviewers", "verdict", "reason", "error_kind", "error_message", "duration_ms", "ran_at"],
    rows: rows(),
  };
}

/** A spreadsheet would run a cell starting with = + - @ as a formula: such text gets a leading apostrophe in CSV. */
function csvCell(value: CellValue): string {
  if (value === null) return "";
  if (typeof value === "number") return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

async function* batched(lines: AsyncIterable<string>): AsyncGenerator<Uint8Array> {
  const encoder = new TextEncoder();
  let buffer = "";
  for await (const line of lines) {
    buffer += line;
    if (buffer.length >= CHUNK_CHARS) {
      yield encoder.encode(buffer);
      buffer = "";
    }
  }
  if (buffer) yield encoder.encode(buffer);
}

export function encode(format: ExportFormat, table: ExportTable, sheetName: string): AsyncGenerator<Uint8Array> {
  if (format === "xlsx") return xlsxStream(sheetName, table.columns, table.rows);
  if (format === "csv") {
    return batched(
      (async function* () {
        yield table.columns.map(csvCell).join(",") + "\r\n";
        for await (const row of table.rows) yield row.map(csvCell).join(",") + "\r\n";
      })(),
    );
  }
  return batched(
    (async function* () {
      for await (const row of table.rows) yield JSON.stringify(Object.fromEntries(table.columns.map((c, i) => [c, row[i] ?? null]))) + "\n";
    })(),
  );
}

function counted(table: ExportTable, counter: { rows: number }): ExportTable {
  return {
    columns: table.columns,
    rows: (async function* () {
      for await (const row of table.rows) {
        counter.rows++;
        yield row;
      }
    })(),
  };
}

export interface ExportRequest {
  workspaceId: string;
  userId: string;
  kind: "matrix" | "executions";
  format: ExportFormat;
  evalSetId: string | null;
  evalVersionId: string | null;
  filterQuery: string;
  fileName: string;
  table: ExportTable;
}

/**
 * The download as a streamed response: the database is read one page at a time as the client pulls (so memory
 * stays flat), and the history row is finished with the row count and size, or marked failed if the stream broke.
 */
export async function streamExport(database: Database, request: ExportRequest): Promise<Response> {
  const record = await q.insertExport(database.db, {
    workspaceId: request.workspaceId,
    kind: request.kind,
    format: request.format,
    evalSetId: request.evalSetId,
    evalVersionId: request.evalVersionId,
    filter: request.filterQuery,
    createdBy: request.userId,
  });
  const counter = { rows: 0 };
  let bytes = 0;
  const chunks = encode(request.format, counted(request.table, counter), request.fileName)[Symbol.asyncIterator]();
  const fail = (error: unknown) => q.finishExport(database.db, record.id, { status: "failed", rowCount: counter.rows, bytes, error: String(error).slice(0, 500) });
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await chunks.next();
        if (next.done) {
          await q.finishExport(database.db, record.id, { status: "finished", rowCount: counter.rows, bytes });
          controller.close();
          return;
        }
        bytes += next.value.length;
        controller.enqueue(next.value);
      } catch (error) {
        await fail(error);
        controller.error(error);
      }
    },
    async cancel() {
      await chunks.return?.(undefined);
      await fail("the client stopped the download");
    },
  });
  return new Response(body, {
    headers: {
      "content-type": CONTENT_TYPES[request.format],
      "content-disposition": `attachment; filename="${request.fileName.replace(/[^\w.-]+/g, "-")}.${request.format}"`,
      "cache-control": "no-store",
      "x-export-id": record.id,
    },
  });
}

export async function exportHistory(database: Database, workspaceId: string) {
  return q.listExports(database.db, workspaceId);
}
