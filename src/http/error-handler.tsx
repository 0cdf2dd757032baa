// Maps any thrown error to the right response: JSON for the API, a partial for htmx, a page otherwise.
import { Elysia } from "elysia";
import { ErrorPage, ErrorPartial } from "../../views/pages/error";
import type { Logger } from "../logger";
import { AppError, AuthRequiredError, errorBody } from "./errors";
import { html } from "./htmx";

function toAppError(error: unknown, code: string | number): AppError {
  if (error instanceof AppError) return error;
  if (code === "NOT_FOUND") return new AppError(404, "not_found", "Page not found.");
  if (code === "VALIDATION") return new AppError(422, "invalid_input", "The request is not valid.", (error as { all?: unknown }).all);
  if (code === "PARSE") return new AppError(400, "bad_request", "The request body could not be parsed.");
  return new AppError(500, "internal", "Something went wrong on our side. It has been logged.");
}

/** The error with its cause chain (drizzle wraps the driver's error as `cause`). */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause ? `\ncaused by: ${describeError(error.cause)}` : "";
  return `${error.stack ?? error.message}${cause}`;
}

export function errorHandler(logger: Logger) {
  return new Elysia({ name: "iofold.errors" }).onError({ as: "global" }, ({ error, code, request }) => {
    const appError = toAppError(error, code);
    const url = new URL(request.url);
    if (appError.status >= 500) logger.error("request failed", { method: request.method, path: url.pathname, error: describeError(error) });
    if (url.pathname.startsWith("/api/")) return Response.json(errorBody(appError), { status: appError.status });
    if (appError instanceof AuthRequiredError) {
      const next = request.method === "GET" ? `?next=${encodeURIComponent(url.pathname + url.search)}` : "";
      if (request.headers.get("hx-request") === "true") return new Response(null, { status: 200, headers: { "hx-redirect": `/signin${next}` } });
      return new Response(null, { status: 303, headers: { location: `/signin${next}` } });
    }
    if (request.headers.get("hx-request") === "true") {
      return html((<ErrorPartial status={appError.status} message={appError.message} />) as string, { status: appError.status });
    }
    return html((<ErrorPage status={appError.status} message={appError.message} />) as string, { status: appError.status });
  });
}
