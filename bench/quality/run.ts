// Quality bench: imports each task into a database, generates through the app's generation service, runs the chosen eval in the jail, scores it.
// Usage: bun run bench:quality [task-dir…] [--out bench/results] [--db postgres://…]   (default: every task in /work/shared/bench, embedded PGlite)
import { cpus, totalmem } from "node:os";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { openDatabase, type Database } from "../../src/db/client.ts";
import { migrate } from "../../src/db/migrate.ts";
import { evalSets, evalVersions, feedback, generationCandidates, traces, users, workspaces } from "../../src/db/schema/index.ts";
import { createAnthropicClient } from "../../src/llm/client.ts";
import { agreementMetrics, type AgreementMetrics } from "../../src/modules/metrics/agreement.ts";
import { defaultParams, executeRun, startGeneration, type Reporter } from "../../src/modules/generation/service.ts";
import { runInSandbox } from "../../src/modules/generation/sandbox-scoring.ts";
import { storeTraces } from "../../src/modules/traces/service.ts";
import { describeSandbox } from "../../src/sandbox/index.ts";
import { createPostgresDatabase } from "../../test/support/database.ts";
import { type BenchTask, loadTask } from "./load-task.ts";
import { bestStump, majorityPassed } from "./baselines.ts";

const DEFAULT_BENCH = "/work/shared/bench";

function parseArgs(argv: string[]): { tasks: string[]; out: string; db: string | null } {
  let out = "bench/results";
  let db: string | null = null;
  const tasks: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--out") out = argv[++i];
    else if (argv[i] === "--db") db = argv[++i];
    else tasks.push(argv[i]);
  }
  if (tasks.length === 0) {
    for (const entry of readdirSync(DEFAULT_BENCH, { withFileTypes: true })) {
      if (entry.isDirectory() && existsSync(join(DEFAULT_BENCH, entry.name, "labels.jsonl"))) tasks.push(join(DEFAULT_BENCH, entry.name));
    }
  }
  return { tasks: tasks.sort(), out, db };
}

interface TaskReport {
  task: string;
  /** null when the labels file holds no test split (scored elsewhere from predictions.jsonl). */
  test: AgreementMetrics | null;
  train: AgreementMetrics | null;
  cv: AgreementMetrics;
  majorityKappa: number | null;
  stumpKappa: number | null;
  chosen: string;
  candidates: { label: string; cvKappa: number }[];
  predicted: number;
  seconds: number;
}

const quietReporter = (task: string): Reporter => ({
  stage: async (message) => void process.stderr.write(`  [${task}] ${message}\n`),
  log: async () => {},
  throwIfStopped: () => {},
});

/** One task in its own workspace: traces and train labels into the database, then the app's own generation run. */
async function runTask(database: Database, task: BenchTask, out: string): Promise<TaskReport> {
  const started = performance.now();
  const db = database.db;
  const [workspace] = await db.insert(workspaces).values({ name: `bench ${task.name}` }).returning();
  const [user] = await db.insert(users).values({ email: `bench-${Bun.randomUUIDv7()}@iofold.local`, name: "bench", passwordHash: "-" }).returning();
  const workspaceId = workspace!.id;
  for (let i = 0; i < task.traces.length; i += 200) {
    await storeTraces(database, task.traces.slice(i, i + 200).map((normalized, k) => ({ workspaceId, source: "langfuse", externalId: normalized.id, raw: task.raw[i + k] as object, normalized })));
  }
  const stored = await db.select({ id: traces.id, externalId: traces.externalId }).from(traces).where(eq(traces.workspaceId, workspaceId));
  const rowIdOf = new Map(stored.map((r) => [r.externalId, r.id]));
  const externalIdOf = new Map(stored.map((r) => [r.id, r.externalId]));

  // Only the train labels enter the database: the test split is read below, for scoring only.
  const train = task.labels.filter((l) => l.split === "train");
  const [set] = await db.insert(evalSets).values({ workspaceId, name: task.name, rubric: task.rubric ?? "" }).returning();
  await db.insert(feedback).values(train.map((l) => ({ workspaceId, evalSetId: set!.id, userId: user!.id, traceId: rowIdOf.get(l.traceId)!, label: l.label })));

  const apiKey = process.env.ANTHROPIC_API_KEY;
  const llm = apiKey ? createAnthropicClient({ apiKey, baseURL: process.env.ANTHROPIC_BASE_URL }) : null;
  const settings = { generators: llm ? (["synthesizer", "llm"] as const) : (["synthesizer"] as const), llm_samples: 2, folds: 5, examples_tokens: 24_000, per_trace_tokens: 1_500, max_tokens: 8_000 };
  const params = defaultParams({ ...settings, generators: [...settings.generators] }, llm !== null, process.env.IOFOLD_LLM_MODEL ?? "claude-sonnet-4-6");
  const { run } = await startGeneration(database, { workspaceId, evalSetId: set!.id, params, createdBy: user!.id });
  const result = await executeRun({ database, llm }, workspaceId, run.id, quietReporter(task.name));
  const [version] = await db.select().from(evalVersions).where(eq(evalVersions.id, result.versionId!));
  const candidates = await db.select().from(generationCandidates).where(eq(generationCandidates.runId, run.id));

  // Every trace without a train label is predicted in the jail, as an eval run would.
  const trainIds = new Set(train.map((l) => l.traceId));
  const unseen = stored.filter((r) => !trainIds.has(r.externalId));
  const byId = new Map(task.traces.map((t) => [t.id, t]));
  const verdicts = await runInSandbox(version!.code, unseen.map((r) => ({ id: r.id, trace: { ...byId.get(r.externalId)!, id: r.id } })), { timeoutMs: version!.timeoutMs });
  if (verdicts.loadError) throw new Error(`${task.name}: the chosen eval does not load: ${verdicts.loadError}`);
  if (verdicts.errorCount) process.stderr.write(`  [${task.name}] the eval raised on ${verdicts.errorCount} traces (counted as fail)\n`);
  const predictions = unseen.map((r) => {
    const v = verdicts.results.get(r.id);
    return v && "passed" in v ? { traceId: externalIdOf.get(r.id)!, passed: v.passed, reason: v.reason } : { traceId: externalIdOf.get(r.id)!, passed: false, reason: `error: ${v ? v.error.split("\n")[0] : "not run"}` };
  });
  const dir = join(out, task.name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "predictions.jsonl"), predictions.map((p) => JSON.stringify(p)).join("\n") + "\n");
  writeFileSync(join(dir, "eval.py"), version!.code);

  const passedById = new Map(predictions.map((p) => [p.traceId, p.passed]));
  const test = task.labels.filter((l) => l.split === "test");
  const humanPassed = (l: { label: string }) => l.label === "positive";
  const score = (passed: (traceId: string) => boolean) => agreementMetrics(test.map((l) => ({ humanPassed: humanPassed(l), evalPassed: passed(l.traceId) })));
  const metrics = version!.metrics as { cv: AgreementMetrics; train: AgreementMetrics | null };
  const majority = majorityPassed(train);
  const stump = bestStump(task, train);
  return {
    task: task.name,
    test: test.length ? score((id) => passedById.get(id) ?? true) : null,
    train: metrics.train,
    cv: metrics.cv,
    majorityKappa: test.length ? score(() => majority).kappa : null,
    stumpKappa: test.length ? score(stump).kappa : null,
    chosen: candidates.find((c) => c.chosen)?.label ?? "?",
    candidates: candidates.map((c) => ({ label: c.label, cvKappa: (c.cvMetrics as { kappa: number } | null)?.kappa ?? 0 })),
    predicted: predictions.length,
    seconds: (performance.now() - started) / 1000,
  };
}

const f = (x: number | null | undefined) => (x === null || x === undefined ? "  —  " : x.toFixed(3));

async function main(): Promise<void> {
  const { tasks, out, db } = parseArgs(Bun.argv.slice(2));
  // A fresh database for the run: embedded PGlite by default, or a new database next to --db, dropped afterwards.
  const created = db ? await createPostgresDatabase(db) : null;
  const database = created ? await openDatabase({ kind: "postgres", url: created.url, max: 4 }) : await openDatabase({ kind: "pglite-memory" });
  const reports: TaskReport[] = [];
  try {
    await migrate(database);
    for (const dir of tasks) reports.push(await runTask(database, loadTask(dir), out));
  } finally {
    await database.close();
    await created?.drop();
  }

  console.log(`machine: ${cpus()[0]?.model ?? "?"} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, bun ${Bun.version}, ${database.kind}, ${describeSandbox()}`);
  console.log(`generators: ${process.env.ANTHROPIC_API_KEY ? "synthesizer + Claude" : "offline synthesizer"}; rubric given; test labels used for scoring only\n`);
  console.log("task                  test κ   acc     F1(fail)  CV κ    train κ  gap(train-test)  majority κ  stump κ  predicted  secs");
  for (const r of reports) {
    console.log(`${r.task.padEnd(20)}  ${f(r.test?.kappa)}   ${f(r.test?.accuracy)}   ${f(r.test?.f1Fail)}     ${f(r.cv.kappa)}   ${f(r.train?.kappa)}    ${(r.test && r.train ? f(r.train.kappa - r.test.kappa) : "  —").padStart(6)}           ${f(r.majorityKappa)}       ${f(r.stumpKappa)}    ${String(r.predicted).padStart(5)}  ${r.seconds.toFixed(1)}`);
  }
  const scored = reports.filter((r) => r.test);
  const mean = (pick: (r: TaskReport) => number) => scored.reduce((s, r) => s + pick(r), 0) / Math.max(1, scored.length);
  if (scored.length) {
    console.log(`${"mean".padEnd(20)}  ${f(mean((r) => r.test!.kappa))}   ${f(mean((r) => r.test!.accuracy))}   ${f(mean((r) => r.test!.f1Fail))}     ${f(mean((r) => r.cv.kappa))}   ${f(mean((r) => r.train?.kappa ?? 0))}    ${f(mean((r) => (r.train?.kappa ?? 0) - r.test!.kappa)).padStart(6)}           ${f(mean((r) => r.majorityKappa!))}       ${f(mean((r) => r.stumpKappa!))}`);
  }
  for (const r of reports) {
    const beats = r.test ? (r.test.kappa > r.majorityKappa! && r.test.kappa > r.stumpKappa! ? "beats" : "DOES NOT beat") + " majority and stump" : "no test split";
    console.log(`\n${r.task}: ${beats}; chosen ${r.chosen}; candidates ${r.candidates.map((c) => `${c.label} κ=${c.cvKappa.toFixed(3)}`).join(", ")}`);
  }
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "quality-summary.json"), JSON.stringify(reports, null, 2) + "\n");
}

await main();
