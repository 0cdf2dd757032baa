// Browser tests of the review queue: the whole queue by keyboard only (labels, notes, undo, back, skip, reload),
// a failed save retried until it lands, and two reviewers at once never labelling one trace twice.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { asc, eq } from "drizzle-orm";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { feedback, feedbackHistory, queueSkips, type Label } from "../../src/db/schema";
import { createUser, SESSION_COOKIE } from "../../src/modules/auth/service";
import { createEvalSet } from "../../src/modules/eval-sets/service";
import { addTracesToQueue } from "../../src/modules/review/service";
import { sessionCookieFrom, setUpOwner } from "../support/app";
import { launchBrowser } from "../support/browser";
import { startTestServer, type TestServer } from "../support/server";
import { insertTraces, makeTrace } from "../support/traces";


/** Setup hashes passwords (argon2) and opens a database: seconds on a busy two-core machine. */
const SETUP_MS = 30_000;
let server: TestServer;
let browser: Browser;
let workspaceId: string;
let ownerId: string;
let ownerCookie: string;
let traceIds: string[];

/** Browser tests take seconds on two cores; the per-test limit leaves room for a loaded machine. */
const BROWSER_TEST_MS = 60_000;

const KEY_LABEL: Record<string, Label> = { "1": "negative", "2": "neutral", "3": "positive", ArrowLeft: "negative", ArrowDown: "neutral", ArrowRight: "positive" };

beforeAll(async () => {
  server = await startTestServer();
  ownerCookie = (await setUpOwner(server)).cookie;
  const db = server.deps.database.db;
  ownerId = (await db.query.users.findFirst())!.id;
  workspaceId = (await db.query.workspaces.findFirst())!.id;
  await insertTraces(
    server.deps.database,
    workspaceId,
    Array.from({ length: 40 }, (_, i) => makeTrace({ id: `r${String(i).padStart(2, "0")}`, name: `run-${i}`, timestamp: new Date(Date.UTC(2026, 1, 1, 0, i)).toISOString() })),
  );
  traceIds = (await db.query.traces.findMany({ columns: { id: true } })).map((t) => t.id);
  browser = await launchBrowser();
}, SETUP_MS);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function newSet(name: string, traces: string[], labelsPerTrace = 1) {
  const set = await createEvalSet(server.deps.database, workspaceId, ownerId, { name, rubric: `Is ${name} right?`, labels_per_trace: labelsPerTrace });
  await addTracesToQueue(server.deps.database, workspaceId, set.id, traces);
  return set.id;
}

async function contextFor(cookie: string): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addCookies([{ name: SESSION_COOKIE, value: cookie.split("=")[1]!, url: server.url }]);
  return context;
}

const currentItem = (page: Page) => page.evaluate(() => document.getElementById("review")!.dataset.currentItem ?? "");
const currentTrace = (page: Page) => page.evaluate(() => document.querySelector<HTMLElement>("#review-stage .review-item")?.dataset.traceId ?? "");

/** Presses a key and waits until another item (or the empty state) is shown. */
async function pressAndMove(page: Page, key: string) {
  const before = await currentItem(page);
  await page.keyboard.press(key);
  await page.waitForFunction((previous) => document.getElementById("review")!.dataset.currentItem !== previous, before);
}

async function openReview(page: Page, setId: string) {
  await page.goto(`${server.url}/eval-sets/${setId}/review`);
  await page.waitForFunction(() => document.getElementById("review")?.dataset.currentItem !== undefined);
}

const allSaved = (page: Page) => page.waitForFunction(() => document.getElementById("review-save-status")!.textContent === "All saved");

test("the whole queue by keyboard: 20 labels, notes, undo, back and relabel, skip, reload; the database holds exactly that", async () => {
  const setId = await newSet("keyboard", traceIds.slice(0, 30));
  const context = await contextFor(ownerCookie);
  const page = await context.newPage();
  page.on("dialog", (dialog) => {
    throw new Error(`a dialog opened: ${dialog.message()}`);
  });
  await openReview(page, setId);

  const expected = new Map<string, { label: Label; note: string }>();
  const history: [string, string, Label | null, Label | null][] = [];
  const label = async (key: string, note?: string) => {
    const trace = await currentTrace(page);
    if (note !== undefined) {
      await page.keyboard.press("n");
      await page.keyboard.type(note);
      await page.keyboard.press("Enter");
    }
    const before = expected.get(trace);
    expected.set(trace, { label: KEY_LABEL[key]!, note: note ?? before?.note ?? "" });
    history.push([trace, "label", before?.label ?? null, KEY_LABEL[key]!]);
    await pressAndMove(page, key);
    return trace;
  };

  // The help overlay lists the keys.
  await page.keyboard.press("?");
  expect(await page.isVisible("#review-help")).toBe(true);
  expect(await page.textContent("#review-help")).toContain("Undo your last label");
  await page.keyboard.press("Escape");
  expect(await page.isVisible("#review-help")).toBe(false);

  const keys = ["1", "2", "3", "ArrowLeft", "ArrowDown", "ArrowRight", "3", "1"];
  let last = "";
  for (let i = 0; i < keys.length; i++) last = await label(keys[i]!, i === 2 ? "refund issued twice" : i === 5 ? "asked for <b>PII</b> & more" : undefined);

  // u: the last labelled trace comes back, unlabelled; its label is gone from the database.
  await pressAndMove(page, "u");
  expect(await currentTrace(page)).toBe(last);
  expect(await page.getAttribute('[data-review-label="negative"]', "aria-pressed")).toBe("false");
  history.push([last, "undo", expected.get(last)!.label, null]);
  expected.delete(last);
  await label("3");

  // k k: back two traces, the saved label shows; relabel it, then j forward to where we were.
  await pressAndMove(page, "k");
  await pressAndMove(page, "k");
  const revisited = await currentTrace(page);
  const revisitedLabel = expected.get(revisited)!.label;
  expect(await page.getAttribute(`[data-review-label="${revisitedLabel}"]`, "aria-pressed")).toBe("true");
  await label(revisitedLabel === "negative" ? "2" : "1");
  await pressAndMove(page, "j");

  // s: skip this one.
  const skipped = await currentTrace(page);
  await pressAndMove(page, "s");

  for (const key of ["3", "3", "1", "2"]) await label(key);

  // A reload mid-way: any save still in flight is kept and sent; labelling goes on.
  await page.reload();
  await page.waitForFunction(() => document.getElementById("review")?.dataset.currentItem);
  for (let i = 0; i < 8; i++) await label(i % 2 ? "1" : "3", i === 3 ? "after the reload" : undefined);
  await allSaved(page);

  const db = server.deps.database.db;
  const rows = await db.select().from(feedback).where(eq(feedback.evalSetId, setId));
  expect(rows).toHaveLength(20);
  expect(new Map(rows.map((r) => [r.traceId, { label: r.label, note: r.note }]))).toEqual(expected);
  expect(expected.has(skipped)).toBe(false);
  expect((await db.select().from(queueSkips).where(eq(queueSkips.evalSetId, setId))).map((s) => s.traceId)).toEqual([skipped]);
  const stored = await db.select().from(feedbackHistory).where(eq(feedbackHistory.evalSetId, setId)).orderBy(asc(feedbackHistory.id));
  expect(stored.filter((h) => h.action !== "note").map((h) => [h.traceId, h.action, h.fromLabel, h.toLabel])).toEqual(history);
  // Notes typed before a label went with the label, not as separate note changes.
  expect(stored.filter((h) => h.action === "note")).toHaveLength(0);
  expect(stored.filter((h) => h.undoneAt !== null).map((h) => h.traceId)).toEqual([last]);
  await context.close();
}, BROWSER_TEST_MS);

test("a save the server fails once is shown as failed, retried, and lands", async () => {
  const setId = await newSet("flaky", traceIds.slice(30, 33));
  const context = await contextFor(ownerCookie);
  const page = await context.newPage();
  let attempts = 0;
  await page.route("**/review/label", async (route) => {
    attempts++;
    if (attempts === 1) await route.fulfill({ status: 500, contentType: "application/json", body: '{"error":{"code":"internal","message":"boom"}}' });
    else await route.continue();
  });
  await openReview(page, setId);
  const trace = await currentTrace(page);
  await pressAndMove(page, "3");
  await page.waitForSelector("#review-save-status.failed");
  await allSaved(page);
  expect(attempts).toBe(2);
  const rows = await server.deps.database.db.select().from(feedback).where(eq(feedback.evalSetId, setId));
  expect(rows.map((r) => [r.traceId, r.label])).toEqual([[trace, "positive"]]);
  await context.close();
}, BROWSER_TEST_MS);

test("two reviewers at once, one label asked per trace: every trace labelled exactly once", async () => {
  const setId = await newSet("pair", traceIds.slice(0, 14));
  await createUser(server.deps.database, { name: "Bea", email: "bea@example.com", password: "a long password", workspaceId, role: "reviewer" });
  const signIn = await server.request("/signin", { method: "POST", form: { email: "bea@example.com", password: "a long password" } });
  const contexts = [await contextFor(ownerCookie), await contextFor(sessionCookieFrom(signIn))];
  const pages = await Promise.all(contexts.map((c) => c.newPage()));
  await Promise.all(pages.map((page) => openReview(page, setId)));
  const seen = pages.map(() => [] as string[]);
  await Promise.all(
    pages.map(async (page, i) => {
      for (let n = 0; n < 20; n++) {
        const trace = await currentTrace(page);
        if (!trace) break;
        seen[i]!.push(trace);
        await pressAndMove(page, i === 0 ? "3" : "1");
      }
      await allSaved(page);
    }),
  );
  const rows = await server.deps.database.db.select().from(feedback).where(eq(feedback.evalSetId, setId));
  expect(rows).toHaveLength(14);
  expect(new Set(rows.map((r) => r.traceId)).size).toBe(14);
  expect(seen[0]!.filter((t) => seen[1]!.includes(t))).toEqual([]);
  expect(seen[0]!.length).toBeGreaterThan(0);
  expect(seen[1]!.length).toBeGreaterThan(0);
  for (const page of pages) expect(await page.isVisible(".review-empty")).toBe(true);
  await Promise.all(contexts.map((c) => c.close()));
}, BROWSER_TEST_MS);
