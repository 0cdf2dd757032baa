// The executions API: starting a run as a job, and scoring single traces online on a warm interpreter.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { executions, jobs, traces } from "../../db/schema";
import { createTestApp, setUpOwner, type TestApp } from "../../../test/support/app";
import { createEvalVersion } from "../../../test/support/evals";
import { insertTraces, makeTrace } from "../../../test/support/traces";

let t: TestApp;
let auth: { cookie: string; csrf: string };
let versionId: string;
let traceId: string;

beforeAll(async () => {
  t = await createTestApp();
  auth = await setUpOwner(t);
  const workspaceId = (await t.deps.database.db.query.workspaces.findFirst())!.id;
  await insertTraces(t.deps.database, workspaceId, [makeTrace({ id: "s1", output: "Your order ships <b>today</b>" })]);
  traceId = (await t.deps.database.db.select().from(traces))[0]!.id;
  const code = "def evaluate(trace):\n    ok = 'ships' in trace['output']\n    return ok, 'id=%s' % trace['id']\n";
  versionId = (await createEvalVersion(t.deps.database, workspaceId, code)).version.id;
}, 30_000);
afterAll(() => t.close());

const post = (path: string, body: unknown) =>
  t.request(path, { method: "POST", cookie: auth.cookie, csrf: auth.csrf, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

test("a stored trace is scored online, sees its own row id, and the result is kept", async () => {
  const response = await post(`/api/v1/eval-versions/${versionId}/score`, { trace_id: traceId });
  expect(response.status).toBe(200);
  expect(await response.json()).toMatchObject({ trace_id: traceId, passed: true, reason: `id=${traceId}`, error: null });
  const stored = await t.deps.database.db.select().from(executions).where(eq(executions.traceId, traceId));
  expect(stored.map((e) => [e.evalVersionId, e.passed])).toEqual([[versionId, true]]);
  // Scoring again replaces the row rather than adding one.
  await post(`/api/v1/eval-versions/${versionId}/score`, { trace_id: traceId });
  expect((await t.deps.database.db.select().from(executions)).length).toBe(1);
});

test("an inline trace must be a normalized trace; a valid one is scored and not stored", async () => {
  const bad = await post(`/api/v1/eval-versions/${versionId}/score`, { trace: { output: "x" } });
  expect(bad.status).toBe(422);
  expect((await bad.json()).error.details.join("\n")).toContain("timestamp");
  const good = await post(`/api/v1/eval-versions/${versionId}/score`, { trace: makeTrace({ id: "inline", output: "lost" }) });
  expect(await good.json()).toMatchObject({ trace_id: null, passed: false, reason: "id=inline" });
  expect((await t.deps.database.db.select().from(executions)).length).toBe(1);
});

test("runs start as jobs; unknown versions are 404", async () => {
  const started = await post(`/api/v1/eval-versions/${versionId}/runs`, { scope: { kind: "all" } });
  expect(started.status).toBe(202);
  const { job_id } = await started.json();
  expect((await t.deps.database.db.select().from(jobs).where(eq(jobs.id, job_id)))[0]!.type).toBe("eval.run");
  expect((await post(`/api/v1/eval-versions/nope/runs`, { scope: { kind: "all" } })).status).toBe(404);
  const malformed = await post(`/api/v1/eval-versions/${versionId}/runs`, { scope: { kind: "everything" } });
  expect(malformed.status).toBe(422);
});
