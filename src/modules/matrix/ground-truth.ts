// The ground truth of an eval set as one SQL select, shared by the matrix, the metrics and the exports.
import { sql, type SQL } from "drizzle-orm";

/**
 * One row per trace with feedback in the set: `trace_id` and `label` (the settled label, or null), plus with
 * `detail` the `reviewers` count and `votes` ({user_id: label}). The label follows the review module's
 * `groundTruthLabels`: a resolution wins; else the label every reviewer gave; reviewers who disagree and
 * nobody resolved give null. `forTrace` narrows it to one trace (a lateral join per matrix row); `extra`
 * adds aggregate columns over joins at the label level (metrics join executions there, in the same pass).
 * Swap this one function to change what "ground truth" means everywhere.
 */
export function groundTruthSelect(
  workspaceId: string,
  evalSetId: string,
  options: { forTrace?: SQL; detail?: boolean; extra?: { columns: SQL; joins: SQL } } = {},
): SQL {
  // min = max instead of count(distinct): keeps the aggregate hashable, which matters at 100k traces.
  const detail = options.detail ? sql`, count(*)::int as reviewers, jsonb_object_agg(f.user_id, f.label) as votes` : sql``;
  return sql`
    select f.trace_id,
      coalesce(max(r.label), case when min(f.label) = max(f.label) then min(f.label) end) as label${detail}${options.extra ? sql`, ${options.extra.columns}` : sql``}
    from feedback f
    left join resolutions r on r.eval_set_id = f.eval_set_id and r.trace_id = f.trace_id and r.workspace_id = f.workspace_id
    ${options.extra?.joins ?? sql``}
    where f.workspace_id = ${workspaceId} and f.eval_set_id = ${evalSetId}${options.forTrace ? sql` and f.trace_id = ${options.forTrace}` : sql``}
    group by f.trace_id`;
}
