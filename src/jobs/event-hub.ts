// One LISTEN per process on job events, fanned out to every SSE stream watching that job.
import type { Database } from "../db/client";
import { JOB_EVENTS_CHANNEL } from "./queue";

export interface JobEventHub {
  /** Calls `onEvent` whenever the job has new events; returns the unsubscribe function. */
  subscribe(jobId: string, onEvent: () => void): () => void;
  close(): Promise<void>;
}

export async function createJobEventHub(database: Database): Promise<JobEventHub> {
  const watchers = new Map<string, Set<() => void>>();
  const unlisten = await database.listen(JOB_EVENTS_CHANNEL, (jobId) => {
    for (const notify of watchers.get(jobId) ?? []) notify();
  });
  return {
    subscribe(jobId, onEvent) {
      const set = watchers.get(jobId) ?? new Set();
      set.add(onEvent);
      watchers.set(jobId, set);
      return () => {
        set.delete(onEvent);
        if (set.size === 0) watchers.delete(jobId);
      };
    },
    close: unlisten,
  };
}
