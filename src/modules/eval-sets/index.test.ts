// Eval set and review routes through the real app: create/edit/archive, rubric versions, roles, overview, export, the review endpoints.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createTestApp, sessionCookieFrom, setUpOwner, type TestApp } from "../../../test/support/app";
import { insertTraces, makeTrace } from "../../../test/support/traces";
import { createUser } from "../auth/service";


/** Setup hashes passwords (argon2) and opens a database: seconds on a busy two-core machine. */
const SETUP_MS = 30_000;
let t: TestApp;
let owner: { cookie: string; csrf: string };
let reviewer: { cookie: string; csrf: string };
let workspaceId: string;

beforeAll(async () => {
  t = await createTestApp();
  owner = await setUpOwner(t);
  workspaceId = (await t.deps.database.db.query.workspaces.findFirst())!.id;
  await createUser(t.deps.database, { name: "Rae <b>", email: "rae@example.com", password: "a long password", workspaceId, role: "reviewer" });
  const cookie = sessionCookieFrom(await t.request("/signin", { method: "POST", form: { email: "rae@example.com", password: "a long password" } }));
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await (await t.request("/eval-sets", { cookie })).text())![1]!;
  reviewer = { cookie, csrf };
  await insertTraces(
    t.deps.database,
    workspaceId,
    Array.from({ length: 12 }, (_, i) => makeTrace({ id: `e${i}`, name: i < 4 ? "checkout" : "search", timestamp: new Date(Date.UTC(2026, 2, 1, i)).toISOString(), output: i === 0 ? "=HYPERLINK(\"x\")" : "ok" })),
  );
}, SETUP_MS);

afterAll(async () => {
  await t.close();
});

async function createSet(name = "Safe actions", labelsPerTrace = "1") {
  const response = await t.request("/eval-sets", { method: "POST", ...owner, form: { name, rubric: "Did the agent avoid unsafe actions?", labels_per_trace: labelsPerTrace } });
  expect(response.status).toBe(303);
  return response.headers.get("location")!.split("/").pop()!;
}

const post = (path: string, who: { cookie: string; csrf: string }, form: Record<string, string>) => t.request(path, { method: "POST", ...who, form });

test("create, list, and invalid input shown on the form", async () => {
  const bad = await post("/eval-sets", owner, { name: "", rubric: "", labels_per_trace: "0" });
  expect(bad.status).toBe(422);
  const page = await bad.text();
  expect(page).toContain("Name the eval set.");
  expect(page).toContain("Ask for at least one label per trace.");
  const id = await createSet("Listed <script>");
  const list = await (await t.request("/eval-sets", { cookie: owner.cookie })).text();
  expect(list).toContain(`/eval-sets/${id}`);
  expect(list).toContain("Listed &lt;script&gt;");
  expect(list).toContain('href="/eval-sets" class="active" aria-current="page"');
});

test("editing the rubric keeps every version and shows them; archive hides the set and stops labelling", async () => {
  const id = await createSet();
  const edit = await post(`/eval-sets/${id}`, owner, { name: "Safe actions", rubric: "Did the agent avoid unsafe or irreversible actions?", labels_per_trace: "2" });
  expect(edit.status).toBe(303);
  const overview = await (await t.request(`/eval-sets/${id}`, { cookie: owner.cookie })).text();
  expect(overview).toContain("v2 ·");
  expect(overview).toContain("v1 ·");
  expect(overview).toContain("Did the agent avoid unsafe actions?");
  expect(overview).toContain("(2 labels each)");
  await post(`/eval-sets/${id}/queue/items`, owner, { filter: "name=checkout" });
  const itemId = /data-item-id="([^"]+)"/.exec(await (await post(`/eval-sets/${id}/review/next`, owner, { exclude: "" })).text())![1]!;
  expect((await post(`/eval-sets/${id}/archive`, owner, {})).status).toBe(303);
  expect(await (await t.request("/eval-sets", { cookie: owner.cookie })).text()).not.toContain(`/eval-sets/${id}"`);
  expect(await (await t.request("/eval-sets?archived=1", { cookie: owner.cookie })).text()).toContain(`/eval-sets/${id}`);
  const label = await post(`/api/v1/eval-sets/${id}/review/label`, owner, { op_id: "archived-op-1", item_id: itemId, label: "positive" });
  expect(label.status).toBe(409);
});

test("reviewers label but cannot create, edit, fill the queue or resolve; mutations need the CSRF token", async () => {
  const id = await createSet();
  expect((await post("/eval-sets", reviewer, { name: "x", rubric: "y" })).status).toBe(403);
  expect((await post(`/eval-sets/${id}/queue/items`, reviewer, { filter: "" })).status).toBe(403);
  expect((await post(`/eval-sets/${id}/resolutions`, reviewer, { trace_id: "x", label: "positive" })).status).toBe(403);
  expect((await t.request(`/eval-sets/${id}/queue/items`, { method: "POST", cookie: owner.cookie, form: { filter: "" } })).status).toBe(403);
});

test("queue filled from the trace filter, labelled through the review endpoints, progress and threshold on the overview", async () => {
  const id = await createSet();
  const added = await post(`/eval-sets/${id}/queue/items`, owner, { filter: "name=checkout" });
  expect(await added.text()).toContain("Added 4 traces");
  const again = await post(`/eval-sets/${id}/queue/fill`, owner, { name: "" });
  expect(await again.text()).toContain("Added 8 traces to the queue (4 already there)");
  const reviewPage = await (await t.request(`/eval-sets/${id}/review`, { cookie: reviewer.cookie })).text();
  expect(reviewPage).toContain('id="review-stage"');
  expect(reviewPage).toContain("<kbd>u</kbd>");
  const firstItem = /data-item-id="([^"]+)"/.exec(reviewPage)![1]!;
  const saved = await post(`/api/v1/eval-sets/${id}/review/label`, reviewer, { op_id: "route-op-1", item_id: firstItem, label: "negative", note: "=cmd|' /C calc'!A0" });
  expect(await saved.json()).toMatchObject({ itemId: firstItem, label: "negative", duplicate: false });
  const next = await (await post(`/eval-sets/${id}/review/next`, reviewer, { exclude: firstItem })).text();
  expect(next).toContain('class="review-item"');
  expect(next).not.toContain(firstItem);
  const back = await (await t.request(`/eval-sets/${id}/review/items/${firstItem}`, { cookie: reviewer.cookie })).text();
  expect(back).toContain('data-label="negative"');
  const invalid = await post(`/api/v1/eval-sets/${id}/review/label`, reviewer, { op_id: "x", item_id: firstItem, label: "great" });
  expect(invalid.status).toBe(422);
  expect((await invalid.json()).error.code).toBe("invalid_input");
  const overview = await (await t.request(`/eval-sets/${id}`, { cookie: owner.cookie })).text();
  expect(overview).toContain('<strong class="progress-done">1</strong> / <span class="progress-total">12</span>');
  expect(overview).toContain("10 more positives and 9 more negatives before generation is meaningful");
  expect(overview).toContain("Rae &lt;b&gt;");
  const api = await (await t.request(`/api/v1/eval-sets/${id}`, { cookie: owner.cookie })).json();
  expect(api.progress).toMatchObject({ total: 12, done: 1 });
  expect(api.shortfall).toEqual(["10 more positives", "9 more negatives"]);
  const truth = await (await t.request(`/api/v1/eval-sets/${id}/ground-truth`, { cookie: owner.cookie })).json();
  expect(truth.data).toHaveLength(1);

  const csv = await t.request(`/eval-sets/${id}/export.csv`, { cookie: owner.cookie });
  expect(csv.headers.get("content-disposition")).toContain("safe-actions-labels.csv");
  const lines = (await csv.text()).trim().split("\r\n");
  expect(lines[0]).toBe("trace_id,source,source_id,trace_name,reviewer_id,reviewer_name,reviewer_email,label,note,resolved_label,created_at,updated_at");
  expect(lines).toHaveLength(2);
  expect(lines[1]).toContain(",negative,'=cmd|' /C calc'!A0,");
  const jsonl = (await (await t.request(`/eval-sets/${id}/export.jsonl`, { cookie: owner.cookie })).text()).trim().split("\n").map((l) => JSON.parse(l));
  expect(jsonl).toEqual([expect.objectContaining({ source: "test", reviewer_email: "rae@example.com", label: "negative", note: "=cmd|' /C calc'!A0", resolved_label: null })]);
});

test("bulk label from the trace list asks to confirm the count, applies, and undoes", async () => {
  const id = await createSet("Bulk");
  const confirm = await (await post("/eval-sets/bulk", owner, { eval_set_id: id, action: "label:negative", filter: "name=checkout" })).text();
  expect(confirm).toContain("Label 4 traces as negative");
  const applied = await (await post(`/eval-sets/${id}/bulk-label`, owner, { filter: "name=checkout", label: "negative", confirm_count: "4" })).text();
  expect(applied).toContain("Labelled 4 traces as negative");
  const batchId = /\/bulk\/([^/]+)\/undo/.exec(applied)![1]!;
  expect(await (await post(`/eval-sets/${id}/bulk/${batchId}/undo`, owner, {})).text()).toContain("Undone: 4 labels restored");
  const api = await (await t.request(`/api/v1/eval-sets/${id}`, { cookie: owner.cookie })).json();
  expect(api.progress).toMatchObject({ total: 4, done: 0 });
});

test("agreement page shows pairs and lets an owner resolve a disagreement", async () => {
  const id = await createSet("Agree", "2");
  const oneTrace = (await t.deps.database.db.query.traces.findFirst())!.id;
  expect(await (await post(`/eval-sets/${id}/queue/items`, owner, { trace_id: oneTrace })).text()).toContain("Added 1 trace to");
  for (const [who, label] of [[owner, "positive"], [reviewer, "negative"]] as const) {
    const item = /data-item-id="([^"]+)"/.exec(await (await post(`/eval-sets/${id}/review/next`, who, { exclude: "" })).text())![1]!;
    expect((await post(`/api/v1/eval-sets/${id}/review/label`, who, { op_id: `agree-${label}`, item_id: item, label })).status).toBe(200);
  }
  const page = await (await t.request(`/eval-sets/${id}/agreement`, { cookie: owner.cookie })).text();
  expect(page).toContain("Disagreements (1 unresolved of 1)");
  const traceId = /id="disagreement-([^"]+)"/.exec(page)![1]!;
  const row = await (await post(`/eval-sets/${id}/resolutions`, owner, { trace_id: traceId, label: "negative" })).text();
  expect(row).toContain('class="disagreement resolved"');
  const truth = await (await t.request(`/api/v1/eval-sets/${id}/ground-truth`, { cookie: owner.cookie })).json();
  expect(truth.data).toEqual([expect.objectContaining({ traceId, label: "negative", source: "resolved" })]);
});
