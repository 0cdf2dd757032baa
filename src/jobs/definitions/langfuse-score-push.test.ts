// The score push against the fake Langfuse server: exact request bodies, the score config, 429 Retry-After, idempotent ids on re-push.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { eq, inArray } from "drizzle-orm";
import { createTestApp, setUpOwner, testSecrets, type TestApp } from "../../../test/support/app";
import { startFakeLangfuse, type FakeLangfuse } from "../../../test/fake-langfuse/server";
import { jobs, traces } from "../../db/schema";
import { scoreIdFor, type ScorePushPayload } from "../../modules/exports/score-push";
import { createIntegration, credentialsOf, getIntegration } from "../../modules/integrations/service";
import { buildMatrixFixture, FIXTURE, traceId, type MatrixFixture } from "../../modules/matrix/test-fixture";
import type { JobContext } from "../definition";
import type { Job } from "../queue";
import { createLangfuseScorePushJob } from "./langfuse-score-push";

let t: TestApp;
let fake: FakeLangfuse;
let fx: MatrixFixture;
let workspaceId: string;
let integrationId: string;
let session: { cookie: string; csrf: string };
const waits: number[] = [];

const job = createLangfuseScorePushJob({
  credentials: async (database, ws, id) => credentialsOf(await getIntegration(database, ws, id), testSecrets.encryptionKey),
  writer: { sleep: async (ms) => void waits.push(ms) },
});

beforeAll(async () => {
  fake = startFakeLangfuse();
  t = await createTestApp();
  session = await setUpOwner(t);
  const owner = (await t.deps.database.db.query.users.findFirst())!;
  workspaceId = (await t.deps.database.db.query.workspaces.findFirst())!.id;
  fx = await buildMatrixFixture(t.deps.database, workspaceId, owner.id);
  integrationId = (
    await createIntegration(t.deps.database, testSecrets.encryptionKey, workspaceId, {
      name: "Support project",
      baseUrl: fake.url,
      publicKey: fake.publicKey,
      secretKey: fake.secretKey,
      syncIntervalMinutes: null,
    })
  ).id;
  // t01..t09 came from this Langfuse project; t10 from elsewhere, so it is never pushed.
  const fromLangfuse = Array.from({ length: 9 }, (_, i) => fx.id(i));
  await t.deps.database.db.update(traces).set({ integrationId }).where(inArray(traces.id, fromLangfuse));
}, 60_000);

afterAll(async () => {
  await t.close();
  await fake.stop();
}, 30_000);

async function runJob(payload: ScorePushPayload, checkpoint: Record<string, unknown> | null = null) {
  const progress: Record<string, unknown>[] = [];
  const logs: string[] = [];
  const saved: Record<string, unknown>[] = [];
  const ctx: JobContext<ScorePushPayload> = {
    job: { id: "test-job", workspaceId, checkpoint } as unknown as Job,
    payload,
    database: t.deps.database,
    signal: new AbortController().signal,
    progress: async (p) => void progress.push(p),
    log: async (m) => void logs.push(m),
    checkpoint: async (c) => void saved.push(c),
    throwIfStopped: () => {},
  };
  const result = await job.run(ctx);
  return { result, progress, logs, saved };
}

const scoreRequests = () => fake.requests.filter((r) => r.method === "POST" && r.path === "/api/public/scores");

test("verdicts become BOOLEAN scores with the reason as comment, a config created once, exact bodies", async () => {
  const { result, progress } = await runJob({ evalVersionId: fx.v2.id, integrationId });
  // v2 on t01..t09: t05 errored (no verdict) → 8 scores.
  expect(result).toMatchObject({ pushed: 8, total: 8, scoreName: "iofold.resolved" });
  expect(progress.at(-1)).toMatchObject({ done: 8, total: 8 });
  const configPosts = fake.requests.filter((r) => r.method === "POST" && r.path === "/api/public/score-configs");
  expect(configPosts.map((r) => r.body)).toEqual([
    { name: "iofold.resolved", dataType: "BOOLEAN", description: 'iofold eval "resolved": 1 = pass, 0 = fail. The comment holds the eval\'s reason.' },
  ]);
  const configId = fake.scoreConfigs.find((c) => c.name === "iofold.resolved")!.id;
  const bodies = scoreRequests().map((r) => r.body);
  const expected = [0, 1, 2, 3, 5, 6, 7, 8].map((i) => ({
    id: scoreIdFor(fx.v2.id, fx.id(i)),
    traceId: traceId(i),
    name: "iofold.resolved",
    value: FIXTURE.v2[i] === "pass" ? 1 : 0,
    dataType: "BOOLEAN",
    configId,
    comment: i === 3 ? `=SUM(1,2) "quoted", <b>&\nline` : `${FIXTURE.v2[i]} because ${i + 1}`,
    metadata: { iofold_eval_version_id: fx.v2.id, iofold_eval_version: 2 },
  }));
  // Pushed in trace-id order (UUIDv7: creation order).
  expect(bodies).toEqual(expected);
  expect(fake.scores.size).toBe(8);
  expect(scoreRequests().every((r) => r.headers.authorization === `Basic ${btoa(`${fake.publicKey}:${fake.secretKey}`)}`)).toBe(true);
});

test("a re-push and a retry after 429 reuse the same ids: no duplicate score, Retry-After honoured", async () => {
  const before = scoreRequests().length;
  fake.failNext("/api/public/scores", 429, 2, { retryAfterSeconds: 2 });
  const { result, logs } = await runJob({ evalVersionId: fx.v2.id, integrationId });
  expect(result).toMatchObject({ pushed: 8 });
  expect(waits).toEqual([2000, 2000]);
  expect(logs.filter((l) => l.includes("429")).length).toBe(2);
  expect(scoreRequests().length - before).toBe(8 + 2);
  expect(fake.scores.size).toBe(8);
  // The config exists now: found, not created again.
  expect(fake.requests.filter((r) => r.method === "POST" && r.path === "/api/public/score-configs").length).toBe(1);
  expect(scoreIdFor(fx.v2.id, fx.id(0))).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  expect(scoreIdFor(fx.v2.id, fx.id(0))).not.toBe(scoreIdFor(fx.v1.id, fx.id(0)));
});

test("a resumed job starts after its checkpoint; another version's scores get their own ids", async () => {
  const before = scoreRequests().length;
  const { result } = await runJob({ evalVersionId: fx.v2.id, integrationId }, { after: fx.id(6), pushed: 6 });
  expect(result).toMatchObject({ pushed: 8 });
  expect(scoreRequests().length - before).toBe(2);
  await runJob({ evalVersionId: fx.v1.id, integrationId });
  // v1 on t01..t09: t08 timed out → 8 more scores, under the same name.
  expect(fake.scores.size).toBe(16);
});

test("a wrong key is a permanent failure; the API starts the job for a known integration only", async () => {
  const failing = createLangfuseScorePushJob({ credentials: async () => ({ baseUrl: fake.url, publicKey: "pk-wrong", secretKey: "sk-wrong" }) });
  const ctx = {
    job: { id: "x", workspaceId, checkpoint: null } as unknown as Job,
    payload: { evalVersionId: fx.v2.id, integrationId },
    database: t.deps.database,
    signal: new AbortController().signal,
    progress: async () => {},
    log: async () => {},
    checkpoint: async () => {},
    throwIfStopped: () => {},
  };
  await expect(failing.run(ctx)).rejects.toThrow(/401/);
  const response = await t.request(`/api/v1/eval-versions/${fx.v2.id}/langfuse-scores`, {
    method: "POST",
    cookie: session.cookie,
    csrf: session.csrf,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ integration_id: integrationId }),
  });
  expect(response.status).toBe(202);
  const { job_id } = (await response.json()) as { job_id: string };
  const [row] = await t.deps.database.db.select().from(jobs).where(eq(jobs.id, job_id));
  expect(row).toMatchObject({ type: "langfuse.score-push", payload: { evalVersionId: fx.v2.id, integrationId } });
  const missing = await t.request(`/api/v1/eval-versions/${fx.v2.id}/langfuse-scores`, {
    method: "POST",
    cookie: session.cookie,
    csrf: session.csrf,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ integration_id: "nope" }),
  });
  expect(missing.status).toBe(404);
});
