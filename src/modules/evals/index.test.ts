// The eval pages and API through the real app: generate offline, view a version, edit by hand, diff, activate and roll back.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { evals, evalSets, evalVersions, feedback, jobs, traces, users } from "../../db/schema";
import { createMemoryLogger } from "../../logger";
import { startWorker, type Worker } from "../../jobs/worker";
import { generationJob } from "../../jobs/definitions/generate-eval";
import { createTestApp, setUpOwner, type TestApp } from "../../../test/support/app";
import { insertTraces } from "../../../test/support/traces";
import { GENERATE_EVAL_JOB } from "../generation/model";
import { supportDataset } from "../generation/synthesizer/test-traces";
import { highlightPython } from "../../../views/components/code-python";
import { diffLines, foldUnchanged } from "./line-diff";

let t: TestApp;
let owner: Awaited<ReturnType<typeof setUpOwner>>;
let worker: Worker;
let evalSetId: string;

beforeAll(async () => {
  t = await createTestApp();
  owner = await setUpOwner(t);
  const db = t.deps.database.db;
  const [user] = await db.select().from(users);
  const workspaceId = (await db.select({ w: traces.workspaceId }).from(traces).limit(1))[0]?.w ?? (await db.execute("select id from workspaces limit 1") as unknown as { rows: { id: string }[] }).rows?.[0]?.id;
  const ws = workspaceId ?? (await t.deps.database.db.query.workspaces.findFirst())!.id;
  const data = supportDataset(48, 8);
  await insertTraces(t.deps.database, ws, data.map((d) => d.trace));
  const rows = await db.select({ id: traces.id, externalId: traces.externalId }).from(traces).where(eq(traces.workspaceId, ws));
  const idOf = new Map(rows.map((r) => [r.externalId, r.id]));
  const [set] = await db.insert(evalSets).values({ workspaceId: ws, name: "Policy <script>alert(1)</script>", rubric: "Fail refunds without escalation & placeholders." }).returning();
  evalSetId = set!.id;
  await db.insert(feedback).values(data.map((d) => ({ workspaceId: ws, evalSetId, userId: user!.id, traceId: idOf.get(d.trace.id)!, label: d.failed ? ("negative" as const) : ("positive" as const) })));
  worker = await startWorker({ database: t.deps.database, definitions: [generationJob(GENERATE_EVAL_JOB, () => null)], logger: createMemoryLogger(), concurrency: 1, pollMs: 50, leaseMs: 30_000 });
}, 60_000);
afterAll(async () => {
  await worker?.stop();
  await t?.close();
});

async function waitForJob(id: string) {
  for (let i = 0; i < 600; i++) {
    const [job] = await t.deps.database.db.select().from(jobs).where(eq(jobs.id, id));
    if (["succeeded", "failed", "cancelled"].includes(job!.status)) return job!;
    await Bun.sleep(100);
  }
  throw new Error("job did not finish");
}

const get = async (path: string) => {
  const response = await t.request(path, { cookie: owner.cookie });
  return { status: response.status, text: await response.text() };
};

test("generate offline, view, edit by hand, diff, activate and roll back", async () => {
  const list = await get("/evals");
  expect(list.status).toBe(200);
  expect(list.text).toContain("Generate an eval from labels");
  expect(list.text).not.toContain("<script>alert(1)</script>");
  expect(list.text).toContain("set ANTHROPIC_API_KEY");

  const claude = await t.request("/evals/generate", { method: "POST", cookie: owner.cookie, form: { _csrf: owner.csrf, eval_set_id: evalSetId, generators: "llm" } });
  expect(claude.status).toBe(422);
  expect(await claude.text()).toContain("Claude is not configured");

  const started = await t.request("/evals/generate", { method: "POST", cookie: owner.cookie, form: { _csrf: owner.csrf, eval_set_id: evalSetId, generators: "synthesizer", folds: "3" } });
  expect(started.status).toBe(303);
  const jobId = started.headers.get("location")!.split("/").pop()!;
  expect((await waitForJob(jobId)).status).toBe("succeeded");

  const [evaluation] = await t.deps.database.db.select().from(evals).where(eq(evals.evalSetId, evalSetId));
  const [v1] = await t.deps.database.db.select().from(evalVersions).where(eq(evalVersions.evalId, evaluation!.id));
  expect(evaluation!.activeVersionId).toBe(v1!.id);
  const page = await get(`/eval-versions/${v1!.id}`);
  expect(page.status).toBe(200);
  expect(page.text).toContain('<span class="py-kw">def</span> <span class="py-def">evaluate</span>');
  expect(page.text).toContain("Held out (3-fold cross-validation)");
  expect(page.text).toContain("offline synthesizer");
  expect(page.text).toContain(`/eval-sets/${evalSetId}/matrix`);
  expect(page.text).toContain("chosen");

  const rejected = await t.request(`/eval-versions/${v1!.id}/edit`, { method: "POST", cookie: owner.cookie, form: { _csrf: owner.csrf, code: "import os\ndef evaluate(trace):\n    return True, os.name\n" } });
  expect(rejected.status).toBe(422);
  expect(await rejected.text()).toContain("static check");

  const handCode = `${v1!.code}\n# reviewed by hand: <b>ok</b>\n`;
  const saved = await t.request(`/eval-versions/${v1!.id}/edit`, { method: "POST", cookie: owner.cookie, form: { _csrf: owner.csrf, code: handCode } });
  expect(saved.status).toBe(303);
  const v2Id = saved.headers.get("location")!.split("/").pop()!;
  const v2Page = await get(`/eval-versions/${v2Id}`);
  expect(v2Page.text).toContain("hand-edited");
  expect(v2Page.text).toContain("On the labels its author could see");
  expect(v2Page.text).toContain("&lt;b&gt;ok&lt;/b&gt;");

  const diff = await get(`/evals/${evaluation!.id}/diff?from=${v1!.id}&to=${v2Id}`);
  expect(diff.text).toContain("2 lines added, 0 removed");
  expect(diff.text).toContain('class="added"');

  expect((await t.request(`/eval-versions/${v2Id}/activate`, { method: "POST", cookie: owner.cookie, form: { _csrf: owner.csrf } })).status).toBe(303);
  let [after] = await t.deps.database.db.select().from(evals).where(eq(evals.id, evaluation!.id));
  expect(after!.activeVersionId).toBe(v2Id);
  const detail = await get(`/evals/${evaluation!.id}`);
  expect(detail.text).toContain("Roll back to this");
  await t.request(`/eval-versions/${v1!.id}/activate`, { method: "POST", cookie: owner.cookie, form: { _csrf: owner.csrf } });
  [after] = await t.deps.database.db.select().from(evals).where(eq(evals.id, evaluation!.id));
  expect(after!.activeVersionId).toBe(v1!.id);

  const api = await (await t.request(`/api/v1/evals/${evaluation!.id}/versions`, { cookie: owner.cookie })).json() as { data: { version: number; active: boolean }[] };
  expect(api.data.map((v) => [v.version, v.active])).toEqual([[2, false], [1, true]]);
}, 120_000);

test("mutations need the CSRF token; the preview escapes what it highlights", async () => {
  const noCsrf = await t.request("/evals/generate", { method: "POST", cookie: owner.cookie, form: { eval_set_id: evalSetId } });
  expect(noCsrf.status).toBe(403);
  const preview = await t.request("/eval-versions/preview", { method: "POST", cookie: owner.cookie, csrf: owner.csrf, form: { code: "x = '<script>'" } });
  expect(await preview.text()).toContain('<span class="py-str">&#x27;&lt;script&gt;&#x27;</span>');
});

test("highlighter and line diff", () => {
  expect(highlightPython('s = """a\n<b>"""\n# c').join("|")).toBe('s = <span class="py-str">&quot;&quot;&quot;a</span>|<span class="py-str">&lt;b&gt;&quot;&quot;&quot;</span>|<span class="py-com"># c</span>');
  const lines = diffLines("a\nb\nc\nd", "a\nB\nc\nd\ne");
  expect(lines.map((l) => `${l.kind[0]}${l.text}`)).toEqual(["sa", "rb", "aB", "sc", "sd", "ae"]);
  const folded = foldUnchanged(diffLines(Array.from({ length: 20 }, (_, i) => `l${i}`).join("\n"), Array.from({ length: 20 }, (_, i) => (i === 10 ? "x" : `l${i}`)).join("\n")), 2);
  expect(folded[0]).toEqual({ kind: "fold", hidden: 8 });
  expect(folded.at(-1)).toEqual({ kind: "fold", hidden: 7 });
});
