// Job logic for the UI and API: listing, reading, cancelling, pausing, and streaming events as they happen.
import type { Database } from "../../db/client";
import { AppError, NotFoundError } from "../../http/errors";
import type { JobEventHub } from "../../jobs/event-hub";
import { requestCancel, requestPause, resumeJob, TERMINAL_STATUSES, type Job, type JobEvent } from "../../jobs/queue";
import * as q from "./queries";

export async function listJobPage(database: Database, workspaceId: string, before: string | null) {
  const { rows, hasMore } = await q.listJobs(database.db, workspaceId, before, 50);
  return { rows, nextBefore: hasMore ? (rows.at(-1)?.id ?? null) : null };
}

export async function getJob(database: Database, workspaceId: string, id: string): Promise<Job> {
  const job = await q.findJob(database.db, workspaceId, id);
  if (!job) throw new NotFoundError("Job");
  return job;
}

export const isTerminal = (job: Job) => (TERMINAL_STATUSES as readonly string[]).includes(job.status);

export async function cancelJob(database: Database, workspaceId: string, id: string) {
  const job = await getJob(database, workspaceId, id);
  if (isTerminal(job)) throw new AppError(409, "job_finished", `This job has already ${job.status}.`);
  await requestCancel(database, workspaceId, id);
  return getJob(database, workspaceId, id);
}

export async function pauseJob(database: Database, workspaceId: string, id: string) {
  if (!(await requestPause(database, workspaceId, id))) throw new AppError(409, "not_running", "Only a running job can be paused.");
  return getJob(database, workspaceId, id);
}

export async function resume(database: Database, workspaceId: string, id: string) {
  if (!(await resumeJob(database, workspaceId, id))) throw new AppError(409, "not_paused", "Only a paused job can be resumed.");
  return getJob(database, workspaceId, id);
}

/**
 * Yields the job's events after `afterId`, then waits for new ones (NOTIFY), until the job has ended
 * and every event is delivered, or the client goes away.
 */
export async function* followJobEvents(
  database: Database,
  hub: JobEventHub,
  job: Job,
  afterId: number,
  signal: AbortSignal,
): AsyncGenerator<{ event: JobEvent; job: Job }> {
  let wake: (() => void) | null = null;
  let pending = true;
  const unsubscribe = hub.subscribe(job.id, () => {
    pending = true;
    wake?.();
  });
  const onAbort = () => wake?.();
  signal.addEventListener("abort", onAbort);
  try {
    let cursor = afterId;
    while (!signal.aborted) {
      if (!pending) {
        // The periodic re-check also covers a NOTIFY missed while a listener reconnected.
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 5000);
        });
        wake = null;
      }
      pending = false;
      const events = await q.eventsAfter(database.db, job.id, cursor);
      const latest = await q.findJob(database.db, job.workspaceId, job.id);
      if (!latest) return;
      for (const event of events) {
        cursor = event.id;
        yield { event, job: latest };
      }
      if (events.length === 500) pending = true;
      else if (isTerminal(latest)) {
        // Events written between the two reads above are still delivered before the stream ends.
        if ((await q.eventsAfter(database.db, job.id, cursor, 1)).length === 0) return;
        pending = true;
      }
    }
  } finally {
    unsubscribe();
    signal.removeEventListener("abort", onAbort);
  }
}
