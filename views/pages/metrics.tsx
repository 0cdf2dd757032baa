// The metrics page: versions side by side on labels they never saw (first) and on their training labels, runs, trends, reviewer agreement.
import type { AgreementFigures, Figure, VersionReport } from "../../src/modules/eval-metrics/model";
import type { TrendPoint } from "../../src/modules/eval-metrics/service";
import type { ReviewerPair } from "../../src/modules/review/service";
import { LineChart, type ChartSeries } from "../components/chart-line";
import { formatDate, formatDuration } from "../components/format";

export interface MetricsPageProps {
  set: { id: string; name: string };
  reports: VersionReport[];
  overTime: TrendPoint[];
  reviewers: ReviewerPair[];
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

function FigureCell({ figure, kind = "ratio" }: { figure: Figure; kind?: "ratio" | "kappa" | "f1" }) {
  if (figure.value === null) return <td class="num muted" title="nothing to measure">—</td>;
  const show = kind === "kappa" ? (v: number) => v.toFixed(2) : pct;
  const count = kind === "ratio" ? `${figure.numerator}/${figure.denominator}` : kind === "kappa" ? `n=${figure.denominator}` : `${figure.numerator}/${figure.denominator}`;
  return (
    <td class="num figure">
      <span class="value" safe>{show(figure.value)}</span>
      <span class="ci" safe>{`[${show(figure.low)}–${show(figure.high)}]`}</span>
      <span class="count" safe>{count}</span>
    </td>
  );
}

const ROWS: { key: keyof Omit<AgreementFigures, "n" | "confusion">; label: string; kind?: "kappa" | "f1" }[] = [
  { key: "accuracy", label: "Accuracy" },
  { key: "kappa", label: "Cohen's κ", kind: "kappa" },
  { key: "precisionFail", label: "Precision (fail)" },
  { key: "recallFail", label: "Recall (fail)" },
  { key: "f1Fail", label: "F1 (fail)", kind: "f1" },
  { key: "precisionPass", label: "Precision (pass)" },
  { key: "recallPass", label: "Recall (pass)" },
  { key: "f1Pass", label: "F1 (pass)", kind: "f1" },
  { key: "coverage", label: "Coverage (fails caught)" },
  { key: "falseFailureRate", label: "False-failure rate" },
  { key: "verdictRate", label: "Verdicts on labelled traces" },
];

const title = (r: VersionReport) => `${r.evalName} v${r.version}${r.active ? " ★" : ""}`;

function SplitTable({ reports, split, caption }: { reports: VersionReport[]; split: "unseen" | "training"; caption: string }) {
  return (
    <table class="metrics-table">
      <caption safe>{caption}</caption>
      <thead>
        <tr>
          <th>Metric</th>
          {reports.map((r) => <th class="num" safe>{title(r)}</th>)}
        </tr>
      </thead>
      <tbody>
        {ROWS.map((row) => (
          <tr>
            <th scope="row" safe>{row.label}</th>
            {reports.map((r) => <FigureCell figure={r[split].figures[row.key]} kind={row.kind} />)}
          </tr>
        ))}
        <tr>
          <th scope="row">Confusion (human × eval)</th>
          {reports.map((r) => {
            const m = r[split].figures.confusion;
            return (
              <td>
                <table class="confusion" aria-label="Confusion matrix">
                  <tr><th></th><th>eval fail</th><th>eval pass</th></tr>
                  <tr><th>human fail</th><td class="agree" safe>{String(m.failCaught)}</td><td class="miss" safe>{String(m.failMissed)}</td></tr>
                  <tr><th>human pass</th><td class="miss" safe>{String(m.falseFailure)}</td><td class="agree" safe>{String(m.passAgreed)}</td></tr>
                </table>
                <span class="muted small" safe>{`${r[split].counts.errored} errored · ${r[split].counts.notRun} not run`}</span>
              </td>
            );
          })}
        </tr>
      </tbody>
    </table>
  );
}

function RunsTable({ reports }: { reports: VersionReport[] }) {
  return (
    <table class="metrics-table">
      <caption>Runs (every trace the version ran on)</caption>
      <thead>
        <tr><th>Version</th><th class="num">Runs</th><th class="num">Error rate</th><th class="num">Timeout rate</th><th>Errors by kind</th><th class="num">p50</th><th class="num">p95</th></tr>
      </thead>
      <tbody>
        {reports.map((r) => (
          <tr>
            <th scope="row" safe>{title(r)}</th>
            <td class="num" safe>{String(r.runs.total)}</td>
            <FigureCell figure={r.runs.errorRate} />
            <FigureCell figure={r.runs.timeoutRate} />
            <td safe>{Object.entries(r.runs.byKind).map(([k, n]) => `${k}: ${n}`).join(", ") || "none"}</td>
            <td class="num" safe>{formatDuration(r.runs.p50Ms)}</td>
            <td class="num" safe>{formatDuration(r.runs.p95Ms)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** One line per eval across its versions (x = version number), honest figures. */
function overVersions(reports: VersionReport[], pick: (r: VersionReport) => number | null): ChartSeries[] {
  const byEval = new Map<string, VersionReport[]>();
  for (const r of reports) byEval.set(r.evalId, [...(byEval.get(r.evalId) ?? []), r]);
  return [...byEval.values()].map((rs) => ({
    name: rs[0]!.evalName,
    points: rs.map((r) => {
      const y = pick(r);
      return { x: r.version, y, label: `v${r.version}: ${y === null ? "—" : y.toFixed(3)}` };
    }),
  }));
}

/** One line per version across its snapshots (x = time). */
function overTime(points: TrendPoint[], reports: VersionReport[], pick: (p: TrendPoint) => number | null): ChartSeries[] {
  return reports.map((r) => ({
    name: `${r.evalName} v${r.version}`,
    points: points
      .filter((p) => p.versionId === r.versionId)
      .map((p) => {
        const y = pick(p);
        return { x: p.at.getTime(), y, label: `${formatDate(p.at)}: ${y === null ? "—" : y.toFixed(3)}` };
      }),
  }));
}

export function MetricsPage({ set, reports, overTime: points, reviewers }: MetricsPageProps) {
  const first = points[0]?.at;
  const last = points.at(-1)?.at;
  const timeRange = { xStart: first ? formatDate(first).slice(0, 10) : undefined, xEnd: last ? formatDate(last).slice(0, 10) : undefined };
  const minVersion = Math.min(...reports.map((r) => r.version));
  const maxVersion = Math.max(...reports.map((r) => r.version));
  return (
    <section class="metrics-page">
      <link rel="stylesheet" href="/public/css/matrix.css" />
      <p class="crumbs">
        <a href={`/eval-sets/${set.id}`} safe>{set.name}</a> /
      </p>
      <h1>Metrics: eval versions vs human labels</h1>
      <nav class="matrix-links">
        <a href={`/eval-sets/${set.id}/matrix`}>← Comparison matrix</a>
      </nav>
      {reports.length === 0 ? (
        <p class="empty-state">This eval set has no eval versions yet.</p>
      ) : (
        <>
          <p class="muted">
            Each figure: value, 95% interval (Wilson for rates, Cohen's standard error for κ, bootstrap for F1), and the count it rests on.
            “Fail” is the class an eval exists to catch. Errored runs and traces not run are counted apart, never as verdicts.
          </p>
          <SplitTable reports={reports} split="unseen" caption="On labels the version never saw — the honest estimate" />
          <SplitTable reports={reports} split="training" caption="On labels used to make it — optimistic: the eval was fitted to these" />
          <RunsTable reports={reports} />

          <h2>Trends</h2>
          <div class="charts">
            <LineChart title="Accuracy over versions (never-seen labels)" series={overVersions(reports, (r) => r.unseen.figures.accuracy.value)} xStart={`v${minVersion}`} xEnd={`v${maxVersion}`} />
            <LineChart title="κ over versions" series={overVersions(reports, (r) => r.unseen.figures.kappa.value)} yMin={-1} xStart={`v${minVersion}`} xEnd={`v${maxVersion}`} />
            <LineChart title="F1 (fail) over versions" series={overVersions(reports, (r) => r.unseen.figures.f1Fail.value)} xStart={`v${minVersion}`} xEnd={`v${maxVersion}`} />
            <LineChart title="Error rate over versions" series={overVersions(reports, (r) => r.runs.errorRate.value)} xStart={`v${minVersion}`} xEnd={`v${maxVersion}`} />
            <LineChart title="Accuracy over time (snapshots)" series={overTime(points, reports, (p) => p.accuracy)} {...timeRange} />
            <LineChart title="κ over time (snapshots)" series={overTime(points, reports, (p) => p.kappa)} yMin={-1} {...timeRange} />
          </div>
        </>
      )}

      <h2>Are the labels the problem?</h2>
      <div class="agreement-compare">
        <table class="metrics-table">
          <caption>Eval vs human (never-seen labels)</caption>
          <thead><tr><th>Version</th><th class="num">κ</th><th class="num">Accuracy</th></tr></thead>
          <tbody>
            {reports.map((r) => (
              <tr>
                <th scope="row" safe>{title(r)}</th>
                <FigureCell figure={r.unseen.figures.kappa} kind="kappa" />
                <FigureCell figure={r.unseen.figures.accuracy} />
              </tr>
            ))}
          </tbody>
        </table>
        <table class="metrics-table">
          <caption>Reviewer vs reviewer</caption>
          <thead><tr><th>Pair</th><th class="num">Shared</th><th class="num">Same label</th><th class="num">κ (pass/fail)</th></tr></thead>
          <tbody>
            {reviewers.length === 0 ? (
              <tr><td colspan="4" class="muted">No trace has two reviewers yet: ask for several labels per trace to measure this.</td></tr>
            ) : (
              reviewers.map((p) => (
                <tr>
                  <th scope="row" safe>{`${p.a.name} × ${p.b.name}`}</th>
                  <td class="num" safe>{String(p.shared)}</td>
                  <td class="num" safe>{pct(p.agreement)}</td>
                  <td class="num figure">
                    <span class="value">{p.decisive ? p.kappa.toFixed(2) : "—"}</span>
                    <span class="ci" safe>{`[${p.kappaInterval.low.toFixed(2)}–${p.kappaInterval.high.toFixed(2)}]`}</span>
                    <span class="count" safe>{`n=${p.decisive}`}</span>
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      <p class="muted">When reviewers agree with each other less than the eval agrees with them, sharpen the rubric before refining the eval.</p>
    </section>
  );
}
