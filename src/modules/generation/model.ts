// Generation inputs (what to generate with, how to validate) and the settings a run records.
import { z } from "zod";
import { DEFAULT_BUDGET } from "../../llm/prompt";

export const GENERATE_EVAL_JOB = "eval.generate";
export const REFINE_EVAL_JOB = "eval.refine";

const formNumber = (min: number, max: number, fallback: number) => z.union([z.number(), z.string().trim()]).optional().transform((v, ctx) => {
  if (v === undefined || v === "") return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) {
    ctx.addIssue({ code: "custom", message: `must be a whole number from ${min} to ${max}` });
    return z.NEVER;
  }
  return n;
});

export const generationSettingsInput = z.object({
  /** "synthesizer", "llm" or both (a form sends one value per ticked box). */
  generators: z
    .union([z.enum(["synthesizer", "llm"]), z.array(z.enum(["synthesizer", "llm"]))])
    .optional()
    .transform((v) => (v === undefined ? undefined : Array.isArray(v) ? [...new Set(v)] : [v])),
  llm_samples: formNumber(1, 4, 2),
  folds: formNumber(3, 10, 5),
  examples_tokens: formNumber(2_000, 150_000, DEFAULT_BUDGET.examplesTokens),
  per_trace_tokens: formNumber(200, 20_000, DEFAULT_BUDGET.perTraceTokens),
  max_tokens: formNumber(1_000, 32_000, 8_000),
  model: z.string().trim().max(100).optional(),
});

export const generateInput = generationSettingsInput.extend({ eval_set_id: z.string().trim().min(1).max(100) });
export const refineInput = generationSettingsInput.extend({ base_version_id: z.string().trim().min(1).max(100).optional() });

export interface GenerationParams {
  generators: ("synthesizer" | "llm")[];
  /** LLM candidates; each sees its own balanced, diverse subset of the examples (the API takes no temperature). */
  llmSamples: number;
  folds: number;
  model: string;
  maxTokens: number;
  budget: { examplesTokens: number; perTraceTokens: number };
  /** Refinement only: the version whose contradictions are fed back. */
  baseVersionId?: string;
}

export interface GenerationPayload {
  runId: string;
}
