// The matrix grid: one row per trace, ground truth and reviewers, one coloured cell per version, agreement; keyboard navigable.
import type { Label } from "../../src/db/schema";
import type { MatrixCell, MatrixRow, Reviewer, VersionColumn } from "../../src/modules/matrix/model";
import { formatDate, formatDuration } from "./format";

export interface MatrixTableProps {
  evalSetId: string;
  rows: MatrixRow[];
  shown: VersionColumn[];
  /** Reviewer columns (those who labelled traces on this page) appear only when there are several. */
  reviewers: Reviewer[];
  /** Builds the link that sorts by `column` (toggling direction when it is the current one). */
  sortHref: (column: string) => string;
  sort: string;
  dir: "asc" | "desc";
  nextHref: string | null;
  firstHref: string | null;
}

const LABEL_TEXT: Record<Label, string> = { positive: "pass", negative: "fail", neutral: "neutral" };

export function versionTitle(v: VersionColumn): string {
  return `${v.evalName} v${v.version}`;
}

function cellClass(cell: MatrixCell): string {
  if (cell.verdict === "error") return "cell errored";
  if (cell.verdict === "none") return "cell not-run";
  if (cell.agrees === true) return "cell agrees";
  if (cell.agrees === false) return "cell contradicts";
  return "cell no-truth";
}

function cellText(cell: MatrixCell): string {
  if (cell.verdict === "error") return cell.errorKind ?? "error";
  if (cell.verdict === "none") return "not run";
  return cell.verdict;
}

function cellTitle(cell: MatrixCell): string {
  const state = cell.verdict === "error" ? `errored (${cell.errorKind})` : cell.verdict === "none" ? "not run" : cell.agrees === null ? "no ground truth to compare" : cell.agrees ? "agrees with the label" : "contradicts the label";
  return `${cell.verdict} — ${state}${cell.durationMs !== null ? `, ${formatDuration(cell.durationMs)}` : ""}`;
}

function SortHeader({ label, column, props, className }: { label: string; column: string; props: MatrixTableProps; className?: string }) {
  const current = props.sort === column;
  const arrow = current ? (props.dir === "asc" ? " ▲" : " ▼") : "";
  return (
    <th class={className} aria-sort={current ? (props.dir === "asc" ? "ascending" : "descending") : undefined}>
      <a href={props.sortHref(column)} hx-get={props.sortHref(column)} hx-target="#matrix-results" hx-push-url="true" safe>
        {label + arrow}
      </a>
    </th>
  );
}

export function MatrixRowView({ row, props }: { row: MatrixRow; props: Pick<MatrixTableProps, "evalSetId" | "shown" | "reviewers"> }) {
  const drill = (versionId?: string) =>
    `/eval-sets/${props.evalSetId}/matrix/cell?trace=${encodeURIComponent(row.traceId)}${versionId ? `&version=${encodeURIComponent(versionId)}` : ""}`;
  return (
    <tr id={`row-${row.traceId}`} data-trace={row.traceId}>
      <td class="trace-cell" data-cell tabindex="-1" hx-get={drill()} hx-target="#matrix-drill">
        <span class="trace-name" safe>{row.name ?? "(unnamed)"}</span>
        <span class="muted trace-ext" safe>{row.externalId}</span>
      </td>
      <td class="nowrap" safe>{formatDate(row.timestamp)}</td>
      <td safe>{row.source}</td>
      {row.reviewers === 0 ? (
        <td class="truth truth-unlabeled" title="not labelled in this eval set">unlabelled</td>
      ) : (
        <td class={`truth truth-${row.truth ?? "none"}`} title={row.truth ? `ground truth from ${row.reviewers} reviewer(s)` : "reviewers disagree, not resolved"}>
          {row.truth ? LABEL_TEXT[row.truth] : "disputed"}
        </td>
      )}
      {props.reviewers.length > 1
        ? props.reviewers.map((reviewer) => {
            const vote = row.votes[reviewer.id];
            return <td class={`vote vote-${vote ?? "none"}`}>{vote ? LABEL_TEXT[vote] : "—"}</td>;
          })
        : ""}
      {row.cells.map((cell) => (
        <td class={cellClass(cell)} data-cell tabindex="-1" title={cellTitle(cell)} hx-get={drill(cell.versionId)} hx-target="#matrix-drill" safe>
          {cellText(cell)}
        </td>
      ))}
      <td class="num agreement">{row.comparable ? `${row.agreeing}/${row.comparable}` : "—"}</td>
    </tr>
  );
}

export function MatrixTable(props: MatrixTableProps) {
  const showReviewers = props.reviewers.length > 1;
  return (
    <div id="matrix-results">
      {props.rows.length === 0 ? (
        <p class="empty-state">No trace matches. Loosen the filters, choose other rows, or label traces in the review queue.</p>
      ) : (
        <div class="matrix-scroll">
          <table
            class="matrix"
            id="matrix-grid"
            hx-vals:inherited={JSON.stringify({ v: props.shown.map((v) => v.id).join(","), r: props.reviewers.map((r) => r.id).join(",") })}
          >
            <thead>
              <tr>
                <SortHeader label="Trace" column="trace" props={props} />
                <SortHeader label="Time" column="time" props={props} />
                <SortHeader label="Source" column="source" props={props} />
                <SortHeader label="Label" column="label" props={props} />
                {showReviewers ? props.reviewers.map((r) => <th class="reviewer" safe>{r.name}</th>) : ""}
                {props.shown.map((v) => (
                  <SortHeader label={versionTitle(v) + (v.active ? " ★" : "")} column={`v:${v.id}`} props={props} className="version" />
                ))}
                <SortHeader label="Agreement" column="agreement" props={props} className="num" />
              </tr>
            </thead>
            <tbody>
              {props.rows.map((row) => (
                <MatrixRowView row={row} props={props} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav class="pager">
        {props.firstHref ? <a href={props.firstHref} hx-get={props.firstHref} hx-target="#matrix-results" hx-push-url="true">← First page</a> : ""}
        {props.nextHref ? (
          <a href={props.nextHref} hx-get={props.nextHref} hx-target="#matrix-results" hx-push-url="true" rel="next">
            Next page →
          </a>
        ) : (
          <span class="muted">End of list</span>
        )}
      </nav>
    </div>
  );
}
