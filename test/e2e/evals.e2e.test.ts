// Browser journey: generate an eval offline from demo-like labels, watch the job, read the version, edit by hand, diff, activate.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Browser, Page } from "playwright-core";
import { and, eq } from "drizzle-orm";
import { evalSets, feedback, traces, users } from "../../src/db/schema";
import { generateEvalJob } from "../../src/jobs/definitions/generate-eval";
import { demoGroundTruth } from "../../src/modules/demo/ground-truth";
import { seedDemoData } from "../../src/modules/demo/service";
import type { NormalizedTrace } from "../../src/modules/traces/normalized-schema";
import { launchBrowser, newGuardedPage, setUpThroughPage } from "../support/browser";
import { startTestServer, type TestServer } from "../support/server";

let server: TestServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  server = await startTestServer({ jobDefinitions: [generateEvalJob] });
  browser = await launchBrowser();
  page = await newGuardedPage(browser);
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

test("generate with the synthesizer, see the version, edit a hand version, diff, activate", async () => {
  await setUpThroughPage(page, server.url);

  // A reviewer's labels on 90 demo traces, as the demo's ground truth says, with a few neutral ones.
  const db = server.deps.database.db;
  const workspaceId = (await db.query.workspaces.findFirst())!.id;
  const [user] = await db.select().from(users);
  await seedDemoData(server.deps.database, workspaceId, new Date("2026-11-20T12:00:00Z"));
  const [set] = await db.select().from(evalSets).where(eq(evalSets.workspaceId, workspaceId));
  const demo = (await db.select({ id: traces.id, normalized: traces.normalized }).from(traces).where(and(eq(traces.workspaceId, workspaceId), eq(traces.isDemo, true)))).slice(0, 90);
  await db.insert(feedback).values(demo.map((t, i) => ({
    workspaceId, evalSetId: set!.id, userId: user!.id, traceId: t.id,
    label: i < 4 ? ("neutral" as const) : demoGroundTruth(t.normalized as unknown as NormalizedTrace).passed ? ("positive" as const) : ("negative" as const),
  })));

  await page.click("nav >> text=Evals");
  await page.waitForURL(/\/evals$/);
  await page.selectOption("select[name=eval_set_id]", set!.id);
  await page.click("#generate-form button[type=submit]");
  await page.waitForURL(/\/jobs\/.+/);
  await page.waitForSelector("text=chose offline synthesizer", { timeout: 60_000 });
  expect(await page.textContent("#job-log")).toContain("testing on 86 labels");

  await page.click("nav >> text=Evals");
  await page.click(`table >> text=${set!.name}`);
  await page.waitForURL(/\/evals\/[^/]+$/);
  await page.click("#versions >> text=v1");
  await page.waitForURL(/\/eval-versions\/.+/);
  expect(await page.textContent("#active-badge")).toBe("active");
  expect(await page.locator("#version-code .py-kw").count()).toBeGreaterThan(5);
  expect(await page.textContent(".facts")).toContain("Neutral excluded4");
  const v1Url = page.url();

  await page.click("text=Edit as a new version");
  await page.waitForURL(/\/edit$/);
  const code = await page.inputValue("textarea[name=code]");
  await page.fill("textarea[name=code]", `${code}\n# tightened by hand after review\n`);
  await page.waitForFunction(() => document.querySelector("#code-preview")?.textContent?.includes("tightened by hand"));
  await page.click("text=Save version");
  await page.waitForURL((url) => /\/eval-versions\/[^/]+$/.test(url.pathname) && url.toString() !== v1Url);
  expect(await page.textContent("h1")).toContain("v2");
  expect(await page.textContent("h1")).toContain("hand-edited");

  await page.click("text=Diff with v1");
  await page.waitForURL(/\/diff\?/);
  expect(await page.textContent("#diff-summary")).toBe("2 lines added, 0 removed");
  expect(await page.locator("tr.added").count()).toBe(2);

  await page.goBack();
  await page.click("button:has-text('Activate')");
  await page.waitForSelector("#active-badge");
  await page.click(".crumbs >> a:nth-child(2)");
  await page.waitForURL(/\/evals\/[^/]+$/);
  expect(await page.locator("button:has-text('Roll back to this')").count()).toBe(1);
}, 120_000);
