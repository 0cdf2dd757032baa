// Review inputs (labels, undo, skip, queue filling, ordering, bulk labels, resolutions) and the shapes they produce.
import { z } from "zod";
import { labels, queueStrategies, type Label } from "../../db/schema";

const id = z.string().trim().min(1).max(100);
/** A client's operation id: lets a retried request that already landed be recognised instead of applied twice. */
const opId = z.string().trim().min(8).max(100);
const note = z.string().max(10_000).transform((v) => v.replace(/\r\n/g, "\n"));

export const labelInput = z.object({
  op_id: opId,
  item_id: id,
  /** Absent when only the note changes. */
  label: z.enum(labels).optional(),
  note: note.optional(),
});
export type LabelInput = z.output<typeof labelInput>;

export const undoInput = z.object({ op_id: opId });

export const skipInput = z.object({ item_id: id });

export const nextInput = z.object({
  /** Items the browser already holds (shown, prefetched, or with a save on its way): never handed out again. */
  exclude: z.string().max(20_000).optional().transform((v) => (v ? v.split(",").filter(Boolean).slice(0, 200) : [])),
});

export const strategyInput = z.object({
  strategy: z.enum(queueStrategies),
  seed: z.coerce.number().int().min(0).max(2_147_483_647).optional(),
});

/** Adding to the queue from the trace list: explicit ids, or the list's filter as its query string (all pages). */
export const addItemsInput = z
  .object({
    trace_id: z.union([id, z.array(id).max(10_000)]).optional().transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v])),
    filter: z.string().max(2_000).optional(),
  })
  .refine((v) => v.trace_id.length > 0 || v.filter !== undefined, { message: "Send trace_id values or a filter." });

export const bulkLabelInput = z
  .object({
    trace_id: z.union([id, z.array(id).max(10_000)]).optional().transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v])),
    filter: z.string().max(2_000).optional(),
    label: z.enum(labels),
    /** The count the user confirmed; the label is applied only when it still matches. */
    confirm_count: z.coerce.number().int().min(0).optional(),
  })
  .refine((v) => v.trace_id.length > 0 || v.filter !== undefined, { message: "Send trace_id values or a filter." });

export const resolveInput = z.object({
  trace_id: id,
  label: z.enum(labels),
  note: note.optional(),
});

/** An item as the review page shows it: the trace, the reviewer's own current label, and queue progress. */
export interface ReviewItem {
  itemId: string;
  traceId: string;
  myLabel: Label | null;
  myNote: string;
}

/** The ground truth of one trace, for eval generation and the comparison matrix. */
export interface GroundTruthLabel {
  traceId: string;
  label: Label;
  /** "resolved": settled after a disagreement; "unanimous": every reviewer gave this label (one or more reviewers). */
  source: "resolved" | "unanimous";
  /** How many reviewers labelled the trace, and whether that reaches the set's labels-per-trace. */
  reviewers: number;
  complete: boolean;
  /** The feedback rows behind the label (for eval_versions.training_feedback_ids). */
  feedbackIds: string[];
  /** Non-empty reviewer notes, then the resolution's note. */
  notes: string[];
}
