// The ground truth of an eval set as one SQL select over the maintained set_traces table, shared by the matrix and the exports.
import { sql, type SQL } from "drizzle-orm";

/**
 * One row per labelled trace of the set: `trace_id`, `label` (the settled label, or null when reviewers disagree and
 * nobody resolved it), `reviewers`, and `votes` ({user_id: label}, read from the trace's feedback rows). The rule that
 * settles a label lives with the triggers that keep the table (migrations/0008_matrix_maintained.sql,
 * `ground_truth_of`); it follows the review module's `groundTruthLabels`. `forTrace` narrows it to one trace, for a
 * lateral join per row.
 */
export function groundTruthSelect(workspaceId: string, evalSetId: string, options: { forTrace?: SQL } = {}): SQL {
  return sql`
    select g.trace_id, g.label, g.reviewers, ${votesOf(sql`g.eval_set_id`, sql`g.trace_id`)} as votes
    from set_traces g
    where g.workspace_id = ${workspaceId} and g.eval_set_id = ${evalSetId} and g.reviewers > 0${options.forTrace ? sql` and g.trace_id = ${options.forTrace}` : sql``}`;
}

/** Every reviewer's label of one trace in a set as {user_id: label}, from the feedback rows (one index range). */
export function votesOf(evalSetId: SQL, traceId: SQL): SQL {
  return sql`(select coalesce(jsonb_object_agg(f.user_id, f.label), '{}'::jsonb) from feedback f where f.eval_set_id = ${evalSetId} and f.trace_id = ${traceId})`;
}
