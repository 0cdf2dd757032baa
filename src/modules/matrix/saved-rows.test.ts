// The matrix with a saved trace filter as its rows: every trace of the filter, labelled in the set or not, with every filter, sort and keyset page, relabel and runs.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import type { TestApp } from "../../../test/support/app";
import { insertTraces, makeTrace } from "../../../test/support/traces";
import { executions, jobs, traces } from "../../db/schema";
import { saveFilter } from "../saved-filters/service";
import { openMatrixApp, type MatrixFixture } from "./test-fixture";

let t: TestApp;
let session: { cookie: string; csrf: string };
let fx: MatrixFixture;
let rowsId: string;
const unlabelled: Record<string, string> = {};

beforeAll(async () => {
  let workspaceId: string;
  let ownerId: string;
  ({ t, session, workspaceId, ownerId, fx } = await openMatrixApp());
  // Three traces nobody labelled in the set: u1 (langfuse; v1 passed it, v2 failed it), u2 (langfuse, never run), u3 (another source).
  await insertTraces(t.deps.database, workspaceId, [
    makeTrace({ id: "u1", source: "langfuse", name: "unlabelled 1", timestamp: "2026-11-03T00:00:00.000Z" }),
    makeTrace({ id: "u2", source: "langfuse", name: "unlabelled 2", timestamp: "2026-11-04T00:00:00.000Z" }),
    makeTrace({ id: "u3", source: "test", name: "unlabelled 3", timestamp: "2026-11-05T00:00:00.000Z" }),
  ]);
  for (const ext of ["u1", "u2", "u3"]) unlabelled[ext] = (await t.deps.database.db.select().from(traces).where(eq(traces.externalId, ext)))[0]!.id;
  await t.deps.database.db.insert(executions).values([
    { workspaceId, evalVersionId: fx.v1.id, traceId: unlabelled.u1!, passed: true, reason: "looks fine" },
    { workspaceId, evalVersionId: fx.v2.id, traceId: unlabelled.u1!, passed: false, reason: "looks wrong" },
  ]);
  rowsId = (await saveFilter(t.deps.database, { workspaceId, userId: ownerId, canManage: true }, { name: "Langfuse <i>only</i>", filter: "source=langfuse" })).id;
}, 60_000);

afterAll(async () => {
  await t.close();
}, 30_000);

interface ApiRow {
  external_id: string;
  label: string | null;
  reviewers: number;
  cells: { verdict: string; agrees: boolean | null }[];
}

async function api(query: string, status = 200): Promise<{ data: ApiRow[]; next_cursor: string | null }> {
  const response = await t.request(`/api/v1/eval-sets/${fx.set.id}/matrix?v=${fx.v1.id}&v=${fx.v2.id}&rows=${rowsId}${query ? `&${query}` : ""}`, { cookie: session.cookie });
  expect(response.status).toBe(status);
  return (await response.json()) as { data: ApiRow[]; next_cursor: string | null };
}

const ids = (rows: ApiRow[]) => rows.map((r) => r.external_id);

async function everyPage(query: string) {
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await api(`${query}&limit=2${cursor ? `&cursor=${cursor}` : ""}`);
    seen.push(...ids(page.data));
    cursor = page.next_cursor;
  } while (cursor);
  return seen;
}

const LANGFUSE = ["u2", "u1", "t10", "t08", "t06", "t04", "t02"];

test("rows are every trace of the saved filter, newest first, the unlabelled ones with their verdicts and no label", async () => {
  const page = await api("");
  expect(ids(page.data)).toEqual(LANGFUSE);
  const byId = new Map(page.data.map((r) => [r.external_id, r]));
  expect(byId.get("u1")).toMatchObject({ label: null, reviewers: 0 });
  expect(byId.get("u1")!.cells.map((c) => [c.verdict, c.agrees])).toEqual([["pass", null], ["fail", null]]);
  expect(byId.get("u2")!.cells.map((c) => c.verdict)).toEqual(["none", "none"]);
  expect(byId.get("t02")).toMatchObject({ label: "negative", reviewers: 1 });
});

test("filters apply to the saved filter's rows; 'unlabelled' picks the traces without a label in the set", async () => {
  expect(ids((await api("label=unlabeled")).data)).toEqual(["u2", "u1"]);
  expect(ids((await api("label=none")).data)).toEqual([]);
  expect(ids((await api("only=disagreements")).data)).toEqual(["u1", "t04", "t02"]);
  expect(ids((await api(`verdict=pass&focus=${fx.v1.id}`)).data)).toEqual(["u1", "t04"]);
  expect(ids((await api("verdict=none")).data)).toEqual(["u2", "t10"]);
  expect(ids((await api(`error=timeout&focus=${fx.v1.id}`)).data)).toEqual(["t08"]);
  expect(ids((await api("only=contradictions")).data)).toEqual(["t04", "t02"]);
});

test("every sort, both directions, pages through every row once; agreement puts unlabelled rows last", async () => {
  for (const sort of ["time", "trace", "source", "label", "agreement", `v:${fx.v1.id}`, `v:${fx.v2.id}`]) {
    for (const dir of ["asc", "desc"]) expect((await everyPage(`sort=${encodeURIComponent(sort)}&dir=${dir}`)).sort()).toEqual([...LANGFUSE].sort());
  }
  // 100% (t06 t08 t10), 50% (t02 t04), nothing to compare (u1 u2); ties newest id first.
  expect(await everyPage("sort=agreement")).toEqual(["t10", "t08", "t06", "t04", "t02", "u2", "u1"]);
  expect((await everyPage(`sort=v:${fx.v1.id}&dir=desc`)).slice(0, 2)).toEqual(["u1", "t04"]);
});

test("the page offers saved filters as rows and names the one in use, escaped; a missing one is a 404", async () => {
  const html = await (await t.request(`/eval-sets/${fx.set.id}/matrix?rows=${rowsId}`, { cookie: session.cookie })).text();
  expect(html).toContain(`<option value="${rowsId}" selected>saved filter: Langfuse &lt;i&gt;only&lt;/i&gt;</option>`);
  expect(html).toContain("Rows: every trace of the saved filter “Langfuse &lt;i&gt;only&lt;/i&gt;”");
  expect(html).toContain('<td class="truth truth-unlabeled"');
  expect(html).not.toContain("<i>only</i>");
  await api("", 200);
  const missing = await t.request(`/api/v1/eval-sets/${fx.set.id}/matrix?rows=nope`, { cookie: session.cookie });
  expect(missing.status).toBe(404);
});

test("an unlabelled row labelled from the matrix joins the set's rows; a run over the filtered rows takes the filter's traces", async () => {
  const response = await t.request(`/eval-sets/${fx.set.id}/matrix/label`, {
    method: "POST",
    ...session,
    headers: { "hx-request": "true" },
    form: { trace_id: unlabelled.u1!, label: "negative", v: `${fx.v1.id},${fx.v2.id}` },
  });
  expect(response.status).toBe(200);
  expect(await response.text()).toContain(`<hx-partial hx-target="#row-${unlabelled.u1}" hx-swap="outerHTML">`);
  const setRows = await (await t.request(`/api/v1/eval-sets/${fx.set.id}/matrix?v=${fx.v1.id}`, { cookie: session.cookie })).json() as { data: ApiRow[] };
  expect(setRows.data.find((r) => r.external_id === "u1")).toMatchObject({ label: "negative", reviewers: 1 });
  expect(ids((await api("label=unlabeled")).data)).toEqual(["u2"]);

  const run = await t.request(`/eval-sets/${fx.set.id}/matrix/run`, {
    method: "POST",
    ...session,
    headers: { "hx-request": "true" },
    form: { version_id: fx.v2.id, scope: "filter", filter: `rows=${rowsId}&verdict=none` },
  });
  expect(run.status).toBe(202);
  const jobId = /\/jobs\/([\w-]+)\/events/.exec(await run.text())![1]!;
  const [job] = await t.deps.database.db.select().from(jobs).where(eq(jobs.id, jobId));
  // v1 and v2 are shown by default; "not run" by either: u2 (by both) and t10 (by v1).
  expect(job!.payload).toEqual({ evalVersionId: fx.v2.id, scope: { kind: "traces", traceIds: [unlabelled.u2, fx.id(9)] }, onlyMissing: false });
});
