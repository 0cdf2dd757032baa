// The trace list's filters, full-text search, capped counts and bulk actions (delete, add to an eval set's queue).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { evalSets, feedback, queueItems, traces } from "../../db/schema";
import { createTestApp, setUpOwner, type TestApp } from "../../../test/support/app";
import { insertTraces, makeTrace } from "../../../test/support/traces";

let t: TestApp;
let cookie: string;
let csrf: string;
let workspaceId: string;
let evalSetId: string;

beforeAll(async () => {
  t = await createTestApp();
  ({ cookie, csrf } = await setUpOwner(t));
  workspaceId = (await t.deps.database.db.query.workspaces.findFirst())!.id;
  const owner = (await t.deps.database.db.query.users.findFirst())!;
  const base = Date.parse("2026-11-01T00:00:00Z");
  await insertTraces(
    t.deps.database,
    workspaceId,
    Array.from({ length: 30 }, (_, i) =>
      makeTrace({
        id: `f${String(i).padStart(2, "0")}`,
        source: i < 10 ? "langfuse" : "otel",
        timestamp: new Date(base + i * 60_000).toISOString(),
        input: i === 7 ? "My parcel was refunded twice, ünïcode näme" : `Question ${i}`,
        output: i === 8 ? { answer: "The refund is on its way" } : "Done.",
        user_id: i % 2 ? "alice" : "bob",
        session_id: `s${i % 3}`,
        metadata: { environment: i % 5 === 0 ? "staging" : "production" },
        latency_ms: i * 100,
        cost_usd: i / 1000,
        ...(i % 4 === 0 ? { tool_calls: [], steps: [makeTrace({ id: "x" }).steps[0]!] } : {}),
      }),
    ),
  );
  const [set] = await t.deps.database.db.insert(evalSets).values({ workspaceId, name: "Helpfulness", rubric: "Was it helpful?" }).returning();
  evalSetId = set!.id;
  const labeled = await t.deps.database.db.select({ id: traces.id }).from(traces).where(eq(traces.externalId, "f03"));
  await t.deps.database.db.insert(feedback).values({ workspaceId, evalSetId, traceId: labeled[0]!.id, userId: owner.id, label: "positive" });
}, 30_000);
afterAll(() => t.close());

async function ids(query: string): Promise<string[]> {
  const response = await t.request(`/api/v1/traces?limit=200&${query}`, { cookie });
  expect(response.status).toBe(200);
  return ((await response.json()).data as Array<{ externalId: string }>).map((row) => row.externalId).sort();
}

describe("trace list filters", () => {
  test("each filter narrows the list as named", async () => {
    expect(await ids("source=otel")).toHaveLength(20);
    expect(await ids("user=alice&session=s0")).toEqual(["f03", "f09", "f15", "f21", "f27"]);
    expect(await ids("environment=staging")).toEqual(["f00", "f05", "f10", "f15", "f20", "f25"]);
    expect(await ids("tool=get_order&source=langfuse")).toEqual(["f01", "f02", "f03", "f05", "f06", "f07", "f09"]);
    expect(await ids("model=gpt-4o-mini&latency_min=2500")).toEqual(["f25", "f26", "f27", "f29"]);
    expect(await ids("latency_min=500&latency_max=700&cost_max=0.006")).toEqual(["f05", "f06"]);
    expect(await ids(`eval_set=${evalSetId}&labeled=yes`)).toEqual(["f03"]);
    expect(await ids(`eval_set=${evalSetId}&labeled=no&source=langfuse`)).toHaveLength(9);
  });

  test("full-text search matches words of input and output (prefixes, any case), not JSON keys", async () => {
    expect(await ids("q=refund")).toEqual(["f07", "f08"]);
    expect(await ids("q=REFUNDED+twice")).toEqual(["f07"]);
    expect(await ids("q=näme")).toEqual(["f07"]);
    expect(await ids("q=answer")).toEqual([]);
    expect(await ids("q=%22%3B+drop+table")).toEqual([]);
  });

  test("the count is capped, cached, and rendered as a fragment", async () => {
    expect(await (await t.request("/api/v1/traces/count?source=otel", { cookie })).json()).toEqual({ count: 20, capped: false });
    const fragment = await (await t.request("/traces/count?q=refund", { cookie })).text();
    expect(fragment).toContain("2 traces");
    const page = await (await t.request("/traces?source=otel", { cookie })).text();
    expect(page).toContain('hx-get="/traces/count?source=otel"');
  });
});

describe("bulk actions", () => {
  test("add checked traces, then all matching a filter, to an eval set's queue without duplicates", async () => {
    const [a, b] = await t.deps.database.db.select({ id: traces.id }).from(traces).where(eq(traces.source, "langfuse")).limit(2);
    const form = new URLSearchParams({ action: "add", scope: "selected", eval_set_id: evalSetId, filter: "source=langfuse" });
    form.append("ids", a!.id);
    form.append("ids", b!.id);
    const first = await t.request("/traces/bulk", { method: "POST", cookie, csrf, headers: { "content-type": "application/x-www-form-urlencoded", "hx-request": "true" }, body: form.toString() });
    expect(await first.text()).toContain("Added 2 of 2");
    const all = await t.request("/traces/bulk", { method: "POST", cookie, csrf, headers: { "hx-request": "true" }, form: { action: "add", scope: "filter", eval_set_id: evalSetId, filter: "source=langfuse" } });
    expect(await all.text()).toContain("Added 8 of 10");
    expect(await t.deps.database.db.select().from(queueItems).where(eq(queueItems.evalSetId, evalSetId))).toHaveLength(10);
  });

  test("delete by filter removes exactly the matching traces; ids of another workspace are ignored", async () => {
    const response = await t.request("/api/v1/traces/delete", { method: "POST", cookie, csrf, headers: { "content-type": "application/json" }, body: JSON.stringify({ filter: { environment: "staging" } }) });
    expect(await response.json()).toEqual({ deleted: 6 });
    expect(await ids("environment=staging")).toEqual([]);
    const byIds = await t.request("/api/v1/traces/delete", { method: "POST", cookie, csrf, headers: { "content-type": "application/json" }, body: JSON.stringify({ ids: ["not-a-trace-of-ours"] }) });
    expect(await byIds.json()).toEqual({ deleted: 0 });
    expect(await ids("")).toHaveLength(24);
  });
});
