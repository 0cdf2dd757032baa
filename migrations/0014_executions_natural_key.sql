-- executions' surrogate id is gone: nothing refers to it, and its primary-key index was one more entry per run result
-- (PGlite, 100k traces: about 3 µs each). The natural key (version, trace), already unique and what upserts conflict
-- on, becomes the primary key. set_verdicts_changed pairs an update's old and new rows by that key instead of by id
-- (the key cannot change, 0013).
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
