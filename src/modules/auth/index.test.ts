// Setup, sign-in, sign-out, sessions, CSRF and route protection, through real HTTP requests to the app.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, sessionCookieFrom, setUpOwner, type TestApp } from "../../../test/support/app";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
}, 30_000);
afterAll(() => t.close());

describe("first run", () => {
  test("before setup every page leads to /setup", async () => {
    expect((await t.request("/")).headers.get("location")).toBe("/setup");
    expect((await t.request("/signin")).headers.get("location")).toBe("/setup");
    const setup = await t.request("/setup");
    expect(setup.status).toBe(200);
    expect(await setup.text()).toContain("Create account");
  });

  test("setup rejects bad input with specific messages and creates nothing", async () => {
    const response = await t.request("/setup", { method: "POST", form: { name: "", email: "nope", password: "short", workspace: "W" } });
    expect(response.status).toBe(422);
    const page = await response.text();
    expect(page).toContain("Enter your name.");
    expect(page).toContain("Enter a valid email address.");
    expect(page).toContain("Use at least 8 characters.");
    expect((await t.request("/")).headers.get("location")).toBe("/setup");
  });

  test("setup creates the owner, signs them in, and then closes", async () => {
    const { cookie } = await setUpOwner(t);
    const traces = await t.request("/traces", { cookie });
    expect(traces.status).toBe(200);
    expect(await traces.text()).toContain("Acme");
    const again = await t.request("/setup", { method: "POST", form: { name: "Eve", email: "eve@example.com", password: "12345678", workspace: "X" } });
    expect(again.status).toBe(409);
    expect((await t.request("/setup")).headers.get("location")).toBe("/signin");
  });
});

describe("sessions", () => {
  test("protected pages redirect to sign-in, the API answers 401 JSON", async () => {
    const page = await t.request("/traces?tag=x");
    expect(page.status).toBe(303);
    expect(page.headers.get("location")).toBe("/signin?next=%2Ftraces%3Ftag%3Dx");
    const api = await t.request("/api/v1/traces");
    expect(api.status).toBe(401);
    expect(await api.json()).toEqual({ error: { code: "unauthenticated", message: expect.stringContaining("Bearer") } });
  });

  test("wrong password is refused without saying which part was wrong", async () => {
    const response = await t.request("/signin", { method: "POST", form: { email: "ada@example.com", password: "wrong password" } });
    expect(response.status).toBe(401);
    expect(await response.text()).toContain("do not match an account");
  });

  test("sign-in sets an httpOnly SameSite cookie and follows only local next paths", async () => {
    const response = await t.request("/signin", { method: "POST", form: { email: "ADA@example.com", password: "correct horse battery", next: "//evil.example/x" } });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/traces");
    const setCookie = response.headers.get("set-cookie")!;
    expect(setCookie).toContain("HttpOnly");
    expect(setCookie).toContain("SameSite=Lax");
    const local = await t.request("/signin", { method: "POST", form: { email: "ada@example.com", password: "correct horse battery", next: "/jobs" } });
    expect(local.headers.get("location")).toBe("/jobs");
  });

  test("the session token is stored only as a keyed hash", async () => {
    const response = await t.request("/signin", { method: "POST", form: { email: "ada@example.com", password: "correct horse battery" } });
    const token = sessionCookieFrom(response).split("=")[1]!;
    const rows = await t.deps.database.db.query.sessions.findMany();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.some((r) => r.id === token || r.id.includes(token))).toBe(false);
  });

  test("mutations without the CSRF token are refused; with it they work; sign-out ends the session", async () => {
    const { cookie, csrf } = await signIn();
    const forged = await t.request("/signout", { method: "POST", cookie });
    expect(forged.status).toBe(403);
    expect((await t.request("/traces", { cookie })).status).toBe(200);
    const out = await t.request("/signout", { method: "POST", cookie, csrf });
    expect(out.status).toBe(303);
    expect(out.headers.get("set-cookie")).toContain("Max-Age=0");
    expect((await t.request("/traces", { cookie })).status).toBe(303);
  });

  test("a form field _csrf is accepted like the header", async () => {
    const { cookie, csrf } = await signIn();
    const out = await t.request("/signout", { method: "POST", cookie, form: { _csrf: csrf } });
    expect(out.status).toBe(303);
  });
});

describe("API tokens", () => {
  test("a token is shown once, works as Bearer without CSRF, and stops working when revoked", async () => {
    const { cookie, csrf } = await signIn();
    const created = await t.request("/settings/tokens", { method: "POST", cookie, csrf, form: { name: "ci" } });
    expect(created.headers.get("cache-control")).toBe("no-store");
    const token = /(iof_[A-Za-z0-9_-]+)/.exec(await created.text())![1]!;
    const me = await t.request("/api/v1/me", { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect((await me.json()).user.email).toBe("ada@example.com");
    const list = await (await t.request("/settings/tokens", { cookie })).text();
    expect(list).not.toContain(token);
    const stored = await t.deps.database.db.query.apiTokens.findMany();
    expect(stored.every((r) => r.tokenHash !== token)).toBe(true);
    await t.request(`/settings/tokens/${stored[0]!.id}/revoke`, { method: "POST", cookie, csrf });
    expect((await t.request("/api/v1/me", { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
  });

  test("a made-up token is refused", async () => {
    const response = await t.request("/api/v1/traces", { headers: { authorization: "Bearer iof_madeup" } });
    expect(response.status).toBe(401);
  });
});

describe("errors", () => {
  test("unknown routes get a real 404 page, the API a JSON 404", async () => {
    const page = await t.request("/no/such/page");
    expect(page.status).toBe(404);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(await page.text()).toContain("Page not found.");
    const api = await t.request("/api/v1/nothing");
    expect(api.status).toBe(404);
    expect((await api.json()).error.code).toBe("not_found");
  });
});

async function signIn() {
  const response = await t.request("/signin", { method: "POST", form: { email: "ada@example.com", password: "correct horse battery" } });
  const cookie = sessionCookieFrom(response);
  const page = await (await t.request("/traces", { cookie })).text();
  return { cookie, csrf: /name="_csrf" value="([^"]+)"/.exec(page)![1]! };
}
