// A worker process for the crash test: runs one slow, idempotent job type against DATABASE_URL.
import { sql } from "drizzle-orm";
import { openDatabase } from "../../src/db/client";
import { defineJob } from "../../src/jobs/definition";
import { startWorker } from "../../src/jobs/worker";
import { createLogger } from "../../src/logger";

const STEPS = 20;

/** Each step's effect is keyed by (job, step), so a re-run after a crash writes nothing twice. */
const slowSteps = defineJob<{ stepMs: number }>({
  type: "test.slow-steps",
  maxAttempts: 5,
  async run(ctx) {
    const start = Number(ctx.job.checkpoint?.next ?? 0);
    for (let step = start; step < STEPS; step++) {
      ctx.throwIfStopped();
      await ctx.database.db.execute(
        sql`insert into crash_test_effects (job_id, step, worker_pid) values (${ctx.job.id}, ${step}, ${process.pid}) on conflict do nothing`,
      );
      await ctx.checkpoint({ next: step + 1 });
      await ctx.progress({ done: step + 1, total: STEPS });
      await Bun.sleep(ctx.payload.stepMs);
    }
    return { steps: STEPS, finishedBy: process.pid };
  },
});

const database = await openDatabase({ kind: "postgres", url: process.env.DATABASE_URL!, max: 3 });
await startWorker({
  database,
  definitions: [slowSteps],
  logger: createLogger("warn"),
  concurrency: 1,
  leaseMs: Number(process.env.LEASE_MS ?? 1500),
  pollMs: 200,
});
console.log("ready");
