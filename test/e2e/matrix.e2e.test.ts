// Browser journey through the matrix: filter to contradictions, move with the keyboard, open a cell in place, relabel, see the row turn.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Browser, Page } from "playwright-core";
import { buildMatrixFixture, type MatrixFixture } from "../../src/modules/matrix/test-fixture";
import { launchBrowser, newGuardedPage, setUpThroughPage } from "../support/browser";
import { startTestServer, type TestServer } from "../support/server";

let server: TestServer;
let browser: Browser;
let page: Page;
let fx: MatrixFixture;

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser();
  page = await newGuardedPage(browser, { width: 1400, height: 900 });
  await setUpThroughPage(page, server.url, { name: "Ada", email: "ada@example.com", password: "a long password", workspace: "Evals Inc" });
  const owner = (await server.deps.database.db.query.users.findFirst())!;
  const workspaceId = (await server.deps.database.db.query.workspaces.findFirst())!.id;
  fx = await buildMatrixFixture(server.deps.database, workspaceId, owner.id);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
}, 30_000);

test("filter to contradictions, open a cell with the keyboard, relabel: the row redraws without a reload", async () => {
  await page.goto(`${server.url}/eval-sets/${fx.set.id}/matrix?v=${fx.v1.id}&v=${fx.v2.id}`);
  expect(await page.locator("table.matrix tbody tr").count()).toBe(10);

  await page.selectOption("select[name=only]", "contradictions");
  await page.click("form.matrix-filters button[type=submit]");
  await page.waitForFunction(() => document.querySelectorAll("table.matrix tbody tr").length === 3);
  expect(page.url()).toContain("only=contradictions");
  const names = await page.locator("table.matrix tbody .trace-name").allTextContents();
  expect(names).toEqual(["run 4", "run 3", "run 2"]);

  // The form lists versions newest first, so the columns are now v2, v1.
  expect(await page.locator("table.matrix th.version").allTextContents()).toEqual(["resolved v2", "resolved v1"]);
  // Keyboard: first arrow focuses the first cell; right moves to v2's cell of "run 4"; Enter opens it in place.
  await page.locator("body").press("ArrowDown");
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("Enter");
  await page.waitForSelector("#matrix-drill .drill");
  const drill = page.locator("#matrix-drill");
  expect(await drill.locator("h2").textContent()).toBe("run 4");
  expect(await drill.textContent()).toContain("resolved v2");
  expect(await drill.textContent()).toContain('=SUM(1,2) "quoted", <b>&');

  // Move down to "run 3" (v1 failed it, the label says pass), open it and relabel it "fail".
  await page.locator("table.matrix tbody tr").nth(0).locator("td.cell").nth(1).focus();
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.querySelector("#matrix-drill h2")?.textContent === "run 3");
  const row = page.locator(`#row-${fx.id(2)}`);
  expect(await drill.textContent()).toContain("resolved v1");
  expect(await row.locator("td.cell").nth(1).getAttribute("class")).toBe("cell contradicts");
  await drill.locator("button.label-negative").click();
  await page.waitForSelector("#matrix-drill .notice");
  expect(await drill.locator(".notice").textContent()).toBe("Your label is saved.");
  expect(await drill.locator("button.label-negative").getAttribute("aria-pressed")).toBe("true");
  await page.waitForFunction((id) => document.querySelectorAll(`#row-${id} td.cell`)[1]?.className === "cell agrees", fx.id(2));
  expect(await row.locator("td.truth").textContent()).toBe("fail");

  await page.keyboard.press("Escape");
  expect(await page.locator("#matrix-drill .drill").count()).toBe(0);
});

test("save the trace list's filter under a name, then use it as the matrix's rows", async () => {
  // Opened with the filter in the URL: typing into the filter form races its own live search (trace list tests cover the form).
  await page.goto(`${server.url}/traces?source=langfuse`);
  await page.waitForFunction(() => document.querySelector<HTMLInputElement>("#saved-filters input[name=filter]")?.value === "source=langfuse");
  const name = `Langfuse <img src=x onerror=alert(1)>`;
  await page.fill("#saved-filters input[name=name]", name);
  await page.click("#saved-filters button[type=submit]:text('Save filter')");
  await page.waitForSelector("#saved-filters .saved-filter.current");
  expect(await page.locator("#saved-filters .saved-filter.current a").textContent()).toBe(name);

  await page.goto(`${server.url}/eval-sets/${fx.set.id}/matrix?v=${fx.v1.id}&v=${fx.v2.id}`);
  const option = page.locator("select[name=rows] option", { hasText: "saved filter: Langfuse" });
  await page.selectOption("select[name=rows]", (await option.getAttribute("value"))!);
  await page.click("form.matrix-filters button[type=submit]");
  await page.waitForFunction(() => document.querySelectorAll("table.matrix tbody tr").length === 5);
  expect(page.url()).toContain("rows=");
  expect(await page.locator("table.matrix tbody td:nth-child(3)").allTextContents()).toEqual(Array(5).fill("langfuse"));
}, 30_000);
