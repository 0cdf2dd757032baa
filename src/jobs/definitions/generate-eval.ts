// Job "eval.generate": runs a generation (candidates, cross-validation, a new version), streaming its stages to the job view.
import { loadConfig } from "../../config";
import { createAnthropicClient, type LlmClient } from "../../llm/client";
import { GENERATE_EVAL_JOB, type GenerationPayload } from "../../modules/generation/model";
import { executeRun, type Reporter } from "../../modules/generation/service";
import { ValidationError } from "../../http/errors";
import { defineJob, PermanentJobError, type JobContext, type JobDefinition } from "../definition";

/** The Claude client from the environment, or null in offline mode. */
export function llmFromEnvironment(): LlmClient | null {
  const config = loadConfig();
  if (config.llmMode !== "anthropic" || !config.ANTHROPIC_API_KEY) return null;
  return createAnthropicClient({ apiKey: config.ANTHROPIC_API_KEY, baseURL: config.ANTHROPIC_BASE_URL });
}

function reporterFor(ctx: JobContext<GenerationPayload>): Reporter {
  return {
    async stage(message, done, total) {
      await ctx.progress({ done, total, stage: message });
      await ctx.log(message);
    },
    log: (message) => ctx.log(message),
    throwIfStopped: () => ctx.throwIfStopped(),
    signal: ctx.signal,
  };
}

/** Shared by generation and refinement: both are a run row executed to the end, idempotently. */
export function generationJob(type: string, llm: () => LlmClient | null = llmFromEnvironment): JobDefinition<GenerationPayload> {
  return defineJob<GenerationPayload>({
    type,
    maxAttempts: 3,
    async run(ctx) {
      try {
        const result = await executeRun({ database: ctx.database, llm: llm() }, ctx.job.workspaceId, ctx.payload.runId, reporterFor(ctx));
        return { ...result, url: result.versionId ? `/eval-versions/${result.versionId}` : null };
      } catch (error) {
        // Too few labels or nothing to refine will not change on a retry.
        if (error instanceof ValidationError) throw new PermanentJobError(error.message);
        throw error;
      }
    },
  });
}

export const generateEvalJob = generationJob(GENERATE_EVAL_JOB);
