-- Two costs of every run result, gone (PGlite, 100k traces, database work alone: about 3 µs per result each):
-- - executions' surrogate id: nothing refers to it, and its primary-key index was one more entry per result. The
--   natural key (version, trace), already unique and what upserts conflict on, becomes the primary key.
-- - apply_verdicts' probe that a new set_traces row's trace exists: executions_check_references (0013) has already
--   found and locked every trace of the statement, and fires first.
-- set_verdicts_changed pairs an update's old and new rows by that key instead of by id (the key cannot change, 0013).
ALTER TABLE "executions" DROP COLUMN "id";--> statement-breakpoint
DROP INDEX "executions_version_trace_idx";--> statement-breakpoint
ALTER TABLE "executions" ADD CONSTRAINT "executions_version_trace_pk" PRIMARY KEY("eval_version_id","trace_id");--> statement-breakpoint
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
      FROM new_rows n JOIN old_rows o ON o.eval_version_id = n.eval_version_id AND o.trace_id = n.trace_id
      WHERE verdict_code(n.passed, n.error_kind) <> verdict_code(o.passed, o.error_kind)'
    INTO version_ids, trace_ids, codes;
  END IF;
  IF version_ids IS NOT NULL THEN
    PERFORM apply_verdicts(version_ids, trace_ids, codes);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
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
BEGIN
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
