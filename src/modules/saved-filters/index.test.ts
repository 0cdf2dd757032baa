// Saved trace filters through the real app: save from the trace list (normalized, names escaped), apply, replace by name, delete by author or admin, the JSON API, workspace isolation.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createTestApp, sessionCookieFrom, setUpOwner, type TestApp } from "../../../test/support/app";
import { insertTraces, makeTrace } from "../../../test/support/traces";
import { createUser } from "../auth/service";

let t: TestApp;
let owner: { cookie: string; csrf: string };
let reviewer: { cookie: string; csrf: string };
let workspaceId: string;

const NAME = `Refunds <script>alert("x")</script> & co`;

beforeAll(async () => {
  t = await createTestApp();
  owner = await setUpOwner(t);
  workspaceId = (await t.deps.database.db.query.workspaces.findFirst())!.id;
  await createUser(t.deps.database, { name: "Rae", email: "rae@example.com", password: "a long password", workspaceId, role: "reviewer" });
  const cookie = sessionCookieFrom(await t.request("/signin", { method: "POST", form: { email: "rae@example.com", password: "a long password" } }));
  reviewer = { cookie, csrf: /name="_csrf" value="([^"]+)"/.exec(await (await t.request("/traces", { cookie })).text())![1]! };
  await insertTraces(
    t.deps.database,
    workspaceId,
    Array.from({ length: 6 }, (_, i) => makeTrace({ id: `s${i}`, source: i < 2 ? "langfuse" : "file", name: i % 2 ? "refund" : "search", timestamp: new Date(Date.UTC(2026, 2, 1, i)).toISOString() })),
  );
}, 30_000);

afterAll(async () => {
  await t.close();
});

const htmx = { "hx-request": "true", "hx-request-type": "partial" };
const save = (who: { cookie: string; csrf: string }, form: Record<string, string>, headers: Record<string, string> = htmx) =>
  t.request("/saved-filters", { method: "POST", ...who, headers, form });
/** The markup with attribute values blanked: inside a quoted value `<` is inert, so only text nodes must be escaped. */
const outsideAttributes = (html: string) => html.replace(/="[^"]*"/g, '=""');
const api = async () => ((await (await t.request("/api/v1/saved-filters", { cookie: owner.cookie })).json()) as { data: { id: string; name: string; query: string; created_by: string }[] }).data;

test("saving from the trace list stores the filter normalized and answers with the bar, the name escaped", async () => {
  const response = await save(owner, { name: NAME, filter: "name=refund&source=&cursor=abc&limit=25&errors=any&source=langfuse" });
  expect(response.status).toBe(200);
  const bar = await response.text();
  expect(bar.startsWith('<div id="saved-filters"')).toBe(true);
  expect(outsideAttributes(bar)).not.toContain("<script>");
  expect(bar).toContain("Refunds &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co");
  const [saved] = await api();
  // The page position and size are dropped, empty and "any" values vanish, keys come in one order.
  expect(saved).toMatchObject({ name: NAME, query: "source=langfuse&name=refund" });
  expect(bar).toContain(`href="/traces?source=langfuse&name=refund"`);
  expect(bar).toContain('class="saved-filter current"');
});

test("the trace list shows saved filters; following one applies it", async () => {
  const page = await (await t.request("/traces", { cookie: owner.cookie })).text();
  expect(page).toContain('id="saved-filters"');
  expect(outsideAttributes(page)).not.toContain("<script>alert");
  expect(page).toContain("Refunds &lt;script&gt;");
  const applied = await (await t.request("/traces?source=langfuse&name=refund", { cookie: owner.cookie })).text();
  expect(applied.match(/href="\/traces\/[^"]+"/g)?.length).toBe(2); // one trace (s1), linked from its time and its name
  expect(applied).toContain('class="saved-filter current"');
});

test("saving under a name the workspace uses replaces that filter (its author or an admin only); bad input is refused", async () => {
  const [before] = await api();
  expect((await save(reviewer, { name: NAME, filter: "source=file" })).status).toBe(409);
  await save(owner, { name: NAME, filter: "source=file" });
  const after = await api();
  expect(after).toHaveLength(1);
  expect(after[0]).toMatchObject({ id: before!.id, query: "source=file" });
  expect((await save(owner, { name: "  ", filter: "" })).status).toBe(422);
  expect((await save(owner, { name: "Slow", filter: "latency_min=-5" })).status).toBe(422);
  expect((await save(owner, { name: "x".repeat(101), filter: "" })).status).toBe(422);
  // Without htmx (no JavaScript) the form redirects to the trace list with the filter applied.
  const plain = await save(owner, { name: "Errors", filter: "errors=yes", _csrf: owner.csrf }, {});
  expect(plain.status).toBe(303);
  expect(plain.headers.get("location")).toBe("/traces?errors=yes");
});

test("delete: the author or an owner/admin may; anyone else gets 403; the JSON API creates and deletes too", async () => {
  const created = await t.request("/api/v1/saved-filters", {
    method: "POST",
    cookie: owner.cookie,
    csrf: owner.csrf,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "Owner's", filter: "tag=vip" }),
  });
  expect(created.status).toBe(201);
  const { id } = (await created.json()) as { id: string };
  const denied = await t.request(`/saved-filters/${id}/delete`, { method: "POST", ...reviewer, headers: htmx, form: { filter: "" } });
  expect(denied.status).toBe(403);
  const byOwner = await t.request(`/saved-filters/${id}/delete`, { method: "POST", ...owner, headers: htmx, form: { filter: "source=file" } });
  expect(byOwner.status).toBe(200);
  expect(await byOwner.text()).toContain("Deleted.");
  expect((await api()).map((f) => f.name)).not.toContain("Owner's");
  // A reviewer deletes a filter they saved themselves.
  await save(reviewer, { name: "Rae's", filter: "source=file" });
  const mine = (await api()).find((f) => f.name === "Rae's")!;
  expect((await t.request(`/api/v1/saved-filters/${mine.id}`, { method: "DELETE", ...reviewer })).status).toBe(200);
  expect((await t.request(`/api/v1/saved-filters/${mine.id}`, { method: "DELETE", ...owner })).status).toBe(404);
});

test("another workspace neither sees nor deletes them", async () => {
  const [errors] = (await api()).filter((f) => f.name === "Errors");
  await createUser(t.deps.database, { name: "Stranger", email: "stranger@example.com", password: "a long password", workspaceName: "Elsewhere" });
  const cookie = sessionCookieFrom(await t.request("/signin", { method: "POST", form: { email: "stranger@example.com", password: "a long password" } }));
  const theirs = (await (await t.request("/api/v1/saved-filters", { cookie })).json()) as { data: unknown[] };
  expect(theirs.data).toEqual([]);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await (await t.request("/traces", { cookie })).text())![1]!;
  expect((await t.request(`/api/v1/saved-filters/${errors!.id}`, { method: "DELETE", cookie, csrf })).status).toBe(404);
  expect((await api()).map((f) => f.name)).toContain("Errors");
});
