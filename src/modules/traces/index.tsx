// Routes for the trace list and trace pages, and the trace API.
import { Elysia } from "elysia";
import { TraceDetailPage } from "../../../views/pages/trace-detail";
import { TraceListPage, TraceResults } from "../../../views/pages/traces-list";
import { requireAuth } from "../../http/auth";
import type { AppDeps } from "../../http/context";
import { ValidationError } from "../../http/errors";
import { html, htmxTargetId } from "../../http/htmx";
import { renderPage } from "../../http/render";
import { filterToQuery, traceFilterInput } from "./model";
import type { NormalizedTrace } from "./normalized-schema";
import * as service from "./service";

function parseFilter(query: Record<string, string | undefined>) {
  const parsed = traceFilterInput.safeParse(query);
  if (!parsed.success) throw new ValidationError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "), parsed.error.issues);
  return parsed.data;
}

export function traceRoutes(deps: AppDeps) {
  return new Elysia()
    .use(requireAuth(deps))
    .get("/traces", async ({ auth, query, request }) => {
      const filter = parseFilter(query);
      const page = await service.listTracePage(deps.database, auth.workspace.id, filter);
      const props = {
        rows: page.rows,
        filter: { ...query },
        nextHref: page.nextCursor ? `/traces?${filterToQuery(filter, page.nextCursor)}` : null,
        firstHref: filter.cursor ? `/traces?${filterToQuery(filter)}` : null,
      };
      if (htmxTargetId(request) === "trace-results") return html((<TraceResults {...props} />) as string);
      return renderPage(request, auth, { title: "Traces", section: "traces", body: (<TraceListPage {...props} />) as string });
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
