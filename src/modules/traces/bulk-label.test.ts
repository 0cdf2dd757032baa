// Bulk labeling from the trace list: the checked rows (or the whole filter) get one label after a confirmation
// that states the count, and one undo takes it all back.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { evalSets, feedback, traces } from "../../db/schema";
import { createTestApp, setUpOwner, type TestApp } from "../../../test/support/app";
import { insertTraces, makeTrace } from "../../../test/support/traces";

let t: TestApp;
let auth: { cookie: string; csrf: string };
let evalSetId: string;
let ids: string[];

beforeAll(async () => {
  t = await createTestApp();
  auth = await setUpOwner(t);
  const workspaceId = (await t.deps.database.db.query.workspaces.findFirst())!.id;
  await insertTraces(t.deps.database, workspaceId, [0, 1, 2, 3].map((i) => makeTrace({ id: `b${i}`, name: i < 3 ? "refund-flow" : "faq" })));
  ids = (await t.deps.database.db.select().from(traces).orderBy(traces.externalId)).map((r) => r.id);
  [{ id: evalSetId }] = await t.deps.database.db.insert(evalSets).values({ workspaceId, name: "Safe?", rubric: "Was it safe?" }).returning({ id: evalSets.id });
}, 30_000);
afterAll(() => t.close());

/** What the trace list's bulk bar sends: repeated `ids` checkboxes, the scope, the active filter, and the action. */
function bulkBar(fields: [string, string][]) {
  const body = new URLSearchParams(fields).toString();
  return t.request("/eval-sets/bulk", { method: "POST", cookie: auth.cookie, csrf: auth.csrf, headers: { "content-type": "application/x-www-form-urlencoded", "hx-request": "true" }, body });
}

test("checked rows: the confirmation states their count, applying labels exactly them, undo removes them", async () => {
  const confirm = await (await bulkBar([["ids", ids[0]!], ["ids", ids[1]!], ["scope", "selected"], ["filter", ""], ["eval_set_id", evalSetId], ["action", "label:negative"]])).text();
  expect(confirm).toContain("Label 2 traces as negative");
  expect(await t.deps.database.db.select().from(feedback)).toEqual([]);
  const apply = new URLSearchParams([["trace_id", ids[0]!], ["trace_id", ids[1]!], ["label", "negative"], ["confirm_count", "2"]]).toString();
  const done = await (await t.request(`/eval-sets/${evalSetId}/bulk-label`, { method: "POST", cookie: auth.cookie, csrf: auth.csrf, headers: { "content-type": "application/x-www-form-urlencoded", "hx-request": "true" }, body: apply })).text();
  const labelled = await t.deps.database.db.select().from(feedback).where(eq(feedback.evalSetId, evalSetId));
  expect(labelled.map((f) => [f.traceId, f.label]).sort()).toEqual([[ids[0], "negative"], [ids[1], "negative"]].sort());
  const undo = /hx-post="(\/eval-sets\/[^"]+\/undo)"/.exec(done)![1]!;
  await t.request(undo, { method: "POST", cookie: auth.cookie, csrf: auth.csrf, headers: { "hx-request": "true" } });
  expect(await t.deps.database.db.select().from(feedback).where(eq(feedback.evalSetId, evalSetId))).toEqual([]);
});

test("the whole filter: every matching trace across pages is counted, checked boxes or not", async () => {
  const confirm = await (await bulkBar([["ids", ids[3]!], ["scope", "filter"], ["filter", "name=refund"], ["eval_set_id", evalSetId], ["action", "label:positive"]])).text();
  expect(confirm).toContain("Label 3 traces as positive");
});
