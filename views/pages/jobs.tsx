// The jobs list and one job's live view (progress streamed over SSE, resumed after a reload).
import type { Job, JobEvent } from "../../src/jobs/queue";
import { formatDate } from "../components/format";
import { JobEventLine, JobProgress, JobStatusBadge } from "../components/job-status";

export function JobsListPage({ jobs, nextHref }: { jobs: Job[]; nextHref: string | null }) {
  return (
    <section>
      <h1>Jobs</h1>
      {jobs.length === 0 ? (
        <p class="empty-state">No background jobs yet. Imports, eval runs and generations appear here.</p>
      ) : (
        <table>
          <thead>
            <tr><th>Created</th><th>Type</th><th>Status</th><th>Progress</th><th>Attempts</th></tr>
          </thead>
          <tbody>
            {jobs.map((job) => (
              <tr>
                <td class="nowrap"><a href={`/jobs/${job.id}`} safe>{formatDate(job.createdAt)}</a></td>
                <td><a href={`/jobs/${job.id}`} safe>{job.type}</a></td>
                <td><JobStatusBadge status={job.status} /></td>
                <td>{job.progress.total ? `${String(job.progress.done ?? 0)} / ${String(job.progress.total)}` : ""}</td>
                <td class="num" safe>{`${job.attempts} / ${job.maxAttempts}`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {nextHref ? <a href={nextHref} rel="next">Older →</a> : ""}
    </section>
  );
}

const ACTIVE = new Set(["queued", "running", "paused"]);

export function JobControls({ job }: { job: Job }) {
  return (
    <div class="job-controls" id="job-controls">
      {job.status === "running" ? <button hx-post={`/jobs/${job.id}/pause`} hx-target="#job-controls" hx-swap="outerHTML">Pause</button> : ""}
      {job.status === "paused" ? <button hx-post={`/jobs/${job.id}/resume`} hx-target="#job-controls" hx-swap="outerHTML">Resume</button> : ""}
      {ACTIVE.has(job.status) && job.requestedState !== "cancel" ? (
        <button class="danger" hx-post={`/jobs/${job.id}/cancel`} hx-target="#job-controls" hx-swap="outerHTML" hx-confirm="Cancel this job?">
          Cancel
        </button>
      ) : ""}
      {job.requestedState ? <span class="muted" safe>{`${job.requestedState} requested…`}</span> : ""}
    </div>
  );
}

export function JobDetailPage({ job, events }: { job: Job; events: JobEvent[] }) {
  const lastEventId = events.at(-1)?.id ?? 0;
  return (
    <section class="job-detail">
      <p class="crumbs"><a href="/jobs">Jobs</a> /</p>
      <h1 safe>{job.type}</h1>
      <dl class="facts">
        <div><dt>Created</dt><dd safe>{formatDate(job.createdAt)}</dd></div>
        <div><dt>Started</dt><dd safe>{formatDate(job.startedAt)}</dd></div>
        <div><dt>Finished</dt><dd safe>{formatDate(job.finishedAt)}</dd></div>
        <div><dt>Attempts</dt><dd safe>{`${job.attempts} / ${job.maxAttempts}`}</dd></div>
      </dl>
      <div id="job-progress">
        <JobProgress job={job} />
      </div>
      <JobControls job={job} />
      {ACTIVE.has(job.status) ? (
        <div hx-sse:connect={`/jobs/${job.id}/events?after=${lastEventId}`} hx-sse:close="done" hx-swap="none" id="job-stream"></div>
      ) : ""}
      <h2>Log</h2>
      <ol id="job-log" class="job-log">
        {events.map((event) => (
          <JobEventLine event={event} />
        ))}
      </ol>
      {job.result ? (
        <details class="panel" open>
          <summary><h2>Result</h2></summary>
          <pre class="content" safe>{JSON.stringify(job.result, null, 2)}</pre>
        </details>
      ) : ""}
    </section>
  );
}

/** One SSE message: refresh progress and controls, append the event's log line. */
export function JobStreamUpdate({ job, event }: { job: Job; event: JobEvent }) {
  return (
    <>
      <hx-partial hx-target="#job-progress" hx-swap="innerHTML">
        <JobProgress job={job} />
      </hx-partial>
      <hx-partial hx-target="#job-controls" hx-swap="outerHTML">
        <JobControls job={job} />
      </hx-partial>
      <hx-partial hx-target="#job-log" hx-swap="beforeend">
        <JobEventLine event={event} />
      </hx-partial>
    </>
  );
}
