// Evals and versions: lookups, generated and hand-written versions (checked and tested), activation, diffs.
import type { Database } from "../../db/client";
import { settledLabels } from "../generation/service";
import { NotFoundError, ValidationError } from "../../http/errors";
import { agreementMetrics } from "../metrics/agreement";
import * as generationQueries from "../generation/queries";
import { runInSandbox, staticProblems, verdictOf } from "../generation/sandbox-scoring";
import { diffLines, foldUnchanged } from "./line-diff";
import * as q from "./queries";

export async function getEvalSet(database: Database, workspaceId: string, id: string) {
  const row = await q.findEvalSet(database.db, workspaceId, id);
  if (!row) throw new NotFoundError("Eval set");
  return row;
}

export async function getEval(database: Database, workspaceId: string, id: string) {
  const row = await q.findEval(database.db, workspaceId, id);
  if (!row) throw new NotFoundError("Eval");
  return row;
}

export async function getVersion(database: Database, workspaceId: string, id: string) {
  const row = await q.findVersion(database.db, workspaceId, id);
  if (!row) throw new NotFoundError("Eval version");
  return row;
}

/** The eval generation adds versions to: the set's first eval, created (named after the set) when it has none. */
export async function ensureEvalForSet(database: Database, workspaceId: string, evalSetId: string) {
  const set = await getEvalSet(database, workspaceId, evalSetId);
  return (await q.findEvalOfSet(database.db, workspaceId, evalSetId)) ?? q.insertEval(database.db, { workspaceId, evalSetId, name: set.name });
}

export async function listEvalsPage(database: Database, workspaceId: string) {
  const [evals, evalSets] = await Promise.all([q.listEvals(database.db, workspaceId), q.listEvalSets(database.db, workspaceId)]);
  return { evals, evalSets };
}

export async function evalDetail(database: Database, workspaceId: string, evalId: string) {
  const evaluation = await getEval(database, workspaceId, evalId);
  const [evalSet, versions, runs] = await Promise.all([
    getEvalSet(database, workspaceId, evaluation.evalSetId),
    q.listVersions(database.db, workspaceId, evalId),
    generationQueries.listRunsOfEval(database.db, workspaceId, evalId),
  ]);
  return { evaluation, evalSet, versions, runs };
}

export async function versionDetail(database: Database, workspaceId: string, versionId: string) {
  const version = await getVersion(database, workspaceId, versionId);
  const evaluation = await getEval(database, workspaceId, version.evalId);
  const run = await generationQueries.findRunOfVersion(database.db, workspaceId, versionId);
  const candidates = run ? await generationQueries.listCandidates(database.db, workspaceId, run.id) : [];
  const parent = version.parentId ? await q.findVersion(database.db, workspaceId, version.parentId) : null;
  return { version, evaluation, run, candidates, parent };
}

/** Stores a generation's chosen code as the next version; a retried job finds the version it already made. */
export async function addGeneratedVersion(
  database: Database,
  input: Omit<q.EvalVersionInsert, "metrics"> & { runId: string; metrics: Record<string, unknown>; activateIfNone: boolean },
) {
  const { runId, activateIfNone, ...values } = input;
  const existing = (await q.listVersions(database.db, input.workspaceId, input.evalId)).find((v) => v.version.metrics?.generationRunId === runId);
  const version = existing?.version ?? (await q.insertVersion(database.db, { ...values, metrics: { ...values.metrics, generationRunId: runId } }));
  const evaluation = await getEval(database, input.workspaceId, input.evalId);
  if (activateIfNone && !evaluation.activeVersionId) await q.setActiveVersion(database.db, input.workspaceId, input.evalId, version.id);
  return version;
}

export class CodeRejectedError extends ValidationError {}

/**
 * A hand-written version: statically checked, then run on the set's labelled traces in the sandbox. Its agreement
 * is measured on labels its author could see, so it is recorded as such, never as a held-out estimate.
 */
export async function saveHandVersion(database: Database, input: { workspaceId: string; evalId: string; parentId: string | null; code: string; timeoutMs?: number; createdBy: string }) {
  const evaluation = await getEval(database, input.workspaceId, input.evalId);
  const code = input.code.replace(/\r\n/g, "\n");
  if (!/^\s*def evaluate\s*\(/m.test(code)) throw new CodeRejectedError("The code must define evaluate(trace).");
  const problems = await staticProblems(code);
  if (problems) throw new CodeRejectedError(`The static check rejected the code:\n${problems}`);
  const { labels } = await settledLabels(database, input.workspaceId, evaluation.evalSetId);
  const traces = await generationQueries.normalizedTraces(database.db, input.workspaceId, labels.map((l) => l.traceId));
  const usable = labels.filter((l) => l.label !== "neutral" && traces.has(l.traceId));
  const result = await runInSandbox(code, usable.map((l) => ({ id: l.traceId, trace: traces.get(l.traceId)! })), { timeoutMs: input.timeoutMs });
  if (result.loadError) throw new CodeRejectedError(`The code does not load in the sandbox:\n${result.loadError}`);
  const onLabels = agreementMetrics(usable.map((l) => ({ humanPassed: l.label === "positive", evalPassed: verdictOf(result, l.traceId) })));
  return q.insertVersion(database.db, {
    workspaceId: input.workspaceId,
    evalId: input.evalId,
    parentId: input.parentId,
    origin: "manual",
    code,
    timeoutMs: input.timeoutMs ?? 2000,
    trainingFeedbackIds: usable.flatMap((l) => l.feedbackIds),
    metrics: { onLabels, validation: "on the labelled traces its author could see (not held out)", errors: result.errorCount, labels: { used: usable.length, neutralExcluded: labels.length - usable.length } },
    createdBy: input.createdBy,
  });
}

/** Makes a version the active one; activating an older version is how a rollback is done. */
export async function activateVersion(database: Database, workspaceId: string, versionId: string) {
  const version = await getVersion(database, workspaceId, versionId);
  await q.setActiveVersion(database.db, workspaceId, version.evalId, version.id);
  return version;
}

export async function versionDiff(database: Database, workspaceId: string, fromId: string, toId: string) {
  const [from, to] = await Promise.all([getVersion(database, workspaceId, fromId), getVersion(database, workspaceId, toId)]);
  if (from.evalId !== to.evalId) throw new ValidationError("Both versions must belong to the same eval.");
  const lines = diffLines(from.code, to.code);
  return { from, to, rows: foldUnchanged(lines), added: lines.filter((l) => l.kind === "added").length, removed: lines.filter((l) => l.kind === "removed").length };
}
