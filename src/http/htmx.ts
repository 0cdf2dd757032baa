// Page-or-fragment responses: a full document for normal requests, the bare fragment for htmx partial swaps.
export function isPartialRequest(request: Request): boolean {
  return request.headers.get("hx-request") === "true" && request.headers.get("hx-request-type") !== "full";
}

/** The id htmx is swapping into (htmx 4 sends `tag#id`), so one route can answer for a sub-region. */
export function htmxTargetId(request: Request): string | null {
  const target = request.headers.get("hx-target");
  if (!target) return null;
  const hash = target.indexOf("#");
  return hash >= 0 ? target.slice(hash + 1) : target;
}

export function html(body: string, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set("content-type", "text/html; charset=utf-8");
  return new Response(body, { ...init, headers });
}

/** Navigates the browser: htmx follows HX-Location without a full reload, plain forms get a 303. */
export function redirect(request: Request, location: string): Response {
  if (request.headers.get("hx-request") === "true") {
    return new Response(null, { status: 200, headers: { "hx-redirect": location } });
  }
  return new Response(null, { status: 303, headers: { location } });
}
