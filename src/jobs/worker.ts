// The worker loop: claims jobs, runs their handlers with a heartbeat, and records the outcome.
import { eq } from "drizzle-orm";
import type { Database } from "../db/client";
import { startPgliteVacuum } from "../db/pglite-vacuum";
import { jobs } from "../db/schema";
import type { Logger } from "../logger";
import { JobCancelledError, PermanentJobError, type JobContext, type JobDefinition } from "./definition";
import { appendJobEvent, claimJob, failJob, finishJob, heartbeat, JOBS_CHANNEL, type Job } from "./queue";

export interface WorkerOptions {
  database: Database;
  definitions: JobDefinition<any>[];
  logger: Logger;
  concurrency?: number;
  leaseMs?: number;
  /** How often idle slots look for due retries and expired leases without a NOTIFY. */
  pollMs?: number;
  workerId?: string;
}

export interface Worker {
  id: string;
  stop(): Promise<void>;
}

export async function startWorker(options: WorkerOptions): Promise<Worker> {
  const { database, logger } = options;
  const leaseMs = options.leaseMs ?? 30_000;
  const pollMs = options.pollMs ?? 1000;
  const workerId = options.workerId ?? `${process.pid}-${Bun.randomUUIDv7().slice(-8)}`;
  const byType = new Map(options.definitions.map((d) => [d.type, d]));
  const types = [...byType.keys()];
  let stopping = false;
  const sleepers = new Set<() => void>();
  const wake = () => {
    for (const resolve of sleepers) resolve();
    sleepers.clear();
  };
  const unlisten = await database.listen(JOBS_CHANNEL, wake);
  // Jobs are what write in bulk (imports, eval runs): the embedded database is tidied after each, as autovacuum would.
  const vacuum = startPgliteVacuum(database, logger);
  for (const definition of options.definitions) definition.prepare?.(database);

  const sleep = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, pollMs);
      sleepers.add(done);
    });

  async function slot(): Promise<void> {
    while (!stopping) {
      let job: Job | null = null;
      try {
        job = await claimJob(database.db, workerId, types, leaseMs);
      } catch (error) {
        logger.error("job claim failed", { error: String(error) });
      }
      if (!job) {
        await sleep();
        continue;
      }
      await runJob(job);
      await vacuum.now();
    }
  }

  async function runJob(job: Job): Promise<void> {
    const definition = byType.get(job.type)!;
    const controller = new AbortController();
    let stopState: "cancel" | "pause" | "lost" | null = null;
    const beat = setInterval(async () => {
      try {
        const state = await heartbeat(database.db, job.id, workerId, leaseMs);
        if (state !== "ok" && !stopState) {
          stopState = state;
          controller.abort(new JobCancelledError(state));
        }
      } catch (error) {
        logger.warn("job heartbeat failed", { jobId: job.id, error: String(error) });
      }
    }, Math.max(50, Math.min(2000, Math.floor(leaseMs / 3))));

    const ctx: JobContext<any> = {
      job,
      payload: job.payload,
      database,
      signal: controller.signal,
      progress: (data) => appendJobEvent(database, job.id, "progress", data),
      log: (message, data) => appendJobEvent(database, job.id, "log", { message, ...data }),
      checkpoint: async (state) => {
        await database.db.update(jobs).set({ checkpoint: state }).where(eq(jobs.id, job.id));
      },
      throwIfStopped: () => {
        if (stopState) throw new JobCancelledError(stopState);
      },
    };

    logger.info("job started", { jobId: job.id, type: job.type, attempt: job.attempts });
    await appendJobEvent(database, job.id, "status", { status: "running", attempt: job.attempts });
    try {
      const result = (await definition.run(ctx)) ?? {};
      // A stop requested after the last checkpoint does not undo finished work.
      await finishJob(database, job.id, workerId, { status: "succeeded", result });
      logger.info("job succeeded", { jobId: job.id, type: job.type });
    } catch (error) {
      if (error instanceof JobCancelledError || (controller.signal.aborted && controller.signal.reason instanceof JobCancelledError)) {
        const state = error instanceof JobCancelledError ? error.state : (controller.signal.reason as JobCancelledError).state;
        if (state !== "lost") await finishJob(database, job.id, workerId, { status: state === "pause" ? "paused" : "cancelled" });
        logger.info(`job ${state === "lost" ? "lease lost" : state === "pause" ? "paused" : "cancelled"}`, { jobId: job.id });
      } else {
        // drizzle wraps the driver's error: its cause says what actually went wrong.
        const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
        const message = error instanceof Error ? `${error.message.split("\n")[0]}${cause}` : String(error);
        logger.error("job failed", { jobId: job.id, type: job.type, error: message });
        await failJob(database, job, workerId, message, !(error instanceof PermanentJobError));
      }
    } finally {
      clearInterval(beat);
    }
  }

  const slots = Array.from({ length: options.concurrency ?? 2 }, () => slot());
  logger.info("worker started", { workerId, concurrency: slots.length, types });
  return {
    id: workerId,
    async stop() {
      stopping = true;
      wake();
      await Promise.all(slots);
      await vacuum.stop();
      await unlisten();
    },
  };
}
