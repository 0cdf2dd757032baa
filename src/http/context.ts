// What every route may use: configuration, secrets, the database, the logger, and job plumbing.
import type { Config } from "../config";
import type { Database } from "../db/client";
import type { JobDefinition } from "../jobs/definition";
import type { JobEventHub } from "../jobs/event-hub";
import type { Logger } from "../logger";
import type { Secrets } from "../secrets";
import type { WarmPool } from "../sandbox";

export interface AppDeps {
  config: Config;
  secrets: Secrets;
  database: Database;
  logger: Logger;
  jobEvents: JobEventHub;
  jobDefinitions: JobDefinition<any>[];
  /** Warm jailed interpreters per eval version, so scoring one trace online pays no process start. */
  scoringPool: WarmPool;
}
