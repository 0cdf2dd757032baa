// The export history: every matrix and executions download, with its format, filter, size and outcome.
import type { ExportRecord } from "../../src/modules/exports/queries";
import { formatDate } from "../components/format";

export function ExportHistoryPage({ rows }: { rows: { export: ExportRecord; userName: string | null }[] }) {
  return (
    <section>
      <h1>Exports</h1>
      {rows.length === 0 ? (
        <p class="empty-state">No exports yet. Download the matrix of an eval set, or a version's executions, as CSV, JSONL or XLSX.</p>
      ) : (
        <table>
          <thead>
            <tr><th>When</th><th>What</th><th>Format</th><th>Filter</th><th class="num">Rows</th><th class="num">Size</th><th>Status</th><th>By</th><th></th></tr>
          </thead>
          <tbody>
            {rows.map(({ export: e, userName }) => {
              const again =
                e.kind === "matrix" && e.evalSetId
                  ? `/eval-sets/${e.evalSetId}/matrix/export?format=${e.format}&${e.filter}`
                  : e.evalVersionId
                    ? `/api/v1/eval-versions/${e.evalVersionId}/executions?format=${e.format}&${e.filter}`
                    : null;
              return (
                <tr>
                  <td class="nowrap" safe>{formatDate(e.createdAt)}</td>
                  <td>
                    {e.kind === "matrix" && e.evalSetId ? <a href={`/eval-sets/${e.evalSetId}/matrix?${e.filter}`}>matrix</a> : <span>{e.kind}</span>}
                  </td>
                  <td>{e.format}</td>
                  <td class="preview" title={e.filter} safe>{e.filter || "none"}</td>
                  <td class="num" safe>{e.rowCount === null ? "—" : e.rowCount.toLocaleString("en-US")}</td>
                  <td class="num" safe>{e.bytes === null ? "—" : `${(e.bytes / 1024).toFixed(1)} KiB`}</td>
                  <td>
                    <span class={`badge ${e.status === "finished" ? "ok" : e.status === "failed" ? "error" : ""}`}>{e.status}</span>
                    {e.error ? <span class="muted" safe>{` ${e.error}`}</span> : ""}
                  </td>
                  <td safe>{userName ?? "—"}</td>
                  <td>{again ? <a href={again}>again</a> : ""}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
