// Workers as real processes on real Postgres: a worker SIGKILLed mid-job loses nothing and the job finishes once; definitions are prepared at start.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { eq, sql } from "drizzle-orm";
import { openDatabase, type Database } from "../db/client";
import { migrate, rowsOf } from "../db/migrate";
import { jobEvents, jobs, workspaces } from "../db/schema";
import { createPostgresDatabase, postgresBaseUrl } from "../../test/support/database";
import { createMemoryLogger } from "../logger";
import { defineJob } from "./definition";
import { enqueueJob } from "./queue";
import { startWorker } from "./worker";

let url: string;
let drop: () => Promise<void>;
let database: Database;
const children: Bun.Subprocess[] = [];

beforeAll(async () => {
  ({ url, drop } = await createPostgresDatabase(postgresBaseUrl()));
  database = await openDatabase({ kind: "postgres", url, max: 3 });
  await migrate(database);
  await database.db.execute(sql`create table crash_test_effects (job_id text, step int, worker_pid int, primary key (job_id, step))`);
}, 30_000);

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await database.close();
  await drop();
});

async function spawnWorker(): Promise<Bun.Subprocess<"ignore", "pipe", "inherit">> {
  const child = Bun.spawn(["bun", "test/support/crash-test-worker.ts"], {
    env: { ...process.env, DATABASE_URL: url, LEASE_MS: "1500" },
    stdout: "pipe",
    stderr: "inherit",
  });
  children.push(child);
  const reader = child.stdout.getReader();
  const { value } = await reader.read();
  expect(new TextDecoder().decode(value)).toContain("ready");
  reader.releaseLock();
  return child;
}

test("two workers: the one running a job is SIGKILLed, the other finishes it once, with no duplicate effects", async () => {
  const [workspace] = await database.db.insert(workspaces).values({ name: "crash" }).returning();
  const workers = [await spawnWorker(), await spawnWorker()];
  const job = await enqueueJob(database, { workspaceId: workspace!.id, type: "test.slow-steps", payload: { stepMs: 100 }, maxAttempts: 5 });

  // Kill the first worker once it is mid-way through the job.
  for (let i = 0; i < 100; i++) {
    const [row] = await database.db.select().from(jobs).where(eq(jobs.id, job.id));
    if (Number(row!.progress.done ?? 0) >= 5) break;
    await Bun.sleep(50);
  }
  const [claimed] = await database.db.select().from(jobs).where(eq(jobs.id, job.id));
  const first = workers.find((w) => claimed!.lockedBy?.startsWith(`${w.pid}-`))!;
  const second = workers.find((w) => w !== first)!;
  first.kill("SIGKILL");
  await first.exited;
  const killedAt = rowsOf<{ n: number }>(await database.db.execute(sql`select count(*)::int as n from crash_test_effects`))[0]!.n;
  expect(killedAt).toBeGreaterThanOrEqual(5);
  expect(killedAt).toBeLessThan(20);

  let finished = null;
  for (let i = 0; i < 300 && !finished; i++) {
    const [row] = await database.db.select().from(jobs).where(eq(jobs.id, job.id));
    if (row!.status === "succeeded") finished = row;
    else await Bun.sleep(100);
  }
  expect(finished).not.toBeNull();
  expect(finished!.attempts).toBe(2);
  expect(finished!.result).toEqual({ steps: 20, finishedBy: second.pid });

  const effects = rowsOf<{ step: number; worker_pid: number }>(await database.db.execute(sql`select step, worker_pid from crash_test_effects order by step`));
  expect(effects.map((e) => e.step)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  expect(new Set(effects.map((e) => e.worker_pid))).toEqual(new Set([first.pid, second.pid]));

  const statuses = await database.db.select().from(jobEvents).where(eq(jobEvents.jobId, job.id));
  expect(statuses.filter((e) => e.kind === "status" && e.data.status === "succeeded").length).toBe(1);
}, 60_000);

test("a starting worker prepares each definition once, with its database, before it runs any job", async () => {
  const prepared: Database[] = [];
  const ran: string[] = [];
  const definition = defineJob({
    type: "test.prepared",
    prepare: (given) => void prepared.push(given),
    run: async () => void ran.push(prepared.length === 1 ? "after prepare" : "before prepare"),
  });
  const [workspace] = await database.db.insert(workspaces).values({ name: "prepare" }).returning();
  const job = await enqueueJob(database, { workspaceId: workspace!.id, type: "test.prepared", payload: {} });
  const worker = await startWorker({ database, definitions: [definition], logger: createMemoryLogger(), concurrency: 2, pollMs: 20 });
  try {
    for (let i = 0; i < 100 && ran.length === 0; i++) await Bun.sleep(20);
  } finally {
    await worker.stop();
  }
  expect(prepared).toHaveLength(1);
  expect(prepared[0]).toBe(database);
  expect(ran).toEqual(["after prepare"]);
  const [row] = await database.db.select().from(jobs).where(eq(jobs.id, job.id));
  expect(row!.status).toBe("succeeded");
});
