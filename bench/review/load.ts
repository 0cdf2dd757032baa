// Load bench: 50 simulated reviewers for 60 s against one server on loopback (next → label, with some retried
// saves and undos), then checks no label was lost or duplicated. Run: bun bench/review/load.ts [--reviewers 50] [--seconds 60]
import { sql } from "drizzle-orm";
import { parseArgs } from "node:util";
import { rowsOf } from "../../src/db/migrate";
import { createApiToken } from "../../src/modules/tokens/service";
import { testSecrets } from "../../test/support/app";
import { benchApp, createWorld, machineInfo, ms, percentile, printTable } from "./support";

const { values: args } = parseArgs({ options: { reviewers: { type: "string", default: "50" }, seconds: { type: "string", default: "60" }, traces: { type: "string", default: "50000" } } });
const REVIEWERS = Number(args.reviewers);
const SECONDS = Math.min(Number(args.seconds), 600);
/** A hard cap on requests per reviewer, so the run is bounded even if the server answers instantly. */
const MAX_ROUNDS = 20_000;

const world = await createWorld({ traces: Number(args.traces), reviewers: REVIEWERS });
const { database, workspaceId, evalSetId, reviewerIds } = world;
const { app, close: closeApp } = await benchApp(database);
const server = app.listen({ port: 0, hostname: "127.0.0.1" });
const base = `http://127.0.0.1:${server.server!.port}`;

try {
  const tokens = await Promise.all(reviewerIds.map((userId) => createApiToken(database, testSecrets, { workspaceId, userId, name: "load" })));
  const latencies: Record<"next" | "label" | "undo", number[]> = { next: [], label: [], undo: [] };
  const errors = new Map<string, number>();
  /** What the server acknowledged, per trace: the database must hold exactly this afterwards. */
  const acknowledged = new Map<string, { userId: string; label: string }>();
  let appliedLabels = 0;
  let duplicatesRecognised = 0;
  let undos = 0;
  let opCounter = 0;
  const deadline = performance.now() + SECONDS * 1000;

  async function call(kind: "next" | "label" | "undo", token: string, form: Record<string, string>) {
    const t0 = performance.now();
    const response = await fetch(`${base}/api/v1/eval-sets/${evalSetId}/review/${kind}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form),
    });
    const body = await response.json();
    latencies[kind].push(performance.now() - t0);
    if (!response.ok) errors.set(`${kind} ${response.status} ${body?.error?.code}`, (errors.get(`${kind} ${response.status} ${body?.error?.code}`) ?? 0) + 1);
    return response.ok ? body : null;
  }

  async function reviewer(index: number) {
    const token = tokens[index]!.token;
    const userId = reviewerIds[index]!;
    for (let round = 0; round < MAX_ROUNDS && performance.now() < deadline; round++) {
      const next = await call("next", token, { exclude: "" });
      if (!next?.item) break;
      const label = round % 3 === 0 ? "negative" : "positive";
      const form = { op_id: `load-${index}-${opCounter++}`, item_id: next.item.itemId, label };
      const saved = await call("label", token, form);
      if (!saved) continue;
      appliedLabels++;
      acknowledged.set(saved.traceId, { userId, label });
      // Every 20th save is sent again, as a browser would after a lost response: it must not apply twice.
      if (round % 20 === 7 && (await call("label", token, form))?.duplicate) duplicatesRecognised++;
      // Every 30th label is undone at once.
      if (round % 30 === 11) {
        const undone = await call("undo", token, { op_id: `load-undo-${index}-${opCounter++}` });
        if (undone?.undone) {
          undos++;
          acknowledged.delete(undone.undone.traceId);
        }
      }
    }
  }

  const started = performance.now();
  await Promise.all(reviewerIds.map((_, i) => reviewer(i)));
  const elapsed = (performance.now() - started) / 1000;

  const db = database.db;
  const stored = rowsOf<{ trace_id: string; user_id: string; label: string }>(await db.execute(sql`select trace_id, user_id, label from feedback where eval_set_id = ${evalSetId}`));
  const duplicates = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from (select trace_id from feedback where eval_set_id = ${evalSetId} group by trace_id having count(*) > 1) d`))[0]!.n;
  const drift = rowsOf<{ n: number }>(
    await db.execute(sql`select count(*)::int as n from queue_items qi where qi.eval_set_id = ${evalSetId} and qi.label_count <> (select count(*) from feedback f where f.eval_set_id = qi.eval_set_id and f.trace_id = qi.trace_id)`),
  )[0]!.n;
  const labelHistory = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from feedback_history where eval_set_id = ${evalSetId} and action = 'label'`))[0]!.n;
  const lost = [...acknowledged].filter(([traceId, want]) => !stored.some((s) => s.trace_id === traceId && s.user_id === want.userId && s.label === want.label)).length;
  const unexpected = stored.filter((s) => !acknowledged.has(s.trace_id)).length;

  const all = [...latencies.next, ...latencies.label, ...latencies.undo];
  const row = (name: string, values: number[]) => [name, String(values.length), `${(values.length / elapsed).toFixed(0)}/s`, ms(percentile(values, 50)), ms(percentile(values, 95)), ms(percentile(values, 99))];
  printTable(
    `Review load: ${REVIEWERS} reviewers × ${elapsed.toFixed(1)} s against one server (loopback, Postgres, clients in the same process)`,
    await machineInfo(database),
    ["request", "n", "rate", "p50", "p95", "p99"],
    [row("next", latencies.next), row("label", latencies.label), row("undo", latencies.undo), row("all", all)],
    [
      `labels acknowledged: ${appliedLabels}, undone: ${undos}, retried saves recognised as already landed: ${duplicatesRecognised}`,
      `errors: ${errors.size ? [...errors].map(([k, n]) => `${k} ×${n}`).join(", ") : "none"}`,
      `afterwards: ${stored.length} labels stored for ${acknowledged.size} expected; lost ${lost}, unexpected ${unexpected}, traces labelled twice ${duplicates}, label_count drift ${drift}, history 'label' rows ${labelHistory} (= acknowledged ${appliedLabels})`,
      lost === 0 && unexpected === 0 && duplicates === 0 && drift === 0 && labelHistory === appliedLabels ? "CHECK OK: no lost and no duplicated labels" : "CHECK FAILED",
    ],
  );
} finally {
  await server.stop(true);
  await closeApp();
  await world.drop();
}
