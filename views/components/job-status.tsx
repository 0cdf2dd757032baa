// A job's status badge, progress bar and one event's log line: rendered on the page and streamed over SSE.
import type { Job, JobEvent } from "../../src/jobs/queue";
import { formatDate } from "./format";

export function JobStatusBadge({ status }: { status: string }) {
  return <span class={`badge status-${status}`} safe>{status}</span>;
}

export function JobProgress({ job }: { job: Job }) {
  const done = Number(job.progress.done ?? 0);
  const total = Number(job.progress.total ?? 0);
  const percent = total > 0 ? Math.min(100, Math.round((done / total) * 100)) : job.status === "succeeded" ? 100 : 0;
  const extra = Object.entries(job.progress).filter(([key]) => key !== "done" && key !== "total");
  return (
    <div class="job-progress" data-status={job.status}>
      <JobStatusBadge status={job.status} />
      <progress max="100" value={String(percent)} aria-label="Progress"></progress>
      <span class="progress-count">{total > 0 ? `${done.toLocaleString("en-US")} / ${total.toLocaleString("en-US")}` : ""}</span>
      {extra.map(([key, value]) => (
        <span class="progress-extra" safe>{`${key}: ${typeof value === "number" ? value.toLocaleString("en-US") : String(value)}`}</span>
      ))}
      {job.error && job.status !== "succeeded" ? <p class="error-text" safe>{job.error}</p> : ""}
    </div>
  );
}

/** Progress events update the bar only; status changes and log messages become lines. */
export function JobEventLine({ event }: { event: JobEvent }) {
  if (event.kind === "progress") return "";
  const text =
    event.kind === "status"
      ? `Status: ${String(event.data.status)}${event.data.attempt ? ` (attempt ${String(event.data.attempt)})` : ""}${event.data.error ? ` — ${String(event.data.error)}` : ""}`
      : String(event.data.message ?? "");
  return (
    <li data-event-id={String(event.id)}>
      <time safe>{formatDate(event.createdAt)}</time> <span safe>{text}</span>
    </li>
  );
}
