// Routes of the comparison matrix: the page and its results region, cell drill-down, relabel, send to queue, runs, and the JSON API.
import { Elysia } from "elysia";
import { MatrixDrill, type DrillProps } from "../../../views/components/matrix-drill";
import { MatrixRowView, MatrixTable, type MatrixTableProps } from "../../../views/components/matrix-table";
import { MatrixPage, MatrixRunStatus } from "../../../views/pages/matrix";
import { requireAuth } from "../../http/auth";
import type { AppDeps } from "../../http/context";
import { ValidationError } from "../../http/errors";
import { html, htmxTargetId, redirect } from "../../http/htmx";
import { renderPage } from "../../http/render";
import type { AuthContext } from "../auth/model";
import { listIntegrations } from "../integrations/service";
import { listSavedFilters } from "../saved-filters/service";
import type { NormalizedTrace } from "../traces/normalized-schema";
import { matrixQueryString, parseMatrixQuery, queueInput, relabelInput, runInput, type MatrixRequest } from "./model";
import * as q from "./queries";
import * as service from "./service";

function parseRequest(request: Request): MatrixRequest {
  const parsed = parseMatrixQuery(new URL(request.url).searchParams);
  if (!parsed.success) throw new ValidationError(parsed.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "), parsed.issues);
  return parsed.data;
}

function parseBody<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: unknown[] } } }, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ValidationError("The request is not valid.", parsed.error.issues);
  return parsed.data;
}

/** `v` / `r` in a form body or query: the shown versions or reviewer columns as a comma list, so a redrawn row keeps its columns. */
function idList(source: unknown, key: "v" | "r"): string[] {
  const value = (source as Record<string, unknown> | null)?.[key];
  return typeof value === "string" ? value.split(",").filter(Boolean).slice(0, 20) : [];
}

export function matrixRoutes(deps: AppDeps) {
  const { database } = deps;

  async function drillProps(auth: AuthContext, evalSetId: string, traceId: string, versionId: string | null, shown: { versions: string[]; reviewers: string[] }, notice?: string): Promise<DrillProps> {
    const d = await service.drillDown(database, auth.workspace.id, evalSetId, traceId, versionId);
    return {
      evalSetId,
      trace: { ...d.trace, normalized: d.trace.normalized as unknown as NormalizedTrace | null },
      version: d.version ? { id: d.version.version.id, version: d.version.version.version, evalName: d.version.evalName, code: d.version.version.code, timeoutMs: d.version.version.timeoutMs } : null,
      execution: d.execution,
      votes: d.votes,
      truth: d.truth,
      myLabel: d.votes.find((v) => v.userId === auth.user.id)?.label ?? null,
      shownVersionIds: shown.versions,
      shownReviewerIds: shown.reviewers,
      notice,
    };
  }

  /** The drill-down, plus the trace's row redrawn in place (its label and colours may have changed). */
  async function drillWithRow(auth: AuthContext, evalSetId: string, traceId: string, versionId: string | null, shownIds: { versions: string[]; reviewers: string[] }, notice: string) {
    const props = await drillProps(auth, evalSetId, traceId, versionId, shownIds, notice);
    const [allVersions, reviewers] = await Promise.all([q.versionsOfSet(database.db, auth.workspace.id, evalSetId), q.reviewersByIds(database.db, shownIds.reviewers)]);
    const shown = service.chooseVersions(allVersions, shownIds.versions);
    const row = await q.matrixRowFor(database.db, auth.workspace.id, evalSetId, shown, traceId);
    return html(
      (
        <>
          <MatrixDrill {...props} />
          {row ? (
            <hx-partial hx-target={`#row-${traceId}`} hx-swap="outerHTML">
              <MatrixRowView row={row} props={{ evalSetId, shown, reviewers }} />
            </hx-partial>
          ) : ""}
        </>
      ) as string,
    );
  }

  return new Elysia()
    .use(requireAuth(deps))
    .get("/eval-sets/:id/matrix", async ({ auth, params, request }) => {
      const matrixRequest = parseRequest(request);
      const [data, sources] = await Promise.all([service.loadMatrix(database, auth.workspace.id, params.id, matrixRequest), q.sourcesOfWorkspace(database.db, auth.workspace.id)]);
      const fullPage = htmxTargetId(request) !== "matrix-results";
      const [integrations, savedFilters] = fullPage ? await Promise.all([listIntegrations(database, auth.workspace.id), listSavedFilters(database, auth.workspace.id)]) : [[], []];
      const base = `/eval-sets/${params.id}/matrix`;
      const f = matrixRequest.filter;
      const current = { ...matrixRequest, versionIds: data.shown.map((v) => v.id) };
      const tableProps: MatrixTableProps = {
        evalSetId: params.id,
        rows: data.rows,
        shown: data.shown,
        reviewers: data.reviewers,
        sort: f.sort,
        dir: f.dir,
        sortHref: (column) => `${base}?${matrixQueryString(current, { sort: column, dir: f.sort === column && f.dir === "desc" ? "asc" : "", cursor: undefined })}`,
        nextHref: data.nextCursor ? `${base}?${matrixQueryString(current, { cursor: data.nextCursor })}` : null,
        firstHref: f.cursor ? `${base}?${matrixQueryString(current, { cursor: undefined })}` : null,
      };
      if (!fullPage) return html((<MatrixTable {...tableProps} />) as string);
      return renderPage(request, auth, {
        title: `Compare · ${data.set.name}`,
        section: "evals",
        body: (
          <MatrixPage
            {...tableProps}
            set={data.set}
            allVersions={data.allVersions}
            filter={f}
            filterQuery={matrixQueryString(current, { cursor: undefined })}
            sources={sources}
            integrations={integrations.filter((i) => i.enabled).map((i) => ({ id: i.id, name: i.name }))}
            savedFilters={savedFilters.map((s) => ({ id: s.id, name: s.name }))}
            source={data.source}
          />
        ) as string,
      });
    })
    .get("/eval-sets/:id/matrix/cell", async ({ auth, params, query, request }) => {
      const traceId = String(query.trace ?? "");
      if (!traceId) throw new ValidationError("Which trace? Send ?trace=<id>.");
      const shown = { versions: parseRequest(request).versionIds, reviewers: idList(query, "r") };
      const props = await drillProps(auth, params.id, traceId, query.version ? String(query.version) : null, shown);
      return html((<MatrixDrill {...props} />) as string);
    })
    .post("/eval-sets/:id/matrix/label", async ({ auth, params, body }) => {
      const input = parseBody(relabelInput, body);
      const actor = { workspaceId: auth.workspace.id, evalSetId: params.id, userId: auth.user.id };
      await service.requireEvalSet(database, auth.workspace.id, params.id);
      await service.relabel(database, actor, input.trace_id, input.label);
      return drillWithRow(auth, params.id, input.trace_id, input.version_id || null, { versions: idList(body, "v"), reviewers: idList(body, "r") }, "Your label is saved.");
    })
    .post("/eval-sets/:id/matrix/queue", async ({ auth, params, body }) => {
      const input = parseBody(queueInput, body);
      await service.requireEvalSet(database, auth.workspace.id, params.id);
      const result = await service.sendToQueue(database, { workspaceId: auth.workspace.id, evalSetId: params.id, userId: auth.user.id }, input.trace_id);
      const notice = result.added ? "Sent to the review queue." : "This trace is already in the review queue.";
      const props = await drillProps(auth, params.id, input.trace_id, input.version_id || null, { versions: idList(body, "v"), reviewers: idList(body, "r") }, notice);
      return html((<MatrixDrill {...props} />) as string);
    })
    .post("/eval-sets/:id/matrix/run", async ({ auth, params, body, request }) => {
      const input = parseBody(runInput, body);
      await service.requireEvalSet(database, auth.workspace.id, params.id);
      const job = await service.startRun(
        database,
        { workspaceId: auth.workspace.id, evalSetId: params.id, userId: auth.user.id },
        { versionId: input.version_id, scope: input.scope, onlyMissing: input.only_missing, filterQuery: input.filter },
      );
      if (request.headers.get("hx-request") !== "true") return redirect(request, `/jobs/${job.id}`);
      return html((<MatrixRunStatus job={job} matrixHref={`/eval-sets/${params.id}/matrix${input.filter ? `?${input.filter}` : ""}`} />) as string, { status: 202 });
    })
    .get("/api/v1/eval-sets/:id/matrix", async ({ auth, params, request }) => {
      const matrixRequest = parseRequest(request);
      const data = await service.loadMatrix(database, auth.workspace.id, params.id, matrixRequest);
      return {
        eval_set: { id: data.set.id, name: data.set.name },
        versions: data.shown.map((v) => ({ id: v.id, eval_id: v.evalId, eval_name: v.evalName, version: v.version, active: v.active })),
        reviewers: data.reviewers,
        data: data.rows.map((r) => ({
          trace_id: r.traceId,
          source: r.source,
          external_id: r.externalId,
          name: r.name,
          timestamp: r.timestamp.toISOString(),
          label: r.truth,
          reviewers: r.reviewers,
          votes: r.votes,
          cells: r.cells.map((c) => ({ version_id: c.versionId, verdict: c.verdict, error_kind: c.errorKind, duration_ms: c.durationMs, agrees: c.agrees })),
          agreeing: r.agreeing,
          comparable: r.comparable,
        })),
        next_cursor: data.nextCursor,
      };
    });
}
