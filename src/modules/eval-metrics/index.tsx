// Routes for metrics: the eval set's metrics page (versions side by side, trends, reviewer agreement) and a version's metrics API.
import { Elysia } from "elysia";
import { MetricsPage } from "../../../views/pages/metrics";
import { requireAuth } from "../../http/auth";
import type { AppDeps } from "../../http/context";
import { renderPage } from "../../http/render";
import { requireEvalSet } from "../matrix/service";
import type { AgreementFigures, Figure, SplitReport, VersionReport } from "./model";
import * as service from "./service";

function figureJson(f: Figure) {
  return { value: f.value, numerator: f.numerator, denominator: f.denominator, ci95: [f.low, f.high] };
}

function splitJson(split: SplitReport) {
  const { n, confusion, ...figures } = split.figures;
  return {
    n,
    labeled: split.counts.labeled,
    errored: split.counts.errored,
    not_run: split.counts.notRun,
    confusion: { fail_caught: confusion.failCaught, fail_missed: confusion.failMissed, false_failure: confusion.falseFailure, pass_agreed: confusion.passAgreed },
    ...Object.fromEntries(Object.entries(figures).map(([key, f]) => [key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), figureJson(f as AgreementFigures[keyof Omit<AgreementFigures, "n" | "confusion">])])),
  };
}

export function reportJson(r: VersionReport) {
  return {
    eval_version_id: r.versionId,
    eval_id: r.evalId,
    eval_name: r.evalName,
    version: r.version,
    active: r.active,
    unseen_labels: splitJson(r.unseen),
    training_labels: splitJson(r.training),
    all_labels: splitJson(r.all),
    runs: {
      total: r.runs.total,
      errors: r.runs.errors,
      timeouts: r.runs.timeouts,
      by_kind: r.runs.byKind,
      p50_ms: r.runs.p50Ms,
      p95_ms: r.runs.p95Ms,
      error_rate: figureJson(r.runs.errorRate),
      timeout_rate: figureJson(r.runs.timeoutRate),
    },
  };
}

export function evalMetricsRoutes(deps: AppDeps) {
  const { database } = deps;
  return new Elysia()
    .use(requireAuth(deps))
    .get("/eval-sets/:id/metrics", async ({ auth, params, request }) => {
      const set = await requireEvalSet(database, auth.workspace.id, params.id);
      const versionIds = new URL(request.url).searchParams.getAll("v").flatMap((v) => v.split(",")).filter(Boolean);
      const report = await service.setReport(database, auth.workspace.id, set.id, versionIds);
      return renderPage(request, auth, {
        title: `Metrics · ${set.name}`,
        section: "evals",
        body: (<MetricsPage set={set} reports={report.reports} overTime={report.overTime} reviewers={report.reviewers} />) as string,
      });
    })
    .get("/api/v1/eval-versions/:id/metrics", async ({ auth, params }) => reportJson(await service.versionReport(database, auth.workspace.id, params.id)));
}
