// Every job type the workers run, one file per job.
import type { JobDefinition } from "../definition";
import { fileImportJob } from "./file-import";
import { generateEvalJob } from "./generate-eval";
import { langfuseImportJob } from "./langfuse-import";
import { langfuseScorePushJob } from "./langfuse-score-push";
import { refineEvalJob } from "./refine-eval";
import { runEvalJob } from "./run-eval";

export const jobDefinitions: JobDefinition<any>[] = [runEvalJob, generateEvalJob, refineEvalJob, langfuseImportJob, fileImportJob, langfuseScorePushJob];
