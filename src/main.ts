// Boot: config → database → migrations → first admin → worker → listen.
import { createApp } from "./app";
import { boot, ensureHeadlessAdmin } from "./boot";
import { ConfigError } from "./config";
import { DataDirLockedError } from "./db/pglite-lock";
import { jobDefinitions } from "./jobs/definitions";
import { createJobEventHub } from "./jobs/event-hub";
import { startScheduler } from "./jobs/scheduler";
import { startWorker } from "./jobs/worker";
import { sandboxSelfTest, WarmPool } from "./sandbox";

async function main() {
  const booted = await boot("server");
  const { config, database, logger } = booted;
  await ensureHeadlessAdmin(booted);
  const jobEvents = await createJobEventHub(database);
  const worker = config.IOFOLD_WORKER
    ? await startWorker({ database, definitions: jobDefinitions, logger, concurrency: config.WORKER_CONCURRENCY })
    : null;
  if (worker) startScheduler({ database, logger });
  const scoringPool = new WarmPool({ timeoutMs: config.SANDBOX_TIMEOUT_MS });
  const app = createApp({ ...booted, jobEvents, jobDefinitions, scoringPool }).listen({ port: config.PORT, hostname: config.HOST, maxRequestBodySize: 16 * 1024 ** 3 /* trace file uploads stream to disk */ });
  logger.info(`iofold listening on http://${config.HOST === "0.0.0.0" ? "localhost" : config.HOST}:${app.server?.port}`, {
    worker: worker ? `in-process, ${config.WORKER_CONCURRENCY} slots` : "off (IOFOLD_WORKER=false)",
  });

  // After listening, so a slow jail never delays readiness; a failure here means every eval run would fail.
  void sandboxSelfTest(config.SANDBOX).then((problem) => {
    if (problem) logger.error(`sandbox self-test failed: evals cannot run until this is fixed — ${problem}`);
    else logger.info("sandbox self-test passed");
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal} received, shutting down`);
    await app.stop();
    await worker?.stop();
    await jobEvents.close();
    scoringPool.close();
    await database.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((error) => {
  if (error instanceof ConfigError || error instanceof DataDirLockedError) {
    console.error(error.message);
    process.exit(2);
  }
  console.error(error);
  process.exit(1);
});
