// Every job type the workers run, one file per job.
import type { JobDefinition } from "../definition";

export const jobDefinitions: JobDefinition<any>[] = [];
