// The comparison matrix page: filters, version choice, run controls with live progress, exports, the grid and the drill-down panel.
import type { Job } from "../../src/jobs/queue";
import type { MatrixFilter, VersionColumn } from "../../src/modules/matrix/model";
import { JobProgress } from "../components/job-status";
import { MatrixTable, versionTitle, type MatrixTableProps } from "../components/matrix-table";

export interface MatrixPageProps extends MatrixTableProps {
  set: { id: string; name: string };
  allVersions: VersionColumn[];
  filter: MatrixFilter;
  /** The current query string without the cursor: the run-over-filter scope and the export links use it. */
  filterQuery: string;
  sources: string[];
  /** Langfuse projects verdicts can be pushed to as scores. */
  integrations: { id: string; name: string }[];
  /** The workspace's saved trace filters: each can be the rows instead of the set's labelled traces. */
  savedFilters: { id: string; name: string }[];
  /** The saved filter the rows come from, if any. */
  source: { name: string } | null;
}

const ERROR_KINDS = ["timeout", "exception", "invalid_return", "memory", "killed", "output_limit"];

function Select({ name, value, options, label }: { name: string; value: string | undefined; options: [string, string][]; label: string }) {
  return (
    <label class="inline">
      <span safe>{label}</span>
      <select name={name}>
        {options.map(([v, text]) => (
          <option value={v} selected={(value ?? "") === v || undefined} safe>{text}</option>
        ))}
      </select>
    </label>
  );
}

export function MatrixPage(props: MatrixPageProps) {
  const f = props.filter;
  const base = `/eval-sets/${props.set.id}/matrix`;
  const shownIds = new Set(props.shown.map((v) => v.id));
  return (
    <section class="matrix-page">
      <link rel="stylesheet" href="/public/css/matrix.css" />
      <script src="/public/js/matrix.js" defer></script>
      <p class="crumbs">
        <a href={`/eval-sets/${props.set.id}`} safe>{props.set.name}</a> /
      </p>
      <h1>Compare: human labels vs eval versions</h1>
      {props.source ? (
        <p class="muted" safe>{`Rows: every trace of the saved filter “${props.source.name}”, labelled in this set or not.`}</p>
      ) : ""}
      <nav class="matrix-links">
        <a href={`/eval-sets/${props.set.id}/metrics`}>Metrics and trends →</a>
        <span class="muted">Export this view:</span>
        {(["csv", "jsonl", "xlsx"] as const).map((format) => (
          <a href={`${base}/export?format=${format}&${props.filterQuery}`} download="" safe>{format.toUpperCase()}</a>
        ))}
        <a href="/exports">Export history</a>
      </nav>

      <form class="filters matrix-filters" method="get" action={base} hx-get={base} hx-target="#matrix-results" hx-push-url="true">
        <Select
          name="rows"
          value={f.rows}
          label="Rows"
          options={[["", "labelled traces of this set"], ...props.savedFilters.map((s): [string, string] => [s.id, `saved filter: ${s.name}`])]}
        />
        <Select name="only" value={f.only} label="Show" options={[["", "all rows"], ["contradictions", "only contradictions"], ["disagreements", "versions disagree"]]} />
        <Select
          name="label"
          value={f.label}
          label="Label"
          options={[["", "any"], ["positive", "pass"], ["negative", "fail"], ["neutral", "neutral"], ["none", "disputed"], ...(f.rows ? [["unlabeled", "unlabelled"] as [string, string]] : [])]}
        />
        <Select
          name="focus"
          value={f.focus}
          label="Version"
          options={[["", "any shown"], ...props.shown.map((v): [string, string] => [v.id, versionTitle(v)])]}
        />
        <Select name="verdict" value={f.verdict} label="Verdict" options={[["", "any"], ["pass", "pass"], ["fail", "fail"], ["error", "errored"], ["none", "not run"]]} />
        <Select name="error" value={f.error} label="Error" options={[["", "any"], ...ERROR_KINDS.map((k): [string, string] => [k, k])]} />
        <Select name="source" value={f.source} label="Source" options={[["", "any"], ...props.sources.map((s): [string, string] => [s, s])]} />
        <label class="inline">From <input type="date" name="from" value={f.from?.toISOString().slice(0, 10) ?? ""} /></label>
        <label class="inline">To <input type="date" name="to" value={f.to?.toISOString().slice(0, 10) ?? ""} /></label>
        <input type="hidden" name="sort" value={f.sort === "time" ? "" : f.sort} />
        <input type="hidden" name="dir" value={f.dir === "desc" ? "" : f.dir} />
        <fieldset class="version-picker">
          <legend>Versions side by side</legend>
          {props.allVersions.length === 0 ? <span class="muted">No eval versions for this set yet.</span> : ""}
          {props.allVersions.map((v) => (
            <label class="inline">
              <input type="checkbox" name="v" value={v.id} checked={shownIds.has(v.id) || undefined} />
              <span safe>{versionTitle(v) + (v.active ? " ★" : "")}</span>
            </label>
          ))}
        </fieldset>
        <button type="submit" class="primary">Apply</button>
        <a href={base}>Reset</a>
      </form>

      {props.allVersions.length ? (
        <form class="run-controls" hx-post={`${base}/run`} hx-target="#matrix-run" method="post" action={`${base}/run`}>
          <strong>Run</strong>
          <select name="version_id" aria-label="Version to run">
            {props.allVersions.map((v) => (
              <option value={v.id} safe>{versionTitle(v)}</option>
            ))}
          </select>
          <Select name="scope" value="set" label="over" options={[["set", "this eval set"], ["filter", "the filtered rows"], ["all", "all traces"]]} />
          <label class="inline"><input type="checkbox" name="only_missing" value="on" checked /> only missing or errored</label>
          <input type="hidden" name="filter" value={props.filterQuery} />
          <button type="submit">Run</button>
        </form>
      ) : ""}
      {props.allVersions.length && props.integrations.length ? (
        <form class="run-controls" hx-post="/langfuse-push" hx-target="#matrix-run" method="post" action="/langfuse-push">
          <strong>Push to Langfuse</strong>
          <select name="version_id" aria-label="Version whose verdicts to push">
            {props.allVersions.map((v) => (
              <option value={v.id} safe>{versionTitle(v)}</option>
            ))}
          </select>
          <label class="inline">
            as scores in
            <select name="integration_id">
              {props.integrations.map((i) => (
                <option value={i.id} safe>{i.name}</option>
              ))}
            </select>
          </label>
          <button type="submit">Push verdicts</button>
        </form>
      ) : ""}
      <div id="matrix-run"></div>

      <p class="legend">
        <span class="cell agrees">agrees</span>
        <span class="cell contradicts">contradicts</span>
        <span class="cell errored">errored</span>
        <span class="cell not-run">not run</span>
        <span class="cell no-truth">no label to compare</span>
        <span class="muted">Arrow keys or h j k l move, Enter opens a cell, Esc closes it.</span>
      </p>

      <div class="matrix-layout">
        <MatrixTable {...props} />
        <aside id="matrix-drill" class="matrix-drill" aria-live="polite">
          <p class="muted">Open a cell to see the verdict, the reason, the code that ran and the trace.</p>
        </aside>
      </div>
    </section>
  );
}

/** A run started from the page: its progress, streamed over SSE by the jobs module into the ids below. */
export function MatrixRunStatus({ job, matrixHref }: { job: Job; matrixHref: string }) {
  return (
    <div class="matrix-run-status">
      <div id="job-progress">
        <JobProgress job={job} />
      </div>
      <div id="job-controls"></div>
      <ol id="job-log" class="job-log" hidden></ol>
      <div hx-sse:connect={`/jobs/${job.id}/events?after=0`} hx-sse:close="done" hx-swap="none"></div>
      <p class="muted">
        <a href={`/jobs/${job.id}`}>Job page</a> · <a href={matrixHref}>Reload the matrix</a> when it finishes.
      </p>
    </div>
  );
}
