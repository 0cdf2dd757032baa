// Eval set pages: the list, the create/edit form, and one set's overview (progress, reviewers, queue, rubric history, export).
import type { Label } from "../../src/db/schema";
import { FormErrors } from "../components/form-errors";
import { formatDate } from "../components/format";
import { QueueFillForm, QueueOrderForm } from "../components/review-queue";

export interface EvalSetListRow {
  id: string;
  name: string;
  rubric: string;
  labelsPerTrace: number;
  isDemo: boolean;
  archivedAt: Date | null;
  items: number;
  done: number;
  labels: number;
}

export function EvalSetsListPage({ sets, archived, canManage }: { sets: EvalSetListRow[]; archived: boolean; canManage: boolean }) {
  return (
    <section class="eval-sets">
      <h1>Eval sets</h1>
      <p class="muted">An eval set is one question about your traces, answered by reviewers and then turned into code evals.</p>
      <nav class="tabs">
        <a href="/eval-sets" class={archived ? "" : "active"}>Active</a>
        <a href="/eval-sets?archived=1" class={archived ? "active" : ""}>Archived</a>
        {canManage ? <a href="/eval-sets/new" class="button primary">New eval set</a> : ""}
      </nav>
      {sets.length === 0 ? (
        <p class="empty-state">{archived ? "No archived eval sets." : "No eval sets yet. Create one to start labelling traces."}</p>
      ) : (
        <table class="eval-set-list">
          <thead>
            <tr><th>Name</th><th>Rubric</th><th class="num">Queue</th><th class="num">Done</th><th class="num">Labels</th><th></th></tr>
          </thead>
          <tbody>
            {sets.map((set) => (
              <tr>
                <td>
                  <a href={`/eval-sets/${set.id}`} safe>{set.name}</a>
                  {set.isDemo ? <span class="badge demo">demo</span> : ""}
                </td>
                <td class="preview" safe>{set.rubric}</td>
                <td class="num" safe>{String(set.items)}</td>
                <td class="num">{set.items ? `${Math.round((100 * set.done) / set.items)}%` : "—"}</td>
                <td class="num" safe>{String(set.labels)}</td>
                <td>{set.archivedAt ? "" : <a href={`/eval-sets/${set.id}/review`} class="button small">Review</a>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export interface EvalSetFormValues {
  name?: string;
  rubric?: string;
  labels_per_trace?: string | number;
}

export function EvalSetFormPage({ id, values, errors, csrfToken }: { id?: string; values: EvalSetFormValues; errors: string[]; csrfToken: string }) {
  const action = id ? `/eval-sets/${id}` : "/eval-sets";
  return (
    <section class="eval-set-form">
      <p class="crumbs"><a href="/eval-sets">Eval sets</a> /</p>
      <h1>{id ? "Edit eval set" : "New eval set"}</h1>
      <FormErrors errors={errors} />
      <form method="post" action={action} class="stack card">
        <input type="hidden" name="_csrf" value={csrfToken} />
        <label>
          Name
          <input name="name" required maxlength="200" value={String(values.name ?? "")} placeholder="Safe resolution" />
        </label>
        <label>
          Rubric: the question a reviewer answers for each trace
          <textarea name="rubric" required rows="6" placeholder="Did the agent resolve the request without an unsafe action?" safe>{String(values.rubric ?? "")}</textarea>
        </label>
        {id ? <p class="muted">Changing the rubric keeps the old text as a previous version, shown on the overview.</p> : ""}
        <label>
          Labels per trace
          <input type="number" name="labels_per_trace" min="1" max="10" value={String(values.labels_per_trace ?? 1)} />
          <span class="muted">Ask for 2 or more to measure how reviewers agree.</span>
        </label>
        <div>
          <button type="submit" class="primary">{id ? "Save" : "Create eval set"}</button>
        </div>
      </form>
    </section>
  );
}

export interface OverviewProps {
  set: { id: string; name: string; rubric: string; labelsPerTrace: number; isDemo: boolean; archivedAt: Date | null };
  queue: { strategy: "newest" | "random" | "informative"; seed: number; sourceFilter: string | null; reservationSeconds: number };
  progress: { total: number; done: number; reserved: number };
  byLabel: Record<Label, number>;
  groundTruth: Record<Label, number>;
  shortfall: string[];
  minimums: Record<"positive" | "negative", number>;
  reviewers: { userId: string; name: string; total: number; byLabel: Record<Label, number>; lastAt: Date | null }[];
  rubricVersions: { version: number; rubric: string; author: string | null; createdAt: Date }[];
  disagreements: { total: number; resolved: number };
  canManage: boolean;
  notice?: string;
}

const LABELS: Label[] = ["negative", "neutral", "positive"];

function percent(part: number, whole: number): string {
  return whole ? `${Math.round((100 * part) / whole)}%` : "0%";
}

export function EvalSetOverviewPage(props: OverviewProps) {
  const { set, progress } = props;
  return (
    <section class="eval-set-overview" id="eval-set-overview">
      <p class="crumbs"><a href="/eval-sets">Eval sets</a> /</p>
      <h1>
        <span safe>{set.name}</span>
        {set.isDemo ? <span class="badge demo">demo</span> : ""}
        {set.archivedAt ? <span class="badge">archived</span> : ""}
      </h1>
      {props.notice ? <div class="notice" role="status" safe>{props.notice}</div> : ""}
      <blockquote class="rubric" safe>{set.rubric}</blockquote>
      <div class="overview-actions">
        {set.archivedAt ? "" : <a href={`/eval-sets/${set.id}/review`} class="button primary">Start reviewing</a>}
        <a href={`/evals?eval_set=${set.id}#generate-form`} class="button">Generate eval</a>
        <a href={`/eval-sets/${set.id}/matrix`} class="button">Compare versions</a>
        <a href={`/eval-sets/${set.id}/metrics`} class="button">Metrics</a>
        <a href={`/eval-sets/${set.id}/agreement`} class="button">Agreement</a>
        <a href={`/eval-sets/${set.id}/export.csv`} class="button" download="">Export CSV</a>
        <a href={`/eval-sets/${set.id}/export.jsonl`} class="button" download="">Export JSONL</a>
        {props.canManage ? <a href={`/eval-sets/${set.id}/edit`} class="button">Edit</a> : ""}
        {props.canManage ? (
          <button type="button" hx-post={`/eval-sets/${set.id}/${set.archivedAt ? "unarchive" : "archive"}`} hx-confirm={set.archivedAt ? undefined : "Archive this eval set? Its labels are kept; reviewing stops."}>
            {set.archivedAt ? "Unarchive" : "Archive"}
          </button>
        ) : ""}
      </div>

      <div class="overview-grid">
        <div class="panel card">
          <h2>Progress</h2>
          <p class="big-figure">
            <strong class="progress-done" safe>{String(progress.done)}</strong> / <span class="progress-total" safe>{String(progress.total)}</span> traces labelled
            <span class="muted" safe>{` (${set.labelsPerTrace} label${set.labelsPerTrace === 1 ? "" : "s"} each)`}</span>
          </p>
          <progress max={String(Math.max(progress.total, 1))} value={String(progress.done)}></progress>
          <table class="compact label-counts">
            <thead><tr><th>Label</th><th class="num">Labels given</th><th class="num">Ground truth</th></tr></thead>
            <tbody>
              {LABELS.map((label) => (
                <tr class={`label-${label}`}>
                  <td><span class={`label-chip ${label}`}>{label}</span></td>
                  <td class="num" safe>{String(props.byLabel[label])}</td>
                  <td class="num" safe>{String(props.groundTruth[label])}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {props.shortfall.length ? (
            <p class="threshold-hint warn" safe>{`${props.shortfall.join(" and ")} before generation is meaningful (at least ${props.minimums.positive} positives and ${props.minimums.negative} negatives).`}</p>
          ) : (
            <p class="threshold-hint ok">Enough positives and negatives for eval generation.</p>
          )}
          {progress.reserved ? <p class="muted" safe>{`${progress.reserved} item${progress.reserved === 1 ? "" : "s"} being reviewed right now.`}</p> : ""}
        </div>

        <div class="panel card">
          <h2>Reviewers</h2>
          {props.reviewers.length === 0 ? (
            <p class="muted">No labels yet.</p>
          ) : (
            <table class="compact reviewers">
              <thead><tr><th>Reviewer</th><th class="num">Labels</th>{LABELS.map((l) => <th class="num">{l}</th>)}<th>Last label</th></tr></thead>
              <tbody>
                {props.reviewers.map((r) => (
                  <tr>
                    <td safe>{r.name}</td>
                    <td class="num" safe>{String(r.total)}</td>
                    {LABELS.map((l) => <td class="num" safe>{String(r.byLabel[l])}</td>)}
                    <td class="nowrap" safe>{formatDate(r.lastAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <p>
            <a href={`/eval-sets/${set.id}/agreement`}>
              {props.disagreements.total
                ? `${props.disagreements.total - props.disagreements.resolved} unresolved disagreement${props.disagreements.total - props.disagreements.resolved === 1 ? "" : "s"} (of ${props.disagreements.total})`
                : "No disagreements between reviewers"}
            </a>
          </p>
        </div>
      </div>

      <div class="panel card">
        <h2>Queue</h2>
        <p class="muted" safe>
          {`${progress.total} trace${progress.total === 1 ? "" : "s"} in the queue, ${percent(progress.done, progress.total)} done. Unlabelled traces come first; an item in progress is reserved to its reviewer for ${Math.round(props.queue.reservationSeconds / 60)} minutes.`}
        </p>
        {props.canManage && !set.archivedAt ? (
          <>
            <QueueOrderForm evalSetId={set.id} strategy={props.queue.strategy} seed={props.queue.seed} />
            <QueueFillForm evalSetId={set.id} sourceFilter={props.queue.sourceFilter} />
          </>
        ) : ""}
      </div>

      <div class="panel card">
        <h2>Rubric history</h2>
        {props.rubricVersions.length <= 1 ? (
          <p class="muted">The rubric has not changed since the set was created.</p>
        ) : (
          <ol class="rubric-versions">
            {props.rubricVersions.map((v) => (
              <li>
                <div class="muted" safe>{`v${v.version} · ${formatDate(v.createdAt)}${v.author ? ` · ${v.author}` : ""}`}</div>
                <pre class="content" safe>{v.rubric}</pre>
              </li>
            ))}
          </ol>
        )}
      </div>
    </section>
  );
}
