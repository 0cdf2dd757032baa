// Database access for metrics: agreement counts per split and execution stats aggregated in SQL, and metric snapshots.
import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { rowsOf } from "../../db/migrate";
import { evals, evalVersions, metricSnapshots } from "../../db/schema";
import type { RunStats, SplitCounts } from "./model";

/** A version with what the metrics pages show about its eval. */
const versionColumns = {
  id: evalVersions.id,
  version: evalVersions.version,
  createdAt: evalVersions.createdAt,
  evalId: evals.id,
  evalName: evals.name,
  evalSetId: evals.evalSetId,
  activeVersionId: evals.activeVersionId,
};

export async function findVersion(db: Db, workspaceId: string, versionId: string) {
  const [row] = await db
    .select(versionColumns)
    .from(evalVersions)
    .innerJoin(evals, eq(evals.id, evalVersions.evalId))
    .where(and(eq(evalVersions.workspaceId, workspaceId), eq(evalVersions.id, versionId)));
  return row ?? null;
}

export type VersionInfo = NonNullable<Awaited<ReturnType<typeof findVersion>>>;

export async function versionsOfSet(db: Db, workspaceId: string, evalSetId: string): Promise<VersionInfo[]> {
  return db
    .select(versionColumns)
    .from(evalVersions)
    .innerJoin(evals, eq(evals.id, evalVersions.evalId))
    .where(and(eq(evalVersions.workspaceId, workspaceId), eq(evals.evalSetId, evalSetId)))
    .orderBy(asc(evals.name), asc(evalVersions.version));
}

/**
 * The whole confusion matrix of one version in one statement, split by whether the trace's labels were among
 * those the version was made from (eval_versions.training_feedback_ids). Only traces whose ground truth is
 * pass or fail count; errors and missing runs are counted apart, not as verdicts.
 */
export async function agreementCounts(db: Db, workspaceId: string, evalSetId: string, versionId: string): Promise<{ unseen: SplitCounts; training: SplitCounts }> {
  const split = (seen: boolean) => {
    const inSplit = seen ? sql`c.seen` : sql`not c.seen`;
    const p = sql.raw(seen ? "training_" : "unseen_");
    return sql`
      coalesce(sum(c.n) filter (where ${inSplit} and c.negative and c.passed = false), 0)::int as ${p}fail_caught,
      coalesce(sum(c.n) filter (where ${inSplit} and c.negative and c.passed = true), 0)::int as ${p}fail_missed,
      coalesce(sum(c.n) filter (where ${inSplit} and not c.negative and c.passed = false), 0)::int as ${p}false_failure,
      coalesce(sum(c.n) filter (where ${inSplit} and not c.negative and c.passed = true), 0)::int as ${p}pass_agreed,
      coalesce(sum(c.n) filter (where ${inSplit}), 0)::int as ${p}labeled,
      coalesce(sum(c.n) filter (where ${inSplit} and c.errored), 0)::int as ${p}errored,
      coalesce(sum(c.n) filter (where ${inSplit} and not c.ran), 0)::int as ${p}not_run`;
  };
  // The ground truth is one maintained row per labelled trace (set_traces: no grouping of label rows here); the version's
  // executions are joined to it once, hashed. A trace counts as "seen" when one of its feedback rows is among the
  // version's training ids: a few hundred primary-key lookups, hashed for the probe. Traces are then counted per
  // combination of (split, label, verdict, error, ran), and the fourteen FILTERs run over a few dozen rows. The
  // memory lets the version's executions (about 7 MB at 100k) be hashed in one batch.
  const rows = await db.transaction(async (tx) => {
    await tx.execute(sql`set local work_mem = '64MB'`);
    return rowsOf<Record<string, unknown>>(
      await tx.execute(sql`
        with seen as (
          select f.trace_id from feedback f
          where f.id in (select jsonb_array_elements_text(ev.training_feedback_ids) from eval_versions ev where ev.id = ${versionId} and ev.workspace_id = ${workspaceId})
            and f.eval_set_id = ${evalSetId} and f.workspace_id = ${workspaceId}
        ),
        c as (
          select g.trace_id in (select seen.trace_id from seen) as seen, g.label = 'negative' as negative, e.passed,
            e.error_kind is not null as errored, e.trace_id is not null as ran, count(*) as n
          from set_traces g
          left join executions e on e.eval_version_id = ${versionId} and e.trace_id = g.trace_id and e.workspace_id = ${workspaceId}
          where g.eval_set_id = ${evalSetId} and g.workspace_id = ${workspaceId} and g.reviewers > 0 and g.label in ('positive', 'negative')
          group by 1, 2, 3, 4, 5
        )
        select ${split(false)}, ${split(true)}
        from c`),
    );
  });
  const row = rows[0] ?? {};
  const read = (prefix: string): SplitCounts => ({
    failCaught: Number(row[`${prefix}fail_caught`] ?? 0),
    failMissed: Number(row[`${prefix}fail_missed`] ?? 0),
    falseFailure: Number(row[`${prefix}false_failure`] ?? 0),
    passAgreed: Number(row[`${prefix}pass_agreed`] ?? 0),
    labeled: Number(row[`${prefix}labeled`] ?? 0),
    errored: Number(row[`${prefix}errored`] ?? 0),
    notRun: Number(row[`${prefix}not_run`] ?? 0),
  });
  return { unseen: read("unseen_"), training: read("training_") };
}

/** Every run of the version on any trace: error and timeout counts by kind, and duration percentiles. */
export async function runStats(db: Db, workspaceId: string, versionId: string): Promise<RunStats> {
  const runs = sql`from executions e where e.workspace_id = ${workspaceId} and e.eval_version_id = ${versionId}`;
  const [totals, kinds] = await Promise.all([
    db.execute(sql`
      select count(*)::int as total,
        count(*) filter (where e.error_kind is not null)::int as errors,
        count(*) filter (where e.error_kind = 'timeout')::int as timeouts,
        percentile_cont(0.5) within group (order by e.duration_ms) as p50_ms,
        percentile_cont(0.95) within group (order by e.duration_ms) as p95_ms
      ${runs}`),
    db.execute(sql`select e.error_kind, count(*)::int as n ${runs} and e.error_kind is not null group by e.error_kind`),
  ]);
  const row = rowsOf<Record<string, unknown>>(totals)[0] ?? {};
  const orNull = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    total: Number(row.total ?? 0),
    errors: Number(row.errors ?? 0),
    timeouts: Number(row.timeouts ?? 0),
    byKind: Object.fromEntries(rowsOf<{ error_kind: string; n: number }>(kinds).map((k) => [k.error_kind, Number(k.n)])),
    p50Ms: orNull(row.p50_ms),
    p95Ms: orNull(row.p95_ms),
  };
}

export async function latestSnapshot(db: Db, workspaceId: string, versionId: string) {
  const [row] = await db
    .select()
    .from(metricSnapshots)
    .where(and(eq(metricSnapshots.workspaceId, workspaceId), eq(metricSnapshots.evalVersionId, versionId)))
    .orderBy(desc(metricSnapshots.createdAt))
    .limit(1);
  return row ?? null;
}

export async function insertSnapshot(db: Db, values: typeof metricSnapshots.$inferInsert) {
  await db.insert(metricSnapshots).values(values);
}

export async function snapshotsOf(db: Db, workspaceId: string, versionIds: string[], limitPerVersion = 200) {
  if (versionIds.length === 0) return [];
  return db
    .select()
    .from(metricSnapshots)
    .where(and(eq(metricSnapshots.workspaceId, workspaceId), inArray(metricSnapshots.evalVersionId, versionIds)))
    .orderBy(asc(metricSnapshots.createdAt))
    .limit(limitPerVersion * versionIds.length);
}

/** Versions whose executions or set labels changed since their latest snapshot (or that have none): the periodic job's work. */
export async function versionsNeedingSnapshot(db: Db, workspaceId: string) {
  const result = await db.execute(sql`
    select ev.id as version_id, e.eval_set_id
    from eval_versions ev join evals e on e.id = ev.eval_id
    left join lateral (select max(s.created_at) as at from metric_snapshots s where s.eval_version_id = ev.id) last on true
    where ev.workspace_id = ${workspaceId}
      and (last.at is null
        or exists (select 1 from feedback f where f.workspace_id = ${workspaceId} and f.eval_set_id = e.eval_set_id and f.updated_at > last.at)
        or exists (select 1 from resolutions r where r.workspace_id = ${workspaceId} and r.eval_set_id = e.eval_set_id and r.updated_at > last.at)
        or exists (select 1 from executions x where x.workspace_id = ${workspaceId} and x.eval_version_id = ev.id and x.created_at > last.at))`);
  return rowsOf<{ version_id: string; eval_set_id: string }>(result).map((r) => ({ versionId: r.version_id, evalSetId: r.eval_set_id }));
}

/** Workspaces that have eval versions: the periodic snapshot visits only these (a system-level scan by design). */
export async function workspacesWithVersions(db: Db): Promise<string[]> {
  const result = await db.execute(sql`select distinct workspace_id from eval_versions`);
  return rowsOf<{ workspace_id: string }>(result).map((r) => r.workspace_id);
}
