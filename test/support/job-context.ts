// Runs a job handler in-process with an in-memory JobContext that can simulate a kill after N checkpoints (tests and benches).
import type { Database } from "../../src/db/client";
import { JobCancelledError, type JobContext } from "../../src/jobs/definition";
import type { Job } from "../../src/jobs/queue";

export class SimulatedKill extends Error {}

export interface FakeRun<P> {
  ctx: JobContext<P>;
  logs: string[];
  progress: Array<Record<string, unknown>>;
  /** The last checkpoint saved: pass it to the next run to resume. */
  saved: () => Record<string, unknown> | null;
}

export function fakeJobContext<P>(
  database: Database,
  options: { workspaceId: string; payload: P; checkpoint?: Record<string, unknown> | null; createdAt?: Date; killAfterCheckpoints?: number; stopAfterCheckpoints?: number },
): FakeRun<P> {
  let saved = options.checkpoint ?? null;
  let checkpoints = 0;
  const logs: string[] = [];
  const progress: Array<Record<string, unknown>> = [];
  const controller = new AbortController();
  const job = {
    id: "job-under-test",
    workspaceId: options.workspaceId,
    payload: options.payload,
    checkpoint: saved,
    createdAt: options.createdAt ?? new Date(),
    attempts: 1,
  } as unknown as Job;
  const ctx: JobContext<P> = {
    job,
    payload: options.payload,
    database,
    signal: controller.signal,
    progress: async (data) => {
      progress.push(data);
    },
    log: async (message) => {
      logs.push(message);
    },
    checkpoint: async (state) => {
      saved = structuredClone(state);
      checkpoints += 1;
      if (options.killAfterCheckpoints !== undefined && checkpoints >= options.killAfterCheckpoints) throw new SimulatedKill(`killed after checkpoint ${checkpoints}`);
      if (options.stopAfterCheckpoints !== undefined && checkpoints >= options.stopAfterCheckpoints) controller.abort(new JobCancelledError("pause"));
    },
    throwIfStopped: () => {
      if (controller.signal.aborted) throw controller.signal.reason;
    },
  };
  return { ctx, logs, progress, saved: () => saved };
}
