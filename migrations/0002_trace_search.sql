ALTER TABLE "traces" ADD COLUMN "search_vector" "tsvector";--> statement-breakpoint
CREATE INDEX "traces_tool_names_idx" ON "traces" USING gin ("tool_names");--> statement-breakpoint
CREATE INDEX "traces_models_idx" ON "traces" USING gin ("models");--> statement-breakpoint
CREATE INDEX "traces_user_idx" ON "traces" USING btree ("workspace_id","user_id");--> statement-breakpoint
CREATE INDEX "traces_session_idx" ON "traces" USING btree ("workspace_id","session_id");--> statement-breakpoint
CREATE INDEX "traces_search_idx" ON "traces" USING gin ("search_vector");