// Routes for the integrations page (Langfuse connections, upload, OTLP help) and the integrations API.
import { Elysia } from "elysia";
import { ConnectionResult, EditIntegrationPage, IntegrationList, IntegrationsPage, type IntegrationFormValues } from "../../../views/pages/integrations";
import { FormErrors } from "../../../views/components/form-errors";
import { requireAuth } from "../../http/auth";
import type { AppDeps } from "../../http/context";
import { AppError, ValidationError } from "../../http/errors";
import { html, redirect } from "../../http/htmx";
import { renderPage } from "../../http/render";
import type { AuthContext } from "../auth/model";
import { describeNormalizedTrace, normalizedTraceJsonSchema } from "../traces/normalized-schema";
import { importFilterInput, integrationInput } from "./model";
import * as service from "./service";

function assertCanManage(auth: AuthContext) {
  if (auth.role !== "owner" && auth.role !== "admin") throw new AppError(403, "forbidden", "Only owners and admins manage integrations.");
}

const canManage = (auth: AuthContext) => auth.role === "owner" || auth.role === "admin";

function formValues(body: unknown): IntegrationFormValues {
  const b = (body ?? {}) as Record<string, unknown>;
  const text = (key: string) => (typeof b[key] === "string" ? (b[key] as string) : "");
  return { name: text("name"), baseUrl: text("baseUrl"), publicKey: text("publicKey"), syncIntervalMinutes: text("syncIntervalMinutes") };
}

export function integrationRoutes(deps: AppDeps) {
  const key = deps.secrets.encryptionKey;
  const otlpUrl = `${deps.config.PUBLIC_URL?.replace(/\/+$/, "") ?? `http://localhost:${deps.config.PORT}`}/api/v1/otel/v1/traces`;

  const listFragment = async (auth: AuthContext, form?: { values: IntegrationFormValues; errors: string[] }) =>
    (<IntegrationList integrations={await service.listIntegrations(deps.database, auth.workspace.id)} canManage={canManage(auth)} form={form} />) as string;

  return new Elysia()
    .use(requireAuth(deps))
    .get("/integrations", async ({ auth, request }) => {
      const integrations = await service.listIntegrations(deps.database, auth.workspace.id);
      return renderPage(request, auth, { title: "Integrations", section: "integrations", body: (<IntegrationsPage integrations={integrations} canManage={canManage(auth)} otlpUrl={otlpUrl} schemaText={describeNormalizedTrace()} />) as string });
    })
    .post("/integrations", async ({ auth, body, request }) => {
      assertCanManage(auth);
      const parsed = integrationInput.safeParse(body);
      const errors = parsed.success ? (parsed.data.secretKey ? [] : ["Enter the project's secret key (sk-lf-…)."]) : parsed.error.issues.map((i) => i.message);
      if (errors.length > 0 || !parsed.success) {
        const form = { values: formValues(body), errors };
        if (request.headers.get("hx-request") === "true") return html(await listFragment(auth, form), { status: 422 });
        return renderPage(request, auth, { title: "Integrations", section: "integrations", body: (<IntegrationsPage integrations={await service.listIntegrations(deps.database, auth.workspace.id)} canManage otlpUrl={otlpUrl} schemaText={describeNormalizedTrace()} form={form} />) as string }, { status: 422 });
      }
      await service.createIntegration(deps.database, key, auth.workspace.id, parsed.data);
      if (request.headers.get("hx-request") === "true") return html(await listFragment(auth));
      return redirect(request, "/integrations");
    })
    .get("/integrations/:id/edit", async ({ auth, params, request }) => {
      assertCanManage(auth);
      const view = service.toView(await service.getIntegration(deps.database, auth.workspace.id, params.id));
      const values = { name: view.name, baseUrl: view.baseUrl, publicKey: view.publicKey, syncIntervalMinutes: view.syncIntervalMinutes ? String(view.syncIntervalMinutes) : "" };
      return renderPage(request, auth, { title: `Edit ${view.name}`, section: "integrations", body: (<EditIntegrationPage id={view.id} values={values} errors={[]} />) as string });
    })
    .post("/integrations/:id", async ({ auth, params, body, request }) => {
      assertCanManage(auth);
      const parsed = integrationInput.safeParse(body);
      if (!parsed.success) {
        const page = (<EditIntegrationPage id={params.id} values={formValues(body)} errors={parsed.error.issues.map((i) => i.message)} />) as string;
        return renderPage(request, auth, { title: "Edit integration", section: "integrations", body: page }, { status: 422 });
      }
      await service.updateIntegration(deps.database, key, auth.workspace.id, params.id, parsed.data);
      return redirect(request, "/integrations");
    })
    .post("/integrations/:id/test", async ({ auth, params }) => {
      assertCanManage(auth);
      return html((<ConnectionResult check={await service.testIntegration(deps.database, key, auth.workspace.id, params.id)} />) as string);
    })
    .post("/integrations/:id/enable", async ({ auth, params }) => {
      assertCanManage(auth);
      await service.setEnabled(deps.database, auth.workspace.id, params.id, true);
      return html(await listFragment(auth));
    })
    .post("/integrations/:id/disable", async ({ auth, params }) => {
      assertCanManage(auth);
      await service.setEnabled(deps.database, auth.workspace.id, params.id, false);
      return html(await listFragment(auth));
    })
    .post("/integrations/:id/delete", async ({ auth, params }) => {
      assertCanManage(auth);
      await service.deleteIntegration(deps.database, auth.workspace.id, params.id);
      return html(await listFragment(auth));
    })
    .post("/integrations/:id/import", async ({ auth, params, body, request }) => {
      assertCanManage(auth);
      const parsed = importFilterInput.safeParse(body ?? {});
      if (!parsed.success) return html((<FormErrors errors={parsed.error.issues.map((i) => i.message)} />) as string, { status: 422 });
      const job = await service.startImport(deps.database, auth.workspace.id, params.id, auth.user.id, { mode: "import", filter: parsed.data });
      return redirect(request, `/jobs/${job.id}`);
    })
    .post("/integrations/:id/sync", async ({ auth, params, request }) => {
      assertCanManage(auth);
      const job = await service.startImport(deps.database, auth.workspace.id, params.id, auth.user.id, { mode: "sync" });
      return redirect(request, `/jobs/${job.id}`);
    })
    .get("/api/v1/schema/normalized-trace", () => normalizedTraceJsonSchema())
    .get("/api/v1/integrations", async ({ auth }) => ({ data: await service.listIntegrations(deps.database, auth.workspace.id) }))
    .post("/api/v1/integrations", async ({ auth, body, set }) => {
      assertCanManage(auth);
      const parsed = integrationInput.safeParse(body);
      if (!parsed.success) throw new ValidationError(parsed.error.issues.map((i) => i.message).join("; "), parsed.error.issues);
      set.status = 201;
      return service.createIntegration(deps.database, key, auth.workspace.id, parsed.data);
    })
    .delete("/api/v1/integrations/:id", async ({ auth, params, set }) => {
      assertCanManage(auth);
      await service.deleteIntegration(deps.database, auth.workspace.id, params.id);
      set.status = 204;
      return "";
    })
    .post("/api/v1/integrations/:id/test", async ({ auth, params }) => {
      assertCanManage(auth);
      return service.testIntegration(deps.database, key, auth.workspace.id, params.id);
    })
    .post("/api/v1/integrations/:id/import", async ({ auth, params, body, set }) => {
      assertCanManage(auth);
      const parsed = importFilterInput.safeParse(body ?? {});
      if (!parsed.success) throw new ValidationError(parsed.error.issues.map((i) => i.message).join("; "), parsed.error.issues);
      const job = await service.startImport(deps.database, auth.workspace.id, params.id, auth.user.id, { mode: "import", filter: parsed.data });
      set.status = 202;
      return { job_id: job.id, job_url: `/api/v1/jobs/${job.id}` };
    })
    .post("/api/v1/integrations/:id/sync", async ({ auth, params, set }) => {
      assertCanManage(auth);
      const job = await service.startImport(deps.database, auth.workspace.id, params.id, auth.user.id, { mode: "sync" });
      set.status = 202;
      return { job_id: job.id, job_url: `/api/v1/jobs/${job.id}` };
    });
}
