-- executions' keys to eval_versions and traces become statement triggers. A foreign key checks and locks each run
-- result's version and trace with a query of its own (about 7 µs per result on PGlite at 100k traces); one statement
-- per batch does the same for all of them. Same guarantees: a result's version and trace exist when it is written and
-- stay locked (FOR KEY SHARE) until it commits, so a concurrent delete waits for it and then deletes it too.
ALTER TABLE "executions" DROP CONSTRAINT "executions_eval_version_id_eval_versions_id_fk";
--> statement-breakpoint
ALTER TABLE "executions" DROP CONSTRAINT "executions_trace_id_traces_id_fk";
--> statement-breakpoint
-- Named to fire before executions_set_verdicts_insert (same-event triggers fire in name order): set_traces is written
-- only once the batch's traces are locked, as it was behind the row-level keys.
CREATE FUNCTION "executions_check_references"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  found bigint;
  missing text;
BEGIN
  PERFORM 1 FROM eval_versions v WHERE v.id IN (SELECT DISTINCT n.eval_version_id FROM new_rows n) ORDER BY v.id FOR KEY SHARE;
  -- Each result's version and trace, of the result's own workspace (the deletes below rely on it, and tenancy with
  -- them), locked in key order. A trace deleted meanwhile is not found: the rows locked are the latest committed ones.
  SELECT count(*) INTO found FROM (
    SELECT 1 FROM new_rows n
    JOIN eval_versions v ON v.id = n.eval_version_id AND v.workspace_id = n.workspace_id
    JOIN traces t ON t.id = n.trace_id AND t.workspace_id = n.workspace_id
    ORDER BY t.id FOR KEY SHARE OF t
  ) checked;
  IF found = (SELECT count(*) FROM new_rows) THEN
    RETURN NULL;
  END IF;
  SELECT coalesce(
    (SELECT 'eval version ' || n.eval_version_id FROM new_rows n
     WHERE NOT EXISTS (SELECT 1 FROM eval_versions v WHERE v.id = n.eval_version_id AND v.workspace_id = n.workspace_id) LIMIT 1),
    (SELECT 'trace ' || n.trace_id FROM new_rows n
     WHERE NOT EXISTS (SELECT 1 FROM traces t WHERE t.id = n.trace_id AND t.workspace_id = n.workspace_id) LIMIT 1)
  ) INTO missing;
  RAISE foreign_key_violation USING MESSAGE = 'an execution refers to a missing ' || missing || ' of its workspace', TABLE = 'executions';
END $$;
--> statement-breakpoint
CREATE TRIGGER "executions_check_references" AFTER INSERT ON "executions" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "executions_check_references"();
--> statement-breakpoint
-- A result belongs to its (version, trace) for good: an upsert rewrites the rest of the row, never these. Fires only when
-- an UPDATE names either column, so upserts pay nothing.
CREATE FUNCTION "executions_keys_unchanged"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.eval_version_id IS DISTINCT FROM OLD.eval_version_id OR NEW.trace_id IS DISTINCT FROM OLD.trace_id THEN
    RAISE EXCEPTION 'an execution''s eval version and trace cannot change' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER "executions_keys_unchanged" BEFORE UPDATE OF "eval_version_id", "trace_id" ON "executions"
  FOR EACH ROW EXECUTE FUNCTION "executions_keys_unchanged"();
--> statement-breakpoint
-- The deletes the keys cascaded, one statement per deleting statement. Traces are found through their workspace
-- (executions_trace_idx leads with it), versions through executions_version_trace_idx.
CREATE FUNCTION "executions_of_deleted_traces"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM executions e USING old_rows o WHERE e.workspace_id = o.workspace_id AND e.trace_id = o.id;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "traces_deleted_executions" AFTER DELETE ON "traces" REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "executions_of_deleted_traces"();
--> statement-breakpoint
CREATE FUNCTION "executions_of_deleted_versions"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM executions e USING old_rows o WHERE e.eval_version_id = o.id;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "eval_versions_deleted_executions" AFTER DELETE ON "eval_versions" REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "executions_of_deleted_versions"();
