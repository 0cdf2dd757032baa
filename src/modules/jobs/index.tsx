// Routes for the jobs list, a job's live view and its SSE event stream, job controls, and the jobs API.
import { Elysia } from "elysia";
import { JobControls, JobDetailPage, JobsListPage, JobStreamUpdate } from "../../../views/pages/jobs";
import { requireAuth } from "../../http/auth";
import type { AppDeps } from "../../http/context";
import { html } from "../../http/htmx";
import { renderPage } from "../../http/render";
import * as q from "./queries";
import * as service from "./service";
import { sseResponse, type SseMessage } from "./sse";

/** Where a stream resumes: the browser's Last-Event-ID on reconnect, else the page's ?after=. */
function resumeFrom(request: Request, after: string | undefined): number {
  const header = Number(request.headers.get("last-event-id"));
  const fromQuery = Number(after);
  return Math.max(Number.isFinite(header) ? header : 0, Number.isFinite(fromQuery) ? fromQuery : 0);
}

export function jobRoutes(deps: AppDeps) {
  return new Elysia()
    .use(requireAuth(deps))
    .get("/jobs", async ({ auth, query, request }) => {
      const page = await service.listJobPage(deps.database, auth.workspace.id, query.before ?? null);
      return renderPage(request, auth, {
        title: "Jobs",
        section: "jobs",
        body: (<JobsListPage jobs={page.rows} nextHref={page.nextBefore ? `/jobs?before=${page.nextBefore}` : null} />) as string,
      });
    })
    .get("/jobs/:id", async ({ auth, params, request }) => {
      const job = await service.getJob(deps.database, auth.workspace.id, params.id);
      const events = await q.eventsAfter(deps.database.db, job.id, 0, 1000);
      return renderPage(request, auth, { title: `Job ${job.type}`, section: "jobs", body: (<JobDetailPage job={job} events={events} />) as string });
    })
    .get("/jobs/:id/events", async ({ auth, params, query, request }) => {
      const job = await service.getJob(deps.database, auth.workspace.id, params.id);
      const follow = service.followJobEvents(deps.database, deps.jobEvents, job, resumeFrom(request, query.after), request.signal);
      async function* messages(): AsyncGenerator<SseMessage> {
        for await (const { event, job: current } of follow) {
          yield { id: event.id, data: (<JobStreamUpdate job={current} event={event} />) as string };
        }
        yield { event: "done", data: "" };
      }
      return sseResponse(messages(), request.signal);
    })
    .post("/jobs/:id/cancel", async ({ auth, params }) => html((<JobControls job={await service.cancelJob(deps.database, auth.workspace.id, params.id)} />) as string))
    .post("/jobs/:id/pause", async ({ auth, params }) => html((<JobControls job={await service.pauseJob(deps.database, auth.workspace.id, params.id)} />) as string))
    .post("/jobs/:id/resume", async ({ auth, params }) => html((<JobControls job={await service.resume(deps.database, auth.workspace.id, params.id)} />) as string))
    .get("/api/v1/jobs", async ({ auth, query }) => {
      const page = await service.listJobPage(deps.database, auth.workspace.id, query.before ?? null);
      return { data: page.rows, next_before: page.nextBefore };
    })
    .get("/api/v1/jobs/:id", async ({ auth, params }) => service.getJob(deps.database, auth.workspace.id, params.id))
    .post("/api/v1/jobs/:id/cancel", async ({ auth, params }) => service.cancelJob(deps.database, auth.workspace.id, params.id));
}
