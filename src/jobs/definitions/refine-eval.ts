// Job "eval.refine": feeds the active version's contradictions back to the generator and compares old vs new on the same folds.
import { REFINE_EVAL_JOB } from "../../modules/generation/model";
import { generationJob } from "./generate-eval";

export const refineEvalJob = generationJob(REFINE_EVAL_JOB);
