// Eval generation: candidates from the synthesizer and the LLM, scored on shared k-fold splits, the best kept as a version; refinement likewise.
import type { Database } from "../../db/client";
import { groundTruthLabels } from "../review/service";
import { NotFoundError, ValidationError } from "../../http/errors";
import { enqueueJob } from "../../jobs/queue";
import { cachedClient } from "../../llm/cache";
import { describeLlmError, type LlmClient } from "../../llm/client";
import type { Contradiction, LabelledExample } from "../../llm/prompt";
import { agreementMetrics, type AgreementMetrics } from "../metrics/agreement";
import * as evalService from "../evals/service";
import { foldsFor } from "./cross-validation";
import { authorEval } from "./llm-author";
import { GENERATE_EVAL_JOB, REFINE_EVAL_JOB, type GenerationParams } from "./model";
import * as q from "./queries";
import { runInSandbox, verdictOf } from "./sandbox-scoring";
import { assessConfidence, synthesizeEval } from "./synthesizer";

/** Fold assignment is fixed, so every candidate of a run (and a rerun) faces the same held-out splits. */
const FOLD_SEED = 101;
/** Candidates whose held-out kappa differs by less than this are tied; the simpler one wins. */
const KAPPA_TIE = 0.005;

export interface Reporter {
  stage(message: string, done: number, total: number): Promise<void>;
  log(message: string): Promise<void>;
  throwIfStopped(): void;
  signal?: AbortSignal;
}

export interface GenerationDeps {
  database: Database;
  /** null in offline mode: only the synthesizer runs. */
  llm: LlmClient | null;
}

interface LabelledSet {
  examples: LabelledExample[];
  passed: boolean[];
  folds: number[][];
  feedbackIds: string[][];
  neutral: number;
  tied: number;
  withoutTrace: number;
}

export interface ScoredCandidate {
  origin: "llm" | "synthesizer";
  label: string;
  code: string | null;
  heldOutPassed: boolean[];
  cv: AgreementMetrics;
  train: AgreementMetrics | null;
  foldNotes: string[];
  prompt: string | null;
  model: string | null;
  temperature: number | null;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  error: string | null;
}

export function complexityOf(code: string | null): number {
  return code ? code.split("\n").filter((line) => line.trim() !== "" && !line.trim().startsWith("#")).length : Number.MAX_SAFE_INTEGER;
}

/** Best held-out kappa; within KAPPA_TIE, fewer lines of code. Candidates without code never win. */
export function chooseCandidate<C extends { code: string | null; cv: AgreementMetrics }>(candidates: readonly C[]): C | null {
  const usable = candidates.filter((c) => c.code !== null);
  if (usable.length === 0) return null;
  const best = Math.max(...usable.map((c) => c.cv.kappa));
  return usable.filter((c) => c.cv.kappa >= best - KAPPA_TIE).sort((a, b) => complexityOf(a.code) - complexityOf(b.code) || b.cv.kappa - a.cv.kappa)[0];
}

export function defaultParams(settings: { generators?: ("synthesizer" | "llm")[]; llm_samples: number; folds: number; examples_tokens: number; per_trace_tokens: number; max_tokens: number; model?: string }, llmAvailable: boolean, defaultModel: string): GenerationParams {
  const generators = (settings.generators ?? (llmAvailable ? ["synthesizer", "llm"] : ["synthesizer"])) as GenerationParams["generators"];
  if (generators.length === 0) throw new ValidationError("Choose at least one generator.");
  if (generators.includes("llm") && !llmAvailable) throw new ValidationError("Claude is not configured (set ANTHROPIC_API_KEY); use the offline synthesizer.");
  return {
    generators,
    llmSamples: settings.llm_samples,
    folds: settings.folds,
    model: settings.model || defaultModel,
    maxTokens: settings.max_tokens,
    budget: { examplesTokens: settings.examples_tokens, perTraceTokens: settings.per_trace_tokens },
  };
}

export async function startGeneration(database: Database, input: { workspaceId: string; evalSetId: string; params: GenerationParams; createdBy: string | null }) {
  const evaluation = await evalService.ensureEvalForSet(database, input.workspaceId, input.evalSetId);
  return enqueueRun(database, { ...input, evalId: evaluation.id, kind: "generate" });
}

export async function startRefinement(database: Database, input: { workspaceId: string; evalId: string; params: GenerationParams; createdBy: string | null }) {
  const evaluation = await evalService.getEval(database, input.workspaceId, input.evalId);
  const baseVersionId = input.params.baseVersionId ?? evaluation.activeVersionId;
  if (!baseVersionId) throw new ValidationError("This eval has no active version to refine: generate one first.");
  await evalService.getVersion(database, input.workspaceId, baseVersionId);
  return enqueueRun(database, { ...input, evalSetId: evaluation.evalSetId, kind: "refine", params: { ...input.params, baseVersionId } });
}

async function enqueueRun(database: Database, input: { workspaceId: string; evalSetId: string; evalId: string; kind: "generate" | "refine"; params: GenerationParams; createdBy: string | null }) {
  const run = await q.insertRun(database.db, { workspaceId: input.workspaceId, evalSetId: input.evalSetId, evalId: input.evalId, kind: input.kind, params: { ...input.params }, createdBy: input.createdBy });
  const job = await enqueueJob(database, { workspaceId: input.workspaceId, type: input.kind === "generate" ? GENERATE_EVAL_JOB : REFINE_EVAL_JOB, payload: { runId: run.id }, createdBy: input.createdBy, maxAttempts: 3 });
  await q.updateRun(database.db, input.workspaceId, run.id, { jobId: job.id });
  return { run, job };
}

/**
 * The set's ground truth, as the review queue settles it (a resolution, else the label every reviewer gave);
 * traces whose reviewers disagree and nobody resolved are left out and counted in `tied`.
 */
export async function settledLabels(database: Database, workspaceId: string, evalSetId: string): Promise<{ labels: q.TraceLabel[]; tied: number }> {
  const truth = await groundTruthLabels(database, workspaceId, evalSetId);
  const labelled = await q.labelledTraceCount(database.db, workspaceId, evalSetId);
  const labels = truth.map((t) => ({ traceId: t.traceId, label: t.label, feedbackIds: t.feedbackIds, notes: t.notes.map((n) => n.trim()).filter(Boolean) }));
  return { labels, tied: Math.max(0, labelled - truth.filter((t) => t.reviewers > 0).length) };
}

async function loadLabelledSet(database: Database, workspaceId: string, evalSetId: string, folds: number): Promise<LabelledSet> {
  const { labels, tied } = await settledLabels(database, workspaceId, evalSetId);
  const traces = await q.normalizedTraces(database.db, workspaceId, labels.map((l) => l.traceId));
  const usable = labels.filter((l) => l.label !== "neutral" && traces.has(l.traceId));
  const examples = usable.map((l) => ({ traceId: l.traceId, trace: traces.get(l.traceId)!, label: l.label as "positive" | "negative", notes: l.notes }));
  const passed = examples.map((e) => e.label === "positive");
  return {
    examples,
    passed,
    folds: foldsFor(passed, folds, FOLD_SEED),
    feedbackIds: usable.map((l) => l.feedbackIds),
    neutral: labels.filter((l) => l.label === "neutral").length,
    tied,
    withoutTrace: labels.filter((l) => l.label !== "neutral" && !traces.has(l.traceId)).length,
  };
}

function trainingFolds(set: LabelledSet, heldOut: number[]): number[] {
  const inFold = new Set(heldOut);
  return set.examples.flatMap((_, i) => (inFold.has(i) ? [] : [i]));
}

function metricsOf(set: LabelledSet, verdicts: readonly boolean[]): AgreementMetrics {
  return agreementMetrics(set.passed.map((humanPassed, i) => ({ humanPassed, evalPassed: verdicts[i] })));
}

async function sandboxTrainMetrics(set: LabelledSet, code: string, reporter: Reporter): Promise<{ metrics: AgreementMetrics; verdicts: Map<string, { passed: boolean; reason: string } | { error: string }>; errors: number }> {
  await reporter.stage(`testing on ${set.examples.length} labels`, 0, set.examples.length);
  const result = await runInSandbox(code, set.examples.map((e) => ({ id: e.traceId, trace: e.trace })), { signal: reporter.signal });
  if (result.loadError) throw new Error(`the chosen code does not load in the sandbox: ${result.loadError}`);
  return { metrics: metricsOf(set, set.examples.map((e) => verdictOf(result, e.traceId))), verdicts: result.results, errors: result.errorCount };
}

async function synthesizerCandidate(set: LabelledSet, rubric: string, reporter: Reporter): Promise<ScoredCandidate> {
  await reporter.stage(`cross-validating the offline synthesizer on ${set.examples.length} labels`, 0, set.folds.length);
  const result = synthesizeEval({
    traces: set.examples.map((e) => e.trace),
    labels: set.examples.map((e) => ({ traceId: e.traceId, label: e.label })),
    rubric,
    folds: set.folds,
  });
  const train = await sandboxTrainMetrics(set, result.code, reporter);
  return {
    origin: "synthesizer",
    label: `offline synthesizer (${result.summary.rules.length} rule${result.summary.rules.length === 1 ? "" : "s"})`,
    code: result.code,
    heldOutPassed: result.cvHeldOutPassed,
    cv: result.cvMetrics,
    train: train.metrics,
    foldNotes: train.errors ? [`raised on ${train.errors} labelled traces in the sandbox`] : [],
    prompt: null, model: null, temperature: null, tokensIn: 0, tokensOut: 0, costUsd: 0, error: null,
  };
}

/**
 * One LLM candidate: per fold, code is written from the other folds' labels only and tested on the held-out fold
 * in the sandbox; the deployable code is then written from all labels. `previous` turns it into a refinement.
 */
async function llmCandidate(
  deps: { llm: LlmClient },
  set: LabelledSet,
  rubric: string,
  params: GenerationParams,
  sample: number,
  reporter: Reporter,
  previous?: { code: string; verdicts: boolean[]; reasons: string[] },
): Promise<ScoredCandidate> {
  const settings = { model: params.model, maxTokens: params.maxTokens, budget: params.budget, timeoutMs: 2000 };
  const totals = { tokensIn: 0, tokensOut: 0, costUsd: 0 };
  const foldNotes: string[] = [];
  const contradictionsAmong = (indices: number[]): Contradiction[] =>
    previous ? indices.filter((i) => previous.verdicts[i] !== set.passed[i]).map((i) => ({ example: set.examples[i], verdict: `${previous.verdicts[i] ? "passed" : "failed"}: ${previous.reasons[i]}` })) : [];
  const heldOutPassed = new Array<boolean>(set.examples.length).fill(true);
  const label = `${previous ? "Claude refinement" : "Claude"} sample ${sample + 1} (example subset ${sample + 1})`;

  for (const [f, heldOut] of set.folds.entries()) {
    reporter.throwIfStopped();
    const train = trainingFolds(set, heldOut);
    await reporter.stage(`calling model: ${label}, fold ${f + 1}/${set.folds.length}`, f, set.folds.length + 1);
    const authored = await authorEval(
      deps.llm,
      { rubric, examples: train.map((i) => set.examples[i]), previous: previous ? { code: previous.code, contradictions: contradictionsAmong(train) } : undefined },
      { ...settings, seed: sample * 1000 + f },
      reporter.signal,
    );
    totals.tokensIn += authored.tokensIn;
    totals.tokensOut += authored.tokensOut;
    totals.costUsd += authored.costUsd;
    for (const note of authored.notes) foldNotes.push(`fold ${f + 1}: ${note}`);
    if (!authored.code) {
      // No usable code on this fold: it is scored as the training majority, which earns no kappa.
      const majorityPassed = train.filter((i) => set.passed[i]).length * 2 >= train.length;
      for (const i of heldOut) heldOutPassed[i] = majorityPassed;
      foldNotes.push(`fold ${f + 1}: no usable code; scored as the majority verdict`);
      continue;
    }
    await reporter.stage(`cross-validating: ${label}, fold ${f + 1}/${set.folds.length} on ${heldOut.length} held-out labels`, f, set.folds.length + 1);
    const verdicts = await runInSandbox(authored.code, heldOut.map((i) => ({ id: set.examples[i].traceId, trace: set.examples[i].trace })), { signal: reporter.signal });
    for (const i of heldOut) heldOutPassed[i] = verdictOf(verdicts, set.examples[i].traceId);
    if (verdicts.errorCount) foldNotes.push(`fold ${f + 1}: raised on ${verdicts.errorCount} held-out traces (counted as fail)`);
  }

  reporter.throwIfStopped();
  const all = set.examples.map((_, i) => i);
  await reporter.stage(`calling model: ${label}, on all ${set.examples.length} labels`, set.folds.length, set.folds.length + 1);
  const final = await authorEval(deps.llm, { rubric, examples: set.examples, previous: previous ? { code: previous.code, contradictions: contradictionsAmong(all) } : undefined }, { ...settings, seed: sample * 1000 + 999 }, reporter.signal);
  totals.tokensIn += final.tokensIn;
  totals.tokensOut += final.tokensOut;
  totals.costUsd += final.costUsd;
  for (const note of final.notes) foldNotes.push(`final: ${note}`);
  const train = final.code ? await sandboxTrainMetrics(set, final.code, reporter) : null;
  return {
    origin: "llm",
    label,
    code: final.code,
    heldOutPassed,
    cv: metricsOf(set, heldOutPassed),
    train: train?.metrics ?? null,
    foldNotes,
    prompt: final.prompt,
    model: params.model,
    temperature: null,
    ...totals,
    error: final.code ? null : "the model's code could not load, even after a repair round",
  };
}

/** Runs a generation or refinement to the end: candidates, CV, selection, a new version. Safe to rerun. */
export async function executeRun(deps: GenerationDeps, workspaceId: string, runId: string, reporter: Reporter): Promise<{ versionId: string | null; candidates: number }> {
  const db = deps.database.db;
  const run = await q.findRun(db, workspaceId, runId);
  if (!run) throw new NotFoundError("Generation run");
  if (run.status === "succeeded") return { versionId: run.chosenVersionId, candidates: (await q.listCandidates(db, workspaceId, runId)).length };
  const params = run.params as unknown as GenerationParams;
  const evalSet = await evalService.getEvalSet(deps.database, workspaceId, run.evalSetId);
  const llm = deps.llm && params.generators.includes("llm") ? cachedClient(db, workspaceId, deps.llm) : null;

  try {
    await reporter.stage("loading labels", 0, 1);
    const set = await loadLabelledSet(deps.database, workspaceId, run.evalSetId, params.folds);
    const negatives = set.passed.filter((p) => !p).length;
    const labelSummary = { used: set.examples.length, negatives, positives: set.examples.length - negatives, neutralExcluded: set.neutral, tiedExcluded: set.tied, withoutTrace: set.withoutTrace, folds: set.folds.length };
    await q.updateRun(db, workspaceId, runId, { labelSummary });
    await reporter.log(`${set.examples.length} labels (${negatives} negative); ${set.neutral} neutral excluded${set.tied ? `, ${set.tied} tied between reviewers excluded` : ""}`);
    if (set.examples.length < 4 || negatives === 0 || negatives === set.examples.length) {
      throw new ValidationError(`Not enough labels to generate from: ${set.examples.length} positive/negative labels (${negatives} negative). Label traces of both kinds first.`);
    }
    if (llm) await reporter.stage(`minifying ${set.examples.length} traces`, 0, 1);

    const base = run.kind === "refine" ? await evalService.getVersion(deps.database, workspaceId, params.baseVersionId!) : null;
    let previous: { code: string; verdicts: boolean[]; reasons: string[] } | undefined;
    if (base) {
      await reporter.stage(`testing the base version v${base.version} on ${set.examples.length} labels`, 0, 1);
      const result = await runInSandbox(base.code, set.examples.map((e) => ({ id: e.traceId, trace: e.trace })), { timeoutMs: base.timeoutMs, signal: reporter.signal });
      const verdicts = set.examples.map((e) => verdictOf(result, e.traceId));
      const reasons = set.examples.map((e) => {
        const r = result.results.get(e.traceId);
        return !r ? "not run" : "error" in r ? `error: ${r.error.split("\n")[0]}` : r.reason;
      });
      previous = { code: base.code, verdicts, reasons };
      const contradictions = verdicts.filter((v, i) => v !== set.passed[i]).length;
      await reporter.log(`base version v${base.version} contradicts ${contradictions} of ${set.examples.length} labels`);
      if (contradictions === 0) throw new ValidationError(`v${base.version} agrees with all ${set.examples.length} labels: nothing to refine. Label more traces, especially ones it might get wrong.`);
    }

    const candidates: ScoredCandidate[] = [];
    if (params.generators.includes("synthesizer")) candidates.push(await synthesizerCandidate(set, evalSet.rubric, reporter));
    if (llm) {
      for (let sample = 0; sample < params.llmSamples; sample++) {
        reporter.throwIfStopped();
        try {
          candidates.push(await llmCandidate({ llm }, set, evalSet.rubric, params, sample, reporter, previous));
        } catch (error) {
          if (reporter.signal?.aborted) throw error;
          const message = describeLlmError(error);
          await reporter.log(`Claude sample ${sample + 1} failed: ${message}`);
          candidates.push({ origin: "llm", label: `Claude sample ${sample + 1}`, code: null, heldOutPassed: [], cv: metricsOf(set, set.passed.map(() => true)), train: null, foldNotes: [], prompt: null, model: params.model, temperature: null, tokensIn: 0, tokensOut: 0, costUsd: 0, error: message });
        }
      }
    }

    const rows = [];
    for (const [ordinal, c] of candidates.entries()) {
      rows.push(await q.upsertCandidate(db, {
        workspaceId, runId, ordinal, origin: c.origin, label: c.label, code: c.code, cvMetrics: { ...c.cv }, trainMetrics: c.train ? { ...c.train } : null,
        foldNotes: c.foldNotes, complexity: c.code ? complexityOf(c.code) : null, chosen: false, error: c.error, prompt: c.prompt, model: c.model,
        temperature: c.temperature, tokensIn: c.tokensIn, tokensOut: c.tokensOut, costUsd: c.costUsd,
      }));
    }
    const chosen = chooseCandidate(candidates);
    if (!chosen) throw new Error("no candidate produced usable code");
    const chosenRow = rows[candidates.indexOf(chosen)];
    await q.markChosen(db, workspaceId, chosenRow.id);
    await reporter.stage(`chose ${chosen.label}: held-out kappa ${chosen.cv.kappa.toFixed(2)}`, 1, 1);

    const disagreements = set.examples.filter((_, i) => chosen.heldOutPassed[i] !== set.passed[i]).map((e) => e.traceId);
    const lowConfidence = assessConfidence(negatives, set.examples.length - negatives, chosen.cv, disagreements) ?? null;
    const comparison = base && previous ? refinementComparison(set, base, previous.verdicts, chosen) : null;
    const runCostUsd = candidates.reduce((s, c) => s + c.costUsd, 0);
    const version = await evalService.addGeneratedVersion(deps.database, {
      workspaceId,
      evalId: run.evalId,
      runId,
      parentId: base?.id ?? null,
      origin: chosen.origin,
      code: chosen.code!,
      trainingFeedbackIds: set.feedbackIds.flat(),
      metrics: { cv: chosen.cv, train: chosen.train, validation: `${set.folds.length}-fold cross-validation`, labels: labelSummary, lowConfidence, comparison, candidates: candidates.length, runCostUsd },
      prompt: chosen.prompt,
      model: chosen.model,
      tokensIn: chosen.tokensIn,
      tokensOut: chosen.tokensOut,
      costUsd: chosen.costUsd,
      createdBy: run.createdBy,
      activateIfNone: run.kind === "generate",
    });
    await q.updateRun(db, workspaceId, runId, { status: "succeeded", chosenVersionId: version.id, lowConfidence, comparison, finishedAt: new Date() });
    return { versionId: version.id, candidates: candidates.length };
  } catch (error) {
    if (!reporter.signal?.aborted) await q.updateRun(db, workspaceId, runId, { status: "failed", error: describeLlmError(error), finishedAt: new Date() });
    throw error;
  }
}

/**
 * Base vs new on the same held-out folds. The new code's figure comes only from held-out folds it was not refined
 * on; the base's verdicts come from its fixed code, and the labels it was trained on are counted, since on those
 * its figure is optimistic (which can only hide a gain, never invent one).
 */
function refinementComparison(set: LabelledSet, base: { id: string; version: number; trainingFeedbackIds: string[] }, baseVerdicts: boolean[], chosen: ScoredCandidate) {
  const trained = new Set(base.trainingFeedbackIds);
  const unseen = set.examples.flatMap((_, i) => (set.feedbackIds[i].some((id) => trained.has(id)) ? [] : [i]));
  const baseMetrics = metricsOf(set, baseVerdicts);
  const subset = (verdicts: boolean[]) => agreementMetrics(unseen.map((i) => ({ humanPassed: set.passed[i], evalPassed: verdicts[i] })));
  return {
    baseVersionId: base.id,
    baseVersion: base.version,
    folds: set.folds.length,
    base: { kappa: baseMetrics.kappa, accuracy: baseMetrics.accuracy, f1Fail: baseMetrics.f1Fail },
    refined: { kappa: chosen.cv.kappa, accuracy: chosen.cv.accuracy, f1Fail: chosen.cv.f1Fail },
    baseTrainedOn: set.examples.length - unseen.length,
    unseenByBase: unseen.length,
    onUnseen: unseen.length >= 10 ? { base: subset(baseVerdicts).kappa, refined: subset(chosen.heldOutPassed).kappa } : null,
    gain: chosen.cv.kappa - baseMetrics.kappa,
  };
}
