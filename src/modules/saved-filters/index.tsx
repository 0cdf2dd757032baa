// Routes for saved trace filters: save and delete from the trace list (htmx fragment or redirect), and the JSON API.
import { Elysia } from "elysia";
import { SavedFilters } from "../../../views/components/saved-filters";
import { requireAuth } from "../../http/auth";
import type { AppDeps } from "../../http/context";
import { ValidationError } from "../../http/errors";
import { html, redirect } from "../../http/htmx";
import type { AuthContext } from "../auth/model";
import { saveFilterInput, type SavedFilter } from "./model";
import * as service from "./service";

const canManage = (auth: AuthContext) => auth.role === "owner" || auth.role === "admin";

const viewer = (auth: AuthContext) => ({ workspaceId: auth.workspace.id, userId: auth.user.id, canManage: canManage(auth) });

function parseSave(body: unknown) {
  const parsed = saveFilterInput.safeParse(body ?? {});
  if (!parsed.success) throw new ValidationError(parsed.error.issues.map((i) => i.message).join("; "), parsed.error.issues);
  return parsed.data;
}

const toJson = (f: SavedFilter) => ({ id: f.id, name: f.name, query: f.query, created_by: f.createdBy, created_at: f.createdAt.toISOString() });

export function savedFilterRoutes(deps: AppDeps) {
  const { database } = deps;

  async function bar(request: Request, auth: AuthContext, filterQuery: string, notice: string) {
    if (request.headers.get("hx-request") !== "true") return redirect(request, filterQuery ? `/traces?${filterQuery}` : "/traces");
    const filters = await service.listSavedFilters(database, auth.workspace.id);
    return html((<SavedFilters filters={service.filtersForViewer(filters, viewer(auth))} filterQuery={filterQuery} csrfToken={auth.csrfToken ?? ""} notice={notice} />) as string);
  }

  return new Elysia()
    .use(requireAuth(deps))
    .post("/saved-filters", async ({ auth, body, request }) => {
      const saved = await service.saveFilter(database, viewer(auth), parseSave(body));
      return bar(request, auth, saved.query, `Saved “${saved.name}”.`);
    })
    .post("/saved-filters/:id/delete", async ({ auth, params, body, request }) => {
      await service.deleteFilter(database, viewer(auth), params.id);
      const current = (body as Record<string, unknown> | null)?.filter;
      return bar(request, auth, typeof current === "string" ? service.normalizeTraceQuery(current) : "", "Deleted.");
    })
    .get("/api/v1/saved-filters", async ({ auth }) => ({ data: (await service.listSavedFilters(database, auth.workspace.id)).map(toJson) }))
    .post("/api/v1/saved-filters", async ({ auth, body, set }) => {
      set.status = 201;
      return toJson(await service.saveFilter(database, viewer(auth), parseSave(body)));
    })
    .delete("/api/v1/saved-filters/:id", async ({ auth, params }) => {
      await service.deleteFilter(database, viewer(auth), params.id);
      return { deleted: true };
    });
}
