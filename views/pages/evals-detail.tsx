// One eval: its versions (origin, held-out agreement, active), diff picker, refinement, and generation runs.
import type { EvalVersionRow } from "../../src/modules/evals/queries";
import type { GenerationRun } from "../../src/modules/generation/queries";
import { formatCost, formatDate } from "../components/format";

export interface EvalDetailProps {
  evaluation: { id: string; name: string; activeVersionId: string | null; evalSetId: string };
  evalSet: { id: string; name: string; rubric: string };
  versions: { version: EvalVersionRow; authorName: string | null }[];
  runs: GenerationRun[];
  csrfToken: string;
  llmAvailable: boolean;
}

const ORIGIN_LABEL = { llm: "Claude", synthesizer: "synthesizer", manual: "hand-edited" } as const;

/** The figure a version is judged by: held-out kappa for generated versions, agreement on labels for hand edits. */
export function headlineKappa(version: EvalVersionRow): { value: string; note: string } {
  const metrics = (version.metrics ?? {}) as { cv?: { kappa: number }; onLabels?: { kappa: number } };
  if (metrics.cv) return { value: metrics.cv.kappa.toFixed(2), note: "held out" };
  if (metrics.onLabels) return { value: metrics.onLabels.kappa.toFixed(2), note: "on seen labels" };
  return { value: "—", note: "" };
}

export function EvalDetailPage(props: EvalDetailProps) {
  const { evaluation, evalSet, versions, runs } = props;
  const [latest, previous] = versions;
  return (
    <section class="eval-detail">
      <p class="crumbs"><a href="/evals">Evals</a> /</p>
      <h1 safe>{evaluation.name}</h1>
      <p>
        Eval set <strong safe>{evalSet.name}</strong> · <a href={`/eval-sets/${evalSet.id}/matrix`}>comparison matrix</a>
      </p>
      <details class="panel">
        <summary>Rubric</summary>
        <pre class="content" safe>{evalSet.rubric}</pre>
      </details>

      <h2>Versions</h2>
      {versions.length === 0 ? <p class="empty-state">No versions yet.</p> : (
        <table id="versions">
          <thead>
            <tr><th>Version</th><th>Made by</th><th>κ</th><th>Cost</th><th>Created</th><th></th></tr>
          </thead>
          <tbody>
            {versions.map(({ version, authorName }) => {
              const kappa = headlineKappa(version);
              const active = version.id === evaluation.activeVersionId;
              return (
                <tr>
                  <td>
                    <a href={`/eval-versions/${version.id}`} safe>{`v${version.version}`}</a>
                    {active ? <span class="badge ok">active</span> : ""}
                  </td>
                  <td safe>{`${ORIGIN_LABEL[version.origin]}${authorName ? ` · ${authorName}` : ""}`}</td>
                  <td class="num" safe>{`${kappa.value} ${kappa.note}`}</td>
                  <td class="num" safe>{formatCost(version.costUsd)}</td>
                  <td class="nowrap" safe>{formatDate(version.createdAt)}</td>
                  <td>
                    {active ? "" : (
                      <form method="post" action={`/eval-versions/${version.id}/activate`} class="inline">
                        <input type="hidden" name="_csrf" value={props.csrfToken} />
                        <button type="submit" class="small">{version.version < (versions.find((v) => v.version.id === evaluation.activeVersionId)?.version.version ?? 0) ? "Roll back to this" : "Activate"}</button>
                      </form>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}

      {versions.length >= 2 ? (
        <form method="get" action={`/evals/${evaluation.id}/diff`} class="inline diff-picker">
          <label>Diff <select name="from">{versions.map(({ version }) => <option value={version.id} selected={version.id === previous?.version.id} safe>{`v${version.version}`}</option>)}</select></label>
          <label> → <select name="to">{versions.map(({ version }) => <option value={version.id} selected={version.id === latest?.version.id} safe>{`v${version.version}`}</option>)}</select></label>
          <button type="submit" class="small">Show diff</button>
        </form>
      ) : ""}

      {evaluation.activeVersionId ? (
        <form method="post" action={`/evals/${evaluation.id}/refine`} class="card">
          <input type="hidden" name="_csrf" value={props.csrfToken} />
          <h2>Refine the active version</h2>
          <p class="muted">Feeds the active version's disagreements with the labels back to the generator, then compares old and new on the same held-out folds.</p>
          <label><input type="checkbox" name="generators" value="synthesizer" checked={!props.llmAvailable} /> Offline synthesizer</label>
          <label><input type="checkbox" name="generators" value="llm" checked={props.llmAvailable} disabled={!props.llmAvailable} /> Claude</label>
          <button type="submit">Refine</button>
        </form>
      ) : ""}

      <h2>Generation runs</h2>
      {runs.length === 0 ? <p class="empty-state">None yet.</p> : (
        <table id="runs">
          <thead><tr><th>Started</th><th>Kind</th><th>Status</th><th>Labels</th><th>Result</th></tr></thead>
          <tbody>
            {runs.map((run) => {
              const labels = run.labelSummary as { used?: number; neutralExcluded?: number };
              return (
                <tr>
                  <td class="nowrap">{run.jobId ? <a href={`/jobs/${run.jobId}`} safe>{formatDate(run.createdAt)}</a> : <span safe>{formatDate(run.createdAt)}</span>}</td>
                  <td>{run.kind}</td>
                  <td><span class={`badge status-${run.status}`}>{run.status}</span></td>
                  <td safe>{labels.used === undefined ? "—" : `${labels.used} used, ${labels.neutralExcluded ?? 0} neutral excluded`}</td>
                  <td>
                    {run.chosenVersionId ? <a href={`/eval-versions/${run.chosenVersionId}`}>version</a> : ""}
                    {run.error ? <span class="muted" safe>{run.error}</span> : ""}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
