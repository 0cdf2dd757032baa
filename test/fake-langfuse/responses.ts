// JSON responses of the fake Langfuse, shaped like the real server's: paging meta, error bodies, rate-limit headers.
import { fixtureError } from "../fixtures/langfuse/index.ts";

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}

export function unauthorized(): Response {
  const { status, body } = fixtureError("401");
  return json(body, status);
}

export function notFound(message: string): Response {
  return json({ message, error: "LangfuseNotFoundError" }, 404);
}

export function invalidRequest(issues: Array<{ path: string[]; message: string; code?: string }>): Response {
  return json({ message: "Invalid request data", error: issues.map((issue) => ({ code: issue.code ?? "custom", ...issue })) }, 400);
}

export function rateLimited(path: string, retryAfterSeconds: number, now = Date.now()): Response {
  const resetAt = new Date(now + retryAfterSeconds * 1000);
  return json(
    {
      message: `Rate limit exceeded for GET ${path}. Use GET /api/public/v2/observations?fromStartTime=<from>&toStartTime=<to> for high-volume reads.`,
      code: "rate_limited",
      details: { retryAfterSeconds, limit: 15, remaining: 0, resetAt: resetAt.toISOString() },
    },
    429,
    {
      "Retry-After": String(retryAfterSeconds),
      "X-RateLimit-Limit": "15",
      "X-RateLimit-Remaining": "0",
      "X-RateLimit-Reset": resetAt.toString(),
    },
  );
}

// Langfuse has not published what a sunset v1 endpoint answers; 410 Gone with the replacement is the assumption here.
export function endpointRemoved(method: string, path: string): Response {
  return json(
    {
      message: `${method} ${path} was removed from Langfuse Cloud on 2026-11-16 (Langfuse v4). Use GET /api/public/v2/observations?fromStartTime=<from>&toStartTime=<to> instead.`,
      code: "endpoint_removed",
      replacement: "GET /api/public/v2/observations",
      docsUrl: "https://langfuse.com/faq/all/deprecated-api-migration",
    },
    410,
  );
}

/** Cloud adds this to every legacy read response; self-hosted servers leave it out. */
export const DEPRECATION_NOTICE = {
  message:
    "On Langfuse Cloud, Langfuse v3 is deprecated and this endpoint will be removed on November 16, 2026. Use GET /api/public/v2/observations?fromStartTime=<from>&toStartTime=<to> instead.",
  replacement: "GET /api/public/v2/observations?fromStartTime=<from>&toStartTime=<to>",
  docsUrl: "https://langfuse.com/docs/api-and-data-platform/features/observations-api",
  sunsetAt: "2026-11-16",
};
