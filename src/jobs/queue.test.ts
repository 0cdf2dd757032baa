// The job queue against a real database: claiming, leases, retries with backoff, cancel, pause and events.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { eq, sql } from "drizzle-orm";
import { jobEvents, jobs, workspaces } from "../db/schema";
import { createTestDatabase, type TestDatabase } from "../../test/support/database";
import {
  appendJobEvent, claimJob, enqueueJob, failJob, finishJob, heartbeat, requestCancel, requestPause, resumeJob, retryDelayMs,
} from "./queue";

let t: TestDatabase;
let workspaceId: string;
beforeAll(async () => {
  t = await createTestDatabase();
  const [w] = await t.database.db.insert(workspaces).values({ name: "W" }).returning();
  workspaceId = w!.id;
}, 30_000);
afterAll(() => t.drop());
beforeEach(async () => {
  await t.database.db.delete(jobs);
});

const enqueue = (type = "t.a", maxAttempts = 3) => enqueueJob(t.database, { workspaceId, type, maxAttempts });

describe("claiming", () => {
  test("claims the oldest due job of a known type, once", async () => {
    const first = await enqueue();
    await enqueue();
    await enqueue("t.other");
    const claimed = await claimJob(t.database.db, "w1", ["t.a"], 10_000);
    expect(claimed!.id).toBe(first.id);
    expect(claimed!.status).toBe("running");
    expect(claimed!.attempts).toBe(1);
    expect(claimed!.lockedBy).toBe("w1");
    const second = await claimJob(t.database.db, "w2", ["t.a"], 10_000);
    expect(second!.id).not.toBe(first.id);
    expect(await claimJob(t.database.db, "w3", ["t.a"], 10_000)).toBeNull();
  });

  test("concurrent claims never hand one job to two workers", async () => {
    for (let i = 0; i < 6; i++) await enqueue();
    const claims = await Promise.all(Array.from({ length: 10 }, (_, i) => claimJob(t.database.db, `w${i}`, ["t.a"], 10_000)));
    const ids = claims.filter(Boolean).map((j) => j!.id);
    expect(ids.length).toBe(6);
    expect(new Set(ids).size).toBe(6);
  });

  test("a job whose lease expired is claimable again and its old worker loses it", async () => {
    const job = await enqueue();
    await claimJob(t.database.db, "dead", ["t.a"], 10_000);
    await t.database.db.update(jobs).set({ leaseUntil: sql`now() - interval '1 second'` }).where(eq(jobs.id, job.id));
    const reclaimed = await claimJob(t.database.db, "alive", ["t.a"], 10_000);
    expect(reclaimed!.id).toBe(job.id);
    expect(reclaimed!.attempts).toBe(2);
    expect(await heartbeat(t.database.db, job.id, "dead", 10_000)).toBe("lost");
    expect(await finishJob(t.database, job.id, "dead", { status: "succeeded" })).toBe(false);
    expect(await heartbeat(t.database.db, job.id, "alive", 10_000)).toBe("ok");
    expect(await finishJob(t.database, job.id, "alive", { status: "succeeded", result: { n: 1 } })).toBe(true);
    const [row] = await t.database.db.select().from(jobs).where(eq(jobs.id, job.id));
    expect(row!.status).toBe("succeeded");
    expect(row!.result).toEqual({ n: 1 });
  });
});

describe("retries", () => {
  test("a failed attempt goes back to the queue after a backoff, then fails for good", async () => {
    const job = await enqueue("t.a", 2);
    let claimed = (await claimJob(t.database.db, "w", ["t.a"], 10_000))!;
    await failJob(t.database, claimed, "w", "boom");
    let [row] = await t.database.db.select().from(jobs).where(eq(jobs.id, job.id));
    expect(row!.status).toBe("queued");
    expect(row!.error).toBe("boom");
    expect(row!.runAt.getTime()).toBeGreaterThan(Date.now() + 100);
    expect(await claimJob(t.database.db, "w", ["t.a"], 10_000)).toBeNull();
    await t.database.db.update(jobs).set({ runAt: new Date(Date.now() - 1) }).where(eq(jobs.id, job.id));
    claimed = (await claimJob(t.database.db, "w", ["t.a"], 10_000))!;
    expect(claimed.attempts).toBe(2);
    await failJob(t.database, claimed, "w", "boom again");
    [row] = await t.database.db.select().from(jobs).where(eq(jobs.id, job.id));
    expect(row!.status).toBe("failed");
    expect(row!.finishedAt).not.toBeNull();
  });

  test("backoff doubles per attempt with jitter inside [half, full] and is capped", () => {
    expect(retryDelayMs(1, () => 0)).toBe(500);
    expect(retryDelayMs(1, () => 1)).toBe(1000);
    expect(retryDelayMs(3, () => 0)).toBe(2000);
    expect(retryDelayMs(3, () => 1)).toBe(4000);
    expect(retryDelayMs(30, () => 1)).toBe(300_000);
  });
});

describe("cancel and pause", () => {
  test("a queued job is cancelled at once; a running one is asked and sees it on heartbeat", async () => {
    const queued = await enqueue();
    await requestCancel(t.database, workspaceId, queued.id);
    expect((await t.database.db.select().from(jobs).where(eq(jobs.id, queued.id)))[0]!.status).toBe("cancelled");
    const running = await enqueue();
    await claimJob(t.database.db, "w", ["t.a"], 10_000);
    await requestCancel(t.database, workspaceId, running.id);
    expect(await heartbeat(t.database.db, running.id, "w", 10_000)).toBe("cancel");
  });

  test("pause then resume puts the job back in the queue", async () => {
    const job = await enqueue();
    await claimJob(t.database.db, "w", ["t.a"], 10_000);
    await requestPause(t.database, workspaceId, job.id);
    expect(await heartbeat(t.database.db, job.id, "w", 10_000)).toBe("pause");
    await finishJob(t.database, job.id, "w", { status: "paused" });
    expect(await resumeJob(t.database, workspaceId, job.id)).not.toBeNull();
    const again = await claimJob(t.database.db, "w2", ["t.a"], 10_000);
    expect(again!.id).toBe(job.id);
  });

  test("another workspace cannot cancel the job", async () => {
    const job = await enqueue();
    const [other] = await t.database.db.insert(workspaces).values({ name: "Other" }).returning();
    expect(await requestCancel(t.database, other!.id, job.id)).toBeNull();
    expect((await t.database.db.select().from(jobs).where(eq(jobs.id, job.id)))[0]!.status).toBe("queued");
  });
});

describe("events", () => {
  test("events are stored in order, progress updates the snapshot, and NOTIFY announces them", async () => {
    const job = await enqueue();
    const heard: string[] = [];
    const unlisten = await t.database.listen("iofold_job_events", (payload) => heard.push(payload));
    await appendJobEvent(t.database, job.id, "progress", { done: 3, total: 10 });
    await appendJobEvent(t.database, job.id, "log", { message: "hello" });
    await Bun.sleep(100);
    await unlisten();
    const events = await t.database.db.select().from(jobEvents).where(eq(jobEvents.jobId, job.id)).orderBy(jobEvents.id);
    expect(events.map((e) => e.kind)).toEqual(["status", "progress", "log"]);
    expect(events[1]!.id).toBeGreaterThan(events[0]!.id);
    expect((await t.database.db.select().from(jobs).where(eq(jobs.id, job.id)))[0]!.progress).toEqual({ done: 3, total: 10 });
    expect(heard.filter((id) => id === job.id).length).toBeGreaterThanOrEqual(2);
  });
});
