// Routes for reviewing: the review page and its item fragments, label/undo/skip saves, queue filling and order,
// bulk labels, agreement and resolutions.
import { Elysia } from "elysia";
import type { z } from "zod";
import { BulkLabelConfirm, BulkLabelDone, BulkUndone, QueueAddedNotice } from "../../../views/components/review-queue";
import { AgreementPage, DisagreementRow } from "../../../views/pages/review-agreement";
import { ReviewEmpty, ReviewItem, ReviewPage } from "../../../views/pages/review";
import { requireAuth } from "../../http/auth";
import type { AppDeps } from "../../http/context";
import { AppError, ValidationError } from "../../http/errors";
import { html } from "../../http/htmx";
import { renderPage } from "../../http/render";
import type { AuthContext } from "../auth/model";
import { getTrace } from "../traces/service";
import type { NormalizedTrace } from "../traces/normalized-schema";
import { rubricHistory } from "../eval-sets/service";
import { addItemsInput, bulkLabelInput, labelInput, nextInput, resolveInput, skipInput, strategyInput, undoInput, type ReviewItem as Item } from "./model";
import * as service from "./service";

function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw new ValidationError(parsed.error.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`).join("; "), parsed.error.issues);
  return parsed.data;
}

function requireManager(auth: AuthContext) {
  if (auth.role !== "owner" && auth.role !== "admin") throw new AppError(403, "forbidden", "Only workspace owners and admins can do this.");
}

const scopeOf = (auth: AuthContext, evalSetId: string): service.ReviewerScope => ({ workspaceId: auth.workspace.id, evalSetId, userId: auth.user.id });

/** The trace ids a bulk request names: explicit ids, else every trace its filter matches. */
function selection(deps: AppDeps, workspaceId: string, input: { trace_id: string[]; filter?: string }) {
  return input.trace_id.length ? input.trace_id : service.traceIdsForFilter(deps.database, workspaceId, input.filter ?? "");
}

export function reviewRoutes(deps: AppDeps) {
  async function renderItem(auth: AuthContext, evalSetId: string, item: Item | null): Promise<string> {
    if (!item) {
      const set = await service.requireEvalSet(deps.database, auth.workspace.id, evalSetId);
      const progress = await service.queueProgress(deps.database, auth.workspace.id, evalSetId, set.labelsPerTrace);
      return (<ReviewEmpty evalSetId={evalSetId} progress={progress} archived={set.archivedAt !== null} />) as string;
    }
    const trace = await getTrace(deps.database, auth.workspace.id, item.traceId);
    return (<ReviewItem item={item} trace={trace} normalized={trace.normalized as unknown as NormalizedTrace | null} />) as string;
  }

  async function addItems(auth: AuthContext, evalSetId: string, body: unknown) {
    requireManager(auth);
    const input = parse(addItemsInput, body);
    if (input.trace_id.length) return service.addTracesToQueue(deps.database, auth.workspace.id, evalSetId, input.trace_id, auth.user.id);
    return service.addFilterToQueue(deps.database, scopeOf(auth, evalSetId), input.filter ?? "");
  }

  async function bulk(auth: AuthContext, evalSetId: string, body: unknown) {
    requireManager(auth);
    const input = parse(bulkLabelInput, body);
    const set = await service.requireEvalSet(deps.database, auth.workspace.id, evalSetId);
    const count = await service.countTraces(selection(deps, auth.workspace.id, input));
    if (input.confirm_count !== count) {
      return html((<BulkLabelConfirm evalSetId={set.id} evalSetName={set.name} label={input.label} count={count} traceIds={input.trace_id} filter={input.trace_id.length ? undefined : input.filter} />) as string);
    }
    const result = await service.bulkLabel(deps.database, scopeOf(auth, evalSetId), input.label, selection(deps, auth.workspace.id, input));
    return html((<BulkLabelDone evalSetId={set.id} {...result} label={input.label} />) as string);
  }

  return new Elysia()
    .use(requireAuth(deps))
    .get("/eval-sets/:id/review", async ({ auth, params, request }) => {
      const set = await service.requireEvalSet(deps.database, auth.workspace.id, params.id);
      const item = await service.nextItem(deps.database, scopeOf(auth, set.id), []);
      const progress = await service.queueProgress(deps.database, auth.workspace.id, set.id, set.labelsPerTrace);
      const versions = await rubricHistory(deps.database, auth.workspace.id, set.id);
      return renderPage(request, auth, {
        title: `Review · ${set.name}`,
        section: "evals",
        body: (<ReviewPage set={set} rubricVersion={versions[0]?.version.version ?? 1} firstItem={await renderItem(auth, set.id, item)} progress={progress} />) as string,
      });
    })
    .post("/eval-sets/:id/review/next", async ({ auth, params, body }) => {
      const input = parse(nextInput, body);
      return html(await renderItem(auth, params.id, await service.nextItem(deps.database, scopeOf(auth, params.id), input.exclude)));
    })
    .get("/eval-sets/:id/review/items/:itemId", async ({ auth, params }) => {
      return html(await renderItem(auth, params.id, await service.reviewerItem(deps.database, scopeOf(auth, params.id), params.itemId)));
    })
    .post("/api/v1/eval-sets/:id/review/label", async ({ auth, params, body }) => service.saveLabel(deps.database, scopeOf(auth, params.id), parse(labelInput, body)))
    .post("/api/v1/eval-sets/:id/review/undo", async ({ auth, params, body }) => {
      const undone = await service.undoLast(deps.database, scopeOf(auth, params.id), parse(undoInput, body).op_id);
      return { undone };
    })
    .post("/api/v1/eval-sets/:id/review/skip", async ({ auth, params, body }) => {
      await service.skipItem(deps.database, scopeOf(auth, params.id), parse(skipInput, body).item_id);
      return { skipped: true };
    })
    .post("/api/v1/eval-sets/:id/review/next", async ({ auth, params, body }) => ({
      item: await service.nextItem(deps.database, scopeOf(auth, params.id), parse(nextInput, body).exclude),
    }))
    .post("/eval-sets/:id/queue/items", async ({ auth, params, body }) => html((<QueueAddedNotice {...await addItems(auth, params.id, body)} />) as string))
    .post("/api/v1/eval-sets/:id/queue/items", async ({ auth, params, body }) => addItems(auth, params.id, body))
    .post("/eval-sets/:id/queue/fill", async ({ auth, params, body }) => {
      requireManager(auth);
      const form = (body ?? {}) as Record<string, string>;
      const query = new URLSearchParams();
      for (const key of ["name", "tag", "errors", "from", "to"]) if (form[key]) query.set(key, form[key]);
      const result = await service.addFilterToQueue(deps.database, scopeOf(auth, params.id), query.toString());
      return html((<QueueAddedNotice {...result} />) as string);
    })
    .post("/eval-sets/:id/queue/order", async ({ auth, params, body }) => {
      requireManager(auth);
      const input = parse(strategyInput, body);
      await service.setQueueOrder(deps.database, auth.workspace.id, params.id, input.strategy, input.seed);
      return html(`<span class="notice-inline">Order applied.</span>`);
    })
    .post("/eval-sets/bulk", async ({ auth, body }) => {
      const raw = (body ?? {}) as Record<string, unknown>;
      // The trace list's bulk bar names its checkboxes `ids` and says whether the checked rows or the whole filter count.
      const form = raw.ids === undefined ? raw : { ...raw, trace_id: raw.scope === "filter" ? undefined : raw.ids };
      const evalSetId = typeof form.eval_set_id === "string" ? form.eval_set_id : "";
      const action = typeof form.action === "string" ? form.action : "add";
      if (action === "add") return html((<QueueAddedNotice {...await addItems(auth, evalSetId, form)} />) as string);
      if (!action.startsWith("label:")) throw new ValidationError(`Unknown action ${action}.`);
      return bulk(auth, evalSetId, { ...form, label: action.slice(6) });
    })
    .post("/eval-sets/:id/bulk-label", async ({ auth, params, body }) => bulk(auth, params.id, body))
    .post("/eval-sets/:id/bulk/:batchId/undo", async ({ auth, params }) => {
      requireManager(auth);
      const result = await service.undoBulk(deps.database, scopeOf(auth, params.id), params.batchId);
      return html((<BulkUndone {...result} />) as string);
    })
    .get("/eval-sets/:id/agreement", async ({ auth, params, request }) => {
      const set = await service.requireEvalSet(deps.database, auth.workspace.id, params.id);
      const pairs = await service.reviewerAgreement(deps.database, auth.workspace.id, set.id);
      const found = await service.disagreements(deps.database, auth.workspace.id, set.id);
      return renderPage(request, auth, {
        title: `Agreement · ${set.name}`,
        section: "evals",
        body: (<AgreementPage set={set} pairs={pairs} disagreements={found} canResolve={auth.role !== "reviewer"} />) as string,
      });
    })
    .post("/eval-sets/:id/resolutions", async ({ auth, params, body }) => {
      requireManager(auth);
      const input = parse(resolveInput, body);
      const row = await service.resolve(deps.database, scopeOf(auth, params.id), input.trace_id, input.label, input.note);
      return html((<DisagreementRow evalSetId={params.id} row={row} canResolve />) as string);
    })
    .get("/api/v1/eval-sets/:id/agreement", async ({ auth, params }) => ({
      pairs: await service.reviewerAgreement(deps.database, auth.workspace.id, params.id),
      disagreements: await service.disagreements(deps.database, auth.workspace.id, params.id),
    }));
}
