// Builds the real app in-process on a test database, with helpers to sign up, sign in and send requests.
import { createApp } from "../../src/app";
import { loadConfig, type Config } from "../../src/config";
import type { JobDefinition } from "../../src/jobs/definition";
import { createJobEventHub } from "../../src/jobs/event-hub";
import { WarmPool } from "../../src/sandbox";
import { createMemoryLogger } from "../../src/logger";
import { SESSION_COOKIE } from "../../src/modules/auth/service";
import type { AppDeps } from "../../src/http/context";
import { createTestDatabase, type TestDatabase } from "./database";

export interface TestApp {
  deps: AppDeps;
  app: ReturnType<typeof createApp>;
  testDb: TestDatabase;
  logs: string[];
  /** Sends a request through the app (no network), like a browser or API client would. */
  request(path: string, init?: RequestInit & { cookie?: string; csrf?: string; form?: Record<string, string> }): Promise<Response>;
  close(): Promise<void>;
}

export const testSecrets = { sessionKey: Buffer.alloc(32, 7), encryptionKey: Buffer.alloc(32, 9), generated: [] };

export async function createTestApp(options: { env?: Record<string, string>; jobDefinitions?: JobDefinition<any>[] } = {}): Promise<TestApp> {
  const testDb = await createTestDatabase();
  const config: Config = loadConfig({ DATA_DIR: "/tmp/iofold-test-unused", IOFOLD_DEMO_DATA: "false", ...options.env });
  const logger = createMemoryLogger();
  const jobEvents = await createJobEventHub(testDb.database);
  const scoringPool = new WarmPool({ maxTotal: 2 });
  const deps: AppDeps = { config, secrets: testSecrets, database: testDb.database, logger, jobEvents, jobDefinitions: options.jobDefinitions ?? [], scoringPool };
  const app = createApp(deps);
  return {
    deps,
    app,
    testDb,
    logs: logger.lines,
    request(path, init = {}) {
      const headers = new Headers(init.headers);
      if (init.cookie) headers.set("cookie", init.cookie);
      if (init.csrf) headers.set("x-csrf-token", init.csrf);
      let body = init.body;
      if (init.form) {
        headers.set("content-type", "application/x-www-form-urlencoded");
        body = new URLSearchParams(init.form).toString();
      }
      return app.handle(new Request(`http://localhost${path}`, { ...init, headers, body }));
    },
    async close() {
      await jobEvents.close();
      scoringPool.close();
      await testDb.drop();
    },
  };
}

/** Completes first-run setup and returns the session cookie and CSRF token of the new owner. */
export async function setUpOwner(t: TestApp, user = { name: "Ada", email: "ada@example.com", password: "correct horse battery", workspace: "Acme" }) {
  const response = await t.request("/setup", { method: "POST", form: user });
  if (response.status !== 303) throw new Error(`setup failed with ${response.status}: ${await response.text()}`);
  const cookie = sessionCookieFrom(response);
  const page = await (await t.request("/traces", { cookie })).text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1];
  if (!csrf) throw new Error("no CSRF token on the traces page");
  return { cookie, csrf, user };
}

export function sessionCookieFrom(response: Response): string {
  const setCookie = response.headers.get("set-cookie") ?? "";
  const match = new RegExp(`${SESSION_COOKIE}=([^;]+)`).exec(setCookie);
  if (!match) throw new Error(`no session cookie in: ${setCookie}`);
  return `${SESSION_COOKIE}=${match[1]}`;
}
