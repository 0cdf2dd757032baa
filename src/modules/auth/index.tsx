// Routes for first-run setup, sign-in and sign-out.
import { Elysia } from "elysia";
import { SetupPage } from "../../../views/pages/setup";
import { SignInPage } from "../../../views/pages/signin";
import { requireAuth } from "../../http/auth";
import type { AppDeps } from "../../http/context";
import { html, redirect } from "../../http/htmx";
import { seedDemoData } from "../demo/service";
import { setupInput, signInInput } from "./model";
import * as auth from "./service";

/** Only same-site paths: an attacker-supplied ?next= must not send a user elsewhere after sign-in. */
function safeNext(next: unknown): string {
  return typeof next === "string" && next.startsWith("/") && !next.startsWith("//") ? next : "/traces";
}

export function authRoutes(deps: AppDeps) {
  const secure = deps.config.PUBLIC_URL?.startsWith("https://") ?? false;
  const signedIn = (token: string, expiresAt: Date, location: string) =>
    new Response(null, { status: 303, headers: { location, "set-cookie": auth.sessionCookie(token, expiresAt, secure) } });

  return new Elysia()
    .get("/", async () => {
      const location = (await auth.needsSetup(deps.database)) ? "/setup" : "/traces";
      return new Response(null, { status: 303, headers: { location } });
    })
    .get("/setup", async () => {
      if (!(await auth.needsSetup(deps.database))) return new Response(null, { status: 303, headers: { location: "/signin" } });
      return html((<SetupPage />) as string);
    })
    .post("/setup", async ({ body }) => {
      const form = (body ?? {}) as Record<string, string>;
      const parsed = setupInput.safeParse(form);
      if (!parsed.success) {
        return html((<SetupPage errors={parsed.error.issues.map((i) => i.message)} values={form} />) as string, { status: 422 });
      }
      const { user, workspace } = await auth.createFirstUser(deps.database, parsed.data);
      if (deps.config.IOFOLD_DEMO_DATA) await seedDemoData(deps.database, workspace.id);
      deps.logger.info("first user created", { userId: user.id, workspaceId: workspace.id });
      const session = await auth.createSession(deps.database, deps.secrets, user.id);
      return signedIn(session.token, session.expiresAt, "/traces");
    })
    .get("/signin", async ({ query }) => {
      if (await auth.needsSetup(deps.database)) return new Response(null, { status: 303, headers: { location: "/setup" } });
      return html((<SignInPage next={safeNext(query.next)} />) as string);
    })
    .post("/signin", async ({ body }) => {
      const form = (body ?? {}) as Record<string, string>;
      const parsed = signInInput.safeParse(form);
      if (!parsed.success) {
        return html((<SignInPage errors={parsed.error.issues.map((i) => i.message)} email={form.email ?? ""} next={form.next ?? ""} />) as string, { status: 422 });
      }
      const user = await auth.verifyCredentials(deps.database, parsed.data.email, parsed.data.password);
      if (!user) {
        return html((<SignInPage errors={["That email and password do not match an account."]} email={parsed.data.email} next={form.next ?? ""} />) as string, { status: 401 });
      }
      const session = await auth.createSession(deps.database, deps.secrets, user.id);
      return signedIn(session.token, session.expiresAt, safeNext(form.next));
    })
    .use(requireAuth(deps))
    .post("/signout", async ({ auth: caller, request }) => {
      if (caller.sessionId) await auth.invalidateSession(deps.database, caller.sessionId);
      const response = redirect(request, "/signin");
      response.headers.set("set-cookie", auth.clearedSessionCookie(secure));
      return response;
    });
}
