// The integrations page and API: add (secret sealed, never rendered), test against the fake Langfuse, edit, disable, delete, import, schedule.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { integrations, jobs } from "../../db/schema";
import { createTestApp, setUpOwner, testSecrets, type TestApp } from "../../../test/support/app";
import { startFakeLangfuse, type FakeLangfuse } from "../../../test/fake-langfuse/server";
import { openSecret, sealSecret } from "./secret-box";
import { enqueueDueSyncs } from "./service";

let t: TestApp;
let cookie: string;
let csrf: string;
let workspaceId: string;
let fake: FakeLangfuse;

beforeAll(async () => {
  t = await createTestApp();
  ({ cookie, csrf } = await setUpOwner(t));
  workspaceId = (await t.deps.database.db.query.workspaces.findFirst())!.id;
  fake = startFakeLangfuse();
}, 30_000);
afterAll(async () => {
  await fake.stop();
  await t.close();
});
afterEach(async () => {
  await t.deps.database.db.delete(jobs).where(eq(jobs.workspaceId, workspaceId));
  await t.deps.database.db.delete(integrations).where(eq(integrations.workspaceId, workspaceId));
});

const htmx = { "hx-request": "true" };

async function add(form: Record<string, string> = {}) {
  return t.request("/integrations", {
    method: "POST",
    cookie,
    csrf,
    headers: htmx,
    form: { name: "Prod <agent>", baseUrl: fake.url, publicKey: fake.publicKey, secretKey: fake.secretKey, syncIntervalMinutes: "", ...form },
  });
}

async function onlyIntegration() {
  const [row] = await t.deps.database.db.select().from(integrations).where(eq(integrations.workspaceId, workspaceId));
  return row!;
}

describe("secret box", () => {
  test("AES-GCM round trip, bound to the workspace, and tamper-evident", () => {
    const sealed = sealSecret(testSecrets.encryptionKey, "sk-lf-secret", "ws1");
    expect(sealed).not.toContain("sk-lf-secret");
    expect(openSecret(testSecrets.encryptionKey, sealed, "ws1")).toBe("sk-lf-secret");
    expect(() => openSecret(testSecrets.encryptionKey, sealed, "ws2")).toThrow(/cannot be decrypted/);
    expect(() => openSecret(Buffer.alloc(32, 1), sealed, "ws1")).toThrow(/cannot be decrypted/);
    expect(sealSecret(testSecrets.encryptionKey, "x", "ws1")).not.toBe(sealSecret(testSecrets.encryptionKey, "x", "ws1"));
  });
});

describe("integrations page", () => {
  test("adding stores the secret encrypted and never renders it back; names are escaped", async () => {
    const response = await add();
    expect(response.status).toBe(200);
    const fragment = await response.text();
    expect(fragment).toContain("Prod &lt;agent&gt;");
    expect(fragment).not.toContain(fake.secretKey);
    const row = await onlyIntegration();
    expect(row.secretCiphertext).not.toContain(fake.secretKey);
    expect(openSecret(testSecrets.encryptionKey, row.secretCiphertext, workspaceId)).toBe(fake.secretKey);
    const page = await (await t.request("/integrations", { cookie })).text();
    expect(page).not.toContain(fake.secretKey);
    expect(page).toContain(fake.publicKey);
    const api = await (await t.request("/api/v1/integrations", { cookie })).text();
    expect(api).not.toContain(fake.secretKey);
    expect(api).not.toContain(row.secretCiphertext);
  });

  test("invalid input is reported on the form, nothing stored", async () => {
    const response = await add({ baseUrl: "ftp://nope", secretKey: "" });
    expect(response.status).toBe(422);
    const text = await response.text();
    expect(text).toContain("Host URL must start with http");
    expect(await t.deps.database.db.select().from(integrations)).toHaveLength(0);
  });

  test("test connection: reports the API in use, and a clear message for wrong keys", async () => {
    await add();
    const { id } = await onlyIntegration();
    const ok = await (await t.request(`/integrations/${id}/test`, { method: "POST", cookie, csrf, headers: htmx })).text();
    expect(ok).toContain("Connected");
    await t.request(`/integrations/${id}`, { method: "POST", cookie, csrf, form: { name: "Prod", baseUrl: fake.url, publicKey: fake.publicKey, secretKey: "sk-wrong" } });
    const bad = await (await t.request(`/integrations/${id}/test`, { method: "POST", cookie, csrf, headers: htmx })).text();
    expect(bad).toContain("rejected the credentials");
  });

  test("editing with a blank secret keeps the stored one; disable, enable, delete", async () => {
    await add();
    const before = await onlyIntegration();
    const edited = await t.request(`/integrations/${before.id}`, { method: "POST", cookie, csrf, form: { name: "Renamed", baseUrl: fake.url, publicKey: "pk-new", secretKey: "", syncIntervalMinutes: "60" } });
    expect(edited.status).toBe(303);
    const after = await onlyIntegration();
    expect(after).toMatchObject({ name: "Renamed", secretCiphertext: before.secretCiphertext, syncIntervalMinutes: "60", settings: { publicKey: "pk-new" } });
    const editPage = await (await t.request(`/integrations/${before.id}/edit`, { cookie })).text();
    expect(editPage).not.toContain(fake.secretKey);

    await t.request(`/integrations/${before.id}/disable`, { method: "POST", cookie, csrf, headers: htmx });
    expect((await onlyIntegration()).enabled).toBe(false);
    const refused = await t.request(`/integrations/${before.id}/sync`, { method: "POST", cookie, csrf, headers: htmx });
    expect(refused.status).toBe(422);
    await t.request(`/integrations/${before.id}/enable`, { method: "POST", cookie, csrf, headers: htmx });
    expect((await onlyIntegration()).enabled).toBe(true);
    await t.request(`/integrations/${before.id}/delete`, { method: "POST", cookie, csrf, headers: htmx });
    expect(await t.deps.database.db.select().from(integrations)).toHaveLength(0);
  });

  test("import and sync enqueue a job and send the browser to its live page", async () => {
    await add();
    const { id } = await onlyIntegration();
    const response = await t.request(`/integrations/${id}/import`, { method: "POST", cookie, csrf, headers: htmx, form: { from: "2026-07-01", to: "", name: "support-agent-run", tags: "a, b", environment: "" } });
    const location = response.headers.get("hx-redirect")!;
    expect(location).toMatch(/^\/jobs\//);
    const [job] = await t.deps.database.db.select().from(jobs).where(eq(jobs.id, location.slice(6)));
    expect(job).toMatchObject({ type: "langfuse.import", payload: { integrationId: id, mode: "import", filter: { from: "2026-07-01T00:00:00.000Z", name: "support-agent-run", tags: ["a", "b"] } } });
    const sync = await (await t.request(`/api/v1/integrations/${id}/sync`, { method: "POST", cookie, csrf })).json();
    expect(sync.job_id).toBeString();
  });

  test("the scheduler enqueues a due sync once, and not again while it is pending or recent", async () => {
    await add({ syncIntervalMinutes: "30" });
    await add({ name: "manual" });
    expect(await enqueueDueSyncs(t.deps.database)).toBe(1);
    expect(await enqueueDueSyncs(t.deps.database)).toBe(0);
    await t.deps.database.db.update(jobs).set({ status: "succeeded" });
    // Finished but created within the interval: still not due.
    expect(await enqueueDueSyncs(t.deps.database)).toBe(0);
    expect(await enqueueDueSyncs(t.deps.database, new Date(Date.now() + 31 * 60_000))).toBe(1);
    const queued = await t.deps.database.db.select().from(jobs).where(eq(jobs.status, "queued"));
    expect(queued[0]!.payload).toMatchObject({ mode: "sync" });
  });
});
