-- Cheaper upkeep of set_traces.verdicts on executions writes, same results and same claim-then-write protocol as 0008
-- (read its comment on refresh_set_labels first).
--
-- apply_verdicts resolves the batch's versions to (eval set, slot) once, into arrays sorted in key order, instead of
-- in each of its three statements; the new bytes are computed once per pair, while locking its row, and a pair's one
-- changed slot (the usual case: a run writes one version) is set inline rather than through verdicts_with's loop.
-- The statement that locks the pairs' rows also reads their bytes and computes the new ones: a row locked FOR NO KEY
-- UPDATE is read as its latest committed version, and no other writer can change it until commit, so the bytes read
-- are the bytes the last statement overwrites.
CREATE OR REPLACE FUNCTION "apply_verdicts"(version_ids text[], trace_ids text[], codes integer[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  set_ids text[];
  pair_trace_ids text[];
  workspace_ids text[];
  slots integer[];
  slot_codes integer[];
  changed_set_ids text[];
  changed_trace_ids text[];
  changed_verdicts bytea[];
BEGIN
  SELECT array_agg(e.eval_set_id ORDER BY e.eval_set_id, c.trace_id), array_agg(c.trace_id ORDER BY e.eval_set_id, c.trace_id),
    array_agg(e.workspace_id ORDER BY e.eval_set_id, c.trace_id), array_agg(v.set_slot ORDER BY e.eval_set_id, c.trace_id),
    array_agg(c.code ORDER BY e.eval_set_id, c.trace_id)
  INTO set_ids, pair_trace_ids, workspace_ids, slots, slot_codes
  FROM unnest(version_ids, trace_ids, codes) AS c(eval_version_id, trace_id, code)
  JOIN eval_versions v ON v.id = c.eval_version_id
  JOIN evals e ON e.id = v.eval_id;
  IF set_ids IS NULL THEN
    RETURN;
  END IF;
  INSERT INTO set_traces (eval_set_id, trace_id, workspace_id, verdicts)
  SELECT c.eval_set_id, c.trace_id, min(c.workspace_id), verdicts_with(''::bytea, array_agg(c.slot), array_agg(c.code))
  FROM unnest(set_ids, pair_trace_ids, workspace_ids, slots, slot_codes) AS c(eval_set_id, trace_id, workspace_id, slot, code)
  WHERE NOT EXISTS (SELECT 1 FROM set_traces st WHERE st.eval_set_id = c.eval_set_id AND st.trace_id = c.trace_id)
    AND EXISTS (SELECT 1 FROM traces t WHERE t.id = c.trace_id)
  GROUP BY 1, 2
  ORDER BY 1, 2
  ON CONFLICT DO NOTHING;
  SELECT array_agg(l.eval_set_id), array_agg(l.trace_id), array_agg(l.verdicts) INTO changed_set_ids, changed_trace_ids, changed_verdicts
  FROM (
    SELECT st.eval_set_id, st.trace_id, st.verdicts AS old,
      CASE WHEN cardinality(c.slots) = 1 THEN
        set_byte(CASE WHEN octet_length(st.verdicts) > c.slots[1] THEN st.verdicts
          ELSE st.verdicts || decode(repeat('00', c.slots[1] + 1 - octet_length(st.verdicts)), 'hex') END, c.slots[1], c.codes[1])
      ELSE verdicts_with(st.verdicts, c.slots, c.codes) END AS verdicts
    FROM set_traces st
    JOIN (
      SELECT c.eval_set_id, c.trace_id, array_agg(c.slot) AS slots, array_agg(c.code) AS codes
      FROM unnest(set_ids, pair_trace_ids, slots, slot_codes) AS c(eval_set_id, trace_id, slot, code)
      GROUP BY 1, 2
    ) c ON st.eval_set_id = c.eval_set_id AND st.trace_id = c.trace_id
    ORDER BY st.eval_set_id, st.trace_id FOR NO KEY UPDATE OF st
  ) l
  WHERE l.verdicts <> l.old;
  IF changed_set_ids IS NOT NULL THEN
    UPDATE set_traces st SET verdicts = u.verdicts
    FROM unnest(changed_set_ids, changed_trace_ids, changed_verdicts) AS u(eval_set_id, trace_id, verdicts)
    WHERE st.eval_set_id = u.eval_set_id AND st.trace_id = u.trace_id;
  END IF;
END $$;
--> statement-breakpoint
-- An update's old and new rows are paired by a join planned for each statement's own row counts (EXECUTE): a plan
-- kept from a statement that updated no rows (the first upsert of a run inserts only) nests loops over both
-- transition tables, quadratic in the batch.
CREATE OR REPLACE FUNCTION "set_verdicts_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  version_ids text[];
  trace_ids text[];
  codes integer[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(n.eval_version_id), array_agg(n.trace_id), array_agg(verdict_code(n.passed, n.error_kind)) INTO version_ids, trace_ids, codes
    FROM new_rows n;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(o.eval_version_id), array_agg(o.trace_id), array_agg(0) INTO version_ids, trace_ids, codes
    FROM old_rows o;
  ELSE
    EXECUTE 'SELECT array_agg(n.eval_version_id), array_agg(n.trace_id), array_agg(verdict_code(n.passed, n.error_kind))
      FROM new_rows n JOIN old_rows o ON o.id = n.id
      WHERE verdict_code(n.passed, n.error_kind) <> verdict_code(o.passed, o.error_kind)'
    INTO version_ids, trace_ids, codes;
  END IF;
  IF version_ids IS NOT NULL THEN
    PERFORM apply_verdicts(version_ids, trace_ids, codes);
  END IF;
  RETURN NULL;
END $$;
