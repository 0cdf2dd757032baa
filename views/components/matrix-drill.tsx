// A matrix cell opened in place: the verdict, reason, timing, output or error, the code that ran, the trace, and label actions.
import type { Label } from "../../src/db/schema";
import type { NormalizedTrace } from "../../src/modules/traces/normalized-schema";
import { Folded } from "./folded";
import { formatDate, formatDuration } from "./format";
import { StepTree } from "./step-tree";

export interface DrillProps {
  evalSetId: string;
  trace: { id: string; name: string | null; source: string; externalId: string; timestamp: Date; normalized: NormalizedTrace | null };
  version: { id: string; version: number; evalName: string; code: string; timeoutMs: number } | null;
  execution: {
    passed: boolean | null;
    reason: string | null;
    errorKind: string | null;
    errorMessage: string | null;
    traceback: string | null;
    stdout: string | null;
    durationMs: number | null;
    createdAt: Date;
  } | null;
  votes: { userId: string; name: string; label: Label; note: string }[];
  truth: Label | null;
  myLabel: Label | null;
  /** Shown versions and reviewer columns, so a relabel can redraw the row with the same columns. */
  shownVersionIds: string[];
  shownReviewerIds: string[];
  notice?: string;
}

const LABEL_TEXT: Record<Label, string> = { positive: "pass", negative: "fail", neutral: "neutral" };

function Verdict({ execution }: { execution: NonNullable<DrillProps["execution"]> }) {
  if (execution.errorKind) return <span class="badge error" safe>{`errored: ${execution.errorKind}`}</span>;
  return execution.passed ? <span class="badge ok">pass</span> : <span class="badge error">fail</span>;
}

export function MatrixDrill(props: DrillProps) {
  const { trace, version, execution } = props;
  const n = trace.normalized;
  const vals = (extra: Record<string, string>) => JSON.stringify({ trace_id: trace.id, version_id: version?.id ?? "", v: props.shownVersionIds.join(","), r: props.shownReviewerIds.join(","), ...extra });
  return (
    <div class="drill" data-drill-trace={trace.id}>
      <header class="drill-head">
        <h2 safe>{trace.name ?? "(unnamed trace)"}</h2>
        <a href={`/traces/${trace.id}`} target="_blank" rel="noopener">Open trace ↗</a>
      </header>
      {props.notice ? <p class="notice" role="status" safe>{props.notice}</p> : ""}
      <dl class="facts">
        <div><dt>Time</dt><dd safe>{formatDate(trace.timestamp)}</dd></div>
        <div><dt>Source</dt><dd safe>{`${trace.source} · ${trace.externalId}`}</dd></div>
        <div><dt>Ground truth</dt><dd class={`truth-${props.truth ?? "none"}`}>{props.truth ? LABEL_TEXT[props.truth] : "none (disputed or unlabelled)"}</dd></div>
      </dl>

      <section class="drill-labels">
        <h4>Labels</h4>
        {props.votes.length === 0 ? <p class="muted">Nobody has labelled this trace in this set.</p> : ""}
        <ul class="votes">
          {props.votes.map((v) => (
            <li>
              <strong safe>{v.name}</strong>: <span class={`vote vote-${v.label}`} safe>{LABEL_TEXT[v.label]}</span>
              {v.note ? <span class="muted note" safe>{` — ${v.note}`}</span> : ""}
            </li>
          ))}
        </ul>
        <div class="relabel" role="group" aria-label="Your label">
          <span class="muted">Your label:</span>
          {(["positive", "negative", "neutral"] as const).map((label) => (
            <button
              type="button"
              class={`small label-${label}${props.myLabel === label ? " chosen" : ""}`}
              hx-post={`/eval-sets/${props.evalSetId}/matrix/label`}
              hx-vals={vals({ label })}
              hx-target="#matrix-drill"
              aria-pressed={props.myLabel === label ? "true" : "false"}
              safe
            >
              {LABEL_TEXT[label]}
            </button>
          ))}
          <button type="button" class="small" hx-post={`/eval-sets/${props.evalSetId}/matrix/queue`} hx-vals={vals({})} hx-target="#matrix-drill">
            Send to review queue
          </button>
        </div>
      </section>

      {version ? (
        <section class="drill-execution">
          <h4 safe>{`${version.evalName} v${version.version}`}</h4>
          {execution ? (
            <>
              <p>
                <Verdict execution={execution} /> <span class="muted" safe>{`${formatDuration(execution.durationMs)} · ran ${formatDate(execution.createdAt)}`}</span>
              </p>
              {execution.reason !== null ? <pre class="content reason" safe>{execution.reason}</pre> : ""}
              {execution.errorMessage !== null ? <pre class="content error-text" safe>{execution.errorMessage}</pre> : ""}
              {execution.traceback ? (
                <details class="panel" open>
                  <summary>Traceback</summary>
                  <pre class="content error-text" safe>{execution.traceback}</pre>
                </details>
              ) : ""}
              {execution.stdout ? (
                <details class="panel">
                  <summary>Captured output</summary>
                  <Folded value={execution.stdout} label="output" />
                </details>
              ) : ""}
            </>
          ) : (
            <p class="muted">This version has not run on this trace yet.</p>
          )}
          <details class="panel">
            <summary safe>{`Code of v${version.version} (timeout ${formatDuration(version.timeoutMs)})`}</summary>
            <pre class="content code" safe>{version.code}</pre>
          </details>
        </section>
      ) : ""}

      <details class="panel drill-trace">
        <summary>The trace</summary>
        {n ? (
          <>
            <div class="io">
              <div><h4>Input</h4><Folded value={n.input} label="input" /></div>
              <div><h4>Output</h4><Folded value={n.output} label="output" /></div>
            </div>
            <StepTree steps={n.steps} />
          </>
        ) : (
          <p class="muted">This trace could not be normalized.</p>
        )}
      </details>
    </div>
  );
}
