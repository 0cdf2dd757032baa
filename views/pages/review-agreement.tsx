// Reviewer agreement: Cohen's kappa for each pair of reviewers, and the disagreements to resolve into ground truth.
import type { Label } from "../../src/db/schema";
import type { Disagreement, ReviewerPair } from "../../src/modules/review/service";
import { formatDate } from "../components/format";

const LABELS: Label[] = ["negative", "neutral", "positive"];

function kappaWord(kappa: number): string {
  if (kappa >= 0.8) return "almost perfect";
  if (kappa >= 0.6) return "substantial";
  if (kappa >= 0.4) return "moderate";
  if (kappa >= 0.2) return "fair";
  return kappa > 0 ? "slight" : "none";
}

export function DisagreementRow({ evalSetId, row, canResolve }: { evalSetId: string; row: Disagreement; canResolve: boolean }) {
  return (
    <tr class={`disagreement${row.resolution ? " resolved" : ""}`} id={`disagreement-${row.traceId}`}>
      <td>
        <a href={`/traces/${row.traceId}`} safe>{row.traceName ?? "(unnamed)"}</a>
        <div class="muted nowrap" safe>{formatDate(row.timestamp)}</div>
        <div class="preview" safe>{row.outputPreview ?? ""}</div>
      </td>
      <td>
        <ul class="votes">
          {row.votes.map((v) => (
            <li>
              <span safe>{v.name}</span> <span class={`label-chip ${v.label}`}>{v.label}</span>
              {v.note ? <div class="muted vote-note" safe>{v.note}</div> : ""}
            </li>
          ))}
        </ul>
      </td>
      <td>
        {row.resolution ? (
          <div>
            <span class={`label-chip ${row.resolution.label}`}>{row.resolution.label}</span>
            {row.resolution.by ? <span class="muted"> by <span safe>{row.resolution.by}</span></span> : ""}
          </div>
        ) : <span class="muted">unresolved</span>}
        {canResolve ? (
          <div class="resolve-buttons" role="group" aria-label="Resolve">
            {LABELS.map((label) => (
              <button
                type="button"
                class={`small label-chip ${label}`}
                hx-post={`/eval-sets/${evalSetId}/resolutions`}
                hx-vals={JSON.stringify({ trace_id: row.traceId, label })}
                hx-target={`#disagreement-${row.traceId}`}
                hx-swap="outerHTML"
              >
                {label}
              </button>
            ))}
          </div>
        ) : ""}
      </td>
    </tr>
  );
}

export interface AgreementPageProps {
  set: { id: string; name: string; labelsPerTrace: number };
  pairs: ReviewerPair[];
  disagreements: { total: number; resolved: number; rows: Disagreement[] };
  canResolve: boolean;
}

export function AgreementPage({ set, pairs, disagreements, canResolve }: AgreementPageProps) {
  return (
    <section class="agreement">
      <p class="crumbs">
        <a href="/eval-sets">Eval sets</a> / <a href={`/eval-sets/${set.id}`} safe>{set.name}</a> /
      </p>
      <h1>Reviewer agreement</h1>
      <h2>Pairs of reviewers</h2>
      {pairs.length === 0 ? (
        <p class="empty-state">No trace has labels from two reviewers yet. Ask for 2 labels per trace in the set's settings to measure agreement.</p>
      ) : (
        <table class="pairs">
          <thead>
            <tr><th>Reviewers</th><th class="num">Both labelled</th><th class="num">Same label</th><th class="num">Cohen's κ (pass/fail)</th><th>95% interval</th></tr>
          </thead>
          <tbody>
            {pairs.map((p) => (
              <tr>
                <td safe>{`${p.a.name} · ${p.b.name}`}</td>
                <td class="num" safe>{String(p.shared)}</td>
                <td class="num" safe>{`${Math.round(p.agreement * 100)}%`}</td>
                <td class="num kappa">{p.decisive ? `${p.kappa.toFixed(2)} (${kappaWord(p.kappa)})` : "—"}</td>
                <td class="muted">{p.decisive ? `${p.kappaInterval.low.toFixed(2)} … ${p.kappaInterval.high.toFixed(2)} over ${p.decisive}` : "no positive/negative pairs"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p class="muted">κ is computed on traces both reviewers labelled positive or negative; neutral is left out because it is not a verdict.</p>
      <h2 safe>{`Disagreements (${disagreements.total - disagreements.resolved} unresolved of ${disagreements.total})`}</h2>
      <p class="muted">A resolved label is the eval set's ground truth for that trace: generation and comparison use it.</p>
      {disagreements.rows.length === 0 ? (
        <p class="empty-state">No disagreements.</p>
      ) : (
        <table class="disagreements">
          <thead><tr><th>Trace</th><th>Labels</th><th>Resolution</th></tr></thead>
          <tbody>
            {disagreements.rows.map((row) => (
              <DisagreementRow evalSetId={set.id} row={row} canResolve={canResolve} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
