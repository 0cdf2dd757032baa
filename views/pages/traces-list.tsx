// The trace list: search and filters, saved filters, a keyset-paginated table newest first, a lazily loaded count, and bulk actions.
import type { TraceListRow } from "../../src/modules/traces/queries";
import { formatCost, formatDate, formatDuration } from "../components/format";
import { Pager } from "../components/pager";
import { SavedFilters, type SavedFilterItem } from "../components/saved-filters";

/** The filter exactly as typed (strings), to refill the form. */
export type TraceFilterValues = Partial<Record<
  "q" | "source" | "name" | "tag" | "user" | "session" | "environment" | "tool" | "model" | "errors" | "latency_min" | "latency_max" | "cost_min" | "cost_max" | "eval_set" | "labeled" | "from" | "to",
  string
>>;

export interface TraceListProps {
  rows: TraceListRow[];
  filter: TraceFilterValues;
  /** The filter as a query string (no cursor): bulk "all matching" and the count use it. */
  filterQuery: string;
  nextHref: string | null;
  firstHref: string | null;
  evalSets: Array<{ id: string; name: string }>;
  /** Shown on the first page only: the count loads after the rows, so it never delays them. */
  showCount: boolean;
  canDelete: boolean;
  savedFilters: SavedFilterItem[];
  csrfToken: string;
}

export function TraceFilters({ filter, evalSets }: { filter: TraceFilterValues; evalSets: TraceListProps["evalSets"] }) {
  const text = (name: keyof TraceFilterValues, label: string, placeholder = label) => (
    <input type="search" name={name} placeholder={placeholder} value={filter[name] ?? ""} aria-label={label} />
  );
  return (
    <form class="filters" method="get" action="/traces" hx-get="/traces" hx-target="#trace-results" hx-push-url="true" hx-trigger="change, submit, input changed delay:300ms from:find input[type=search]">
      <input type="search" name="q" class="search" placeholder="Search input and output…" value={filter.q ?? ""} aria-label="Search input and output" />
      {text("name", "Name contains", "Name contains…")}
      {text("tag", "Tags", "Tags (a, b)")}
      {text("source", "Source")}
      {text("user", "User")}
      {text("session", "Session")}
      {text("environment", "Environment")}
      {text("tool", "Tool used")}
      {text("model", "Model")}
      <select name="errors" aria-label="Errors">
        <option value="" selected={!filter.errors}>Any status</option>
        <option value="yes" selected={filter.errors === "yes"}>With errors</option>
        <option value="no" selected={filter.errors === "no"}>Without errors</option>
      </select>
      <label class="inline">Latency ms <input type="number" min="0" name="latency_min" value={filter.latency_min ?? ""} aria-label="Minimum latency (ms)" class="narrow-number" />–<input type="number" min="0" name="latency_max" value={filter.latency_max ?? ""} aria-label="Maximum latency (ms)" class="narrow-number" /></label>
      <label class="inline">Cost $ <input type="number" min="0" step="any" name="cost_min" value={filter.cost_min ?? ""} aria-label="Minimum cost (USD)" class="narrow-number" />–<input type="number" min="0" step="any" name="cost_max" value={filter.cost_max ?? ""} aria-label="Maximum cost (USD)" class="narrow-number" /></label>
      {evalSets.length > 0 ? (
        <>
          <select name="labeled" aria-label="Labeled">
            <option value="" selected={!filter.labeled}>Labeled or not</option>
            <option value="yes" selected={filter.labeled === "yes"}>Labeled in</option>
            <option value="no" selected={filter.labeled === "no"}>Unlabeled in</option>
          </select>
          <select name="eval_set" aria-label="Eval set for labeled filter">
            <option value="" selected={!filter.eval_set}>(eval set)</option>
            {evalSets.map((set) => (
              <option value={set.id} selected={filter.eval_set === set.id} safe>{set.name}</option>
            ))}
          </select>
        </>
      ) : ""}
      <label class="inline">From <input type="date" name="from" value={filter.from ?? ""} /></label>
      <label class="inline">To <input type="date" name="to" value={filter.to ?? ""} /></label>
      <button type="submit">Filter</button>
      <a href="/traces" class="small">Clear</a>
    </form>
  );
}

export function TraceCount({ count, capped }: { count: number; capped: boolean }) {
  return <span class="muted" id="trace-count" safe>{`${count.toLocaleString("en-US")}${capped ? "+" : ""} ${count === 1 && !capped ? "trace" : "traces"}`}</span>;
}

function BulkActions({ filterQuery, evalSets, canDelete }: Pick<TraceListProps, "filterQuery" | "evalSets" | "canDelete">) {
  return (
    <form id="bulk-form" class="inline-form bulk" hx-post="/traces/bulk" hx-target="#bulk-result" hx-swap="innerHTML">
      <input type="hidden" name="filter" value={filterQuery} />
      <select name="scope" aria-label="Which traces">
        <option value="selected">Checked traces</option>
        <option value="filter">All traces matching the filter</option>
      </select>
      {evalSets.length > 0 ? (
        <>
          <select name="eval_set_id" aria-label="Eval set">
            {evalSets.map((set) => (
              <option value={set.id} safe>{set.name}</option>
            ))}
          </select>
          <button type="submit" name="action" value="add">Add to eval set</button>
          {canDelete
            ? (["negative", "neutral", "positive"] as const).map((label) => (
                <button type="button" hx-post="/eval-sets/bulk" hx-include="#bulk-form" hx-target="#bulk-result" name="action" value={`label:${label}`} safe>
                  {`Label ${label}`}
                </button>
              ))
            : ""}
        </>
      ) : ""}
      {canDelete ? (
        <button type="submit" name="action" value="delete" class="danger" hx-confirm="Delete these traces, with their labels and eval results?">Delete</button>
      ) : ""}
      <span id="bulk-result" aria-live="polite"></span>
    </form>
  );
}

export function BulkResult({ message }: { message: string }) {
  return <span class="notice" role="status" safe>{message}</span>;
}

export function TraceResults({ rows, nextHref, firstHref, filterQuery, evalSets, showCount, canDelete, savedFilters, csrfToken }: Omit<TraceListProps, "filter">) {
  return (
    <div id="trace-results">
      <SavedFilters filters={savedFilters} filterQuery={filterQuery} csrfToken={csrfToken} />
      <div class="list-head">
        {showCount ? <span hx-get={`/traces/count?${filterQuery}`} hx-trigger="load" hx-swap="outerHTML" class="muted">counting…</span> : ""}
        <BulkActions filterQuery={filterQuery} evalSets={evalSets} canDelete={canDelete} />
      </div>
      {rows.length === 0 ? (
        <p class="empty-state">No traces match. Import traces, or clear the filters.</p>
      ) : (
        <table class="traces">
          <thead>
            <tr>
              <th><span class="visually-hidden">Select</span></th>
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
                <td><input type="checkbox" name="ids" value={row.id} form="bulk-form" aria-label="Select trace" /></td>
                <td class="nowrap">
                  <a href={`/traces/${row.id}`} safe>{formatDate(row.timestamp)}</a>
                </td>
                <td>
                  <a href={`/traces/${row.id}`} safe>{row.name ?? "(unnamed)"}</a>
                  {row.hasErrors ? <span class="badge error">error</span> : ""}
                  {row.normalizeError ? <span class="badge error" title={row.normalizeError}>not normalized</span> : ""}
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
      <TraceFilters filter={props.filter} evalSets={props.evalSets} />
      <TraceResults {...props} />
    </section>
  );
}
