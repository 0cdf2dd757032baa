// Test fixture for the matrix, metrics and exports tests: ten traces, two reviewers, two versions with hand-picked verdicts.
import { eq } from "drizzle-orm";
import type { Database } from "../../db/client";
import { evals, evalSets, evalVersions, executions, feedback, traces, users, type Label } from "../../db/schema";
import { createTestApp, setUpOwner } from "../../../test/support/app";
import { insertTraces, makeTrace } from "../../../test/support/traces";

/**
 * Truth (A's labels; B also labels t07 negative → disputed, t08 negative, t10 positive):
 *   t01 P  t02 N  t03 P  t04 N  t05 P  t06 N  t07 —  t08 N  t09 neutral  t10 P
 * v1 (made from A's labels on t01..t04):  pass fail fail pass pass fail pass timeout pass (not run)
 * v2:                                     pass pass pass fail exception fail fail fail fail pass
 */
export const FIXTURE = {
  labelsA: ["positive", "negative", "positive", "negative", "positive", "negative", "positive", "negative", "neutral", "positive"] as Label[],
  labelsB: { t07: "negative", t08: "negative", t10: "positive" } as Record<string, Label>,
  v1: ["pass", "fail", "fail", "pass", "pass", "fail", "pass", "timeout", "pass", null] as (string | null)[],
  v2: ["pass", "pass", "pass", "fail", "exception", "fail", "fail", "fail", "fail", "pass"] as (string | null)[],
};

export const traceId = (i: number) => `t${String(i + 1).padStart(2, "0")}`;

export async function buildMatrixFixture(database: Database, workspaceId: string, userA: string) {
  const db = database.db;
  const [b] = await db.insert(users).values({ email: `b-${Bun.randomUUIDv7()}@x.co`, name: "Bea", passwordHash: "x" }).returning();
  await insertTraces(
    database,
    workspaceId,
    FIXTURE.labelsA.map((_, i) =>
      makeTrace({ id: traceId(i), source: i % 2 ? "langfuse" : "test", name: `run ${i + 1}`, output: `output ${i + 1}`, timestamp: new Date(Date.UTC(2026, 10, 1, i)).toISOString() }),
    ),
  );
  const stored = await db.select({ id: traces.id, externalId: traces.externalId }).from(traces).where(eq(traces.workspaceId, workspaceId));
  const idOf = new Map(stored.map((t) => [t.externalId, t.id]));
  const id = (i: number) => idOf.get(traceId(i))!;

  const [set] = await db.insert(evalSets).values({ workspaceId, name: "Resolved?", rubric: "Did the agent resolve it?", labelsPerTrace: 2 }).returning();
  const [evaluation] = await db.insert(evals).values({ workspaceId, evalSetId: set!.id, name: "resolved" }).returning();
  const feedbackA = await db
    .insert(feedback)
    .values(FIXTURE.labelsA.map((label, i) => ({ workspaceId, evalSetId: set!.id, traceId: id(i), userId: userA, label, note: i === 2 ? "asked twice" : "" })))
    .returning();
  await db.insert(feedback).values(
    Object.entries(FIXTURE.labelsB).map(([ext, label]) => ({ workspaceId, evalSetId: set!.id, traceId: idOf.get(ext)!, userId: b!.id, label })),
  );
  const training = feedbackA.filter((f) => [id(0), id(1), id(2), id(3)].includes(f.traceId)).map((f) => f.id);
  const [v1] = await db
    .insert(evalVersions)
    .values({ workspaceId, evalId: evaluation!.id, version: 1, origin: "manual", code: "def evaluate(trace):\n    return True, 'v1'\n", trainingFeedbackIds: training })
    .returning();
  const [v2] = await db
    .insert(evalVersions)
    .values({ workspaceId, evalId: evaluation!.id, version: 2, origin: "manual", code: "def evaluate(trace):\n    return False, 'v2'\n" })
    .returning();
  for (const [version, outcomes] of [[v1!, FIXTURE.v1], [v2!, FIXTURE.v2]] as const) {
    const rows = outcomes.flatMap((outcome, i): (typeof executions.$inferInsert)[] => {
      if (outcome === null) return [];
      const base = { workspaceId, evalVersionId: version.id, traceId: id(i), durationMs: 10 + i, createdAt: new Date(Date.UTC(2026, 10, 2, i)) };
      if (outcome === "pass" || outcome === "fail") return [{ ...base, passed: outcome === "pass", reason: i === 3 ? `=SUM(1,2) "quoted", <b>&\nline` : `${outcome} because ${i + 1}`, stdout: i === 0 ? "debug line" : null }];
      return [{ ...base, passed: null, durationMs: null, errorKind: outcome as "timeout" | "exception", errorMessage: `${outcome} in trace ${i + 1}`, traceback: `Traceback: ${outcome}` }];
    });
    await db.insert(executions).values(rows);
  }
  return { set: set!, evaluation: evaluation!, v1: v1!, v2: v2!, userB: b!, id, idOf };
}

/** A test app with its owner signed up and the fixture built in the owner's workspace. */
export async function openMatrixApp() {
  const t = await createTestApp();
  const session = await setUpOwner(t);
  const ownerId = (await t.deps.database.db.query.users.findFirst())!.id;
  const workspaceId = (await t.deps.database.db.query.workspaces.findFirst())!.id;
  const fx = await buildMatrixFixture(t.deps.database, workspaceId, ownerId);
  return { t, session, ownerId, workspaceId, fx };
}

export type MatrixFixture = Awaited<ReturnType<typeof buildMatrixFixture>>;
