// The trace list: filters, a keyset-paginated table, newest first.
import type { TraceListRow } from "../../src/modules/traces/queries";
import { formatCost, formatDate, formatDuration } from "../components/format";
import { Pager } from "../components/pager";

export interface TraceListProps {
  rows: TraceListRow[];
  filter: { name?: string; tag?: string; errors?: string; from?: string; to?: string };
  nextHref: string | null;
  firstHref: string | null;
}

export function TraceFilters({ filter }: { filter: TraceListProps["filter"] }) {
  return (
    <form class="filters" method="get" action="/traces" hx-get="/traces" hx-target="#trace-results" hx-push-url="true" hx-trigger="change, submit, input changed delay:300ms from:find input[type=search]">
      <input type="search" name="name" placeholder="Name contains…" value={filter.name ?? ""} aria-label="Name contains" />
      <input type="search" name="tag" placeholder="Tag" value={filter.tag ?? ""} aria-label="Tag" />
      <select name="errors" aria-label="Errors">
        <option value="" selected={!filter.errors}>Any status</option>
        <option value="yes" selected={filter.errors === "yes"}>With errors</option>
        <option value="no" selected={filter.errors === "no"}>Without errors</option>
      </select>
      <label class="inline">From <input type="date" name="from" value={filter.from ?? ""} /></label>
      <label class="inline">To <input type="date" name="to" value={filter.to ?? ""} /></label>
      <button type="submit">Filter</button>
      <a href="/traces" class="small">Clear</a>
    </form>
  );
}

export function TraceResults({ rows, nextHref, firstHref }: Omit<TraceListProps, "filter">) {
  return (
    <div id="trace-results">
      {rows.length === 0 ? (
        <p class="empty-state">No traces match. Import traces, or clear the filters.</p>
      ) : (
        <table class="traces">
          <thead>
            <tr>
              <th>Time</th>
              <th>Name</th>
              <th>Input</th>
              <th>Output</th>
              <th class="num">Steps</th>
              <th class="num">Latency</th>
              <th class="num">Cost</th>
              <th>Tags</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr class={row.hasErrors || row.normalizeError ? "has-errors" : ""}>
                <td class="nowrap">
                  <a href={`/traces/${row.id}`} safe>{formatDate(row.timestamp)}</a>
                </td>
                <td>
                  <a href={`/traces/${row.id}`} safe>{row.name ?? "(unnamed)"}</a>
                  {row.hasErrors ? <span class="badge error">error</span> : ""}
                  {row.normalizeError ? <span class="badge error">not normalized</span> : ""}
                  {row.isDemo ? <span class="badge demo">demo</span> : ""}
                </td>
                <td class="preview" safe>{row.inputPreview ?? ""}</td>
                <td class="preview" safe>{row.outputPreview ?? ""}</td>
                <td class="num" safe>{String(row.stepCount)}</td>
                <td class="num" safe>{formatDuration(row.latencyMs)}</td>
                <td class="num" safe>{formatCost(row.costUsd)}</td>
                <td>
                  {row.tags.map((tag) => (
                    <span class="tag" safe>{tag}</span>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager nextHref={nextHref} firstHref={firstHref} />
    </div>
  );
}

export function TraceListPage(props: TraceListProps) {
  return (
    <section>
      <h1>Traces</h1>
      <TraceFilters filter={props.filter} />
      <TraceResults rows={props.rows} nextHref={props.nextHref} firstHref={props.firstHref} />
    </section>
  );
}
