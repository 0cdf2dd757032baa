// Queue controls: the order form, filling the queue from a trace filter, and the trace list's bulk add/label with its confirmation.
import type { Label } from "../../src/db/schema";

const STRATEGIES = [
  { id: "newest", label: "Newest first" },
  { id: "random", label: "Random (seeded)" },
  { id: "informative", label: "Most informative (where evals disagree)" },
] as const;

export function QueueOrderForm({ evalSetId, strategy, seed }: { evalSetId: string; strategy: string; seed: number }) {
  return (
    <form class="inline-form" hx-post={`/eval-sets/${evalSetId}/queue/order`} hx-target="#queue-order-result" hx-swap="innerHTML">
      <label class="inline">
        Order after unlabelled-first
        <select name="strategy">
          {STRATEGIES.map((s) => (
            <option value={s.id} selected={s.id === strategy}>{s.label}</option>
          ))}
        </select>
      </label>
      <label class="inline">Seed <input type="number" name="seed" value={String(seed)} min="0" class="narrow-input" /></label>
      <button type="submit">Apply order</button>
      <span id="queue-order-result" role="status"></span>
    </form>
  );
}

/** Adds every trace matching a trace filter (all pages) to the queue; never adds a trace twice. */
export function QueueFillForm({ evalSetId, sourceFilter }: { evalSetId: string; sourceFilter: string | null }) {
  return (
    <div class="queue-fill">
      <form class="inline-form" hx-post={`/eval-sets/${evalSetId}/queue/fill`} hx-target="#queue-fill-result" hx-swap="innerHTML">
        <span class="muted">Add traces matching</span>
        <input type="search" name="name" placeholder="Name contains…" aria-label="Name contains" />
        <input type="search" name="tag" placeholder="Tag" aria-label="Tag" />
        <select name="errors" aria-label="Errors">
          <option value="">Any status</option>
          <option value="yes">With errors</option>
          <option value="no">Without errors</option>
        </select>
        <label class="inline">From <input type="date" name="from" /></label>
        <label class="inline">To <input type="date" name="to" /></label>
        <button type="submit">Add to queue</button>
      </form>
      {sourceFilter !== null ? (
        <p class="muted">
          Last filled from <code safe>{sourceFilter === "" ? "all traces" : sourceFilter}</code>
          <button type="button" class="small" hx-post={`/eval-sets/${evalSetId}/queue/items`} hx-vals={JSON.stringify({ filter: sourceFilter })} hx-target="#queue-fill-result">
            Sync new matches
          </button>
        </p>
      ) : ""}
      <div id="queue-fill-result" role="status"></div>
    </div>
  );
}

export function QueueAddedNotice({ added, seen }: { added: number; seen: number }) {
  const already = seen - added;
  return (
    <span class="notice-inline" safe>
      {`Added ${added} trace${added === 1 ? "" : "s"} to the queue${already > 0 ? ` (${already} already there)` : ""}.`}
    </span>
  );
}

/**
 * For the trace list: add the selection (checked `trace_id` boxes inside `selectionForm`) or, when nothing is
 * checked, everything the active filter matches across pages, to an eval set's queue, or label it in bulk.
 */
export function BulkReviewActions({ evalSets, filterQuery }: { evalSets: { id: string; name: string }[]; filterQuery: string }) {
  if (evalSets.length === 0) return "";
  return (
    <form class="inline-form bulk-review" hx-post="/eval-sets/bulk" hx-target="#bulk-review-result" hx-swap="innerHTML" hx-include="[name=trace_id]:checked">
      <input type="hidden" name="filter" value={filterQuery} />
      <select name="eval_set_id" aria-label="Eval set">
        {evalSets.map((s) => (
          <option value={s.id} safe>{s.name}</option>
        ))}
      </select>
      <select name="action" aria-label="Action">
        <option value="add">Add to queue</option>
        <option value="label:negative">Label negative</option>
        <option value="label:neutral">Label neutral</option>
        <option value="label:positive">Label positive</option>
      </select>
      <button type="submit">Apply to selection (or all matching)</button>
      <div id="bulk-review-result" role="status"></div>
    </form>
  );
}

/** The confirmation a bulk label needs: it states the count, and applies only if the count still holds. */
export function BulkLabelConfirm({ evalSetId, evalSetName, label, count, traceIds, filter }: { evalSetId: string; evalSetName: string; label: Label; count: number; traceIds: string[]; filter: string | undefined }) {
  return (
    <div class="bulk-confirm" role="alertdialog">
      <p safe>{`Label ${count} trace${count === 1 ? "" : "s"} as ${label} in “${evalSetName}”? This can be undone.`}</p>
      <form hx-post={`/eval-sets/${evalSetId}/bulk-label`} hx-target="closest .bulk-confirm" hx-swap="outerHTML">
        {traceIds.map((id) => <input type="hidden" name="trace_id" value={id} />)}
        {filter !== undefined ? <input type="hidden" name="filter" value={filter} /> : ""}
        <input type="hidden" name="label" value={label} />
        <input type="hidden" name="confirm_count" value={String(count)} />
        <button type="submit" class="primary" safe>{`Label ${count} as ${label}`}</button>
      </form>
    </div>
  );
}

export function BulkLabelDone({ evalSetId, batchId, changed, seen, label }: { evalSetId: string; batchId: string; changed: number; seen: number; label: Label }) {
  return (
    <div class="bulk-confirm notice" role="status">
      <span safe>{`Labelled ${changed} trace${changed === 1 ? "" : "s"} as ${label}${seen > changed ? ` (${seen - changed} already had it)` : ""}.`}</span>
      {changed ? (
        <button type="button" class="small" hx-post={`/eval-sets/${evalSetId}/bulk/${batchId}/undo`} hx-target="closest .bulk-confirm" hx-swap="outerHTML">
          Undo
        </button>
      ) : ""}
    </div>
  );
}

export function BulkUndone({ reverted, kept }: { reverted: number; kept: number }) {
  return (
    <div class="bulk-confirm notice" role="status" safe>
      {`Undone: ${reverted} label${reverted === 1 ? "" : "s"} restored${kept ? `; ${kept} changed since and kept` : ""}.`}
    </div>
  );
}
