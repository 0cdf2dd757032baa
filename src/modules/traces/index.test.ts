// The trace list and trace page through HTTP: keyset pages, filters, escaping, folding, workspace isolation.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, setUpOwner, type TestApp } from "../../../test/support/app";
import { insertTraces, makeTrace } from "../../../test/support/traces";
import { createUser, createSession } from "../auth/service";

let t: TestApp;
let cookie: string;
let workspaceId: string;

beforeAll(async () => {
  t = await createTestApp();
  ({ cookie } = await setUpOwner(t));
  workspaceId = (await t.deps.database.db.query.workspaces.findFirst())!.id;
  const base = Date.parse("2026-11-01T00:00:00Z");
  await insertTraces(
    t.deps.database,
    workspaceId,
    Array.from({ length: 120 }, (_, i) =>
      makeTrace({
        id: `t${String(i).padStart(3, "0")}`,
        name: i % 3 === 0 ? "refund-flow" : "faq",
        timestamp: new Date(base + i * 3_600_000).toISOString(),
        tags: i % 10 === 0 ? ["vip"] : [],
        has_errors: i % 7 === 0,
      }),
    ),
  );
}, 30_000);
afterAll(() => t.close());

async function apiPage(query: string) {
  const response = await t.request(`/api/v1/traces?${query}`, { cookie });
  expect(response.status).toBe(200);
  return (await response.json()) as { data: { externalId: string; timestamp: string }[]; next_cursor: string | null };
}

describe("trace list", () => {
  test("pages newest first by keyset, without gaps or repeats", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof apiPage>> = await apiPage(`limit=50${cursor ? `&cursor=${cursor}` : ""}`);
      seen.push(...page.data.map((r) => r.externalId));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen.length).toBe(120);
    expect(new Set(seen).size).toBe(120);
    expect(seen[0]).toBe("t119");
    expect(seen.at(-1)).toBe("t000");
  });

  test("filters by name, tag, errors and date", async () => {
    expect((await apiPage("name=refund&limit=200")).data.length).toBe(40);
    expect((await apiPage("tag=vip&limit=200")).data.length).toBe(12);
    expect((await apiPage("errors=yes&limit=200")).data.length).toBe(18);
    const day = await apiPage("from=2026-11-02&to=2026-11-02&limit=200");
    expect(day.data.length).toBe(24);
    expect(day.data.every((r) => r.timestamp.startsWith("2026-11-02"))).toBe(true);
  });

  test("a malformed filter gets a specific error", async () => {
    const response = await t.request("/api/v1/traces?from=yesterday", { cookie });
    expect(response.status).toBe(422);
    expect((await response.json()).error.message).toContain('"yesterday" is not a date');
  });

  test("the page renders rows and a next link that keeps the filter; htmx gets only the results", async () => {
    const page = await (await t.request("/traces?name=refund&limit=10", { cookie })).text();
    expect(page).toContain("<!doctype html>");
    expect(page.match(/<tr class="[^"]*"><td><input type="checkbox" name="ids"/g)!.length).toBe(10);
    expect(page).toContain("/traces?name=refund&limit=10&cursor=");
    const fragment = await (await t.request("/traces?name=refund", { cookie, headers: { "hx-request": "true", "hx-target": "div#trace-results" } })).text();
    expect(fragment.startsWith('<div id="trace-results">')).toBe(true);
    expect(fragment).not.toContain("<html");
  });
});

describe("trace page", () => {
  test("escapes every untrusted value and folds long content with its full size stated", async () => {
    const payload = `<script>window.__pwned=1</script><img src=x onerror="alert(1)">`;
    const long = "x".repeat(5000) + "THE-END";
    await insertTraces(t.deps.database, workspaceId, [
      makeTrace({ id: "xss", name: payload, output: long, tags: [payload], metadata: { note: payload }, input: payload }),
    ]);
    const list = await (await t.request("/traces?name=script", { cookie })).text();
    expect(list).not.toContain("<script>window.__pwned");
    expect(list).toContain("&lt;script&gt;window.__pwned=1&lt;/script&gt;");
    const id = /href="\/traces\/([^"]+)"/.exec(list)![1];
    const page = await (await t.request(`/traces/${id}`, { cookie })).text();
    expect(page).not.toContain("<script>window.__pwned");
    expect(page).not.toContain('<img src=x onerror="alert(1)">');
    expect(page).toContain("Show all 5,007 characters");
    expect(page).toContain("THE-END");
    expect(page).toContain("get_order");
  });

  test("another workspace's trace is a 404, in the page and the API", async () => {
    const { user } = await createUser(t.deps.database, { name: "Mallory", email: "m@example.com", password: "password123", workspaceName: "Other" });
    const session = await createSession(t.deps.database, t.deps.secrets, user.id);
    const otherCookie = `iofold_session=${session.token}`;
    const ours = await apiPage("limit=1");
    const traceId = (ours.data[0] as unknown as { id: string }).id;
    expect((await t.request(`/traces/${traceId}`, { cookie: otherCookie })).status).toBe(404);
    expect((await t.request(`/api/v1/traces/${traceId}`, { cookie: otherCookie })).status).toBe(404);
    const theirs = await (await t.request("/api/v1/traces", { cookie: otherCookie })).json();
    expect(theirs.data).toEqual([]);
  });
});
