// File upload end to end: streamed spool (raw and multipart), every supported shape, per-line errors with line numbers, resume, JSON arrays.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jobs, traces } from "../../db/schema";
import { createTestApp, setUpOwner, type TestApp } from "../../../test/support/app";
import { makeTrace } from "../../../test/support/traces";
import { fixtureDetail, fixtureObservations, fixtureTrace, traceIdOf } from "../../../test/fixtures/langfuse/index";
import { runFileImport, type FileImportPayload } from "./file-import";
import { fakeJobContext, SimulatedKill } from "../../../test/support/job-context";

let t: TestApp;
let cookie: string;
let csrf: string;
let workspaceId: string;

beforeAll(async () => {
  t = await createTestApp({ env: { DATA_DIR: mkdtempSync(join(tmpdir(), "iofold-upload-")) } });
  ({ cookie, csrf } = await setUpOwner(t));
  workspaceId = (await t.deps.database.db.query.workspaces.findFirst())!.id;
}, 30_000);
afterAll(() => t.close());
afterEach(async () => {
  await t.deps.database.db.delete(traces).where(eq(traces.workspaceId, workspaceId));
  await t.deps.database.db.delete(jobs).where(eq(jobs.workspaceId, workspaceId));
});

const refundId = traceIdOf("refund");
const brokenLangfuse = { trace: { ...fixtureTrace(traceIdOf("escalate")) }, observations: fixtureObservations(traceIdOf("escalate")).map((o, i) => (i === 0 ? { ...o, startTime: "yesterday-ish" } : o)) };
const lines = [
  JSON.stringify(fixtureDetail(refundId)),
  JSON.stringify({ id: "chat-1", messages: [{ role: "user", content: "Hi" }, { role: "assistant", content: "Hello!" }] }),
  "",
  '{"messages": [ this is not json',
  JSON.stringify(makeTrace({ id: "norm-1", source: "my-agent" })),
  JSON.stringify({ hello: "world" }),
  JSON.stringify(brokenLangfuse),
  "[1, 2]",
];

async function runJob(jobId: string, options: { killAfterCheckpoints?: number; checkpoint?: Record<string, unknown> | null; batchSize?: number } = {}) {
  const [job] = await t.deps.database.db.select().from(jobs).where(eq(jobs.id, jobId));
  const run = fakeJobContext<FileImportPayload>(t.deps.database, { workspaceId, payload: job!.payload as unknown as FileImportPayload, checkpoint: options.checkpoint, killAfterCheckpoints: options.killAfterCheckpoints });
  return { run, result: () => runFileImport(run.ctx, { batchSize: options.batchSize }) };
}

async function stored() {
  return t.deps.database.db.select().from(traces).where(eq(traces.workspaceId, workspaceId));
}

describe("file import", () => {
  test("API upload: good lines imported, bad ones reported with their line numbers, recognizable failures kept as not normalized", async () => {
    const response = await t.request("/api/v1/imports/file?filename=traces.jsonl", { method: "POST", cookie, csrf, headers: { "content-type": "application/x-ndjson" }, body: lines.join("\n") + "\n" });
    expect(response.status).toBe(202);
    const { job_id } = await response.json();
    const { result, run } = await runJob(job_id);
    const outcome = await result();
    expect(outcome).toMatchObject({ filename: "traces.jsonl", format: "jsonl", imported: 3, notNormalized: 1, errorCount: 4 });
    const errors = outcome.errors as Array<{ line: number; message: string }>;
    expect(errors.map((e) => e.line)).toEqual([4, 6, 7, 8]);
    expect(errors[0]!.message).toContain("Not valid JSON");
    expect(errors[1]!.message).toContain("Unrecognized record");
    expect(errors[2]!.message).toContain("stored as not normalized");
    expect(errors[3]!.message).toContain("array");
    expect(run.logs.some((line) => line.startsWith("Line 4: Not valid JSON"))).toBe(true);

    const rows = await stored();
    expect(rows.map((r) => `${r.source}:${r.externalId}`).sort()).toEqual(["langfuse:" + refundId, "langfuse:" + traceIdOf("escalate"), "my-agent:norm-1", "openai:chat-1"].sort());
    const broken = rows.find((r) => r.externalId === traceIdOf("escalate"))!;
    expect(broken.normalized).toBeNull();
    expect(broken.normalizeError).toContain("yesterday-ish");
    // The spooled upload is removed once imported.
    const [job] = await t.deps.database.db.select().from(jobs).where(eq(jobs.id, job_id));
    expect(existsSync((job!.payload as { path: string }).path)).toBe(false);
  });

  test("re-uploading the same file updates in place, no duplicates", async () => {
    for (let i = 0; i < 2; i++) {
      const response = await t.request("/api/v1/imports/file", { method: "POST", cookie, csrf, body: lines.slice(0, 2).join("\n") });
      await (await runJob((await response.json()).job_id)).result();
    }
    expect(await stored()).toHaveLength(2);
  });

  test("browser multipart upload streams the file part to disk and redirects to the job", async () => {
    const form = new FormData();
    form.set("_csrf", csrf);
    const content = lines.slice(0, 2).join("\n") + "\n";
    form.set("file", new File([content], "export.jsonl", { type: "application/octet-stream" }));
    const response = await t.request("/import/file", { method: "POST", cookie, csrf, headers: { "hx-request": "true" }, body: form });
    expect(response.status).toBe(200);
    const jobId = response.headers.get("hx-redirect")!.slice("/jobs/".length);
    const [job] = await t.deps.database.db.select().from(jobs).where(eq(jobs.id, jobId));
    const payload = job!.payload as unknown as FileImportPayload;
    expect(payload.filename).toBe("export.jsonl");
    expect(await Bun.file(payload.path).text()).toBe(content);
    expect(await (await runJob(jobId)).result()).toMatchObject({ imported: 2, errorCount: 0 });
  });

  test("an empty upload, or multipart without a file, is refused before any job", async () => {
    const empty = await t.request("/api/v1/imports/file", { method: "POST", cookie, csrf, body: "" });
    expect(empty.status).toBe(422);
    const form = new FormData();
    form.set("note", "no file here");
    const noFile = await t.request("/import/file", { method: "POST", cookie, csrf, body: form });
    expect(noFile.status).toBe(422);
    expect(await t.deps.database.db.select().from(jobs)).toHaveLength(0);
  });

  test("a killed import resumes at its byte offset: nothing re-read is duplicated, line numbers stay right", async () => {
    const many = Array.from({ length: 9 }, (_, i) => (i === 6 ? "{oops" : JSON.stringify(makeTrace({ id: `n${i}` }))));
    const response = await t.request("/api/v1/imports/file", { method: "POST", cookie, csrf, body: many.join("\n") });
    const { job_id } = await response.json();
    const first = await runJob(job_id, { batchSize: 2, killAfterCheckpoints: 2 });
    await expect(first.result()).rejects.toBeInstanceOf(SimulatedKill);
    expect(await stored()).toHaveLength(4);
    const second = await runJob(job_id, { batchSize: 2, checkpoint: first.run.saved() });
    const outcome = await second.result();
    expect(outcome).toMatchObject({ imported: 8, errorCount: 1, errors: [{ line: 7 }] });
    expect(await stored()).toHaveLength(8);
  });

  test("characters Postgres refuses (escaped NUL, lone surrogates) become U+FFFD; other lines keep their raw text as read", async () => {
    const messages = (content: string) => [{ role: "user", content }, { role: "assistant", content: "ok" }];
    // Written by hand: JSON.stringify would not keep the escaped emoji and the key order below.
    const plain = `{"id":"plain","messages":[{"role":"user","content":"caf\\u00e9 \\ud83d\\ude00"},{"role":"assistant","content":"ok"}],"extra":{"z":1,"a":2}}`;
    const body = [
      JSON.stringify({ id: "nul", messages: messages("before\u0000after") }),
      JSON.stringify({ id: "lone", messages: messages("half \ud83d pair") }),
      plain,
      JSON.stringify({ id: "bad\u0000id\udc00", timestamp: "2026-11-01T00:00:00Z", observations: [{ id: 1 }] }),
    ].join("\n");
    const response = await t.request("/api/v1/imports/file", { method: "POST", cookie, csrf, body });
    const outcome = await (await runJob((await response.json()).job_id)).result();
    expect(outcome).toMatchObject({ imported: 3, notNormalized: 1 });
    const rows = new Map((await stored()).map((r) => [r.externalId, r]));
    expect(JSON.stringify(rows.get("nul")!.raw)).toContain("before\uFFFDafter");
    expect(JSON.stringify(rows.get("nul")!.normalized)).toContain("before\uFFFDafter");
    expect(JSON.stringify(rows.get("lone")!.raw)).toContain("half \uFFFD pair");
    expect(rows.get("plain")!.raw).toEqual(JSON.parse(plain));
    expect(JSON.stringify(rows.get("plain")!.normalized)).toContain("café 😀");
    expect([...rows.keys()]).toContain("bad\uFFFDid\uFFFD");
  });

  test("a JSON array file is read element by element with line numbers", async () => {
    const body = `[\n${JSON.stringify(makeTrace({ id: "a1" }))},\n{"broken": true},\n${JSON.stringify(makeTrace({ id: "a2" }))}\n]`;
    const response = await t.request("/api/v1/imports/file", { method: "POST", cookie, csrf, body });
    const outcome = await (await runJob((await response.json()).job_id)).result();
    expect(outcome).toMatchObject({ format: "json-array", imported: 2, errorCount: 1, errors: [{ line: 3 }] });
  });
});
