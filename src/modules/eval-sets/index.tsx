// Routes for eval sets: list, create, edit, archive, the overview page, label export, and the eval set API.
import { Elysia } from "elysia";
import { EvalSetFormPage, EvalSetOverviewPage, EvalSetsListPage, type EvalSetFormValues } from "../../../views/pages/eval-sets";
import { requireAuth } from "../../http/auth";
import type { AppDeps } from "../../http/context";
import { ValidationError } from "../../http/errors";
import { redirect } from "../../http/htmx";
import { renderPage } from "../../http/render";
import type { AuthContext } from "../auth/model";
import { disagreements, groundTruthLabels } from "../review/service";
import { evalSetInput, GENERATION_MINIMUMS } from "./model";
import * as service from "./service";

const canManage = (auth: AuthContext) => auth.role === "owner" || auth.role === "admin";

function formPage(request: Request, auth: AuthContext, props: { id?: string; values: EvalSetFormValues; errors: string[] }, status = 200) {
  return renderPage(
    request,
    auth,
    { title: props.id ? "Edit eval set" : "New eval set", section: "evals", body: (<EvalSetFormPage {...props} csrfToken={auth.csrfToken ?? ""} />) as string },
    { status },
  );
}

/** A streamed download: the body is produced page by page while the client reads. */
function download(chunks: AsyncGenerator<string>, filename: string, contentType: string): Response {
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await chunks.next();
      if (done) controller.close();
      else controller.enqueue(encoder.encode(value));
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
  return new Response(stream, { headers: { "content-type": contentType, "content-disposition": `attachment; filename="${filename}"`, "cache-control": "no-store" } });
}

function exportFilename(name: string, extension: string): string {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "eval-set";
  return `${slug}-labels.${extension}`;
}

export function evalSetRoutes(deps: AppDeps) {
  const overviewBody = async (auth: AuthContext, id: string, notice?: string) => {
    const data = await service.overview(deps.database, auth.workspace.id, id);
    const versions = await service.rubricHistory(deps.database, auth.workspace.id, id);
    const disagreementCounts = await disagreements(deps.database, auth.workspace.id, id, 0);
    return (
      <EvalSetOverviewPage
        {...data}
        minimums={GENERATION_MINIMUMS}
        rubricVersions={versions.map((v) => ({ version: v.version.version, rubric: v.version.rubric, author: v.author, createdAt: v.version.createdAt }))}
        disagreements={{ total: disagreementCounts.total, resolved: disagreementCounts.resolved }}
        canManage={canManage(auth)}
        notice={notice}
      />
    ) as string;
  };

  return new Elysia()
    .use(requireAuth(deps))
    .get("/eval-sets", async ({ auth, query, request }) => {
      const archived = query.archived === "1";
      const sets = await service.listEvalSets(deps.database, auth.workspace.id, archived);
      return renderPage(request, auth, { title: "Eval sets", section: "evals", body: (<EvalSetsListPage sets={sets} archived={archived} canManage={canManage(auth)} />) as string });
    })
    .get("/eval-sets/new", ({ auth, request }) => {
      service.requireManager(auth.role);
      return formPage(request, auth, { values: {}, errors: [] });
    })
    .post("/eval-sets", async ({ auth, body, request }) => {
      service.requireManager(auth.role);
      const form = (body ?? {}) as Record<string, string>;
      const parsed = evalSetInput.safeParse(form);
      if (!parsed.success) return formPage(request, auth, { values: form, errors: parsed.error.issues.map((i) => i.message) }, 422);
      const set = await service.createEvalSet(deps.database, auth.workspace.id, auth.user.id, parsed.data);
      return redirect(request, `/eval-sets/${set.id}`);
    })
    .get("/eval-sets/:id", async ({ auth, params, query, request }) => {
      const set = await service.getEvalSet(deps.database, auth.workspace.id, params.id);
      return renderPage(request, auth, { title: set.name, section: "evals", body: await overviewBody(auth, params.id, query.notice) });
    })
    .get("/eval-sets/:id/edit", async ({ auth, params, request }) => {
      service.requireManager(auth.role);
      const set = await service.getEvalSet(deps.database, auth.workspace.id, params.id);
      return formPage(request, auth, { id: set.id, values: { name: set.name, rubric: set.rubric, labels_per_trace: set.labelsPerTrace }, errors: [] });
    })
    .post("/eval-sets/:id", async ({ auth, body, params, request }) => {
      service.requireManager(auth.role);
      const form = (body ?? {}) as Record<string, string>;
      const parsed = evalSetInput.safeParse(form);
      if (!parsed.success) return formPage(request, auth, { id: params.id, values: form, errors: parsed.error.issues.map((i) => i.message) }, 422);
      await service.updateEvalSet(deps.database, auth.workspace.id, params.id, auth.user.id, parsed.data);
      return redirect(request, `/eval-sets/${params.id}`);
    })
    .post("/eval-sets/:id/archive", async ({ auth, params, request }) => {
      service.requireManager(auth.role);
      await service.setArchived(deps.database, auth.workspace.id, params.id, true);
      return redirect(request, `/eval-sets/${params.id}`);
    })
    .post("/eval-sets/:id/unarchive", async ({ auth, params, request }) => {
      service.requireManager(auth.role);
      await service.setArchived(deps.database, auth.workspace.id, params.id, false);
      return redirect(request, `/eval-sets/${params.id}`);
    })
    .get("/eval-sets/:id/export.csv", async ({ auth, params }) => {
      const set = await service.getEvalSet(deps.database, auth.workspace.id, params.id);
      return download(service.exportLabels(deps.database, auth.workspace.id, set.id, "csv"), exportFilename(set.name, "csv"), "text/csv; charset=utf-8");
    })
    .get("/eval-sets/:id/export.jsonl", async ({ auth, params }) => {
      const set = await service.getEvalSet(deps.database, auth.workspace.id, params.id);
      return download(service.exportLabels(deps.database, auth.workspace.id, set.id, "jsonl"), exportFilename(set.name, "jsonl"), "application/jsonl; charset=utf-8");
    })
    .get("/api/v1/eval-sets", async ({ auth, query }) => ({ data: await service.listEvalSets(deps.database, auth.workspace.id, query.archived === "1") }))
    .post("/api/v1/eval-sets", async ({ auth, body }) => {
      service.requireManager(auth.role);
      const parsed = evalSetInput.safeParse(body ?? {});
      if (!parsed.success) throw new ValidationError(parsed.error.issues.map((i) => i.message).join("; "), parsed.error.issues);
      return service.createEvalSet(deps.database, auth.workspace.id, auth.user.id, parsed.data);
    })
    .get("/api/v1/eval-sets/:id", async ({ auth, params }) => {
      const data = await service.overview(deps.database, auth.workspace.id, params.id);
      return { ...data, minimums: GENERATION_MINIMUMS };
    })
    .get("/api/v1/eval-sets/:id/ground-truth", async ({ auth, params }) => ({ data: await groundTruthLabels(deps.database, auth.workspace.id, params.id) }));
}
