// Routes for evals and versions: list and generate, eval detail, version detail, editor, diff, activate, refine; and the API.
import { Elysia } from "elysia";
import { EvalVersionPage } from "../../../views/pages/eval-version-detail";
import { EvalVersionDiffPage } from "../../../views/pages/eval-version-diff";
import { EvalVersionEditPage } from "../../../views/pages/eval-version-edit";
import { EvalDetailPage } from "../../../views/pages/evals-detail";
import { EvalsListPage, type GenerateFormProps } from "../../../views/pages/evals-list";
import { CodeBlock } from "../../../views/components/code-python";
import { requireAuth } from "../../http/auth";
import type { AppDeps } from "../../http/context";
import { ValidationError } from "../../http/errors";
import { html, redirect } from "../../http/htmx";
import { renderPage } from "../../http/render";
import { DEFAULT_BUDGET } from "../../llm/prompt";
import type { AuthContext } from "../auth/model";
import { generateInput, refineInput } from "../generation/model";
import * as generation from "../generation/service";
import { diffQuery, handVersionInput, previewInput } from "./model";
import * as service from "./service";

function parse<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }, value: unknown): T {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw new ValidationError(parsed.error.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`).join("; "), parsed.error.issues);
  return parsed.data;
}

export function evalRoutes(deps: AppDeps) {
  const llmAvailable = deps.config.llmMode === "anthropic";
  const defaultModel = deps.config.IOFOLD_LLM_MODEL;

  async function generateForm(auth: AuthContext, extra: Partial<GenerateFormProps> = {}): Promise<GenerateFormProps> {
    const { evalSets } = await service.listEvalsPage(deps.database, auth.workspace.id);
    return {
      evalSets,
      llmAvailable,
      defaultModel,
      defaults: { folds: 5, llmSamples: 2, examplesTokens: DEFAULT_BUDGET.examplesTokens, perTraceTokens: DEFAULT_BUDGET.perTraceTokens, maxTokens: 8_000 },
      csrfToken: auth.csrfToken ?? "",
      ...extra,
    };
  }

  async function startGeneration(auth: AuthContext, body: unknown) {
    const input = parse(generateInput, body);
    const params = generation.defaultParams(input, llmAvailable, defaultModel);
    return generation.startGeneration(deps.database, { workspaceId: auth.workspace.id, evalSetId: input.eval_set_id, params, createdBy: auth.user.id });
  }

  async function startRefinement(auth: AuthContext, evalId: string, body: unknown) {
    const input = parse(refineInput, body);
    const params = generation.defaultParams({ ...input, generators: input.generators ?? (llmAvailable ? ["llm"] : ["synthesizer"]) }, llmAvailable, defaultModel);
    return generation.startRefinement(deps.database, { workspaceId: auth.workspace.id, evalId, params: { ...params, baseVersionId: input.base_version_id }, createdBy: auth.user.id });
  }

  return new Elysia()
    .use(requireAuth(deps))
    .get("/evals", async ({ auth, request, query }) => {
      const { evals } = await service.listEvalsPage(deps.database, auth.workspace.id);
      // ?eval_set= preselects the set when arriving from an eval set's page.
      const body = (<EvalsListPage evals={evals} form={await generateForm(auth, { selectedEvalSetId: query.eval_set })} />) as string;
      return renderPage(request, auth, { title: "Evals", section: "eval-code", body });
    })
    .post("/evals/generate", async ({ auth, body, request }) => {
      try {
        const { job } = await startGeneration(auth, body);
        return redirect(request, `/jobs/${job.id}`);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        const { evals } = await service.listEvalsPage(deps.database, auth.workspace.id);
        const form = await generateForm(auth, { error: error.message, selectedEvalSetId: String((body as Record<string, unknown>)?.eval_set_id ?? "") });
        return renderPage(request, auth, { title: "Evals", section: "eval-code", body: (<EvalsListPage evals={evals} form={form} />) as string }, { status: 422 });
      }
    })
    .get("/evals/:id", async ({ auth, params, request }) => {
      const detail = await service.evalDetail(deps.database, auth.workspace.id, params.id);
      const body = (<EvalDetailPage {...detail} csrfToken={auth.csrfToken ?? ""} llmAvailable={llmAvailable} />) as string;
      return renderPage(request, auth, { title: detail.evaluation.name, section: "eval-code", body });
    })
    .post("/evals/:id/refine", async ({ auth, params, body, request }) => {
      const { job } = await startRefinement(auth, params.id, body);
      return redirect(request, `/jobs/${job.id}`);
    })
    .get("/evals/:id/diff", async ({ auth, params, query, request }) => {
      const { from, to } = parse(diffQuery, query);
      const diff = await service.versionDiff(deps.database, auth.workspace.id, from, to);
      const evaluation = await service.getEval(deps.database, auth.workspace.id, params.id);
      const body = (<EvalVersionDiffPage evaluation={evaluation} {...diff} />) as string;
      return renderPage(request, auth, { title: `${evaluation.name}: v${diff.from.version} → v${diff.to.version}`, section: "eval-code", body });
    })
    .get("/eval-versions/:id", async ({ auth, params, request }) => {
      const detail = await service.versionDetail(deps.database, auth.workspace.id, params.id);
      const body = (<EvalVersionPage {...detail} csrfToken={auth.csrfToken ?? ""} />) as string;
      return renderPage(request, auth, { title: `${detail.evaluation.name} v${detail.version.version}`, section: "eval-code", body });
    })
    .post("/eval-versions/:id/activate", async ({ auth, params, request }) => {
      const version = await service.activateVersion(deps.database, auth.workspace.id, params.id);
      return redirect(request, `/eval-versions/${version.id}`);
    })
    .get("/eval-versions/:id/edit", async ({ auth, params, request }) => {
      const version = await service.getVersion(deps.database, auth.workspace.id, params.id);
      const evaluation = await service.getEval(deps.database, auth.workspace.id, version.evalId);
      const body = (<EvalVersionEditPage evaluation={evaluation} base={version} code={version.code} csrfToken={auth.csrfToken ?? ""} />) as string;
      return renderPage(request, auth, { title: `Edit ${evaluation.name}`, section: "eval-code", body });
    })
    .post("/eval-versions/:id/edit", async ({ auth, params, body, request }) => {
      const base = await service.getVersion(deps.database, auth.workspace.id, params.id);
      const code = String((body as Record<string, unknown>)?.code ?? "");
      try {
        const input = parse(handVersionInput, body);
        const version = await service.saveHandVersion(deps.database, { workspaceId: auth.workspace.id, evalId: base.evalId, parentId: base.id, code: input.code, timeoutMs: input.timeout_ms ?? base.timeoutMs, createdBy: auth.user.id });
        return redirect(request, `/eval-versions/${version.id}`);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        const evaluation = await service.getEval(deps.database, auth.workspace.id, base.evalId);
        const page = (<EvalVersionEditPage evaluation={evaluation} base={base} code={code} error={error.message} csrfToken={auth.csrfToken ?? ""} />) as string;
        return renderPage(request, auth, { title: `Edit ${evaluation.name}`, section: "eval-code", body: page }, { status: 422 });
      }
    })
    .post("/eval-versions/preview", ({ body }) => {
      const { code } = parse(previewInput, body);
      return html((<CodeBlock code={code} />) as string);
    })
    .get("/api/v1/evals", async ({ auth }) => {
      const { evals } = await service.listEvalsPage(deps.database, auth.workspace.id);
      return { data: evals };
    })
    .get("/api/v1/evals/:id/versions", async ({ auth, params }) => {
      const detail = await service.evalDetail(deps.database, auth.workspace.id, params.id);
      return { data: detail.versions.map((v) => ({ ...v.version, active: v.version.id === detail.evaluation.activeVersionId })) };
    })
    .get("/api/v1/eval-versions/:id", async ({ auth, params }) => {
      const detail = await service.versionDetail(deps.database, auth.workspace.id, params.id);
      return { version: detail.version, active: detail.evaluation.activeVersionId === detail.version.id, candidates: detail.candidates, run: detail.run };
    })
    .post("/api/v1/eval-versions/:id/activate", async ({ auth, params }) => {
      const version = await service.activateVersion(deps.database, auth.workspace.id, params.id);
      return { id: version.id, active: true };
    })
    .post("/api/v1/evals/:id/versions", async ({ auth, params, body, set }) => {
      const input = parse(handVersionInput, body);
      const evaluation = await service.getEval(deps.database, auth.workspace.id, params.id);
      const version = await service.saveHandVersion(deps.database, { workspaceId: auth.workspace.id, evalId: evaluation.id, parentId: evaluation.activeVersionId, code: input.code, timeoutMs: input.timeout_ms, createdBy: auth.user.id });
      set.status = 201;
      return { version };
    })
    .post("/api/v1/eval-sets/:id/generate", async ({ auth, params, body, set }) => {
      const { run, job } = await startGeneration(auth, { ...(body as object), eval_set_id: params.id });
      set.status = 202;
      return { run_id: run.id, job_id: job.id, url: `/jobs/${job.id}` };
    })
    .post("/api/v1/evals/:id/refine", async ({ auth, params, body, set }) => {
      const { run, job } = await startRefinement(auth, params.id, body);
      set.status = 202;
      return { run_id: run.id, job_id: job.id, url: `/jobs/${job.id}` };
    });
}
