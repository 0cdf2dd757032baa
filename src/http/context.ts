// What every route may use: configuration, secrets, the database, the logger, and job plumbing.
import type { Config } from "../config";
import type { Database } from "../db/client";
import type { JobDefinition } from "../jobs/definition";
import type { JobEventHub } from "../jobs/event-hub";
import type { Logger } from "../logger";
import type { Secrets } from "../secrets";

export interface AppDeps {
  config: Config;
  secrets: Secrets;
  database: Database;
  logger: Logger;
  jobEvents: JobEventHub;
  jobDefinitions: JobDefinition<any>[];
}
