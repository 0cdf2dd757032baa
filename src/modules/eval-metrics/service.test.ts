// Metrics computed in SQL checked against hand-computed values, degenerate cases, snapshots on change, the page and the API.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import type { TestApp } from "../../../test/support/app";
import { createEvalVersion, labelTraces } from "../../../test/support/evals";
import { insertTraces, makeTrace } from "../../../test/support/traces";
import { executions, feedback, metricSnapshots, traces } from "../../db/schema";
import { openMatrixApp, type MatrixFixture } from "../matrix/test-fixture";
import { agreementFigures, f1Interval } from "./figures";
import * as service from "./service";

let t: TestApp;
let session: { cookie: string; csrf: string };
let fx: MatrixFixture;
let workspaceId: string;
let ownerId: string;

beforeAll(async () => {
  ({ t, session, workspaceId, ownerId, fx } = await openMatrixApp());
}, 60_000);

afterAll(async () => {
  await t.close();
}, 30_000);

test("v1: the training split and the never-seen split are counted apart (hand-computed)", async () => {
  const r = await service.versionReport(t.deps.database, workspaceId, fx.v1.id);
  // Training t01..t04: pass/P, fail/N, fail/P, pass/N → one of each cell.
  expect(r.training.counts).toEqual({ failCaught: 1, failMissed: 1, falseFailure: 1, passAgreed: 1, labeled: 4, errored: 0, notRun: 0 });
  expect(r.training.figures.accuracy.value).toBe(0.5);
  expect(r.training.figures.kappa.value).toBe(0);
  // Never seen: t05 pass/P, t06 fail/N, t08 timeout/N, t10 not run/P (t07 disputed and t09 neutral are out).
  expect(r.unseen.counts).toEqual({ failCaught: 1, failMissed: 0, falseFailure: 0, passAgreed: 1, labeled: 4, errored: 1, notRun: 1 });
  expect(r.unseen.figures.accuracy).toMatchObject({ value: 1, numerator: 2, denominator: 2 });
  expect(r.unseen.figures.kappa.value).toBe(1);
  expect(r.unseen.figures.verdictRate).toMatchObject({ value: 0.5, numerator: 2, denominator: 4 });
  expect(r.runs).toMatchObject({ total: 9, errors: 1, timeouts: 1, byKind: { timeout: 1 } });
  expect(r.runs.errorRate.value).toBeCloseTo(1 / 9, 10);
  expect(r.runs.p50Ms).toBe(13.5); // durations 10,11,12,13,14,15,16,18 (t08 errored: none); median of 8
});

test("v2: every figure matches the hand computation, with Wilson intervals", async () => {
  const r = await service.versionReport(t.deps.database, workspaceId, fx.v2.id);
  expect(r.training.figures.n).toBe(0);
  // t01 P/pass, t02 N/pass, t03 P/pass, t04 N/fail, t05 P/exception, t06 N/fail, t08 N/fail, t10 P/pass.
  expect(r.unseen.counts).toEqual({ failCaught: 3, failMissed: 1, falseFailure: 0, passAgreed: 3, labeled: 8, errored: 1, notRun: 0 });
  const f = r.unseen.figures;
  expect(f.accuracy.value).toBeCloseTo(6 / 7, 12);
  expect(f.precisionFail.value).toBe(1);
  expect(f.recallFail.value).toBe(0.75);
  expect(f.f1Fail.value).toBeCloseTo(6 / 7, 12);
  expect(f.precisionPass.value).toBe(0.75);
  expect(f.recallPass.value).toBe(1);
  expect(f.f1Pass.value).toBeCloseTo(6 / 7, 12);
  expect(f.kappa.value).toBeCloseTo(18 / 25, 12);
  expect(f.coverage.value).toBe(0.75);
  expect(f.falseFailureRate).toMatchObject({ value: 0, numerator: 0, denominator: 3 });
  // Wilson 95% for 6/7: centre (p + z²/2n)/(1 + z²/n), half-width z/(1+z²/n)·sqrt(p(1-p)/n + z²/4n²).
  const z = 1.959963984540054;
  const n = 7;
  const p = 6 / 7;
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  expect(f.accuracy.low).toBeCloseTo(centre - half, 12);
  expect(f.accuracy.high).toBeCloseTo(centre + half, 12);
  expect(f.f1Fail.low).toBeLessThanOrEqual(6 / 7);
  expect(f.f1Fail.high).toBeGreaterThanOrEqual(6 / 7);
  expect(r.runs).toMatchObject({ total: 10, errors: 1, timeouts: 0, byKind: { exception: 1 } });
});

test("degenerate counts: nothing, no negatives, all errors, one label", () => {
  const empty = agreementFigures({ failCaught: 0, failMissed: 0, falseFailure: 0, passAgreed: 0, labeled: 0, errored: 0, notRun: 0 });
  expect([empty.accuracy.value, empty.kappa.value, empty.f1Fail.value]).toEqual([null, null, null]);
  expect([empty.accuracy.low, empty.accuracy.high, empty.kappa.low, empty.kappa.high]).toEqual([0, 1, -1, 1]);

  // No human negatives: recall of fail is undefined, κ is 0 when the eval fails some passes.
  const noNegatives = agreementFigures({ failCaught: 0, failMissed: 0, falseFailure: 2, passAgreed: 8, labeled: 10, errored: 0, notRun: 0 });
  expect(noNegatives.recallFail.value).toBeNull();
  expect(noNegatives.coverage.value).toBeNull();
  expect(noNegatives.falseFailureRate.value).toBe(0.2);
  expect(noNegatives.kappa.value).toBe(0);
  expect(noNegatives.f1Fail.value).toBe(0);
  expect(noNegatives.f1Pass.value).toBeCloseTo(16 / 18, 12);

  // All errors: no verdict at all.
  const allErrors = agreementFigures({ failCaught: 0, failMissed: 0, falseFailure: 0, passAgreed: 0, labeled: 5, errored: 5, notRun: 0 });
  expect(allErrors.accuracy.value).toBeNull();
  expect(allErrors.verdictRate).toMatchObject({ value: 0, numerator: 0, denominator: 5 });

  // One label: perfect agreement on one trace; κ is reported 1 (chance agreement is 1).
  const one = agreementFigures({ failCaught: 1, failMissed: 0, falseFailure: 0, passAgreed: 0, labeled: 1, errored: 0, notRun: 0 });
  expect(one.accuracy.value).toBe(1);
  expect(one.kappa.value).toBe(1);
  expect([one.kappa.low, one.kappa.high]).toEqual([-1, 1]);
  expect(one.accuracy.low).toBeCloseTo(0.2065, 3);
  expect(f1Interval({ failCaught: 1, failMissed: 0, falseFailure: 0, passAgreed: 0 }, "fail")).toEqual({ low: 1, high: 1 });
});

test("degenerate data in SQL: a version whose every run errored, and a set with a single label", async () => {
  const { evalSet, version } = await createEvalVersion(t.deps.database, workspaceId, "def evaluate(t): return True, ''");
  await insertTraces(t.deps.database, workspaceId, [makeTrace({ id: "solo-1" }), makeTrace({ id: "solo-2" })]);
  const rows = await t.deps.database.db.select({ id: traces.id, ext: traces.externalId }).from(traces);
  const solo = rows.filter((r) => r.ext.startsWith("solo-")).map((r) => r.id);
  await labelTraces(t.deps.database, workspaceId, evalSet.id, ownerId, [{ traceId: solo[0]!, label: "negative" }]);
  await t.deps.database.db.insert(executions).values(solo.map((traceId) => ({ workspaceId, evalVersionId: version.id, traceId, passed: null, errorKind: "memory" as const, errorMessage: "MemoryError" })));
  const r = await service.versionReport(t.deps.database, workspaceId, version.id);
  expect(r.unseen.counts).toEqual({ failCaught: 0, failMissed: 0, falseFailure: 0, passAgreed: 0, labeled: 1, errored: 1, notRun: 0 });
  expect(r.unseen.figures.accuracy.value).toBeNull();
  expect(r.runs).toMatchObject({ total: 2, errors: 2, timeouts: 0, p50Ms: null });
  expect(r.runs.errorRate.value).toBe(1);
});

test("a snapshot is kept only when the counts change, and labels changing make a new one", async () => {
  const count = async () => (await t.deps.database.db.select().from(metricSnapshots).where(eq(metricSnapshots.evalVersionId, fx.v2.id))).length;
  await service.versionReport(t.deps.database, workspaceId, fx.v2.id);
  const before = await count();
  await service.versionReport(t.deps.database, workspaceId, fx.v2.id);
  expect(await count()).toBe(before);
  // The owner relabels t02 (v2 passed it) from negative to positive: v2 now agrees there.
  await t.deps.database.db.update(feedback).set({ label: "positive", updatedAt: new Date() }).where(eq(feedback.traceId, fx.id(1)));
  // The scheduler's pass over all workspaces finds the change.
  expect(await service.snapshotAllWorkspaces(t.deps.database)).toBeGreaterThanOrEqual(1);
  expect(await count()).toBe(before + 1);
  expect(await service.snapshotChangedVersions(t.deps.database, workspaceId)).toBe(0);
  const report = await service.setReport(t.deps.database, workspaceId, fx.set.id);
  expect(report.overTime.filter((p) => p.versionId === fx.v2.id).map((p) => p.accuracy)).toEqual([6 / 7, 1]);
  await t.deps.database.db.update(feedback).set({ label: "negative", updatedAt: new Date() }).where(eq(feedback.traceId, fx.id(1)));
});

test("the metrics page shows the honest split first, charts as SVG, and reviewer agreement; the API returns JSON", async () => {
  const page = await t.request(`/eval-sets/${fx.set.id}/metrics`, { cookie: session.cookie });
  expect(page.status).toBe(200);
  const html = await page.text();
  const honest = html.indexOf("never saw");
  const training = html.indexOf("used to make it");
  expect(honest).toBeGreaterThan(0);
  expect(training).toBeGreaterThan(honest);
  expect(html).toContain("<svg");
  expect(html).toContain("<polyline");
  expect(html).toContain("Ada × Bea");
  const api = await t.request(`/api/v1/eval-versions/${fx.v2.id}/metrics`, { cookie: session.cookie });
  const body = (await api.json()) as { unseen_labels: { accuracy: { value: number; ci95: number[] }; confusion: Record<string, number> }; runs: { error_rate: { value: number } } };
  expect(body.unseen_labels.confusion).toEqual({ fail_caught: 3, fail_missed: 1, false_failure: 0, pass_agreed: 3 });
  expect(body.unseen_labels.accuracy.value).toBeCloseTo(6 / 7, 12);
  expect(body.unseen_labels.accuracy.ci95.length).toBe(2);
  expect(body.runs.error_rate.value).toBe(0.1);
  expect((await t.request(`/api/v1/eval-versions/nope/metrics`, { cookie: session.cookie })).status).toBe(404);
});
