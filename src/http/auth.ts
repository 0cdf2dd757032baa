// The auth guard: resolves the caller from a session cookie or bearer token and enforces CSRF on cookie mutations.
import { Elysia } from "elysia";
import type { AuthContext } from "../modules/auth/model";
import { readCookie, SESSION_COOKIE, validateSessionToken } from "../modules/auth/service";
import { constantTimeEqual } from "../modules/auth/crypto";
import { validateApiToken } from "../modules/tokens/service";
import type { AppDeps } from "./context";
import { AuthRequiredError, CsrfError } from "./errors";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export async function authenticate(deps: AppDeps, request: Request): Promise<AuthContext | null> {
  const authorization = request.headers.get("authorization");
  if (authorization?.toLowerCase().startsWith("bearer ")) {
    return validateApiToken(deps.database, deps.secrets, authorization.slice(7).trim());
  }
  const token = readCookie(request, SESSION_COOKIE);
  return token ? validateSessionToken(deps.database, deps.secrets, token) : null;
}

/** Cookie-authenticated mutations must echo the session's CSRF token (header from htmx, or form field). */
export function checkCsrf(auth: AuthContext, request: Request, body: unknown): void {
  if (auth.via !== "session" || SAFE_METHODS.has(request.method)) return;
  const sent = request.headers.get("x-csrf-token") ?? (body && typeof body === "object" ? (body as Record<string, unknown>)._csrf : undefined);
  if (typeof sent !== "string" || !auth.csrfToken || !constantTimeEqual(sent, auth.csrfToken)) throw new CsrfError();
}

/** Adds `auth` to every route of the module that uses it; unauthenticated callers never reach a handler. */
export function requireAuth(deps: AppDeps) {
  return new Elysia({ name: "iofold.require-auth" }).resolve({ as: "scoped" }, async ({ request, body }) => {
    const auth = await authenticate(deps, request);
    if (!auth) throw new AuthRequiredError();
    checkCsrf(auth, request, body);
    return { auth };
  });
}
