// Eval generation tables: generation runs, their scored candidates, and the LLM response cache.
import { boolean, doublePrecision, index, integer, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, idColumn, tstz } from "./columns";
import { users, workspaces } from "./identity";
import { evals, evalSets, evalVersions } from "./evals";

export const generationKinds = ["generate", "refine"] as const;
export const generationStatuses = ["running", "succeeded", "failed"] as const;

/** One generation or refinement: which labels it used, how it was configured, what it chose. */
export const generationRuns = pgTable("generation_runs", {
  id: idColumn(),
  workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
  evalSetId: text("eval_set_id").notNull().references(() => evalSets.id, { onDelete: "cascade" }),
  evalId: text("eval_id").notNull().references(() => evals.id, { onDelete: "cascade" }),
  jobId: text("job_id"),
  kind: text("kind", { enum: generationKinds }).notNull(),
  status: text("status", { enum: generationStatuses }).notNull().default("running"),
  /** What the user asked for: generators, samples, folds, token budget. */
  params: jsonb("params").$type<Record<string, unknown>>().notNull().default({}),
  /** Positive/negative labels used, neutral labels excluded, and the refinement's base version. */
  labelSummary: jsonb("label_summary").$type<Record<string, unknown>>().notNull().default({}),
  /** Refinement only: base vs new on the same held-out folds. */
  comparison: jsonb("comparison").$type<Record<string, unknown>>(),
  lowConfidence: jsonb("low_confidence").$type<{ reason: string; suggestion: string }>(),
  chosenVersionId: text("chosen_version_id").references(() => evalVersions.id, { onDelete: "set null" }),
  error: text("error"),
  createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
  createdAt: createdAt(),
  finishedAt: tstz("finished_at"),
}, (t) => [index("generation_runs_eval_idx").on(t.workspaceId, t.evalId)]);

export const candidateOrigins = ["llm", "synthesizer"] as const;

/** One candidate eval of a run, with its cross-validated agreement; kept whether chosen or not. */
export const generationCandidates = pgTable("generation_candidates", {
  id: idColumn(),
  workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
  runId: text("run_id").notNull().references(() => generationRuns.id, { onDelete: "cascade" }),
  /** Position in the run, so a retried job replaces rather than duplicates. */
  ordinal: integer("ordinal").notNull(),
  origin: text("origin", { enum: candidateOrigins }).notNull(),
  label: text("label").notNull(),
  code: text("code"),
  /** Held-out agreement under k-fold CV (AgreementMetrics), per-fold notes, and the training-label fit. */
  cvMetrics: jsonb("cv_metrics").$type<Record<string, unknown>>(),
  trainMetrics: jsonb("train_metrics").$type<Record<string, unknown>>(),
  foldNotes: jsonb("fold_notes").$type<string[]>().notNull().default([]),
  /** Non-blank code lines: ties in kappa go to the simpler candidate. */
  complexity: integer("complexity"),
  chosen: boolean("chosen").notNull().default(false),
  error: text("error"),
  prompt: text("prompt"),
  model: text("model"),
  /** Null since API version 2026-10-21 takes no sampling parameters; kept for a gateway that does. */
  temperature: doublePrecision("temperature"),
  tokensIn: integer("tokens_in").notNull().default(0),
  tokensOut: integer("tokens_out").notNull().default(0),
  costUsd: doublePrecision("cost_usd").notNull().default(0),
  createdAt: createdAt(),
}, (t) => [uniqueIndex("generation_candidates_run_idx").on(t.runId, t.ordinal)]);

/** A model response by request hash: re-running a generation does not pay twice. */
export const llmCache = pgTable("llm_cache", {
  id: idColumn(),
  workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
  requestHash: text("request_hash").notNull(),
  model: text("model").notNull(),
  responseText: text("response_text").notNull(),
  tokensIn: integer("tokens_in").notNull(),
  tokensOut: integer("tokens_out").notNull(),
  createdAt: createdAt(),
}, (t) => [uniqueIndex("llm_cache_request_idx").on(t.workspaceId, t.requestHash)]);
