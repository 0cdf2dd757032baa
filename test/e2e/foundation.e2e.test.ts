// Browser journey: setup → sign in → traces → a trace with an XSS payload runs no script → a job's progress arrives live.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Browser, Page } from "playwright-core";
import { mkdirSync, copyFileSync } from "node:fs";
import { defineJob } from "../../src/jobs/definition";
import { enqueueJob } from "../../src/jobs/queue";
import { and, eq, sql } from "drizzle-orm";
import { traces } from "../../src/db/schema";
import { seedDemoData } from "../../src/modules/demo/service";
import { launchBrowser, newGuardedPage, setUpThroughPage } from "../support/browser";
import { startTestServer, type TestServer } from "../support/server";
import { insertTraces, makeTrace } from "../support/traces";

/** A job that advances one step each time the test releases it, so the test sees each update arrive. */
let permits = 0;
let wakeJob: (() => void) | null = null;
const release = () => {
  permits++;
  wakeJob?.();
};
const gate = async () => {
  while (permits === 0) await new Promise<void>((resolve) => (wakeJob = resolve));
  permits--;
};
const steppedJob = defineJob({
  type: "test.stepped",
  async run(ctx) {
    for (let done = 1; done <= 3; done++) {
      await gate();
      await ctx.progress({ done, total: 3 });
      await ctx.log(`finished step ${done}`);
    }
    return { steps: 3 };
  },
});

let server: TestServer;
let browser: Browser;
let page: Page;
const artifacts = `${import.meta.dir}/../artifacts`;

beforeAll(async () => {
  server = await startTestServer({ jobDefinitions: [steppedJob] });
  browser = await launchBrowser();
  page = await newGuardedPage(browser);
  mkdirSync(artifacts, { recursive: true });
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

test("setup, sign out, sign in", async () => {
  await page.goto(server.url);
  expect(page.url()).toEndWith("/setup");
  await setUpThroughPage(page, server.url);
  expect(await page.textContent(".topbar .workspace")).toBe("Evals Inc");
  await page.click("text=Sign out");
  await page.waitForURL(/\/signin$/);
  await page.fill("input[name=email]", "grace@example.com");
  await page.fill("input[name=password]", "a long password");
  await page.click("button[type=submit]");
  await page.waitForURL(/\/traces$/);
});

test("a trace whose content carries script payloads renders them as text and runs nothing", async () => {
  const workspaceId = (await server.deps.database.db.query.workspaces.findFirst())!.id;
  const payload = `<script>window.__pwned = true</script><img src=x onerror="window.__pwned = true">`;
  await insertTraces(server.deps.database, workspaceId, [
    makeTrace({ id: "plain", name: "refund-flow", timestamp: "2026-11-01T09:00:00.000Z" }),
    makeTrace({
      id: "hostile",
      name: "xss-probe",
      timestamp: "2026-11-01T10:00:00.000Z",
      output: `Here you go: ${payload} [click](javascript:window.__pwned=true)`,
      tags: ["<b>tag</b>"],
      has_errors: true,
    }),
  ]);
  await page.goto(`${server.url}/traces`);
  expect(await page.locator("table.traces tbody tr").count()).toBe(2);
  await page.click("text=xss-probe");
  await page.waitForURL(/\/traces\/.+/);
  await page.waitForSelector("details.step");
  expect(await page.evaluate(() => (window as unknown as { __pwned?: boolean }).__pwned)).toBeUndefined();
  expect(await page.locator("img[src=x]").count()).toBe(0);
  expect(await page.textContent("body")).toContain("<script>window.__pwned = true</script>");
  await page.click("[data-toggle-steps]");
  expect(await page.locator("details.step:not([open])").count()).toBe(0);
});

test("a realistic demo trace renders its tool calls and step tree (the README screenshot)", async () => {
  const workspaceId = (await server.deps.database.db.query.workspaces.findFirst())!.id;
  await seedDemoData(server.deps.database, workspaceId, new Date("2026-11-20T12:00:00Z"));
  const [demo] = await server.deps.database.db.select().from(traces).where(and(eq(traces.workspaceId, workspaceId), eq(traces.isDemo, true), sql`'refund' = any(${traces.toolNames}) and ${traces.name} = 'support-agent-run'`)).limit(1);
  await page.goto(`${server.url}/traces/${demo!.id}`);
  await page.waitForSelector("table.tool-calls");
  expect(await page.locator("table.tool-calls tbody tr").count()).toBeGreaterThan(0);
  expect(await page.locator("details.step").count()).toBeGreaterThan(2);
  await page.locator("details.panel").first().evaluate((d) => ((d as HTMLDetailsElement).open = false));
  await page.setViewportSize({ width: 1280, height: 1300 });
  await page.screenshot({ path: `${artifacts}/trace-page.png`, fullPage: false });
  if (process.env.UPDATE_SCREENSHOTS) {
    mkdirSync(`${import.meta.dir}/../../public/screenshots`, { recursive: true });
    copyFileSync(`${artifacts}/trace-page.png`, `${import.meta.dir}/../../public/screenshots/trace-page.png`);
  }
});

test("a job's progress arrives live over SSE and survives a reload", async () => {
  const workspaceId = (await server.deps.database.db.query.workspaces.findFirst())!.id;
  const job = await enqueueJob(server.deps.database, { workspaceId, type: "test.stepped" });
  await page.goto(`${server.url}/jobs/${job.id}`);
  await page.waitForFunction(() => document.querySelector(".job-progress")?.textContent?.includes("running"));

  release();
  await page.waitForFunction(() => document.querySelector(".progress-count")?.textContent === "1 / 3");
  expect(await page.locator("#job-log li", { hasText: "finished step 1" }).count()).toBe(1);

  await page.reload();
  await page.waitForSelector("#job-log");
  release();
  await page.waitForFunction(() => document.querySelector(".progress-count")?.textContent === "2 / 3");
  release();
  await page.waitForFunction(() => document.querySelector(".job-progress")?.getAttribute("data-status") === "succeeded");
  // Replayed after the reload without duplicates: each step's line exactly once.
  for (const step of [1, 2, 3]) expect(await page.locator("#job-log li", { hasText: `finished step ${step}` }).count()).toBe(1);
});
