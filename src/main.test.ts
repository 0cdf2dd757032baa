// `bun start` as a user runs it: boots on an empty data dir or on Postgres, logs what it chose, refuses a held data dir.
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPostgresDatabase, postgresBaseUrl } from "../test/support/database";

const root = join(import.meta.dir, "..");
const children: Bun.Subprocess[] = [];
const dirs: string[] = [];
afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function start(env: Record<string, string>) {
  const child = Bun.spawn(["bun", "src/main.ts"], { cwd: root, env: { ...process.env, ...env }, stdout: "pipe", stderr: "pipe" });
  children.push(child);
  return child;
}

async function waitReady(port: number): Promise<Record<string, unknown>> {
  for (let i = 0; i < 600; i++) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (response.ok) return (await response.json()) as Record<string, unknown>;
    } catch {
      // still starting
    }
    await Bun.sleep(50);
  }
  throw new Error(`server on ${port} never became ready`);
}

async function stop(child: Bun.Subprocess<"ignore", "pipe", "pipe">): Promise<string> {
  child.kill("SIGTERM");
  await child.exited;
  return new Response(child.stderr).text();
}

test("first run on an empty data dir: headless admin, demo data, and a log that says where everything is", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "iofold-main-"));
  dirs.push(dataDir);
  const port = 3900 + Math.floor(Math.random() * 90);
  const server = start({ DATA_DIR: dataDir, PORT: String(port), DATABASE_URL: "", IOFOLD_ADMIN_EMAIL: "admin@example.com", IOFOLD_ADMIN_PASSWORD: "admin password" });
  expect(await waitReady(port)).toMatchObject({ status: "ready", database: "pglite" });
  expect(await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()).toEqual({ status: "ok" });

  const signIn = await fetch(`http://127.0.0.1:${port}/signin`, {
    method: "POST",
    redirect: "manual",
    body: new URLSearchParams({ email: "admin@example.com", password: "admin password" }),
  });
  expect(signIn.status).toBe(303);
  const cookie = signIn.headers.get("set-cookie")!.split(";")[0]!;
  const traces = await (await fetch(`http://127.0.0.1:${port}/api/v1/traces?limit=5`, { headers: { cookie } })).json();
  expect(traces.data.length).toBe(5);

  // A second process on the same embedded database is refused with a clear message.
  const second = start({ DATA_DIR: dataDir, PORT: String(port + 1), DATABASE_URL: "" });
  expect(await second.exited).toBe(2);
  expect(await new Response(second.stderr).text()).toContain("is in use by another iofold process");

  const log = await stop(server);
  expect(log).toContain(`"database":"embedded PGlite at ${join(dataDir, "pglite")}"`);
  expect(log).toContain(`"dataDir":"${dataDir}"`);
  expect(log).toContain('"sandbox":"sandbox: bwrap');
  expect(log).toContain('"llm":"offline synthesizer');
  expect(log).toContain("admin user created from IOFOLD_ADMIN_EMAIL");
  expect(log).toContain("sandbox self-test passed");
}, 60_000);

test("with DATABASE_URL the same build migrates and serves real Postgres", async () => {
  const { url, drop } = await createPostgresDatabase(postgresBaseUrl());
  const dataDir = mkdtempSync(join(tmpdir(), "iofold-main-pg-"));
  dirs.push(dataDir);
  const port = 3990 + Math.floor(Math.random() * 9);
  const server = start({ DATA_DIR: dataDir, PORT: String(port), DATABASE_URL: url, IOFOLD_DEMO_DATA: "false" });
  try {
    const ready = (await waitReady(port)) as { status: string; database: string; migrations: { applied: number; expected: number } };
    expect(ready).toMatchObject({ status: "ready", database: "postgres" });
    expect(ready.migrations.applied).toBe(ready.migrations.expected);
    const log = await stop(server);
    expect(log).toContain('"database":"Postgres at 127.0.0.1:5432/');
  } finally {
    server.kill("SIGKILL");
    await server.exited;
    await drop();
  }
}, 60_000);

test("a malformed variable stops the boot with a specific message", async () => {
  const server = start({ PORT: "nope", DATA_DIR: "/tmp/iofold-never" });
  expect(await server.exited).toBe(2);
  expect(await new Response(server.stderr).text()).toContain("PORT: must be a port number");
});
