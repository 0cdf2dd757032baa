// Routes for the API token settings page and the token API.
import { Elysia } from "elysia";
import { z } from "zod";
import { TokensPage } from "../../../views/pages/tokens";
import { requireAuth } from "../../http/auth";
import type { AppDeps } from "../../http/context";
import { ValidationError } from "../../http/errors";
import { renderPage } from "../../http/render";
import * as service from "./service";

const createInput = z.object({ name: z.string().trim().min(1, { message: "Name the token." }).max(100) });

export function tokenRoutes(deps: AppDeps) {
  return new Elysia()
    .use(requireAuth(deps))
    .get("/settings/tokens", async ({ auth, request }) => {
      const tokens = await service.listApiTokens(deps.database, auth);
      return renderPage(request, auth, { title: "API tokens", section: "settings", body: (<TokensPage tokens={tokens} />) as string });
    })
    .post("/settings/tokens", async ({ auth, body, request }) => {
      const parsed = createInput.safeParse(body);
      if (!parsed.success) throw new ValidationError(parsed.error.issues[0]!.message);
      const created = await service.createApiToken(deps.database, deps.secrets, { workspaceId: auth.workspace.id, userId: auth.user.id, name: parsed.data.name });
      const tokens = await service.listApiTokens(deps.database, auth);
      // no-store: the one response that holds the token must not linger in caches.
      return renderPage(request, auth, { title: "API tokens", section: "settings", body: (<TokensPage tokens={tokens} created={created.token} />) as string }, { headers: { "cache-control": "no-store" } });
    })
    .post("/settings/tokens/:id/revoke", async ({ auth, params, request }) => {
      await service.revokeApiToken(deps.database, auth, params.id);
      const tokens = await service.listApiTokens(deps.database, auth);
      return renderPage(request, auth, { title: "API tokens", section: "settings", body: (<TokensPage tokens={tokens} />) as string });
    })
    .get("/api/v1/me", ({ auth }) => ({ user: auth.user, workspace: { id: auth.workspace.id, name: auth.workspace.name }, role: auth.role }));
}
