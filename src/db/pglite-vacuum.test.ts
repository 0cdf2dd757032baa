// vacuumWhereDue: on PGlite, vacuums and analyzes the tables autovacuum would pick, and only those, after every job; on Postgres, nothing.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { defineJob } from "../jobs/definition";
import { enqueueJob } from "../jobs/queue";
import { startWorker } from "../jobs/worker";
import { createLogger } from "../logger";
import { createTestDatabase, type TestDatabase } from "../../test/support/database";
import { insertTraces, makeTrace } from "../../test/support/traces";
import { rowsOf } from "./migrate";
import { vacuumWhereDue } from "./pglite-vacuum";
import { jobs, workspaces } from "./schema";

let tdb: TestDatabase;
let workspaceId: string;

beforeAll(async () => {
  tdb = await createTestDatabase();
  [{ id: workspaceId }] = await tdb.database.db.insert(workspaces).values({ name: "acme" }).returning();
}, 30_000);
afterAll(() => tdb.drop());

const lastVacuumed = async () =>
  rowsOf<{ vacuumed: boolean; analyzed: boolean }>(
    await tdb.database.db.execute(sql`select last_vacuum is not null as vacuumed, last_analyze is not null as analyzed from pg_stat_user_tables where relname = 'traces'`),
  )[0]!;

test("after a bulk import the traces table is vacuumed and analyzed once; a few more rows do not make it due again", async () => {
  await insertTraces(tdb.database, workspaceId, Array.from({ length: 1_500 }, (_, i) => makeTrace({ id: `bulk-${i}` })));
  const done = await vacuumWhereDue(tdb.database);
  if (tdb.database.kind === "postgres") {
    // Postgres' own autovacuum keeps its tables: iofold leaves them alone.
    expect(done).toEqual([]);
    return;
  }
  expect(done).toContain("traces (analyzed)");
  expect(await lastVacuumed()).toEqual({ vacuumed: true, analyzed: true });
  await insertTraces(tdb.database, workspaceId, Array.from({ length: 10 }, (_, i) => makeTrace({ id: `few-${i}` })));
  expect((await vacuumWhereDue(tdb.database)).filter((table) => table.startsWith("traces"))).toEqual([]);
});

test("the job worker checks after each job: a job that bulk-inserts leaves its table vacuumed", async () => {
  const importing = defineJob<Record<string, never>>({
    type: "test.bulk-insert",
    maxAttempts: 1,
    async run() {
      await insertTraces(tdb.database, workspaceId, Array.from({ length: 3_000 }, (_, i) => makeTrace({ id: `job-${i}` })));
      return {};
    },
  });
  await tdb.database.db.execute(sql`select pg_stat_reset()`);
  const worker = await startWorker({ database: tdb.database, definitions: [importing], logger: createLogger("warn"), concurrency: 1, pollMs: 20 });
  const job = await enqueueJob(tdb.database, { workspaceId, type: "test.bulk-insert", maxAttempts: 1 });
  const status = async () => (await tdb.database.db.select().from(jobs).where(sql`${jobs.id} = ${job.id}`))[0]!.status;
  for (let i = 0; i < 400 && (await status()) !== "succeeded"; i++) await Bun.sleep(25);
  // Stopping waits for the slot, which checks right after recording the job's outcome.
  await worker.stop();
  expect(await status()).toBe("succeeded");
  expect(await lastVacuumed()).toEqual(tdb.database.kind === "pglite" ? { vacuumed: true, analyzed: true } : { vacuumed: false, analyzed: false });
}, 30_000);
