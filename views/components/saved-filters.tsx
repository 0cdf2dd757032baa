// Saved trace filters on the trace list: apply one (a plain link), delete one, or save the current filter under a name.

export interface SavedFilterItem {
  id: string;
  name: string;
  query: string;
  canDelete: boolean;
}

export interface SavedFiltersProps {
  filters: SavedFilterItem[];
  /** The current filter as a query string: what "Save" stores, and how the current filter is recognized. */
  filterQuery: string;
  csrfToken: string;
  notice?: string;
}

export function SavedFilters({ filters, filterQuery, csrfToken, notice }: SavedFiltersProps) {
  return (
    <div id="saved-filters" class="saved-filters">
      <span class="muted">Saved filters:</span>
      {filters.length === 0 ? <span class="muted">none yet</span> : ""}
      {filters.map((f) => (
        <span class={f.query === filterQuery ? "saved-filter current" : "saved-filter"}>
          <a href={f.query ? `/traces?${f.query}` : "/traces"} title={f.query || "all traces"} safe>{f.name}</a>
          {f.canDelete ? (
            <form method="post" action={`/saved-filters/${f.id}/delete`} hx-post={`/saved-filters/${f.id}/delete`} hx-target="#saved-filters" hx-swap="outerHTML" hx-confirm={`Delete the saved filter “${f.name}”?`}>
              <input type="hidden" name="_csrf" value={csrfToken} />
              <input type="hidden" name="filter" value={filterQuery} />
              <button type="submit" class="link small" aria-label={`Delete saved filter ${f.name}`}>×</button>
            </form>
          ) : ""}
        </span>
      ))}
      <form class="save-filter" method="post" action="/saved-filters" hx-post="/saved-filters" hx-target="#saved-filters" hx-swap="outerHTML">
        <input type="hidden" name="_csrf" value={csrfToken} />
        <input type="hidden" name="filter" value={filterQuery} />
        <input type="text" name="name" required maxlength="100" placeholder="Name this filter" aria-label="Name for the current filter" />
        <button type="submit">Save filter</button>
      </form>
      {notice ? <span class="notice" role="status" safe>{notice}</span> : ""}
    </div>
  );
}
