// Routes for the trace list and trace pages, and the trace API.
import { Elysia } from "elysia";
import { TraceDetailPage } from "../../../views/pages/trace-detail";
import { BulkResult, TraceCount, TraceListPage, TraceResults } from "../../../views/pages/traces-list";
import { requireAuth } from "../../http/auth";
import type { AppDeps } from "../../http/context";
import { AppError, ValidationError } from "../../http/errors";
import { html, htmxTargetId } from "../../http/htmx";
import { renderPage } from "../../http/render";
import type { AuthContext } from "../auth/model";
import { listEvalSets } from "../eval-sets/service";
import { filtersForViewer, listSavedFilters } from "../saved-filters/service";
import { filterToQuery, traceFilterInput } from "./model";
import type { NormalizedTrace } from "./normalized-schema";
import * as service from "./service";

function parseFilter(query: Record<string, string | undefined>) {
  const parsed = traceFilterInput.safeParse(query);
  if (!parsed.success) throw new ValidationError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "), parsed.error.issues);
  return parsed.data;
}

const canDelete = (auth: AuthContext) => auth.role === "owner" || auth.role === "admin";

/** The target of a bulk action: checked ids, or every trace matching a filter (the form's query string, or the API's object). */
function parseSelection(body: Record<string, unknown>): service.TraceSelection {
  if (body.scope === "filter" || (typeof body.filter === "object" && body.filter !== null)) {
    const raw = typeof body.filter === "string" ? Object.fromEntries(new URLSearchParams(body.filter)) : (body.filter as Record<string, string>);
    return { filter: parseFilter(raw ?? {}) };
  }
  const ids = (Array.isArray(body.ids) ? body.ids : typeof body.ids === "string" ? [body.ids] : []).filter((id): id is string => typeof id === "string" && id !== "");
  if (ids.length === 0) throw new ValidationError("Check some traces first, or choose “All traces matching the filter”.");
  if (ids.length > 10_000) throw new ValidationError("At most 10,000 ids at once; select by filter instead.");
  return { ids };
}

function describeSelection(selection: service.TraceSelection): string {
  return "ids" in selection ? `${selection.ids.length} checked` : "matching the filter";
}

export function traceRoutes(deps: AppDeps) {
  return new Elysia()
    .use(requireAuth(deps))
    .get("/traces", async ({ auth, query, request }) => {
      const filter = parseFilter(query);
      const [page, evalSets, saved] = await Promise.all([
        service.listTracePage(deps.database, auth.workspace.id, filter),
        listEvalSets(deps.database, auth.workspace.id),
        listSavedFilters(deps.database, auth.workspace.id),
      ]);
      const props = {
        rows: page.rows,
        filter: { ...query },
        filterQuery: filterToQuery({ ...filter, limit: undefined }),
        nextHref: page.nextCursor ? `/traces?${filterToQuery(filter, page.nextCursor)}` : null,
        firstHref: filter.cursor ? `/traces?${filterToQuery(filter)}` : null,
        evalSets: evalSets.map((set) => ({ id: set.id, name: set.name })),
        showCount: !filter.cursor,
        canDelete: canDelete(auth),
        savedFilters: filtersForViewer(saved, { workspaceId: auth.workspace.id, userId: auth.user.id, canManage: canDelete(auth) }),
        csrfToken: auth.csrfToken ?? "",
      };
      if (htmxTargetId(request) === "trace-results") return html((<TraceResults {...props} />) as string);
      return renderPage(request, auth, { title: "Traces", section: "traces", body: (<TraceListPage {...props} />) as string });
    })
    .get("/traces/count", async ({ auth, query }) => html((<TraceCount {...await service.countTraces(deps.database, auth.workspace.id, parseFilter(query))} />) as string))
    .post("/traces/bulk", async ({ auth, body }) => {
      const form = (body ?? {}) as Record<string, unknown>;
      const selection = parseSelection(form);
      if (form.action === "delete") {
        if (!canDelete(auth)) throw new AppError(403, "forbidden", "Only owners and admins delete traces.");
        const deleted = await service.deleteTraces(deps.database, auth.workspace.id, selection);
        return html((<BulkResult message={`Deleted ${deleted.toLocaleString("en-US")} traces (${describeSelection(selection)}). Reload to refresh the list.`} />) as string);
      }
      if (form.action === "add") {
        if (typeof form.eval_set_id !== "string" || !form.eval_set_id) throw new ValidationError("Choose an eval set.");
        const { added, seen } = await service.addTracesToEvalSet(deps.database, auth.workspace.id, form.eval_set_id, selection, auth.user.id);
        return html((<BulkResult message={`Added ${added.toLocaleString("en-US")} of ${seen.toLocaleString("en-US")} traces to the eval set's review queue (the rest were already in it).`} />) as string);
      }
      throw new ValidationError("Unknown bulk action.");
    })
    .get("/traces/:id", async ({ auth, params, request }) => {
      const trace = await service.getTrace(deps.database, auth.workspace.id, params.id);
      return renderPage(request, auth, {
        title: trace.name ?? "Trace",
        section: "traces",
        body: (<TraceDetailPage trace={trace} normalized={trace.normalized as unknown as NormalizedTrace | null} />) as string,
      });
    })
    .get("/api/v1/traces", async ({ auth, query }) => {
      const filter = parseFilter(query);
      const page = await service.listTracePage(deps.database, auth.workspace.id, filter);
      return { data: page.rows, next_cursor: page.nextCursor };
    })
    .get("/api/v1/traces/count", async ({ auth, query }) => service.countTraces(deps.database, auth.workspace.id, parseFilter(query)))
    .post("/api/v1/traces/delete", async ({ auth, body }) => {
      if (!canDelete(auth)) throw new AppError(403, "forbidden", "Only owners and admins delete traces.");
      return { deleted: await service.deleteTraces(deps.database, auth.workspace.id, parseSelection((body ?? {}) as Record<string, unknown>)) };
    })
    .post("/api/v1/traces/add-to-eval-set", async ({ auth, body }) => {
      const form = (body ?? {}) as Record<string, unknown>;
      if (typeof form.eval_set_id !== "string" || !form.eval_set_id) throw new ValidationError("eval_set_id is required.");
      return service.addTracesToEvalSet(deps.database, auth.workspace.id, form.eval_set_id, parseSelection(form), auth.user.id);
    })
    .get("/api/v1/traces/:id", async ({ auth, params }) => {
      const trace = await service.getTrace(deps.database, auth.workspace.id, params.id);
      return {
        id: trace.id,
        source: trace.source,
        external_id: trace.externalId,
        normalized: trace.normalized,
        normalize_error: trace.normalizeError,
        raw: trace.raw,
        schema_version: trace.schemaVersion,
      };
    });
}
