// Browser journey for ingestion: connect Langfuse (fake server), test it, import with live progress, upload a file with a malformed line.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Browser, Page } from "playwright-core";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLangfuseImportJob } from "../../src/jobs/definitions/langfuse-import";
import { fileImportJob } from "../../src/jobs/definitions/file-import";
import { startFakeLangfuse, type FakeLangfuse } from "../fake-langfuse/server";
import { launchBrowser, setUpThroughPage } from "../support/browser";
import { startTestServer, type TestServer } from "../support/server";
import { testSecrets } from "../support/app";
import { makeTrace } from "../support/traces";

let server: TestServer;
let fake: FakeLangfuse;
let browser: Browser;
let page: Page;
const dir = mkdtempSync(join(tmpdir(), "iofold-e2e-ingest-"));

beforeAll(async () => {
  fake = startFakeLangfuse();
  server = await startTestServer({
    env: { DATA_DIR: dir },
    jobDefinitions: [createLangfuseImportJob({ encryptionKey: () => testSecrets.encryptionKey }), fileImportJob],
  });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("dialog", (dialog) => void dialog.accept());
  await setUpThroughPage(page, server.url, { name: "Ines", email: "ines@example.com", password: "correct horse battery", workspace: "Ingest" });
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await fake?.stop();
});

test("connect a Langfuse project, test it, import its traces with live progress", async () => {
  await page.click("nav >> text=Integrations");
  await page.waitForURL(/\/integrations$/);
  await page.fill("input[name=name]", "Support <bot>");
  await page.fill("input[name=baseUrl]", fake.url);
  await page.fill("input[name=publicKey]", fake.publicKey);
  await page.fill("input[name=secretKey]", fake.secretKey);
  await page.click("button:has-text('Connect')");
  const row = page.locator("tr[data-integration='Support <bot>']");
  await row.waitFor();
  expect(await page.content()).not.toContain(fake.secretKey);

  await row.locator("button:has-text('Test connection')").click();
  await page.locator("text=Connected.").waitFor();

  await page.click("summary:has-text('Import from')");
  await page.click("form[hx-post$='/import'] button:has-text('Import')");
  await page.waitForURL(/\/jobs\//);
  await jobSucceeded(page);
  await page.goto(`${server.url}/traces?source=langfuse`);
  expect(await page.locator("table.traces tbody tr").count()).toBe(16);
  // The XSS fixtures render as text, never as markup.
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
});

test("upload a file with a malformed line: the good lines import, the bad one is reported by number", async () => {
  const file = join(dir, "traces.jsonl");
  writeFileSync(file, [JSON.stringify(makeTrace({ id: "up-1", source: "upload-test" })), "{not json", JSON.stringify(makeTrace({ id: "up-2", source: "upload-test" }))].join("\n"));
  await page.goto(`${server.url}/integrations`);
  await page.setInputFiles("input[type=file][name=file]", file);
  await page.click("button:has-text('Upload and import')");
  await page.waitForURL(/\/jobs\//);
  await jobSucceeded(page);
  await page.reload();
  const log = await page.locator("#job-log").innerText();
  expect(log).toContain("Line 2: Not valid JSON");
  expect(await page.locator("pre.content").innerText()).toContain('"imported": 2');
  await page.goto(`${server.url}/traces?source=upload-test`);
  expect(await page.locator("table.traces tbody tr").count()).toBe(2);
});

/** Waits for the job page to show success; if it does not, fails with the job as the API reports it. */
async function jobSucceeded(page: Page) {
  try {
    await page.locator(".job-progress[data-status=succeeded]").waitFor({ timeout: 20_000 });
  } catch (error) {
    const jobId = new URL(page.url()).pathname.split("/").pop();
    const job = await (await page.request.get(`${server.url}/api/v1/jobs/${jobId}`)).text();
    throw new Error(`the job page did not show success: ${(error as Error).message}\njob: ${job}`);
  }
}
