-- set_traces rows are derived: only the triggers on feedback, resolutions and executions write them, and those rows
-- carry foreign keys to the trace and (through the version) the set, checked and locked in the writing statement. The
-- set_traces keys only repeated those checks on every run result (about 8 µs per result on PGlite, 5 on Postgres);
-- what they still did, deleting the rows with their trace or set, is done below by one statement per delete.
ALTER TABLE "set_traces" DROP CONSTRAINT "set_traces_eval_set_id_eval_sets_id_fk";
--> statement-breakpoint
ALTER TABLE "set_traces" DROP CONSTRAINT "set_traces_trace_id_traces_id_fk";

--> statement-breakpoint
-- A trace's rows are found through its workspace's sets (the primary key leads with the set), not by a scan of every
-- set's rows: the cascade this replaces scanned set_traces once per deleted trace.
CREATE FUNCTION "set_traces_of_deleted_traces"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM set_traces st USING old_rows o, eval_sets s
  WHERE s.workspace_id = o.workspace_id AND st.eval_set_id = s.id AND st.trace_id = o.id;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "traces_deleted_set_traces" AFTER DELETE ON "traces" REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "set_traces_of_deleted_traces"();
--> statement-breakpoint
CREATE FUNCTION "set_traces_of_deleted_sets"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM set_traces st USING old_rows o WHERE st.eval_set_id = o.id;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "eval_sets_deleted_set_traces" AFTER DELETE ON "eval_sets" REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "set_traces_of_deleted_sets"();
