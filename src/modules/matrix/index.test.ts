// The matrix on a real database (PGlite, or Postgres with TEST_DATABASE_URL): filters, sorts, keyset pages, drill-down, relabel, queue, runs.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { and, eq } from "drizzle-orm";
import type { TestApp } from "../../../test/support/app";
import { feedback, jobs, queueItems } from "../../db/schema";
import { openMatrixApp, traceId, type MatrixFixture } from "./test-fixture";

let t: TestApp;
let session: { cookie: string; csrf: string };
let fx: MatrixFixture;
let workspaceId: string;

beforeAll(async () => {
  ({ t, session, workspaceId, fx } = await openMatrixApp());
}, 60_000);

afterAll(async () => {
  await t.close();
}, 30_000);

interface ApiRow {
  external_id: string;
  label: string | null;
  cells: { version_id: string; verdict: string; error_kind: string | null; agrees: boolean | null }[];
  agreeing: number;
  comparable: number;
}

async function api(query: string): Promise<{ data: ApiRow[]; next_cursor: string | null }> {
  const versions = `v=${fx.v1.id}&v=${fx.v2.id}`;
  const response = await t.request(`/api/v1/eval-sets/${fx.set.id}/matrix?${versions}${query ? `&${query}` : ""}`, { cookie: session.cookie });
  expect(response.status).toBe(200);
  return (await response.json()) as { data: ApiRow[]; next_cursor: string | null };
}

const ids = (rows: ApiRow[]) => rows.map((r) => r.external_id);
const all = (n: number) => Array.from({ length: n }, (_, i) => traceId(i));

/** Follows next_cursor to the end: every row once, in order. */
async function everyPage(query: string) {
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await api(`${query}&limit=3${cursor ? `&cursor=${cursor}` : ""}`);
    seen.push(...ids(page.data));
    cursor = page.next_cursor;
  } while (cursor);
  return seen;
}

test("rows are the set's traces, newest first, with ground truth, verdicts and agreement", async () => {
  const page = await api("");
  expect(ids(page.data)).toEqual(all(10).reverse());
  const byId = new Map(page.data.map((r) => [r.external_id, r]));
  expect(byId.get("t07")!.label).toBeNull(); // A positive, B negative: disputed
  expect(byId.get("t09")!.label).toBe("neutral");
  expect(byId.get("t03")!.cells.map((c) => [c.verdict, c.agrees])).toEqual([["fail", false], ["pass", true]]);
  expect(byId.get("t08")!.cells.map((c) => [c.verdict, c.error_kind])).toEqual([["error", "timeout"], ["fail", null]]);
  expect(byId.get("t10")!.cells[0]!.verdict).toBe("none");
  expect([byId.get("t01")!.agreeing, byId.get("t01")!.comparable]).toEqual([2, 2]);
  expect([byId.get("t02")!.agreeing, byId.get("t02")!.comparable]).toEqual([1, 2]);
});

test("filters: contradictions, per version, disagreements between versions, label, verdict, error kind, source, date", async () => {
  expect(ids((await api("only=contradictions")).data).sort()).toEqual(["t02", "t03", "t04"]);
  expect(ids((await api(`only=contradictions&focus=${fx.v2.id}`)).data)).toEqual(["t02"]);
  expect(ids((await api("only=disagreements")).data).sort()).toEqual(["t02", "t03", "t04", "t07", "t09"]);
  expect(ids((await api("label=none")).data)).toEqual(["t07"]);
  expect(ids((await api("label=neutral")).data)).toEqual(["t09"]);
  expect(ids((await api("label=negative")).data).sort()).toEqual(["t02", "t04", "t06", "t08"]);
  expect(ids((await api(`verdict=error&focus=${fx.v1.id}`)).data)).toEqual(["t08"]);
  expect(ids((await api(`verdict=none`)).data)).toEqual(["t10"]);
  expect(ids((await api("error=exception")).data)).toEqual(["t05"]);
  expect(ids((await api("source=langfuse")).data)).toEqual(["t10", "t08", "t06", "t04", "t02"]);
  expect(ids((await api("from=2026-11-01&to=2026-11-01&label=positive")).data).sort()).toEqual(["t01", "t03", "t05", "t10"]);
  expect((await api("from=2026-11-02")).data).toEqual([]);
  expect((await api("to=2026-10-31")).data).toEqual([]);
  expect((await api("only=contradictions&label=positive&source=test")).data.map((r) => r.external_id)).toEqual(["t03"]);
});

test("keyset pages cover every row once, for every sort and direction", async () => {
  expect(await everyPage("")).toEqual(all(10).reverse());
  expect(await everyPage("sort=time&dir=asc")).toEqual(all(10));
  for (const sort of ["trace", "source", "label", "agreement", `v:${fx.v1.id}`, `v:${fx.v2.id}`]) {
    for (const dir of ["asc", "desc"]) {
      const seen = await everyPage(`sort=${encodeURIComponent(sort)}&dir=${dir}`);
      expect(seen.sort()).toEqual(all(10));
    }
  }
  // Sorted by v1's verdict descending: pass (t01 t04 t05 t07 t09), fail (t02 t03 t06), error (t08), not run (t10).
  const byVerdict = await everyPage(`sort=v:${fx.v1.id}&dir=desc`);
  expect(byVerdict.slice(-2)).toEqual(["t08", "t10"]);
  expect(byVerdict.slice(0, 5).sort()).toEqual(["t01", "t04", "t05", "t07", "t09"]);
  // A filtered listing paginates too.
  expect((await everyPage("only=disagreements")).sort()).toEqual(["t02", "t03", "t04", "t07", "t09"]);
});

test("the page renders the grid with coloured cells, reviewer columns and a results fragment for htmx", async () => {
  const page = await t.request(`/eval-sets/${fx.set.id}/matrix`, { cookie: session.cookie });
  expect(page.status).toBe(200);
  const body = await page.text();
  expect(body).toContain('class="cell contradicts"');
  expect(body).toContain('class="cell errored"');
  expect(body).toContain('class="cell not-run"');
  expect(body).toContain("<th class=\"reviewer\">Bea</th>");
  expect(body).toContain("/public/js/matrix.js");
  const fragment = await t.request(`/eval-sets/${fx.set.id}/matrix?only=contradictions`, {
    cookie: session.cookie,
    headers: { "hx-request": "true", "hx-request-type": "partial", "hx-target": "div#matrix-results" },
  });
  const html = await fragment.text();
  expect(html.startsWith('<div id="matrix-results">')).toBe(true);
  expect(html.match(/<tr id="row-/g)?.length).toBe(3);
  const bad = await t.request(`/eval-sets/${fx.set.id}/matrix?sort=nonsense`, { cookie: session.cookie });
  expect(bad.status).toBe(422);
  const elsewhere = await t.request(`/eval-sets/nope/matrix`, { cookie: session.cookie });
  expect(elsewhere.status).toBe(404);
});

test("drill-down shows verdict, reason, error, traceback, code and the trace, escaped", async () => {
  const cell = await t.request(`/eval-sets/${fx.set.id}/matrix/cell?trace=${fx.id(7)}&version=${fx.v1.id}`, { cookie: session.cookie, headers: { "hx-request": "true" } });
  const html = await cell.text();
  expect(html).toContain("errored: timeout");
  expect(html).toContain("timeout in trace 8");
  expect(html).toContain("Traceback: timeout");
  expect(html).toContain("return True, &#x27;v1&#x27;");
  expect(html).toContain("output 8");
  const ok = await (await t.request(`/eval-sets/${fx.set.id}/matrix/cell?trace=${fx.id(0)}&version=${fx.v1.id}`, { cookie: session.cookie })).text();
  expect(ok).toContain("pass because 1");
  expect(ok).toContain("debug line");
});

test("relabel writes the user's feedback through the review module and redraws the row; send to queue adds an item", async () => {
  const owner = (await t.deps.database.db.query.users.findFirst())!;
  const response = await t.request(`/eval-sets/${fx.set.id}/matrix/label`, {
    method: "POST",
    cookie: session.cookie,
    csrf: session.csrf,
    headers: { "hx-request": "true" },
    form: { trace_id: fx.id(2), label: "negative", version_id: fx.v1.id, v: `${fx.v1.id},${fx.v2.id}` },
  });
  expect(response.status).toBe(200);
  const html = await response.text();
  expect(html).toContain("Your label is saved.");
  expect(html).toContain(`<hx-partial hx-target="#row-${fx.id(2)}" hx-swap="outerHTML">`);
  const [row] = await t.deps.database.db.select().from(feedback).where(and(eq(feedback.traceId, fx.id(2)), eq(feedback.userId, owner.id)));
  expect(row!.label).toBe("negative");
  // v1 failed t03: with the new label it agrees now.
  const after = await api("");
  expect(after.data.find((r) => r.external_id === "t03")!.cells[0]!.agrees).toBe(true);

  const queued = await t.request(`/eval-sets/${fx.set.id}/matrix/queue`, { method: "POST", cookie: session.cookie, csrf: session.csrf, form: { trace_id: fx.id(6) } });
  expect(await queued.text()).toContain("Sent to the review queue.");
  const items = await t.deps.database.db.select().from(queueItems).where(eq(queueItems.traceId, fx.id(6)));
  expect(items.length).toBe(1);
  const again = await t.request(`/eval-sets/${fx.set.id}/matrix/queue`, { method: "POST", cookie: session.cookie, csrf: session.csrf, form: { trace_id: fx.id(6) } });
  expect(await again.text()).toContain("already in the review queue");
  const noCsrf = await t.request(`/eval-sets/${fx.set.id}/matrix/queue`, { method: "POST", cookie: session.cookie, form: { trace_id: fx.id(6) } });
  expect(noCsrf.status).toBe(403);
});

test("run controls enqueue the eval job over the set, the filtered rows, or everything", async () => {
  const start = async (form: Record<string, string>) => {
    const response = await t.request(`/eval-sets/${fx.set.id}/matrix/run`, { method: "POST", cookie: session.cookie, csrf: session.csrf, headers: { "hx-request": "true" }, form });
    expect(response.status).toBe(202);
    const html = await response.text();
    const jobId = /\/jobs\/([\w-]+)\/events/.exec(html)?.[1];
    expect(jobId).toBeTruthy();
    const [job] = await t.deps.database.db.select().from(jobs).where(eq(jobs.id, jobId!));
    return job!;
  };
  const setRun = await start({ version_id: fx.v2.id, scope: "set", only_missing: "on" });
  expect(setRun.payload).toEqual({ evalVersionId: fx.v2.id, scope: { kind: "eval-set", evalSetId: fx.set.id }, onlyMissing: true });
  const filterRun = await start({ version_id: fx.v1.id, scope: "filter", filter: `v=${fx.v1.id}&v=${fx.v2.id}&only=contradictions&focus=${fx.v2.id}` });
  // The relabel above made t03 negative, so v2 contradicts it too now.
  expect(filterRun.payload).toEqual({ evalVersionId: fx.v1.id, scope: { kind: "traces", traceIds: [fx.id(2), fx.id(1)] }, onlyMissing: false });
  const allRun = await start({ version_id: fx.v1.id, scope: "all" });
  expect((allRun.payload as { scope: unknown }).scope).toEqual({ kind: "all" });
});
