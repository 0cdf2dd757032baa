// The fake Langfuse behaves like the real public API, for plain fetch and for the real @langfuse/client.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { LangfuseClient } from "@langfuse/client";
import { fixtureObservations, fixtureScoreRequests, traceIdOf } from "../fixtures/langfuse/index.ts";
import { normalizeLangfuseTrace, normalizeLangfuseTraceDetail } from "../../src/modules/ingest/normalize/langfuse.ts";
import { normalizeLangfuseV2Observations } from "../../src/modules/ingest/normalize/langfuse-v2.ts";
import { generatedDataset } from "./dataset.ts";
import { startFakeLangfuse, type FakeLangfuse } from "./server.ts";

type Json = Record<string, any>;

let fake: FakeLangfuse;
let auth: Record<string, string>;

beforeAll(() => {
  fake = startFakeLangfuse();
  auth = { authorization: `Basic ${btoa(`${fake.publicKey}:${fake.secretKey}`)}` };
});
afterAll(() => fake.stop());

async function get(path: string, headers = auth): Promise<{ status: number; body: Json; headers: Headers }> {
  const response = await fetch(`${fake.url}${path}`, { headers });
  return { status: response.status, body: (await response.json()) as Json, headers: response.headers };
}

describe("fake Langfuse over HTTP", () => {
  test("rejects missing or wrong Basic auth with 401", async () => {
    expect((await get("/api/public/traces", {})).status).toBe(401);
    const wrong = await get("/api/public/traces", { authorization: `Basic ${btoa("pk:nope")}` });
    expect(wrong.status).toBe(401);
    expect(wrong.body.message).toContain("Invalid credentials");
  });

  test("lists traces newest first with page/limit meta, and past-the-end pages are empty", async () => {
    const first = await get("/api/public/traces?page=1&limit=5");
    expect(first.status).toBe(200);
    expect(first.body.meta).toEqual({ page: 1, limit: 5, totalItems: 16, totalPages: 4 });
    expect(first.body._deprecation.sunsetAt).toBe("2026-11-16");
    const times = first.body.data.map((trace: Json) => trace.timestamp);
    expect(times).toEqual([...times].sort().reverse());
    const past = await get("/api/public/traces?page=9&limit=5");
    expect(past.body.data).toEqual([]);
    expect(past.body.meta.totalItems).toBe(16);
  });

  test("limit above 100 is a 400 with zod-style issues", async () => {
    const response = await get("/api/public/traces?limit=101");
    expect(response.status).toBe(400);
    expect(response.body.message).toBe("Invalid request data");
    expect(response.body.error[0].path).toEqual(["limit"]);
  });

  test("filters traces by environment, tags, user, session, name and time window", async () => {
    const staging = await get("/api/public/traces?environment=staging");
    expect(staging.body.data.map((trace: Json) => trace.id)).toEqual([traceIdOf("staging")]);
    const tagged = await get("/api/public/traces?tags=tool-error&tags=refund");
    expect(tagged.body.data.map((trace: Json) => trace.id)).toEqual([traceIdOf("tool_error")]);
    const byUser = await get("/api/public/traces?userId=cust_64838");
    expect(byUser.body.data.map((trace: Json) => trace.id)).toEqual([traceIdOf("refund")]);
    const bySession = await get("/api/public/traces?sessionId=sess_b33c6922c2ea");
    expect(bySession.body.data).toHaveLength(1);
    const byName = await get("/api/public/traces?name=scheduled-followup");
    expect(byName.body.data.map((trace: Json) => trace.id)).toEqual([traceIdOf("null_input")]);
    const window = await get("/api/public/traces?fromTimestamp=2026-07-21T07:32:10.590Z&toTimestamp=2026-07-21T07:32:10.591Z");
    expect(window.body.data.map((trace: Json) => trace.id)).toEqual([traceIdOf("refund")]);
  });

  test("serves trace detail (recorded or assembled) and 404s unknown traces", async () => {
    const recorded = await get(`/api/public/traces/${traceIdOf("refund")}`);
    expect(recorded.body.observations).toHaveLength(9);
    expect(recorded.body.scores).toHaveLength(2);
    const assembled = await get(`/api/public/traces/${traceIdOf("orphan")}`);
    expect(normalizeLangfuseTraceDetail(assembled.body).normalized.steps).toHaveLength(9);
    const missing = await get("/api/public/traces/00000000000000000000000000000000");
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      message: "Trace 00000000000000000000000000000000 not found within authorized project",
      error: "LangfuseNotFoundError",
    });
  });

  test("v1 observations: startTime DESC, page/limit over the 60-observation trace", async () => {
    const id = traceIdOf("many");
    const page1 = await get(`/api/public/observations?traceId=${id}&page=1&limit=50`);
    const page2 = await get(`/api/public/observations?traceId=${id}&page=2&limit=50`);
    expect(page1.body.meta).toEqual({ page: 1, limit: 50, totalItems: 60, totalPages: 2 });
    expect(page1.body.data).toHaveLength(50);
    expect(page2.body.data).toHaveLength(10);
    const starts = [...page1.body.data, ...page2.body.data].map((observation: Json) => observation.startTime);
    expect(starts).toEqual([...starts].sort().reverse());
  });

  test("v2 observations: cursor pages, raw-string io, field groups, and parseIoAsJson refused", async () => {
    const id = traceIdOf("many");
    const fields = "core,basic,time,io,metadata,model,usage,prompt,metrics,trace_context";
    const first = await get(`/api/public/v2/observations?traceId=${id}&limit=50&fields=${fields}`);
    expect(first.body.data).toHaveLength(50);
    expect(typeof first.body.meta.cursor).toBe("string");
    const second = await get(`/api/public/v2/observations?traceId=${id}&limit=50&fields=${fields}&cursor=${first.body.meta.cursor}`);
    expect(second.body.data).toHaveLength(10);
    expect(second.body.meta).toEqual({});
    const rows = [...first.body.data, ...second.body.data];
    expect(typeof rows.find((row) => row.type === "GENERATION")?.input).toBe("string");
    const trace = (await get(`/api/public/traces?name=support-agent-run&limit=100`)).body.data.find((t: Json) => t.id === id);
    expect(normalizeLangfuseV2Observations(trace, rows).normalized).toEqual(
      normalizeLangfuseTrace(trace, fixtureObservations(id)).normalized,
    );

    const coreOnly = await get(`/api/public/v2/observations?traceId=${id}&limit=1&fields=core`);
    expect(Object.keys(coreOnly.body.data[0]).sort()).toEqual(
      ["endTime", "id", "parentObservationId", "projectId", "startTime", "traceId", "type"].sort(),
    );
    expect((await get(`/api/public/v2/observations?traceId=${id}&parseIoAsJson=true`)).status).toBe(400);
    expect((await get(`/api/public/v2/observations?cursor=bogus`)).status).toBe(400);
  });

  test("injected 429s carry Retry-After and X-RateLimit headers, then the endpoint recovers", async () => {
    fake.failNext("/api/public/traces", 429, 2, { retryAfterSeconds: 37 });
    const limited = await get("/api/public/traces");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("37");
    expect(limited.headers.get("x-ratelimit-limit")).toBe("15");
    expect(limited.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(limited.body.code).toBe("rate_limited");
    expect((await get("/api/public/traces")).status).toBe(429);
    expect((await get("/api/public/traces")).status).toBe(200);
    fake.failNext(/^\/api\/public\/traces\//, 503);
    expect((await get(`/api/public/traces/${traceIdOf("refund")}`)).status).toBe(503);
  });

  test("v1-removed mode answers 410 on legacy reads while v2 keeps working", async () => {
    fake.setV1Removed(true);
    try {
      for (const path of ["/api/public/traces", `/api/public/traces/${traceIdOf("refund")}`, "/api/public/observations?traceId=x"]) {
        const response = await get(path);
        expect(response.status).toBe(410);
        expect(response.body.code).toBe("endpoint_removed");
      }
      expect((await get(`/api/public/v2/observations?traceId=${traceIdOf("refund")}`)).status).toBe(200);
    } finally {
      fake.setV1Removed(false);
    }
  });

  test("scores: fixture request bodies are accepted (upsert by id), invalid ones get 400", async () => {
    for (const body of fixtureScoreRequests()) {
      const response = await fetch(`${fake.url}/api/public/scores`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(200);
      expect(typeof ((await response.json()) as Json).id).toBe("string");
    }
    expect(fake.scores.get("evalrun-2026-07-21-fa20abfada30-answer_correctness")?.value).toBe(0.82);
    const bad = await fetch(`${fake.url}/api/public/scores`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ name: "x", value: 2, dataType: "BOOLEAN" }),
    });
    expect(bad.status).toBe(400);
    const badBody = (await bad.json()) as Json;
    expect(badBody.error.map((issue: Json) => issue.path[0]).sort()).toEqual(["traceId", "value"]);
  });

  test("records every request with method, path, query, headers and body", async () => {
    const before = fake.requests.length;
    await get("/api/public/traces?page=2&limit=3&tags=a&tags=b");
    const recorded = fake.requests[before];
    expect(recorded).toMatchObject({ method: "GET", path: "/api/public/traces", query: { page: "2", limit: "3", tags: ["a", "b"] }, body: null });
    expect(recorded?.headers.authorization).toStartWith("Basic ");
  });
});

async function failureStatus(request: Promise<unknown>): Promise<number | "resolved" | undefined> {
  try {
    await request;
    return "resolved";
  } catch (error) {
    return (error as { statusCode?: number }).statusCode;
  }
}

describe("fake Langfuse with the real @langfuse/client", () => {
  const client = () => new LangfuseClient({ publicKey: fake.publicKey, secretKey: fake.secretKey, baseUrl: fake.url });

  test("api.trace.list / get, legacy v1 observations and v2 observations", async () => {
    const api = client().api;
    const traces = await api.trace.list({ page: 1, limit: 20, environment: "production" });
    expect(traces.data).toHaveLength(15);
    expect(traces.meta.totalItems).toBe(15);
    const detail = await api.trace.get(traceIdOf("tool_error"));
    expect(detail.observations).toHaveLength(8);
    const v1 = await api.legacy.observationsV1.getMany({ traceId: traceIdOf("refund"), page: 1, limit: 50 });
    expect(v1.data).toHaveLength(9);
    const v2 = await api.observations.getMany({ traceId: traceIdOf("refund"), fields: "core,basic,io,usage", limit: 50 });
    expect(v2.data).toHaveLength(9);
    expect(fake.requests.at(-1)?.headers["x-langfuse-public-key"]).toBe(fake.publicKey);
  });

  test("surfaces 404 and 410 as LangfuseAPIError with status codes, and retries a 429", async () => {
    const api = client().api;
    expect(await failureStatus(api.trace.get("nope"))).toBe(404);
    fake.setV1Removed(true);
    const gone = await failureStatus(api.trace.list({}));
    fake.setV1Removed(false);
    expect(gone).toBe(410);
    fake.failNext("/api/public/traces", 429, 1, { retryAfterSeconds: 1 });
    const afterRetry = await api.trace.list({ limit: 1 });
    expect(afterRetry.data).toHaveLength(1);
  });

  test("api.scores.create and api.scoreConfigs.get / create", async () => {
    const api = client().api;
    const created = await api.scores.create({ traceId: traceIdOf("refund"), name: "iofold/resolved", value: 1, dataType: "BOOLEAN" });
    expect(fake.scores.get(created.id)?.name).toBe("iofold/resolved");
    const configs = await api.scoreConfigs.get({});
    expect(configs.data.map((config) => config.name)).toContain("hallucination");
    const config = await api.scoreConfigs.create({ name: "iofold-pass", dataType: "BOOLEAN" });
    expect(config.categories).toHaveLength(2);
  });
});

describe("generated dataset", () => {
  test("serves N deterministic demo traces with ~10 observations each", async () => {
    const big = startFakeLangfuse({ dataset: generatedDataset({ count: 120, seed: 7, now: new Date("2026-08-01T00:00:00Z") }), deprecationNotice: false });
    try {
      const headers = { authorization: `Basic ${btoa(`${big.publicKey}:${big.secretKey}`)}` };
      const page = (await (await fetch(`${big.url}/api/public/traces?limit=100&page=2`, { headers })).json()) as Json;
      expect(page.meta).toEqual({ page: 2, limit: 100, totalItems: 120, totalPages: 2 });
      expect(page._deprecation).toBeUndefined();
      const trace = page.data[0];
      const observations = (await (await fetch(`${big.url}/api/public/observations?traceId=${trace.id}&limit=100`, { headers })).json()) as Json;
      expect(observations.data.length).toBe(trace.observations.length);
      expect(normalizeLangfuseTrace(trace, observations.data).normalized.steps.length).toBe(trace.observations.length);
    } finally {
      await big.stop();
    }
  });
});
