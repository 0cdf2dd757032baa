// Browser bench: keypress → next trace painted, over 100 labels (performance marks from public/js/review.js),
// against the naive flow (save, then fetch next, then paint). Run: bun bench/review/browser.ts [--labels 100]
import { parseArgs } from "node:util";
import { SESSION_COOKIE } from "../../src/modules/auth/service";
import { generateDemoTraces } from "../../src/modules/demo/generate";
import { createEvalSet } from "../../src/modules/eval-sets/service";
import { addTracesToQueue } from "../../src/modules/review/service";
import { storeTraces } from "../../src/modules/traces/service";
import { setUpOwner } from "../../test/support/app";
import { launchBrowser } from "../../test/support/browser";
import { startTestServer } from "../../test/support/server";
import { machineInfo, ms, percentile, POSTGRES_URL, printTable } from "./support";

const { values: args } = parseArgs({ options: { labels: { type: "string", default: "100" } } });
const LABELS = Number(args.labels);

// The test server makes (and drops) a fresh Postgres database when TEST_DATABASE_URL is set.
process.env.TEST_DATABASE_URL ??= POSTGRES_URL;
const server = await startTestServer();
const browser = await launchBrowser();
try {
  const { cookie } = await setUpOwner(server);
  const db = server.deps.database.db;
  const workspaceId = (await db.query.workspaces.findFirst())!.id;
  const ownerId = (await db.query.users.findFirst())!.id;
  // Realistic traces (the demo generator's agent runs: steps, tool calls, long outputs).
  const generated = generateDemoTraces({ count: LABELS * 2 + 40, now: new Date() });
  await storeTraces(server.deps.database, generated.map((t) => ({ workspaceId, source: "bench", externalId: t.externalId, raw: t.raw, normalized: t.normalized })));
  const traceIds = (await db.query.traces.findMany({ columns: { id: true } })).map((t) => t.id);
  const optimisticSet = await createEvalSet(server.deps.database, workspaceId, ownerId, { name: "optimistic", rubric: "ok?", labels_per_trace: 1 });
  const naiveSet = await createEvalSet(server.deps.database, workspaceId, ownerId, { name: "naive", rubric: "ok?", labels_per_trace: 1 });
  await addTracesToQueue(server.deps.database, workspaceId, optimisticSet.id, traceIds);
  await addTracesToQueue(server.deps.database, workspaceId, naiveSet.id, traceIds);

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addCookies([{ name: SESSION_COOKIE, value: cookie.split("=")[1]!, url: server.url }]);
  const page = await context.newPage();

  await page.goto(`${server.url}/eval-sets/${optimisticSet.id}/review`);
  await page.waitForFunction(() => document.getElementById("review")?.dataset.currentItem);
  for (let i = 0; i < LABELS; i++) {
    const before = await page.evaluate(() => document.getElementById("review")!.dataset.currentItem);
    await page.keyboard.press(i % 3 === 0 ? "1" : "3");
    await page.waitForFunction((previous) => document.getElementById("review")!.dataset.currentItem !== previous && performance.getEntriesByName("review-next").length > 0, before);
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 30)));
  }
  await page.waitForFunction(() => document.getElementById("review-save-status")!.textContent === "All saved");
  const optimistic = await page.evaluate(() => performance.getEntriesByName("review-next").map((e) => e.duration));

  // Naive: on the key, wait for the save, then ask for the next item, then paint it.
  await page.goto(`${server.url}/eval-sets/${naiveSet.id}/review`);
  await page.waitForFunction(() => document.getElementById("review")?.dataset.currentItem);
  const naive = await page.evaluate(
    async ({ setId, labels }) => {
      const csrf = JSON.parse(document.body.getAttribute("hx-headers:inherited") || "{}")["X-CSRF-Token"];
      const headers = { "content-type": "application/x-www-form-urlencoded", "x-csrf-token": csrf };
      const stage = document.createElement("div");
      document.getElementById("main")!.append(stage);
      let itemId = document.querySelector<HTMLElement>(".review-item")!.dataset.itemId!;
      const durations: number[] = [];
      for (let i = 0; i < labels; i++) {
        const t0 = performance.now();
        await fetch(`/api/v1/eval-sets/${setId}/review/label`, { method: "POST", headers, body: new URLSearchParams({ op_id: `naive-${i}-${t0}`, item_id: itemId, label: "positive" }) });
        const html = await (await fetch(`/eval-sets/${setId}/review/next`, { method: "POST", headers, body: new URLSearchParams({ exclude: "" }) })).text();
        stage.innerHTML = html;
        await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
        durations.push(performance.now() - t0);
        itemId = stage.querySelector<HTMLElement>(".review-item")!.dataset.itemId!;
      }
      return durations;
    },
    { setId: naiveSet.id, labels: LABELS },
  );

  const row = (name: string, values: number[]) => [name, String(values.length), ms(percentile(values, 50)), ms(percentile(values, 95)), ms(Math.max(...values))];
  printTable(
    `Review page: keypress → next trace painted, ${LABELS} labels, Chromium (headless) + Postgres, server on loopback`,
    [...(await machineInfo(server.deps.database)), `traces: demo generator agent runs (${generated.length})`],
    ["flow", "n", "p50", "p95", "max"],
    [row("optimistic (prefetched, save queued)", optimistic), row("naive (save → fetch next → paint)", naive)],
    ["Target: p95 under 100 ms. Measured from the keydown handler to the first frame after the swap (rAF + task)."],
  );
  await context.close();
} finally {
  await browser.close();
  await server.stop();
}
