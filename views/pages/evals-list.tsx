// The evals list: every eval with its active version and held-out kappa, and the form that starts a generation.
import { formatDate } from "../components/format";

export interface EvalListRow {
  id: string;
  name: string;
  evalSetId: string;
  evalSetName: string;
  activeVersion: number | null;
  activeKappa: number | null;
  versionCount: number;
  createdAt: Date;
}

export interface GenerateFormProps {
  evalSets: { id: string; name: string }[];
  llmAvailable: boolean;
  defaultModel: string;
  defaults: { folds: number; llmSamples: number; examplesTokens: number; perTraceTokens: number; maxTokens: number };
  selectedEvalSetId?: string;
  error?: string;
  csrfToken: string;
}

export function GenerateForm(props: GenerateFormProps) {
  if (props.evalSets.length === 0) return <p class="empty-state">Create an eval set and label some traces first; then generate an eval from the labels here.</p>;
  return (
    <form method="post" action="/evals/generate" class="card generate-form" id="generate-form">
      <input type="hidden" name="_csrf" value={props.csrfToken} />
      <h2>Generate an eval from labels</h2>
      {props.error ? <p class="form-error" role="alert" safe>{props.error}</p> : ""}
      <label>
        Eval set{" "}
        <select name="eval_set_id">
          {props.evalSets.map((set) => (
            <option value={set.id} selected={set.id === props.selectedEvalSetId} safe>{set.name}</option>
          ))}
        </select>
      </label>
      <fieldset>
        <legend>Generators</legend>
        <label><input type="checkbox" name="generators" value="synthesizer" checked /> Offline synthesizer (no API key)</label>
        <label>
          <input type="checkbox" name="generators" value="llm" checked={props.llmAvailable} disabled={!props.llmAvailable} /> Claude
          {props.llmAvailable ? "" : <span class="muted"> (set ANTHROPIC_API_KEY to enable)</span>}
        </label>
      </fieldset>
      <details>
        <summary>Validation and budget</summary>
        <label>Cross-validation folds <input type="number" name="folds" min="3" max="10" value={String(props.defaults.folds)} /></label>
        <label>Claude samples <input type="number" name="llm_samples" min="1" max="4" value={String(props.defaults.llmSamples)} /></label>
        <label>Model <input type="text" name="model" value={props.defaultModel} /></label>
        <label>Example budget (tokens) <input type="number" name="examples_tokens" min="2000" max="150000" value={String(props.defaults.examplesTokens)} /></label>
        <label>Per-trace budget (tokens) <input type="number" name="per_trace_tokens" min="200" max="20000" value={String(props.defaults.perTraceTokens)} /></label>
        <label>Max output tokens <input type="number" name="max_tokens" min="1000" max="32000" value={String(props.defaults.maxTokens)} /></label>
        <p class="muted">Each Claude sample is written once per fold (from the other folds' labels) and once from all labels, so a run makes samples × (folds + 1) calls; repeated runs are answered from the cache.</p>
      </details>
      <button type="submit" class="primary">Generate</button>
    </form>
  );
}

export function EvalsListPage({ evals, form }: { evals: EvalListRow[]; form: GenerateFormProps }) {
  return (
    <section>
      <h1>Evals</h1>
      {evals.length === 0 ? (
        <p class="empty-state">No evals yet. Generate one from an eval set's labels below.</p>
      ) : (
        <table>
          <thead>
            <tr><th>Eval</th><th>Eval set</th><th>Active version</th><th>Held-out κ</th><th>Versions</th><th>Created</th></tr>
          </thead>
          <tbody>
            {evals.map((row) => (
              <tr>
                <td><a href={`/evals/${row.id}`} safe>{row.name}</a></td>
                <td safe>{row.evalSetName}</td>
                <td>{row.activeVersion === null ? <span class="muted">none</span> : <span safe>{`v${row.activeVersion}`}</span>}</td>
                <td class="num" safe>{row.activeKappa === null ? "—" : row.activeKappa.toFixed(2)}</td>
                <td class="num">{row.versionCount}</td>
                <td class="nowrap" safe>{formatDate(row.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <GenerateForm {...form} />
    </section>
  );
}
