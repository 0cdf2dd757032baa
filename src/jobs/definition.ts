// What a job handler is: its type name, retry policy, and a run function given a context to report through.
import type { Database } from "../db/client";
import type { Job } from "./queue";

export class JobCancelledError extends Error {
  constructor(public readonly state: "cancel" | "pause" | "lost") {
    super(`job stopped: ${state}`);
  }
}

/** A failure that retrying cannot fix (bad payload, missing row): the job fails at once. */
export class PermanentJobError extends Error {}

export interface JobContext<Payload> {
  job: Job;
  payload: Payload;
  database: Database;
  /** Aborted when the user cancels or pauses, or the lease is lost; handlers pass it to long calls. */
  signal: AbortSignal;
  /** Stores the latest progress ({done, total, …}) and streams it to watchers. */
  progress(data: { done: number; total: number; [key: string]: unknown }): Promise<void>;
  log(message: string, data?: Record<string, unknown>): Promise<void>;
  /** Persists resumable state; a retried or resumed run receives it back in `job.checkpoint`. */
  checkpoint(state: Record<string, unknown>): Promise<void>;
  /** Throws JobCancelledError when the user asked to stop: call between units of work. */
  throwIfStopped(): void;
}

export interface JobDefinition<Payload = Record<string, unknown>> {
  type: string;
  maxAttempts?: number;
  /** Called once when a worker starts serving this type: readies what the first job would otherwise wait for. */
  prepare?(database: Database): void;
  /** Returns the job's result; must be idempotent, since a killed worker's job runs again elsewhere. */
  run(ctx: JobContext<Payload>): Promise<Record<string, unknown> | void>;
}

export function defineJob<Payload>(definition: JobDefinition<Payload>): JobDefinition<Payload> {
  return definition;
}
