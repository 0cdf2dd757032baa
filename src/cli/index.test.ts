// The CLI as a user runs it: real processes on a real embedded data dir, including the single-process lock.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

let dataDir: string;
beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), "iofold-cli-"));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function cli(args: string[], env: Record<string, string> = {}) {
  const result = Bun.spawnSync(["bun", "src/cli/index.ts", ...args], {
    cwd: join(import.meta.dir, "..", ".."),
    env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: "", LOG_LEVEL: "warn", IOFOLD_DEMO_DATA: "false", ...env },
  });
  return { code: result.exitCode, out: result.stdout.toString(), err: result.stderr.toString() };
}

test("--help lists every command", () => {
  const { code, out } = cli(["--help"]);
  expect(code).toBe(0);
  for (const command of ["user create", "token create", "migrate", "demo reset", "eval run"]) expect(out).toContain(command);
});

test("an unknown command is refused with the help", () => {
  const { code, err, out } = cli(["frobnicate"]);
  expect(code).toBe(64);
  expect(err).toContain('unknown command "frobnicate"');
  expect(out).toContain("Commands:");
});

test("user create, then token create prints a token that authenticates", async () => {
  const created = cli(["user", "create", "--email", "Ops@Example.com", "--password", "long enough", "--name", "Ops"]);
  expect(created.err).not.toContain("error");
  expect(created.code).toBe(0);
  expect(JSON.parse(created.out)).toMatchObject({ email: "ops@example.com" });
  const token = cli(["token", "create", "--email", "ops@example.com", "--name", "ci"]);
  expect(token.code).toBe(0);
  expect(token.out.trim()).toMatch(/^iof_[A-Za-z0-9_-]{20,}$/);
  expect(token.err).toContain("printed once");
  const missing = cli(["token", "create", "--email", "nobody@example.com"]);
  expect(missing.code).toBe(64);
  expect(missing.err).toContain("no user with email nobody@example.com");
  const status = cli(["migrate"]);
  expect(status.out).toMatch(/Migrations: (\d+) applied of \1 shipped/);
});

test("a bad flag gets a specific message", () => {
  const { code, err } = cli(["user", "create", "--email", "x@example.com", "--password", "short"]);
  expect(code).toBe(64);
  expect(err).toContain("at least 8 characters");
});

test("while another process holds the embedded database, commands refuse and say why", () => {
  writeFileSync(join(dataDir, "pglite", "iofold.lock"), String(process.pid));
  const { code, err } = cli(["migrate"]);
  rmSync(join(dataDir, "pglite", "iofold.lock"));
  expect(code).not.toBe(0);
  expect(err).toContain(`in use by another iofold process (pid ${process.pid})`);
});

test("eval run scores a JSONL file in the jail without any database", () => {
  const dir = mkdtempSync(join(tmpdir(), "iofold-eval-"));
  writeFileSync(join(dir, "eval.py"), "def evaluate(trace):\n    return 'ship' in (trace.get('output') or ''), 'looked for ship'\n");
  writeFileSync(join(dir, "traces.jsonl"), '{"id":"a","output":"it ships"}\n{"id":"b","output":"lost"}\n');
  const { code, out, err } = cli(["eval", "run", join(dir, "eval.py"), join(dir, "traces.jsonl")], { DATA_DIR: "/nonexistent/never-created" });
  rmSync(dir, { recursive: true, force: true });
  expect(code).toBe(0);
  const results = out.trim().split("\n").map((line) => JSON.parse(line));
  expect(results.map((r) => [r.id, r.passed]).sort()).toEqual([["a", true], ["b", false]]);
  expect(err).toContain("1 passed, 1 failed, 0 errors");
});
