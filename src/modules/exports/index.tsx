// Routes for exports: the matrix and a version's executions as streamed CSV / JSONL / XLSX, the executions JSON API, and the history page.
import { Elysia } from "elysia";
import { z } from "zod";
import { ExportHistoryPage } from "../../../views/pages/matrix-exports";
import { requireAuth } from "../../http/auth";
import type { AppDeps } from "../../http/context";
import { ValidationError } from "../../http/errors";
import { renderPage } from "../../http/render";
import { matrixQueryString, parseMatrixQuery } from "../matrix/model";
import { MatrixRunStatus } from "../../../views/pages/matrix";
import { html, redirect } from "../../http/htmx";
import { executionFilterInput, formatInput, scorePushInput } from "./model";
import { startScorePush } from "./score-push";
import * as q from "./queries";
import * as service from "./service";

function parseFormat(value: unknown) {
  const parsed = formatInput.safeParse(value);
  if (!parsed.success) throw new ValidationError("Format: csv, jsonl or xlsx.", parsed.error.issues);
  return parsed.data;
}

/** The query string minus the format: stored in the history so the same export can be asked again. */
function filterOf(url: URL) {
  const params = new URLSearchParams(url.search);
  params.delete("format");
  params.delete("cursor");
  return params.toString();
}

export function exportRoutes(deps: AppDeps) {
  const { database } = deps;
  return new Elysia()
    .use(requireAuth(deps))
    .get("/eval-sets/:id/matrix/export", async ({ auth, params, request }) => {
      const url = new URL(request.url);
      const format = parseFormat(url.searchParams.get("format"));
      const parsed = parseMatrixQuery(url.searchParams);
      if (!parsed.success) throw new ValidationError("The matrix filter is not valid.", parsed.issues);
      const { table, shown } = await service.matrixTable(database, auth.workspace.id, params.id, parsed.data);
      return service.streamExport(database, {
        workspaceId: auth.workspace.id,
        userId: auth.user.id,
        kind: "matrix",
        format,
        evalSetId: params.id,
        evalVersionId: null,
        filterQuery: matrixQueryString({ ...parsed.data, versionIds: shown.map((v) => v.id) }, { cursor: undefined }),
        fileName: `matrix-${params.id.slice(-8)}`,
        table,
      });
    })
    .get("/api/v1/eval-versions/:id/executions", async ({ auth, params, request }) => {
      const url = new URL(request.url);
      const parsed = executionFilterInput.safeParse(Object.fromEntries(url.searchParams));
      if (!parsed.success) throw new ValidationError("The filter is not valid.", parsed.error.issues);
      const format = url.searchParams.get("format");
      if (format && format !== "json") {
        const table = await service.executionsTable(database, auth.workspace.id, params.id, parsed.data);
        return service.streamExport(database, {
          workspaceId: auth.workspace.id,
          userId: auth.user.id,
          kind: "executions",
          format: parseFormat(format),
          evalSetId: null,
          evalVersionId: params.id,
          filterQuery: filterOf(url),
          fileName: `executions-${params.id.slice(-8)}`,
          table,
        });
      }
      const found = await service.requireVersion(database, auth.workspace.id, params.id);
      const limit = parsed.data.limit ?? 100;
      const rows = await q.executionsPage(database.db, {
        workspaceId: auth.workspace.id,
        evalSetId: found.evalSetId,
        versionId: params.id,
        filter: parsed.data,
        afterTraceId: parsed.data.cursor ?? null,
        limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      return {
        data: page.map((r) => ({
          trace_id: r.traceId,
          external_id: r.externalId,
          source: r.source,
          name: r.name,
          timestamp: r.timestamp.toISOString(),
          label: r.label,
          votes: r.votes,
          passed: r.passed,
          reason: r.reason,
          error_kind: r.errorKind,
          error_message: r.errorMessage,
          duration_ms: r.durationMs,
          ran_at: r.ranAt.toISOString(),
        })),
        next_cursor: rows.length > limit ? page.at(-1)!.traceId : null,
      };
    })
    .post("/api/v1/eval-versions/:id/langfuse-scores", async ({ auth, params, body, set }) => {
      const parsed = scorePushInput.safeParse(body);
      if (!parsed.success) throw new ValidationError("Send {integration_id}.", parsed.error.issues);
      const job = await startScorePush(database, { workspaceId: auth.workspace.id, evalVersionId: params.id, integrationId: parsed.data.integration_id, createdBy: auth.user.id });
      set.status = 202;
      return { job_id: job.id, status: job.status, url: `/jobs/${job.id}` };
    })
    .post("/langfuse-push", async ({ auth, body, request }) => {
      const parsed = scorePushInput.extend({ version_id: z.string().trim().min(1).max(100) }).safeParse(body);
      if (!parsed.success) throw new ValidationError("Choose a version and a Langfuse integration.", parsed.error.issues);
      const job = await startScorePush(database, { workspaceId: auth.workspace.id, evalVersionId: parsed.data.version_id, integrationId: parsed.data.integration_id, createdBy: auth.user.id });
      if (request.headers.get("hx-request") !== "true") return redirect(request, `/jobs/${job.id}`);
      return html((<MatrixRunStatus job={job} matrixHref={request.headers.get("hx-current-url") ?? "/exports"} />) as string, { status: 202 });
    })
    .get("/exports", async ({ auth, request }) =>
      renderPage(request, auth, { title: "Exports", section: "evals", body: (<ExportHistoryPage rows={await service.exportHistory(database, auth.workspace.id)} />) as string }),
    );
}
