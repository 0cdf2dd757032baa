// The review page: one trace at a time with the rubric, label controls and save status; and the item fragments it swaps in.
import type { Label } from "../../src/db/schema";
import type { NormalizedTrace } from "../../src/modules/traces/normalized-schema";
import { ReviewControls, ReviewHelp } from "../components/review-keys";
import { TraceDetailPage, type TraceDetailProps } from "./trace-detail";

export interface ReviewItemProps {
  item: { itemId: string; traceId: string; myLabel: Label | null; myNote: string };
  trace: TraceDetailProps["trace"];
  normalized: NormalizedTrace | null;
}

/** One queue item: the trace, and (as data) the reviewer's own label and note, for the page script. */
export function ReviewItem({ item, trace, normalized }: ReviewItemProps) {
  return (
    <article
      class="review-item"
      data-item-id={item.itemId}
      data-trace-id={item.traceId}
      data-label={item.myLabel ?? ""}
    >
      <pre hidden data-item-note safe>{item.myNote}</pre>
      <TraceDetailPage trace={trace} normalized={normalized} />
    </article>
  );
}

export function ReviewEmpty({ evalSetId, progress, archived }: { evalSetId: string; progress: { done: number; total: number }; archived: boolean }) {
  return (
    <article class="review-item review-empty" data-empty="true">
      <h2>{archived ? "This eval set is archived" : progress.total === 0 ? "The queue is empty" : "Nothing left for you to review"}</h2>
      <p class="muted">
        {progress.total === 0
          ? "Add traces to the queue from the eval set's overview or the trace list."
          : "Every item has the labels it needs, is labelled by you, or is being reviewed by someone else right now."}
      </p>
      <p>
        <a href={`/eval-sets/${evalSetId}`}>Back to the overview</a>
      </p>
    </article>
  );
}

export interface ReviewPageProps {
  set: { id: string; name: string; rubric: string; labelsPerTrace: number };
  rubricVersion: number;
  /** The first item, already rendered (a ReviewItem or ReviewEmpty). */
  firstItem: string;
  progress: { done: number; total: number };
}

export function ReviewPage({ set, rubricVersion, firstItem: safeFirstItem, progress }: ReviewPageProps) {
  return (
    <section class="review" id="review" data-eval-set-id={set.id} data-labels-per-trace={String(set.labelsPerTrace)}>
      <header class="review-head">
        <div class="review-title">
          <p class="crumbs">
            <a href="/eval-sets">Eval sets</a> / <a href={`/eval-sets/${set.id}`} safe>{set.name}</a> /
          </p>
          <blockquote class="rubric" safe>{set.rubric}</blockquote>
          <span class="muted" safe>{`Rubric v${rubricVersion}`}</span>
        </div>
        <div class="review-status">
          <span class="review-progress">
            <strong id="review-done" safe>{String(progress.done)}</strong> / <span id="review-total" safe>{String(progress.total)}</span> labelled
          </span>
          <span id="review-save-status" class="save-status saved" role="status" aria-live="polite">All saved</span>
        </div>
      </header>
      <ReviewControls />
      <div id="review-flash" class="review-flash" role="alert" hidden></div>
      <div id="review-stage">{safeFirstItem}</div>
      <ReviewHelp />
      <script src="/public/js/review.js" defer></script>
    </section>
  );
}
