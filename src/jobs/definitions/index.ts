// Every job type the workers run, one file per job.
import type { JobDefinition } from "../definition";
import { runEvalJob } from "./run-eval";

export const jobDefinitions: JobDefinition<any>[] = [runEvalJob];
