// The Langfuse import end to end against the fake server with the real client: every fixture, v1/v2/v2-only, idempotency, resume, 429 storms.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { and, eq } from "drizzle-orm";
import { traces } from "../../db/schema";
import { createTestApp, setUpOwner, testSecrets, type TestApp } from "../../../test/support/app";
import { startFakeLangfuse, type FakeLangfuse } from "../../../test/fake-langfuse/server";
import { fixtureDataset } from "../../../test/fake-langfuse/dataset";
import { fixtureObservations, fixtureScenarios, fixtureTrace, traceIdOf } from "../../../test/fixtures/langfuse/index";
import { createIntegration, type LangfuseImportPayload } from "../integrations/service";
import { runLangfuseImport, type LangfuseImportOptions } from "./langfuse-import";
import { normalizeLangfuseTrace } from "./normalize/langfuse";
import { fakeJobContext, SimulatedKill } from "../../../test/support/job-context";

let t: TestApp;
let workspaceId: string;
let fake: FakeLangfuse;
const waits: number[] = [];
const options: LangfuseImportOptions = {
  encryptionKey: () => testSecrets.encryptionKey,
  batchSize: 4,
  concurrency: 3,
  // Recorded, not slept: the tests check the waits the policy chose without spending them.
  readerOptions: { sleep: async (ms) => void waits.push(ms), random: () => 0.5 },
};

beforeAll(async () => {
  t = await createTestApp();
  await setUpOwner(t);
  workspaceId = (await t.deps.database.db.query.workspaces.findFirst())!.id;
}, 30_000);
afterAll(() => t.close());
afterEach(async () => {
  await fake?.stop();
  waits.length = 0;
  await t.deps.database.db.delete(traces).where(eq(traces.workspaceId, workspaceId));
});

async function connect(server: FakeLangfuse) {
  const view = await createIntegration(t.deps.database, testSecrets.encryptionKey, workspaceId, {
    name: "fake",
    baseUrl: server.url,
    publicKey: server.publicKey,
    secretKey: server.secretKey,
    syncIntervalMinutes: null,
  });
  return view.id;
}

async function runImport(integrationId: string, extra: Partial<LangfuseImportPayload> & { checkpoint?: Record<string, unknown> | null; killAfterCheckpoints?: number } = {}) {
  const payload: LangfuseImportPayload = { integrationId, mode: extra.mode ?? "import", filter: extra.filter ?? {} };
  const run = fakeJobContext(t.deps.database, { workspaceId, payload, checkpoint: extra.checkpoint, killAfterCheckpoints: extra.killAfterCheckpoints, createdAt: new Date("2026-12-01T00:00:00Z") });
  const result = await runLangfuseImport(run.ctx, options);
  return { result, run };
}

async function storedRows() {
  return t.deps.database.db.select().from(traces).where(and(eq(traces.workspaceId, workspaceId), eq(traces.source, "langfuse")));
}

const expectedV1 = (id: string) => normalizeLangfuseTrace(fixtureTrace(id), fixtureObservations(id)).normalized;

describe("Langfuse import", () => {
  test("trace list + v2 observations: every fixture scenario stored, normalized exactly as the pure normalizer does", async () => {
    fake = startFakeLangfuse();
    const { result } = await runImport(await connect(fake));
    expect(result).toMatchObject({ imported: 16, failedToNormalize: 0, readMode: { kind: "list", observations: "v2" } });
    const rows = await storedRows();
    expect(rows).toHaveLength(16);
    for (const { traceId, scenario } of fixtureScenarios()) {
      const row = rows.find((r) => r.externalId === traceId)!;
      // The stored trace's id is its iofold row id (what an eval sees); everything else is the normalizer's output.
      expect({ scenario, normalized: row.normalized }).toEqual({ scenario, normalized: { ...expectedV1(traceId), id: row.id } });
      expect(row.normalizeError).toBeNull();
    }
    const nul = rows.find((r) => r.externalId === traceIdOf("unicode_nul"))!;
    // Postgres rejects NUL in jsonb: the stored trace has U+FFFD where the tool output had it.
    expect(JSON.stringify(nul.normalized)).toContain("\uFFFD");
    const staging = rows.find((r) => r.externalId === traceIdOf("staging"))!;
    expect(staging.environment).toBe("staging");
    const many = rows.find((r) => r.externalId === traceIdOf("many"))!;
    expect(many.stepCount).toBe(60);
  });

  test("a server without v2 observations is read through v1, with the identical normalized result", async () => {
    fake = startFakeLangfuse();
    fake.failNext("/api/public/v2/observations", 404, 1);
    const { result } = await runImport(await connect(fake));
    expect(result).toMatchObject({ imported: 16, readMode: { kind: "list", observations: "v1" } });
    const rows = await storedRows();
    for (const { traceId } of fixtureScenarios()) {
      const row = rows.find((r) => r.externalId === traceId)!;
      expect(row.normalized).toEqual({ ...expectedV1(traceId), id: row.id });
    }
    expect(fake.requests.some((r) => r.path === "/api/public/observations")).toBe(true);
  });

  test("Cloud after the v1 sunset (410): traces are rebuilt from v2 observations alone", async () => {
    fake = startFakeLangfuse({ v1Removed: true });
    const { result } = await runImport(await connect(fake));
    // The empty trace has no observations, so nothing in v2 reveals it.
    expect(result).toMatchObject({ imported: 15, readMode: { kind: "v2-only" } });
    const rows = await storedRows();
    expect(rows.map((r) => r.externalId)).not.toContain(traceIdOf("empty"));
    const refund = rows.find((r) => r.externalId === traceIdOf("refund"))!.normalized as Record<string, unknown>;
    const full = expectedV1(traceIdOf("refund"));
    expect(refund.steps).toEqual(full.steps);
    expect(refund.tool_calls).toEqual(full.tool_calls);
    expect(refund.name).toBe(full.name);
    expect(fake.requests.filter((r) => r.path === "/api/public/traces" && r.method === "GET")).toHaveLength(1);
  });

  test("re-import updates changed traces and never duplicates", async () => {
    const dataset = fixtureDataset();
    fake = startFakeLangfuse({ dataset });
    const id = await connect(fake);
    await runImport(id);
    const first = await storedRows();
    const refundId = traceIdOf("refund");
    dataset.traces.find((trace) => trace.id === refundId)!.name = "renamed-run";
    await runImport(id);
    const second = await storedRows();
    expect(second).toHaveLength(16);
    expect(second.find((r) => r.externalId === refundId)!.name).toBe("renamed-run");
    expect(new Set(second.map((r) => r.id))).toEqual(new Set(first.map((r) => r.id)));
  });

  test("a trace that fails to normalize is stored with its error and raw payload, and the import goes on", async () => {
    const dataset = fixtureDataset();
    const brokenId = traceIdOf("escalate");
    dataset.observations.get(brokenId)![0]!.startTime = "not a date";
    dataset.v2Rows.delete(brokenId);
    fake = startFakeLangfuse({ dataset });
    const { result, run } = await runImport(await connect(fake));
    expect(result).toMatchObject({ imported: 15, failedToNormalize: 1 });
    const broken = (await storedRows()).find((r) => r.externalId === brokenId)!;
    expect(broken.normalized).toBeNull();
    expect(broken.normalizeError).toContain("not a date");
    expect(broken.name).toBe(String(fixtureTrace(brokenId).name));
    expect((broken.raw as { observations: unknown[] }).observations.length).toBeGreaterThan(0);
    expect(run.logs.some((line) => line.includes(brokenId))).toBe(true);
  });

  test("resumes after a kill mid-import without refetching what is stored", async () => {
    fake = startFakeLangfuse();
    const id = await connect(fake);
    // Checkpoint 1 is the chosen window; 2 and 3 follow the first two stored batches of 4.
    const killed = fakeJobContext(t.deps.database, { workspaceId, payload: { integrationId: id, mode: "import", filter: {} } as LangfuseImportPayload, killAfterCheckpoints: 3 });
    await expect(runLangfuseImport(killed.ctx, options)).rejects.toBeInstanceOf(SimulatedKill);
    expect(await storedRows()).toHaveLength(8);
    const fetchedBefore = observationFetches(fake);
    expect(fetchedBefore.size).toBe(8);

    const { result } = await runImport(id, { checkpoint: killed.saved() });
    expect(result).toMatchObject({ imported: 16 });
    expect(await storedRows()).toHaveLength(16);
    const all = [...fake.requests.filter((r) => r.path === "/api/public/v2/observations" && r.query.traceId)].map((r) => String(r.query.traceId));
    // Each trace's observations were read exactly once over both runs (the "many" trace needs 1 page at limit 1000).
    expect(all.length).toBe(16);
    expect(new Set(all).size).toBe(16);
  });

  test("a 429 storm is ridden out by honouring Retry-After; 5xx backs off with jitter", async () => {
    fake = startFakeLangfuse();
    fake.failNext("/api/public/v2/observations", 429, 7, { retryAfterSeconds: 3 });
    fake.failNext("/api/public/traces", 503, 2);
    const { result, run } = await runImport(await connect(fake));
    expect(result).toMatchObject({ imported: 16 });
    expect(waits.filter((ms) => ms === 3000)).toHaveLength(7);
    // 5xx: full jitter over 500 ms · 2^(attempt-1), with random() = 0.5.
    expect(waits.filter((ms) => ms !== 3000)).toEqual([250, 500]);
    expect(run.logs.filter((line) => line.includes("rate limited"))).toHaveLength(7);
    expect(await storedRows()).toHaveLength(16);
  });

  test("wrong keys fail the job at once with a message naming the credentials", async () => {
    fake = startFakeLangfuse();
    const view = await createIntegration(t.deps.database, testSecrets.encryptionKey, workspaceId, { name: "bad", baseUrl: fake.url, publicKey: "pk-wrong", secretKey: "sk-wrong", syncIntervalMinutes: null });
    await expect(runImport(view.id)).rejects.toThrow(/rejected the credentials/);
  });

  test("filters narrow the import; a sync resumes from its stored cursor with a lookback", async () => {
    fake = startFakeLangfuse();
    const id = await connect(fake);
    const { result } = await runImport(id, { filter: { environment: "staging" } });
    expect(result).toMatchObject({ imported: 1 });
    expect((await storedRows()).map((r) => r.externalId)).toEqual([traceIdOf("staging")]);

    const sync = await runImport(id, { mode: "sync" });
    expect(sync.result).toMatchObject({ imported: 16, window: { from: null, to: "2026-12-01T00:00:00.000Z" } });
    const again = await runImport(id, { mode: "sync" });
    expect(again.result).toMatchObject({ imported: 0, window: { from: "2026-11-30T23:45:00.000Z" } });
    const listCalls = fake.requests.filter((r) => r.path === "/api/public/traces" && r.query.fromTimestamp);
    expect(listCalls.at(-1)!.query.fromTimestamp).toBe("2026-11-30T23:45:00.000Z");
  });
});

function observationFetches(server: FakeLangfuse): Set<string> {
  return new Set(server.requests.filter((r) => r.path === "/api/public/v2/observations" && r.query.traceId).map((r) => String(r.query.traceId)));
}
