// The jobs pages and the SSE stream: live events, replay from Last-Event-ID, the end of a finished job.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, setUpOwner, type TestApp } from "../../../test/support/app";
import { appendJobEvent, claimJob, enqueueJob, finishJob } from "../../jobs/queue";

let t: TestApp;
let cookie: string;
let csrf: string;
let workspaceId: string;

beforeAll(async () => {
  t = await createTestApp();
  ({ cookie, csrf } = await setUpOwner(t));
  workspaceId = (await t.deps.database.db.query.workspaces.findFirst())!.id;
}, 30_000);
afterAll(() => t.close());

/** Reads SSE messages until `count` arrived or the stream ended. */
async function readEvents(response: Response, count: number) {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const messages: { id?: string; event?: string; data: string }[] = [];
  while (messages.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (block.startsWith(":")) continue;
      const message: { id?: string; event?: string; data: string } = { data: "" };
      for (const line of block.split("\n")) {
        if (line.startsWith("id: ")) message.id = line.slice(4);
        else if (line.startsWith("event: ")) message.event = line.slice(7);
        else if (line.startsWith("data: ")) message.data += (message.data ? "\n" : "") + line.slice(6);
      }
      messages.push(message);
    }
  }
  await reader.cancel();
  return messages;
}

describe("job stream", () => {
  test("streams new events live, then replays from Last-Event-ID after a reconnect", async () => {
    const job = await enqueueJob(t.deps.database, { workspaceId, type: "test.demo" });
    const controller = new AbortController();
    const response = await t.request(`/jobs/${job.id}/events`, { cookie, signal: controller.signal });
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const reading = readEvents(response, 3);
    await claimJob(t.deps.database.db, "w", ["test.demo"], 10_000);
    await appendJobEvent(t.deps.database, job.id, "progress", { done: 1, total: 4 });
    await appendJobEvent(t.deps.database, job.id, "log", { message: "step <b>one</b>" });
    const first = await reading;
    controller.abort();
    expect(first.length).toBe(3);
    expect(first[0]!.data).toContain("queued");
    expect(first[1]!.data).toContain('<hx-partial hx-target="#job-progress"');
    expect(first[1]!.data).toContain("1 / 4");
    expect(first[2]!.data).toContain("step &lt;b&gt;one&lt;/b&gt;");

    await appendJobEvent(t.deps.database, job.id, "progress", { done: 4, total: 4 });
    await finishJob(t.deps.database, job.id, "w", { status: "succeeded", result: { ok: true } });
    const resumed = await t.request(`/jobs/${job.id}/events`, { cookie, headers: { "last-event-id": first[2]!.id! } });
    const rest = await readEvents(resumed, 10);
    expect(rest.map((m) => m.event ?? "message")).toEqual(["message", "message", "done"]);
    expect(Number(rest[0]!.id)).toBeGreaterThan(Number(first[2]!.id));
    expect(rest[1]!.data).toContain("succeeded");
  });

  test("the job page shows past events and connects the stream after them; finished jobs do not stream", async () => {
    const job = await enqueueJob(t.deps.database, { workspaceId, type: "test.demo" });
    const page = await (await t.request(`/jobs/${job.id}`, { cookie })).text();
    expect(page).toMatch(/hx-sse:connect="\/jobs\/[^"?]+\/events\?after=\d+"/);
    expect(page).toContain("Status: queued");
    await t.request(`/jobs/${job.id}/cancel`, { method: "POST", cookie, csrf });
    const after = await (await t.request(`/jobs/${job.id}`, { cookie })).text();
    expect(after).not.toContain("hx-sse:connect");
    expect(after).toContain("Status: cancelled");
  });

  test("the jobs list and API show the workspace's jobs", async () => {
    const list = await (await t.request("/jobs", { cookie })).text();
    expect(list).toContain("test.demo");
    const api = await (await t.request("/api/v1/jobs", { cookie })).json();
    expect(api.data.length).toBeGreaterThanOrEqual(2);
  });
});
