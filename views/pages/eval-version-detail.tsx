// One eval version: highlighted code, honest agreement figures, how it was made (prompt, model, cost), its run's candidates.
import type { AgreementMetrics } from "../../src/modules/metrics/agreement";
import type { EvalVersionRow } from "../../src/modules/evals/queries";
import type { GenerationCandidate, GenerationRun } from "../../src/modules/generation/queries";
import { CodeBlock } from "../components/code-python";
import { formatCost, formatDate } from "../components/format";

export interface EvalVersionProps {
  version: EvalVersionRow;
  evaluation: { id: string; name: string; activeVersionId: string | null; evalSetId: string };
  parent: EvalVersionRow | null;
  run: GenerationRun | null;
  candidates: GenerationCandidate[];
  csrfToken: string;
}

interface VersionMetrics {
  cv?: AgreementMetrics;
  train?: AgreementMetrics | null;
  onLabels?: AgreementMetrics;
  validation?: string;
  labels?: { used?: number; negatives?: number; positives?: number; neutralExcluded?: number; tiedExcluded?: number };
  lowConfidence?: { reason: string; suggestion: string } | null;
  comparison?: { baseVersion: number; baseVersionId: string; folds: number; base: { kappa: number; accuracy: number }; refined: { kappa: number; accuracy: number }; baseTrainedOn: number; unseenByBase: number; onUnseen: { base: number; refined: number } | null; gain: number } | null;
  runCostUsd?: number;
  errors?: number;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const interval = (i: { low: number; high: number }, f: (x: number) => string) => `[${f(i.low)}, ${f(i.high)}]`;

function MetricsTable({ columns }: { columns: { title: string; m: AgreementMetrics }[] }) {
  const rows: [string, (m: AgreementMetrics) => string][] = [
    ["Cohen's κ (95% CI)", (m) => `${m.kappa.toFixed(3)} ${interval(m.kappaInterval, (x) => x.toFixed(2))}`],
    ["Accuracy (Wilson 95% CI)", (m) => `${pct(m.accuracy)} ${interval(m.accuracyInterval, pct)}`],
    ["Precision (fail)", (m) => pct(m.precisionFail)],
    ["Recall (fail) = coverage", (m) => pct(m.recallFail)],
    ["F1 (fail)", (m) => m.f1Fail.toFixed(3)],
    ["False-failure rate", (m) => pct(m.falseFailureRate)],
    ["Labels", (m) => `${m.n} (${m.confusion.failCaught + m.confusion.failMissed} fail)`],
  ];
  return (
    <table class="metrics">
      <thead><tr><th></th>{columns.map((c) => <th safe>{c.title}</th>)}</tr></thead>
      <tbody>
        {rows.map(([name, f]) => (
          <tr><th safe>{name}</th>{columns.map((c) => <td class="num" safe>{f(c.m)}</td>)}</tr>
        ))}
      </tbody>
    </table>
  );
}

function Comparison({ c }: { c: NonNullable<VersionMetrics["comparison"]> }) {
  return (
    <div class="panel" id="comparison">
      <h2>Refinement: old vs new on the same held-out folds</h2>
      <table class="metrics">
        <thead><tr><th></th><th safe>{`v${c.baseVersion} (base)`}</th><th>this version</th></tr></thead>
        <tbody>
          <tr><th>κ over {c.folds} folds</th><td class="num" safe>{c.base.kappa.toFixed(3)}</td><td class="num" safe>{c.refined.kappa.toFixed(3)}</td></tr>
          <tr><th>Accuracy</th><td class="num" safe>{pct(c.base.accuracy)}</td><td class="num" safe>{pct(c.refined.accuracy)}</td></tr>
          {c.onUnseen ? <tr><th safe>{`κ on the ${c.unseenByBase} labels the base never saw`}</th><td class="num" safe>{c.onUnseen.base.toFixed(3)}</td><td class="num" safe>{c.onUnseen.refined.toFixed(3)}</td></tr> : ""}
        </tbody>
      </table>
      <p class="muted" safe>
        {`The new code was written on each fold without that fold's labels, so its figure is held out. The base was trained on ${c.baseTrainedOn} of these labels, so its figure is optimistic. ${c.gain > 0 ? `Held-out gain: +${c.gain.toFixed(3)} κ.` : "No held-out gain: keep the base active unless you prefer this code."}`}
      </p>
    </div>
  );
}

export function EvalVersionPage(props: EvalVersionProps) {
  const { version, evaluation, parent, run, candidates } = props;
  const metrics = (version.metrics ?? {}) as VersionMetrics;
  const active = evaluation.activeVersionId === version.id;
  const origin = { llm: "Claude", synthesizer: "offline synthesizer", manual: "hand-edited" }[version.origin];
  return (
    <section class="eval-version">
      <p class="crumbs"><a href="/evals">Evals</a> / <a href={`/evals/${evaluation.id}`} safe>{evaluation.name}</a> /</p>
      <h1>
        <span safe>{`v${version.version}`}</span> <span class="muted" safe>{origin}</span>
        {active ? <span class="badge ok" id="active-badge">active</span> : ""}
      </h1>
      <div class="actions">
        {active ? "" : (
          <form method="post" action={`/eval-versions/${version.id}/activate`} class="inline">
            <input type="hidden" name="_csrf" value={props.csrfToken} />
            <button type="submit" class="primary">Activate</button>
          </form>
        )}
        <a class="button" href={`/eval-versions/${version.id}/edit`}>Edit as a new version</a>
        {parent ? <a class="button" href={`/evals/${evaluation.id}/diff?from=${parent.id}&to=${version.id}`} safe>{`Diff with v${parent.version}`}</a> : ""}
        <a class="button" href={`/eval-sets/${evaluation.evalSetId}/matrix`}>Comparison matrix</a>
      </div>

      {metrics.lowConfidence ? (
        <div class="notice warning" role="status" id="low-confidence">
          <strong>Low confidence:</strong> <span safe>{metrics.lowConfidence.reason}</span>
          <br />
          <span>What to label next: </span><span safe>{metrics.lowConfidence.suggestion}</span>
        </div>
      ) : ""}

      <dl class="facts">
        <div><dt>Created</dt><dd safe>{formatDate(version.createdAt)}</dd></div>
        <div><dt>Parent</dt><dd>{parent ? <a href={`/eval-versions/${parent.id}`} safe>{`v${parent.version}`}</a> : "—"}</dd></div>
        <div><dt>Training labels</dt><dd safe>{`${version.trainingFeedbackIds.length} feedback rows`}</dd></div>
        {metrics.labels?.neutralExcluded !== undefined ? <div><dt>Neutral excluded</dt><dd safe>{String(metrics.labels.neutralExcluded)}</dd></div> : ""}
        <div><dt>Model</dt><dd safe>{version.model ?? "—"}</dd></div>
        <div><dt>Tokens in / out</dt><dd safe>{version.tokensIn === null ? "—" : `${version.tokensIn} / ${version.tokensOut}`}</dd></div>
        <div><dt>Cost</dt><dd safe>{`${formatCost(version.costUsd)}${metrics.runCostUsd ? ` (whole run ${formatCost(metrics.runCostUsd)})` : ""}`}</dd></div>
        <div><dt>Timeout</dt><dd safe>{`${version.timeoutMs} ms per trace`}</dd></div>
      </dl>

      <h2>Agreement with the reviewers</h2>
      {metrics.cv ? (
        <>
          <MetricsTable columns={[{ title: `Held out (${metrics.validation ?? "cross-validation"})`, m: metrics.cv }, ...(metrics.train ? [{ title: "On its training labels (optimistic)", m: metrics.train }] : [])]} />
          {metrics.train ? <p class="muted" safe>{`Train-vs-held-out gap: ${(metrics.train.kappa - metrics.cv.kappa).toFixed(3)} κ. Only the held-out column estimates unseen traces.`}</p> : ""}
        </>
      ) : metrics.onLabels ? (
        <>
          <MetricsTable columns={[{ title: "On the labels its author could see", m: metrics.onLabels }]} />
          <p class="muted">A hand-edited version is measured on labels its author could see: not a held-out estimate. Compare versions on new labels in the matrix.</p>
        </>
      ) : <p class="muted">No figures recorded.</p>}
      {metrics.comparison ? <Comparison c={metrics.comparison} /> : ""}

      <h2>Code</h2>
      <CodeBlock code={version.code} id="version-code" />

      {version.prompt ? (
        <details class="panel">
          <summary>Prompt</summary>
          <pre class="content" safe>{version.prompt}</pre>
        </details>
      ) : ""}

      {run ? (
        <div class="panel" id="candidates">
          <h2>Candidates of this run</h2>
          <p class="muted" safe>{`Every candidate was scored on the same ${String((run.labelSummary as { folds?: number }).folds ?? "")} folds; the best held-out κ won, ties going to the shorter code.`}</p>
          <table>
            <thead><tr><th>Candidate</th><th>Held-out κ</th><th>Accuracy</th><th>F1 (fail)</th><th>Lines</th><th>Cost</th><th>Notes</th></tr></thead>
            <tbody>
              {candidates.map((c) => {
                const cv = c.cvMetrics as AgreementMetrics | null;
                return (
                  <tr class={c.chosen ? "chosen" : ""}>
                    <td>
                      <span safe>{c.label}</span>
                      {c.chosen ? <span class="badge ok">chosen</span> : ""}
                      {c.code ? (
                        <details>
                          <summary>code</summary>
                          <CodeBlock code={c.code} />
                        </details>
                      ) : ""}
                    </td>
                    <td class="num">{cv && c.code ? cv.kappa.toFixed(3) : "—"}</td>
                    <td class="num">{cv && c.code ? pct(cv.accuracy) : "—"}</td>
                    <td class="num">{cv && c.code ? cv.f1Fail.toFixed(3) : "—"}</td>
                    <td class="num" safe>{c.complexity === null ? "—" : String(c.complexity)}</td>
                    <td class="num" safe>{formatCost(c.costUsd)}</td>
                    <td>
                      {c.error ? <span class="badge error" safe>{c.error}</span> : ""}
                      {c.foldNotes.length ? <ul class="notes">{c.foldNotes.map((n) => <li safe>{n}</li>)}</ul> : ""}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : ""}
    </section>
  );
}
