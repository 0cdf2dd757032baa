// Server bench: label + fetch next with 100,000 traces in the set on Postgres, through the service and through HTTP,
// against naive "next" queries (NOT IN, OFFSET). Run: bun bench/review/server.ts [--traces 100000] [--iterations 500] [--naive 10]
import { sql } from "drizzle-orm";
import { parseArgs } from "node:util";
import { rowsOf } from "../../src/db/migrate";
import { nextItem, saveLabel } from "../../src/modules/review/service";
import { createApiToken } from "../../src/modules/tokens/service";
import { testSecrets } from "../../test/support/app";
import { benchApp, createWorld, machineInfo, ms, percentile, printTable } from "./support";

const { values: args } = parseArgs({ options: { traces: { type: "string", default: "100000" }, iterations: { type: "string", default: "500" }, naive: { type: "string", default: "10" } } });
const TRACES = Number(args.traces);
const ITERATIONS = Number(args.iterations);
/** The naive NOT IN query takes seconds at this size, so it gets only a few rounds. */
const NAIVE_ITERATIONS = Number(args.naive);

console.log(`seeding ${TRACES} traces…`);
const world = await createWorld({ traces: TRACES, reviewers: 4 });
const { database, workspaceId, evalSetId, reviewerIds } = world;
const db = database.db;
try {
  // Half the set is labelled already, so "next" has to pass over real work, as it does mid-project.
  await db.execute(sql`
    with half as (select trace_id from queue_items where eval_set_id = ${evalSetId} order by sort_key limit ${Math.floor(TRACES / 2)})
    insert into feedback (id, workspace_id, eval_set_id, trace_id, user_id, label)
    select gen_random_uuid()::text, ${workspaceId}, ${evalSetId}, trace_id, ${reviewerIds[3]!}, 'positive' from half`);
  await db.execute(sql`update queue_items set label_count = 1 where eval_set_id = ${evalSetId} and trace_id in (select trace_id from feedback where eval_set_id = ${evalSetId})`);
  await db.execute(sql`vacuum analyze queue_items`);
  await db.execute(sql`vacuum analyze feedback`);

  let op = 0;
  const serviceRound = async (i: number) => {
    const scope = { workspaceId, evalSetId, userId: reviewerIds[i % 3]! };
    const t0 = performance.now();
    const item = await nextItem(database, scope, []);
    const t1 = performance.now();
    await saveLabel(database, scope, { op_id: `bench-op-${op++}`, item_id: item!.itemId, label: i % 2 ? "negative" : "positive" });
    return { next: t1 - t0, label: performance.now() - t1, both: performance.now() - t0 };
  };
  for (let i = 0; i < 30; i++) await serviceRound(i);
  const service: { next: number; label: number; both: number }[] = [];
  for (let i = 0; i < ITERATIONS; i++) service.push(await serviceRound(i));

  const { app, close: closeApp } = await benchApp(database);
  const tokens = await Promise.all(reviewerIds.slice(0, 3).map((userId) => createApiToken(database, testSecrets, { workspaceId, userId, name: "bench" })));
  const call = async (path: string, token: string, form: Record<string, string>) => {
    const response = await app.handle(
      new Request(`http://localhost${path}`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(form) }),
    );
    const text = await response.text();
    if (!response.ok) throw new Error(`${path}: ${response.status} ${text.slice(0, 200)}`);
    return text;
  };
  const httpRound = async (i: number) => {
    const token = tokens[i % 3]!.token;
    const t0 = performance.now();
    const fragment = await call(`/eval-sets/${evalSetId}/review/next`, token, { exclude: "" });
    const t1 = performance.now();
    const itemId = /data-item-id="([^"]+)"/.exec(fragment)![1]!;
    await call(`/api/v1/eval-sets/${evalSetId}/review/label`, token, { op_id: `bench-http-${op++}`, item_id: itemId, label: "negative" });
    return { next: t1 - t0, label: performance.now() - t1, both: performance.now() - t0 };
  };
  for (let i = 0; i < 30; i++) await httpRound(i);
  const http: { next: number; label: number; both: number }[] = [];
  for (let i = 0; i < ITERATIONS; i++) http.push(await httpRound(i));

  // The naive ways: skip labelled traces with NOT IN, or page to "the n-th unlabelled" with OFFSET; label with an upsert.
  /** Each naive query gets at most NAIVE_TIMEOUT_MS; one that runs out is recorded at the limit (a lower bound). */
  const NAIVE_TIMEOUT_MS = 5000;
  let naiveTimeouts = 0;
  const naiveNext = async (kind: "not in" | "offset") =>
    db.transaction(async (tx) => {
      await tx.execute(sql.raw(`set local statement_timeout = ${NAIVE_TIMEOUT_MS}`));
      const rows =
        kind === "not in"
          ? await tx.execute(sql`
            select qi.trace_id from queue_items qi join traces t on t.id = qi.trace_id
            where qi.eval_set_id = ${evalSetId} and qi.trace_id not in (select f.trace_id from feedback f where f.eval_set_id = ${evalSetId})
            order by t.timestamp desc limit 1`)
          : await tx.execute(sql`
            select qi.trace_id from queue_items qi join traces t on t.id = qi.trace_id
            where qi.eval_set_id = ${evalSetId}
            order by t.timestamp desc offset (select count(*) from feedback f where f.eval_set_id = ${evalSetId}) limit 1`);
      return rowsOf<{ trace_id: string }>(rows)[0]?.trace_id ?? null;
    }).catch(() => {
      naiveTimeouts++;
      return null;
    });
  const naiveRound = async (i: number, kind: "not in" | "offset") => {
    const userId = reviewerIds[i % 3]!;
    const t0 = performance.now();
    const traceId = await naiveNext(kind);
    const t1 = performance.now();
    if (traceId) {
      await db.execute(sql`
        insert into feedback (id, workspace_id, eval_set_id, trace_id, user_id, label) values (gen_random_uuid()::text, ${workspaceId}, ${evalSetId}, ${traceId}, ${userId}, 'neutral')
        on conflict (eval_set_id, trace_id, user_id) do update set label = excluded.label`);
    }
    return { next: t1 - t0, label: performance.now() - t1, both: performance.now() - t0 };
  };
  const naive: Record<"not in" | "offset", { next: number; label: number; both: number }[]> = { "not in": [], offset: [] };
  for (const kind of ["not in", "offset"] as const) {
    for (let i = 0; i < NAIVE_ITERATIONS; i++) naive[kind].push(await naiveRound(i, kind));
  }

  const row = (name: string, samples: { next: number; label: number; both: number }[]) => [
    name,
    String(samples.length),
    ms(percentile(samples.map((s) => s.next), 50)),
    ms(percentile(samples.map((s) => s.next), 95)),
    ms(percentile(samples.map((s) => s.label), 50)),
    ms(percentile(samples.map((s) => s.label), 95)),
    ms(percentile(samples.map((s) => s.both), 50)),
    ms(percentile(samples.map((s) => s.both), 95)),
  ];
  printTable(
    `Review queue: label + fetch next, ${TRACES.toLocaleString("en-US")} traces in the set (half already labelled), Postgres`,
    await machineInfo(database),
    ["path", "n", "next p50", "next p95", "label p50", "label p95", "both p50", "both p95"],
    [
      row("service: claim (index) + save w/ history", service),
      row("HTTP: next fragment (rendered trace) + label API", http),
      row("naive: NOT IN + upsert (no reservation)", naive["not in"]),
      row("naive: OFFSET count(*) + upsert", naive.offset),
    ],
    [
      "Target: service p95 of label + next under 15 ms. The naive queries also lack reservations, history and idempotency.",
      `Naive queries stopped by the ${NAIVE_TIMEOUT_MS / 1000} s statement timeout (their time is then a lower bound): ${naiveTimeouts}.`,
    ],
  );
  await closeApp();
} finally {
  await world.drop();
}
