// Generation end to end through the job queue: the real SDK against the fake Anthropic API, the synthesizer, CV, versions, refinement.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { and, eq } from "drizzle-orm";
import { evals, evalSets, evalVersions, feedback, generationCandidates, generationRuns, jobEvents, jobs, traces, users, workspaces } from "../../db/schema";
import { createMemoryLogger } from "../../logger";
import { createAnthropicClient } from "../../llm/client";
import { startWorker, type Worker } from "../../jobs/worker";
import { generationJob } from "../../jobs/definitions/generate-eval";
import { createTestDatabase, type TestDatabase } from "../../../test/support/database";
import { insertTraces } from "../../../test/support/traces";
import { startFakeAnthropic, textOf, type FakeAnthropic } from "../../../test/fake-anthropic/server";
import { GENERATE_EVAL_JOB, REFINE_EVAL_JOB, type GenerationParams } from "./model";
import { startGeneration, startRefinement } from "./service";
import { supportDataset } from "./synthesizer/test-traces";

const GOOD_EVAL = `import json

def evaluate(trace):
    calls = trace.get("tool_calls") or []
    names = [c.get("name") for c in calls]
    for c in calls:
        body = str((c.get("arguments") or {}).get("body", ""))
        if c.get("name") == "send_email" and "[Name]" in body:
            return False, "the sent email still holds [Name]"
    if "refund" in names and "escalate" not in names:
        return False, "refunded without escalating"
    return True, "no unescalated refund and no placeholder"
`;
/** Catches only placeholders: what the refinement is asked to fix. */
const PARTIAL_EVAL = GOOD_EVAL.replace(/    if "refund" in names[\s\S]*?escalating"\n/, "");
const fenced = (code: string) => `Here is the eval.\n\n\`\`\`python\n${code}\`\`\`\n`;

let t: TestDatabase;
let fake: FakeAnthropic;
let worker: Worker;
let workspaceId: string;
let userId: string;
let evalSetId: string;

const params: GenerationParams = { generators: ["synthesizer", "llm"], llmSamples: 1, folds: 3, model: "claude-sonnet-4-6", maxTokens: 4000, budget: { examplesTokens: 20_000, perTraceTokens: 600 } };

beforeAll(async () => {
  t = await createTestDatabase();
  const [w] = await t.database.db.insert(workspaces).values({ name: "W" }).returning();
  const [u] = await t.database.db.insert(users).values({ email: "g@x.co", name: "G", passwordHash: "x" }).returning();
  workspaceId = w!.id;
  userId = u!.id;
  const data = supportDataset(60, 5);
  await insertTraces(t.database, workspaceId, data.map((d) => d.trace));
  const rows = await t.database.db.select({ id: traces.id, externalId: traces.externalId }).from(traces).where(eq(traces.workspaceId, workspaceId));
  const idOf = new Map(rows.map((r) => [r.externalId, r.id]));
  const [set] = await t.database.db.insert(evalSets).values({ workspaceId, name: "Support policy", rubric: "Fail refunds issued without escalating first, and sent emails that still hold a placeholder such as [Name]." }).returning();
  evalSetId = set!.id;
  await t.database.db.insert(feedback).values(data.map((d, i) => ({
    workspaceId, evalSetId, userId, traceId: idOf.get(d.trace.id)!,
    label: i >= 56 ? ("neutral" as const) : d.failed ? ("negative" as const) : ("positive" as const),
    note: d.failed && i % 4 === 0 ? "refund went out with no escalation" : "",
  })));
  fake = startFakeAnthropic((request) => {
    const prompt = textOf(request);
    if (prompt.includes("<previous_code>")) return { kind: "text", text: fenced(GOOD_EVAL) };
    return { kind: "text", text: fenced(GOOD_EVAL) };
  });
  const llm = () => createAnthropicClient({ apiKey: "test-key", baseURL: fake.url, sleep: async () => {} });
  worker = await startWorker({ database: t.database, definitions: [generationJob(GENERATE_EVAL_JOB, llm), generationJob(REFINE_EVAL_JOB, llm)], logger: createMemoryLogger(), concurrency: 1, pollMs: 50, leaseMs: 30_000 });
}, 60_000);
afterAll(async () => {
  await worker?.stop();
  await fake?.close();
  await t?.drop();
});

async function waitForJob(id: string) {
  for (let i = 0; i < 1200; i++) {
    const [job] = await t.database.db.select().from(jobs).where(eq(jobs.id, id));
    if (["succeeded", "failed", "cancelled"].includes(job!.status)) return job!;
    await Bun.sleep(100);
  }
  throw new Error("job did not finish");
}

test("a generation scores the synthesizer and a Claude candidate on shared folds, repairs bad code, and keeps the best as v1", async () => {
  fake.script(
    { kind: "text", text: "I would rather explain the rubric in prose." },
    { kind: "text", text: fenced(GOOD_EVAL) },
    { kind: "text", text: fenced("def evaluate(trace):\n    return trace['nope'], 'x'\n") },
    { kind: "text", text: fenced(GOOD_EVAL) },
    { kind: "error", status: 429, type: "rate_limit_error", retryAfterSeconds: 0 },
    { kind: "text", text: fenced("def evaluate(trace:\n    return True, 'x'\n") },
    { kind: "text", text: fenced(GOOD_EVAL) },
    { kind: "error", status: 529, type: "overloaded_error", retryAfterSeconds: 0 },
  );
  const { run, job } = await startGeneration(t.database, { workspaceId, evalSetId, params, createdBy: userId });
  const done = await waitForJob(job.id);
  expect(done.error).toBeNull();
  expect(done.status).toBe("succeeded");

  const messages = (await t.database.db.select().from(jobEvents).where(eq(jobEvents.jobId, job.id))).map((e) => String((e.data as { message?: string }).message ?? ""));
  for (const stage of ["minifying 56 traces", "calling model", "testing on 56 labels", "cross-validating"]) expect(messages.some((m) => m.includes(stage))).toBe(true);

  const [finished] = await t.database.db.select().from(generationRuns).where(eq(generationRuns.id, run.id));
  expect(finished!.status).toBe("succeeded");
  expect(finished!.labelSummary).toMatchObject({ used: 56, neutralExcluded: 4, folds: 3 });
  const candidates = await t.database.db.select().from(generationCandidates).where(eq(generationCandidates.runId, run.id));
  expect(candidates.map((c) => c.origin).sort()).toEqual(["llm", "synthesizer"]);
  const claude = candidates.find((c) => c.origin === "llm")!;
  expect(claude.foldNotes.join("\n")).toContain("no ```python block");
  expect(claude.foldNotes.join("\n")).toContain("repaired in one round");
  expect(claude.tokensIn).toBeGreaterThan(0);
  expect(claude.costUsd).toBeGreaterThan(0);
  expect((claude.cvMetrics as { kappa: number }).kappa).toBe(1);
  expect(candidates.filter((c) => c.chosen)).toHaveLength(1);

  const [version] = await t.database.db.select().from(evalVersions).where(eq(evalVersions.id, finished!.chosenVersionId!));
  expect(version!.version).toBe(1);
  expect(version!.trainingFeedbackIds.length).toBe(56);
  expect((version!.metrics as { cv: { n: number } }).cv.n).toBe(56);
  const [evaluation] = await t.database.db.select().from(evals).where(eq(evals.id, version!.evalId));
  expect(evaluation!.activeVersionId).toBe(version!.id);
  // Temperature is never sent: the API (2026-10-21) rejects it.
  expect(fake.requests.every((r) => !("temperature" in r))).toBe(true);
}, 120_000);

test("re-running the same generation is served from the response cache", async () => {
  const before = fake.requests.length;
  const { run, job } = await startGeneration(t.database, { workspaceId, evalSetId, params, createdBy: userId });
  expect((await waitForJob(job.id)).status).toBe("succeeded");
  const [claude] = await t.database.db.select().from(generationCandidates).where(and(eq(generationCandidates.runId, run.id), eq(generationCandidates.origin, "llm")));
  // Folds whose first answer was bad were repaired; the repaired conversations are cached too.
  expect(fake.requests.length).toBe(before);
  expect(claude!.costUsd).toBe(0);
}, 120_000);

test("refinement feeds contradictions back and compares base and new on the same held-out folds", async () => {
  const [evaluation] = await t.database.db.select().from(evals).where(eq(evals.evalSetId, evalSetId));
  const [base] = await t.database.db.insert(evalVersions).values({ workspaceId, evalId: evaluation!.id, version: 99, origin: "manual", code: PARTIAL_EVAL, trainingFeedbackIds: [] }).returning();
  const { run, job } = await startRefinement(t.database, { workspaceId, evalId: evaluation!.id, params: { ...params, generators: ["llm"], baseVersionId: base!.id }, createdBy: userId });
  const done = await waitForJob(job.id);
  expect(done.status).toBe("succeeded");
  const refinePrompts = fake.requests.filter((r) => textOf(r).includes("<previous_code>"));
  expect(refinePrompts.length).toBe(4);
  expect(textOf(refinePrompts[0])).toContain("<previous_verdict>passed");
  const [finished] = await t.database.db.select().from(generationRuns).where(eq(generationRuns.id, run.id));
  const comparison = finished!.comparison as { base: { kappa: number }; refined: { kappa: number }; folds: number; unseenByBase: number };
  expect(comparison.folds).toBe(3);
  expect(comparison.refined.kappa).toBeGreaterThan(comparison.base.kappa);
  expect(comparison.unseenByBase).toBe(56);
  const [version] = await t.database.db.select().from(evalVersions).where(eq(evalVersions.id, finished!.chosenVersionId!));
  expect(version!.parentId).toBe(base!.id);
  const [after] = await t.database.db.select().from(evals).where(eq(evals.id, evaluation!.id));
  expect(after!.activeVersionId).not.toBe(version!.id);
}, 120_000);
