-- apply_verdicts writes a run's batch (one version, every result a verdict) in one statement: each pair's row is
-- inserted, or locked and rewritten, by one INSERT ... ON CONFLICT DO UPDATE fed in key order. The general path
-- (0011) probes for each row, then locks the existing ones in a pass of their own and rewrites them in another: two
-- writes per row where one does. Same protocol as 0008: rows are claimed in key order, so writers never deadlock, and
-- an existing row's new bytes are computed from its latest committed version. Writing a result, PGlite, 100k results
-- in batches of 500 (two alternating runs): a set's first version 40.1-42.5 -> 29.0-31.4 µs, a refinement's new version
-- (its set already has a row per trace) 50.9-55.8 -> 38.6-40.6 µs.
-- Batches of several versions, and deletions (code 0), keep the general path.
-- Both paths drop 0011's probe that a new row's trace exists: executions_check_references (0013, 0015) has already
-- found every trace of the statement, and fires first.
CREATE OR REPLACE FUNCTION "apply_verdicts"(version_ids text[], trace_ids text[], codes integer[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  set_ids text[];
  pair_trace_ids text[];
  workspace_ids text[];
  slots integer[];
  slot_codes integer[];
  inserted integer;
  changed_set_ids text[];
  changed_trace_ids text[];
  changed_verdicts bytea[];
  one_set text;
  one_workspace text;
  one_slot integer;
BEGIN
  -- A run's batch: one version, every result a verdict (only a deleted execution brings code 0).
  IF version_ids[1] = ALL (version_ids) AND 0 <> ALL (codes) THEN
    SELECT e.eval_set_id, e.workspace_id, v.set_slot INTO one_set, one_workspace, one_slot
    FROM eval_versions v JOIN evals e ON e.id = v.eval_id WHERE v.id = version_ids[1];
    IF one_set IS NULL THEN
      RETURN;
    END IF;
    INSERT INTO set_traces AS st (eval_set_id, trace_id, workspace_id, verdicts)
    SELECT one_set, c.trace_id, one_workspace, set_byte(decode(repeat('00', one_slot + 1), 'hex'), one_slot, c.code)
    FROM unnest(trace_ids, codes) AS c(trace_id, code)
    ORDER BY c.trace_id
    ON CONFLICT (eval_set_id, trace_id) DO UPDATE SET verdicts = set_byte(
        CASE WHEN octet_length(st.verdicts) > one_slot THEN st.verdicts
          ELSE st.verdicts || decode(repeat('00', one_slot + 1 - octet_length(st.verdicts)), 'hex') END,
        one_slot, get_byte(excluded.verdicts, one_slot))
      WHERE octet_length(st.verdicts) <= one_slot OR get_byte(st.verdicts, one_slot) <> get_byte(excluded.verdicts, one_slot);
    RETURN;
  END IF;
  SELECT array_agg(e.eval_set_id), array_agg(c.trace_id), array_agg(e.workspace_id), array_agg(v.set_slot), array_agg(c.code)
  INTO set_ids, pair_trace_ids, workspace_ids, slots, slot_codes
  FROM unnest(version_ids, trace_ids, codes) AS c(eval_version_id, trace_id, code)
  JOIN eval_versions v ON v.id = c.eval_version_id
  JOIN evals e ON e.id = v.eval_id;
  IF set_ids IS NULL THEN
    RETURN;
  END IF;
  WITH fresh AS (
    INSERT INTO set_traces (eval_set_id, trace_id, workspace_id, verdicts)
    SELECT c.eval_set_id, c.trace_id, min(c.workspace_id),
      CASE WHEN count(*) = 1 THEN set_byte(decode(repeat('00', min(c.slot) + 1), 'hex'), min(c.slot), min(c.code))
        ELSE verdicts_with(''::bytea, array_agg(c.slot), array_agg(c.code)) END
    FROM unnest(set_ids, pair_trace_ids, workspace_ids, slots, slot_codes) AS c(eval_set_id, trace_id, workspace_id, slot, code)
    WHERE c.code <> 0
      AND NOT EXISTS (SELECT 1 FROM set_traces st WHERE st.eval_set_id = c.eval_set_id AND st.trace_id = c.trace_id)
    GROUP BY 1, 2
    ORDER BY 1, 2
    ON CONFLICT DO NOTHING
    RETURNING 1
  )
  SELECT count(*) INTO inserted FROM fresh;
  IF inserted = cardinality(set_ids) THEN
    RETURN;
  END IF;
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
