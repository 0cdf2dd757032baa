// Demo data: seeded at setup, marked as demo, removable in one click without touching the user's own traces.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { evalSets, queueItems, traces, workspaces } from "../../db/schema";
import { createTestApp, setUpOwner, type TestApp } from "../../../test/support/app";
import { insertTraces, makeTrace } from "../../../test/support/traces";
import { DEMO_TRACE_COUNT } from "./service";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { IOFOLD_DEMO_DATA: "true" } });
}, 30_000);
afterAll(() => t.close());

test("setup seeds the demo set, the banner offers removal, and removal keeps the user's own traces", async () => {
  const { cookie, csrf } = await setUpOwner(t);
  const [workspace] = await t.deps.database.db.select().from(workspaces);
  expect(workspace!.hasDemoData).toBe(true);
  expect((await t.deps.database.db.select().from(traces)).length).toBe(DEMO_TRACE_COUNT);
  const sets = await t.deps.database.db.select().from(evalSets);
  expect(sets.length).toBe(1);
  expect(sets[0]!.isDemo).toBe(true);
  expect(sets[0]!.rubric.length).toBeGreaterThan(20);
  expect((await t.deps.database.db.select().from(queueItems).where(eq(queueItems.evalSetId, sets[0]!.id))).length).toBe(DEMO_TRACE_COUNT);

  const page = await (await t.request("/traces", { cookie })).text();
  expect(page).toContain("demo data");
  expect(page).toContain('hx-post="/demo/remove"');

  await insertTraces(t.deps.database, workspace!.id, [makeTrace({ id: "mine" })]);
  const removed = await t.request("/demo/remove", { method: "POST", cookie, csrf });
  expect(removed.status).toBe(303);
  const left = await t.deps.database.db.select().from(traces).where(eq(traces.workspaceId, workspace!.id));
  expect(left.map((r) => r.externalId)).toEqual(["mine"]);
  expect(await t.deps.database.db.select().from(evalSets)).toEqual([]);
  expect(await t.deps.database.db.select().from(queueItems)).toEqual([]);
  expect((await t.deps.database.db.select().from(workspaces))[0]!.hasDemoData).toBe(false);
  expect(await (await t.request("/traces", { cookie })).text()).not.toContain('hx-post="/demo/remove"');
}, 30_000);
