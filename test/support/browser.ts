// Launches Debian's Chromium through playwright-core with the flags this machine needs.
import { chromium, type Browser, type Page } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export async function launchBrowser(): Promise<Browser> {
  if (!(await Bun.file(CHROMIUM_PATH).exists())) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install it (apt-get install chromium) or set CHROMIUM_PATH.`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}

/** A page that fails the test if any dialog opens (an alert would mean a script from trace content ran). */
export async function newGuardedPage(browser: Browser, viewport = { width: 1280, height: 900 }): Promise<Page> {
  const page = await browser.newPage({ viewport });
  page.on("dialog", (dialog) => {
    throw new Error(`a dialog opened: ${dialog.message()}`);
  });
  return page;
}

/** First-run setup through the page itself; lands on the trace list signed in. */
export async function setUpThroughPage(page: Page, baseUrl: string, user = { name: "Grace", email: "grace@example.com", password: "a long password", workspace: "Evals Inc" }) {
  await page.goto(baseUrl);
  await page.fill("input[name=name]", user.name);
  await page.fill("input[name=email]", user.email);
  await page.fill("input[name=password]", user.password);
  await page.fill("input[name=workspace]", user.workspace);
  await page.click("button[type=submit]");
  await page.waitForURL(/\/traces$/);
  return user;
}
