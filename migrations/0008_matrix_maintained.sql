CREATE TABLE "saved_filters" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"name" text NOT NULL,
	"query" text NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "set_traces" (
	"eval_set_id" text NOT NULL,
	"trace_id" text NOT NULL,
	"workspace_id" text NOT NULL,
	"label" text,
	"reviewers" integer DEFAULT 0 NOT NULL,
	"verdicts" "bytea" DEFAULT ''::bytea NOT NULL,
	CONSTRAINT "set_traces_eval_set_id_trace_id_pk" PRIMARY KEY("eval_set_id","trace_id")
);
--> statement-breakpoint
ALTER TABLE "eval_sets" ADD COLUMN "version_slots" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "eval_versions" ADD COLUMN "set_slot" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "saved_filters" ADD CONSTRAINT "saved_filters_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "saved_filters" ADD CONSTRAINT "saved_filters_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "set_traces" ADD CONSTRAINT "set_traces_eval_set_id_eval_sets_id_fk" FOREIGN KEY ("eval_set_id") REFERENCES "public"."eval_sets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "set_traces" ADD CONSTRAINT "set_traces_trace_id_traces_id_fk" FOREIGN KEY ("trace_id") REFERENCES "public"."traces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "set_traces" ADD CONSTRAINT "set_traces_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "saved_filters_name_idx" ON "saved_filters" USING btree ("workspace_id","name");--> statement-breakpoint
CREATE INDEX "set_traces_labelled_idx" ON "set_traces" USING btree ("eval_set_id","trace_id") WHERE "set_traces"."reviewers" > 0;--> statement-breakpoint
-- Every run of a version rewrites its byte in each row it ran on: room on the page lets that be a HOT update, with no
-- index entry to add.
ALTER TABLE "set_traces" SET (fillfactor = 80);
--> statement-breakpoint
-- Version slots: each version of an eval set gets the next byte of set_traces.verdicts. The counter lives on the
-- set's row, so concurrent inserts into one set take turns on that row lock instead of racing to the same slot.
CREATE FUNCTION "eval_version_set_slot"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE eval_sets s SET version_slots = s.version_slots + 1
  FROM evals e WHERE e.id = NEW.eval_id AND s.id = e.eval_set_id
  RETURNING s.version_slots - 1 INTO NEW.set_slot;
  RETURN NEW;
END $$;
--> statement-breakpoint
-- The verdict code of an execution, as the matrix ranks it: 0 no verdict, 1 errored, 2 fail, 3 pass.
CREATE FUNCTION "verdict_code"(passed boolean, error_kind text) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN error_kind IS NOT NULL THEN 1 WHEN passed IS NULL THEN 0 WHEN passed THEN 3 ELSE 2 END
$$;
--> statement-breakpoint
-- Writes verdict codes at byte positions (slots), growing the bytes with zeros (no verdict) as needed.
CREATE FUNCTION "verdicts_with"(verdicts bytea, slots integer[], codes integer[]) RETURNS bytea LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  i integer;
BEGIN
  FOR i IN 1 .. coalesce(array_length(slots, 1), 0) LOOP
    IF octet_length(verdicts) <= slots[i] THEN
      verdicts := verdicts || decode(repeat('00', slots[i] + 1 - octet_length(verdicts)), 'hex');
    END IF;
    verdicts := set_byte(verdicts, slots[i], codes[i]);
  END LOOP;
  RETURN verdicts;
END $$;
--> statement-breakpoint
-- The ground truth of some (eval set, trace) pairs, from their labels. This is the definition of ground truth: a
-- resolution wins; else the label every reviewer gave; reviewers who disagree and nobody resolved give null.
-- Pairs without a label give no row.
CREATE FUNCTION "ground_truth_of"(set_ids text[], trace_ids text[])
RETURNS TABLE (eval_set_id text, trace_id text, workspace_id text, label text, reviewers integer) LANGUAGE sql STABLE AS $$
  SELECT f.eval_set_id, f.trace_id, min(f.workspace_id),
    coalesce(max(r.label), CASE WHEN min(f.label) = max(f.label) THEN min(f.label) END),
    count(*)::integer
  FROM unnest(set_ids, trace_ids) AS p(eval_set_id, trace_id)
  JOIN feedback f ON f.eval_set_id = p.eval_set_id AND f.trace_id = p.trace_id
  LEFT JOIN resolutions r ON r.eval_set_id = f.eval_set_id AND r.trace_id = f.trace_id
  GROUP BY f.eval_set_id, f.trace_id
$$;
--> statement-breakpoint
-- Verdict codes of (version, trace) pairs, grouped per (eval set, trace) with the versions' slots.
CREATE FUNCTION "verdict_changes"(version_ids text[], trace_ids text[], codes integer[])
RETURNS TABLE (eval_set_id text, trace_id text, workspace_id text, slots integer[], codes integer[]) LANGUAGE sql STABLE AS $$
  SELECT e.eval_set_id, c.trace_id, min(e.workspace_id), array_agg(v.set_slot), array_agg(c.code)
  FROM unnest(version_ids, trace_ids, codes) AS c(eval_version_id, trace_id, code)
  JOIN eval_versions v ON v.id = c.eval_version_id
  JOIN evals e ON e.id = v.eval_id
  GROUP BY e.eval_set_id, c.trace_id
$$;
--> statement-breakpoint
-- Both writers below (labels, verdicts) follow one protocol, so any interleaving of them is safe. First the pairs are
-- claimed: a pair without a row gets one (waiting for a concurrent inserter of the same pair, if any), a pair with a
-- row has it locked, all in key order, so two writers never deadlock. Then a later statement writes the writer's own
-- columns: its fresh snapshot sees what a concurrent writer committed meanwhile. Two labels saved at once, or runs of
-- two versions, never lose one another. A label touches one pair: one INSERT both claims and locks (ON CONFLICT DO
-- UPDATE ... WHERE false locks without writing).
CREATE FUNCTION "refresh_set_labels"(set_ids text[], trace_ids text[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO set_traces (eval_set_id, trace_id, workspace_id, label, reviewers)
  SELECT p.eval_set_id, p.trace_id, s.workspace_id, c.label, coalesce(c.reviewers, 0)
  FROM unnest(set_ids, trace_ids) AS p(eval_set_id, trace_id)
  JOIN eval_sets s ON s.id = p.eval_set_id
  LEFT JOIN ground_truth_of(set_ids, trace_ids) c ON c.eval_set_id = p.eval_set_id AND c.trace_id = p.trace_id
  WHERE c.trace_id IS NOT NULL OR EXISTS (SELECT 1 FROM set_traces st WHERE st.eval_set_id = p.eval_set_id AND st.trace_id = p.trace_id)
  ORDER BY 1, 2
  ON CONFLICT (eval_set_id, trace_id) DO UPDATE SET reviewers = set_traces.reviewers WHERE false;
  UPDATE set_traces st SET label = c.label, reviewers = coalesce(c.reviewers, 0)
  FROM unnest(set_ids, trace_ids) AS p(eval_set_id, trace_id)
  LEFT JOIN ground_truth_of(set_ids, trace_ids) c ON c.eval_set_id = p.eval_set_id AND c.trace_id = p.trace_id
  WHERE st.eval_set_id = p.eval_set_id AND st.trace_id = p.trace_id
    AND (st.label, st.reviewers) IS DISTINCT FROM (c.label, coalesce(c.reviewers, 0));
END $$;
--> statement-breakpoint
-- A deleted version's byte is left as it was: its slot is never reused nor shown. A run's batch touches many pairs
-- that have a row already, so those are found by a plain index probe rather than an insert attempt each, then locked.
CREATE FUNCTION "apply_verdicts"(version_ids text[], trace_ids text[], codes integer[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO set_traces (eval_set_id, trace_id, workspace_id, verdicts)
  SELECT c.eval_set_id, c.trace_id, c.workspace_id, verdicts_with(''::bytea, c.slots, c.codes)
  FROM verdict_changes(version_ids, trace_ids, codes) c
  WHERE NOT EXISTS (SELECT 1 FROM set_traces st WHERE st.eval_set_id = c.eval_set_id AND st.trace_id = c.trace_id)
    AND EXISTS (SELECT 1 FROM traces t WHERE t.id = c.trace_id)
  ORDER BY 1, 2
  ON CONFLICT DO NOTHING;
  PERFORM 1 FROM set_traces st JOIN verdict_changes(version_ids, trace_ids, codes) c ON st.eval_set_id = c.eval_set_id AND st.trace_id = c.trace_id
  ORDER BY st.eval_set_id, st.trace_id FOR NO KEY UPDATE OF st;
  UPDATE set_traces st SET verdicts = verdicts_with(st.verdicts, c.slots, c.codes)
  FROM verdict_changes(version_ids, trace_ids, codes) c
  WHERE st.eval_set_id = c.eval_set_id AND st.trace_id = c.trace_id AND st.verdicts <> verdicts_with(st.verdicts, c.slots, c.codes);
END $$;
--> statement-breakpoint
-- After any statement on feedback or resolutions: the pairs whose labels it changed (a note edit changes none).
CREATE FUNCTION "set_labels_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  set_ids text[];
  trace_ids text[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(p.eval_set_id), array_agg(p.trace_id) INTO set_ids, trace_ids
    FROM (SELECT DISTINCT eval_set_id, trace_id FROM new_rows) p;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(p.eval_set_id), array_agg(p.trace_id) INTO set_ids, trace_ids
    FROM (SELECT DISTINCT eval_set_id, trace_id FROM old_rows) p;
  ELSE
    SELECT array_agg(p.eval_set_id), array_agg(p.trace_id) INTO set_ids, trace_ids
    FROM (
      SELECT n.eval_set_id, n.trace_id FROM new_rows n JOIN old_rows o ON o.id = n.id
      WHERE (n.eval_set_id, n.trace_id, n.label) IS DISTINCT FROM (o.eval_set_id, o.trace_id, o.label)
      UNION
      SELECT o.eval_set_id, o.trace_id FROM new_rows n JOIN old_rows o ON o.id = n.id
      WHERE (n.eval_set_id, n.trace_id, n.label) IS DISTINCT FROM (o.eval_set_id, o.trace_id, o.label)
    ) p;
  END IF;
  IF set_ids IS NOT NULL THEN
    PERFORM refresh_set_labels(set_ids, trace_ids);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- After any statement on executions: the verdicts it wrote (0 for deleted executions); a rerun with the same outcome
-- changes nothing.
CREATE FUNCTION "set_verdicts_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
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
    SELECT array_agg(n.eval_version_id), array_agg(n.trace_id), array_agg(verdict_code(n.passed, n.error_kind)) INTO version_ids, trace_ids, codes
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE verdict_code(n.passed, n.error_kind) <> verdict_code(o.passed, o.error_kind);
  END IF;
  IF version_ids IS NOT NULL THEN
    PERFORM apply_verdicts(version_ids, trace_ids, codes);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- Existing data: slots in creation order, then every pair's labels and verdicts computed once.
UPDATE eval_versions v SET set_slot = s.slot
FROM (
  SELECT v.id, (row_number() OVER (PARTITION BY e.eval_set_id ORDER BY v.created_at, v.id) - 1)::integer AS slot
  FROM eval_versions v JOIN evals e ON e.id = v.eval_id
) s
WHERE v.id = s.id;
--> statement-breakpoint
UPDATE eval_sets s SET version_slots = (SELECT count(*) FROM eval_versions v JOIN evals e ON e.id = v.eval_id WHERE e.eval_set_id = s.id);
--> statement-breakpoint
INSERT INTO set_traces (eval_set_id, trace_id, workspace_id, label, reviewers)
SELECT f.eval_set_id, f.trace_id, min(f.workspace_id),
  coalesce(max(r.label), CASE WHEN min(f.label) = max(f.label) THEN min(f.label) END),
  count(*)::integer
FROM feedback f
LEFT JOIN resolutions r ON r.eval_set_id = f.eval_set_id AND r.trace_id = f.trace_id
GROUP BY f.eval_set_id, f.trace_id;
--> statement-breakpoint
INSERT INTO set_traces (eval_set_id, trace_id, workspace_id, verdicts)
SELECT e.eval_set_id, x.trace_id, min(x.workspace_id), verdicts_with(''::bytea, array_agg(v.set_slot), array_agg(verdict_code(x.passed, x.error_kind)))
FROM executions x
JOIN eval_versions v ON v.id = x.eval_version_id
JOIN evals e ON e.id = v.eval_id
GROUP BY e.eval_set_id, x.trace_id
ON CONFLICT (eval_set_id, trace_id) DO UPDATE SET verdicts = excluded.verdicts;
--> statement-breakpoint
CREATE TRIGGER "eval_versions_set_slot" BEFORE INSERT ON "eval_versions" FOR EACH ROW EXECUTE FUNCTION eval_version_set_slot();
--> statement-breakpoint
CREATE TRIGGER "feedback_set_labels_insert" AFTER INSERT ON "feedback" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION set_labels_changed();
--> statement-breakpoint
CREATE TRIGGER "feedback_set_labels_update" AFTER UPDATE ON "feedback" REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION set_labels_changed();
--> statement-breakpoint
CREATE TRIGGER "feedback_set_labels_delete" AFTER DELETE ON "feedback" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION set_labels_changed();
--> statement-breakpoint
CREATE TRIGGER "resolutions_set_labels_insert" AFTER INSERT ON "resolutions" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION set_labels_changed();
--> statement-breakpoint
CREATE TRIGGER "resolutions_set_labels_update" AFTER UPDATE ON "resolutions" REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION set_labels_changed();
--> statement-breakpoint
CREATE TRIGGER "resolutions_set_labels_delete" AFTER DELETE ON "resolutions" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION set_labels_changed();
--> statement-breakpoint
CREATE TRIGGER "executions_set_verdicts_insert" AFTER INSERT ON "executions" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION set_verdicts_changed();
--> statement-breakpoint
CREATE TRIGGER "executions_set_verdicts_update" AFTER UPDATE ON "executions" REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION set_verdicts_changed();
--> statement-breakpoint
CREATE TRIGGER "executions_set_verdicts_delete" AFTER DELETE ON "executions" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION set_verdicts_changed();
