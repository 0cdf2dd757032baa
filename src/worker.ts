// `bun run worker`: a worker-only process, the way to scale out job processing on Postgres.
import { boot } from "./boot";
import { ConfigError } from "./config";
import { DataDirLockedError } from "./db/pglite-lock";
import { jobDefinitions } from "./jobs/definitions";
import { startWorker } from "./jobs/worker";

async function main() {
  const { config, database, logger } = await boot("worker");
  if (config.database.kind === "pglite") {
    logger.warn("a separate worker on the embedded database holds it alone; scale out workers on Postgres (DATABASE_URL)");
  }
  const worker = await startWorker({ database, definitions: jobDefinitions, logger, concurrency: config.WORKER_CONCURRENCY });
  const shutdown = async () => {
    await worker.stop();
    await database.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown());
  process.on("SIGINT", () => void shutdown());
}

main().catch((error) => {
  console.error(error instanceof ConfigError || error instanceof DataDirLockedError ? error.message : error);
  process.exit(error instanceof ConfigError || error instanceof DataDirLockedError ? 2 : 1);
});
