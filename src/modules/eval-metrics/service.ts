// Metrics logic: one version's report (honest split first), versions side by side, snapshots kept when counts change, trends, reviewer agreement.
import type { Database } from "../../db/client";
import { NotFoundError } from "../../http/errors";
import { reviewerAgreement } from "../review/service";
import { addCounts, agreementFigures, proportion } from "./figures";
import type { RunStats, SnapshotCounts, SplitCounts, VersionReport } from "./model";
import * as q from "./queries";

export async function requireVersion(database: Database, workspaceId: string, versionId: string) {
  const version = await q.findVersion(database.db, workspaceId, versionId);
  if (!version) throw new NotFoundError("Eval version");
  return version;
}

export function buildReport(version: q.VersionInfo, split: { unseen: SplitCounts; training: SplitCounts }, runs: RunStats): VersionReport {
  return {
    versionId: version.id,
    evalId: version.evalId,
    evalName: version.evalName,
    version: version.version,
    active: version.activeVersionId === version.id,
    createdAt: version.createdAt,
    unseen: { counts: split.unseen, figures: agreementFigures(split.unseen) },
    training: { counts: split.training, figures: agreementFigures(split.training) },
    all: { counts: addCounts(split.unseen, split.training), figures: agreementFigures(addCounts(split.unseen, split.training)) },
    runs: { ...runs, errorRate: proportion(runs.errors, runs.total), timeoutRate: proportion(runs.timeouts, runs.total) },
  };
}

function snapshotCounts(split: { unseen: SplitCounts; training: SplitCounts }, runs: RunStats): SnapshotCounts {
  return { unseen: split.unseen, training: split.training, runs: { total: runs.total, errors: runs.errors, timeouts: runs.timeouts } };
}

function fingerprintOf(counts: SnapshotCounts): string {
  return new Bun.CryptoHasher("sha256").update(JSON.stringify(counts)).digest("hex").slice(0, 32);
}

/** Records the counts when they differ from the version's latest snapshot: labels or verdicts changed since. */
export async function snapshotIfChanged(database: Database, workspaceId: string, evalSetId: string, versionId: string, counts: SnapshotCounts, trigger: "computed" | "job") {
  const fingerprint = fingerprintOf(counts);
  const latest = await q.latestSnapshot(database.db, workspaceId, versionId);
  if (latest?.fingerprint === fingerprint) return false;
  await q.insertSnapshot(database.db, { workspaceId, evalSetId, evalVersionId: versionId, fingerprint, trigger, counts: { ...counts } });
  return true;
}

/** Computes the version's metrics in SQL (a few aggregate statements) and keeps a snapshot if they moved. */
export async function versionReport(database: Database, workspaceId: string, versionId: string, trigger: "computed" | "job" = "computed"): Promise<VersionReport> {
  const version = await requireVersion(database, workspaceId, versionId);
  return reportFor(database, workspaceId, version, trigger);
}

async function reportFor(database: Database, workspaceId: string, version: q.VersionInfo, trigger: "computed" | "job") {
  const [split, runs] = await Promise.all([
    q.agreementCounts(database.db, workspaceId, version.evalSetId, version.id),
    q.runStats(database.db, workspaceId, version.id),
  ]);
  await snapshotIfChanged(database, workspaceId, version.evalSetId, version.id, snapshotCounts(split, runs), trigger);
  return buildReport(version, split, runs);
}

export interface TrendPoint {
  versionId: string;
  at: Date;
  accuracy: number | null;
  kappa: number | null;
  f1Fail: number | null;
  errorRate: number | null;
}

/** Every version of the set side by side, their trend over time from snapshots, and reviewer agreement. */
export async function setReport(database: Database, workspaceId: string, evalSetId: string, versionIds?: string[]) {
  const all = await q.versionsOfSet(database.db, workspaceId, evalSetId);
  const chosen = versionIds?.length ? all.filter((v) => versionIds.includes(v.id)) : all;
  const reports: VersionReport[] = [];
  // One version at a time: each is a few aggregates over the whole set, and the machine has few cores.
  for (const version of chosen) reports.push(await reportFor(database, workspaceId, version, "computed"));
  const snapshots = await q.snapshotsOf(database.db, workspaceId, chosen.map((v) => v.id));
  const overTime: TrendPoint[] = snapshots.map((s) => {
    const counts = s.counts as unknown as SnapshotCounts;
    const figures = agreementFigures(counts.unseen);
    return {
      versionId: s.evalVersionId,
      at: s.createdAt,
      accuracy: figures.accuracy.value,
      kappa: figures.kappa.value,
      f1Fail: figures.f1Fail.value,
      errorRate: proportion(counts.runs.errors, counts.runs.total).value,
    };
  });
  const reviewers = await reviewerAgreement(database, workspaceId, evalSetId);
  return { reports, overTime, reviewers };
}

/** The periodic job's work: a snapshot for every version whose labels or runs changed since its last one. */
export async function snapshotChangedVersions(database: Database, workspaceId: string): Promise<number> {
  let written = 0;
  for (const { versionId } of await q.versionsNeedingSnapshot(database.db, workspaceId)) {
    const version = await q.findVersion(database.db, workspaceId, versionId);
    if (!version) continue;
    const [split, runs] = await Promise.all([q.agreementCounts(database.db, workspaceId, version.evalSetId, version.id), q.runStats(database.db, workspaceId, version.id)]);
    if (await snapshotIfChanged(database, workspaceId, version.evalSetId, version.id, snapshotCounts(split, runs), "job")) written++;
  }
  return written;
}

/** The scheduler's periodic pass: every workspace's changed versions get a snapshot, so trends follow label changes. */
export async function snapshotAllWorkspaces(database: Database): Promise<number> {
  let written = 0;
  for (const workspaceId of await q.workspacesWithVersions(database.db)) written += await snapshotChangedVersions(database, workspaceId);
  return written;
}
