-- Run results write a row in executions and one in set_traces per trace; neither needs its own check that the
-- workspace exists: the eval version's, the eval set's and the trace's cascades already remove both with it.
ALTER TABLE "executions" DROP CONSTRAINT "executions_workspace_id_workspaces_id_fk";
--> statement-breakpoint
ALTER TABLE "set_traces" DROP CONSTRAINT "set_traces_workspace_id_workspaces_id_fk";
