// Route for removing the demo data set.
import { Elysia } from "elysia";
import { requireAuth } from "../../http/auth";
import type { AppDeps } from "../../http/context";
import { redirect } from "../../http/htmx";
import { removeDemoData } from "./service";

export function demoRoutes(deps: AppDeps) {
  return new Elysia().use(requireAuth(deps)).post("/demo/remove", async ({ auth, request }) => {
    await removeDemoData(deps.database, auth.workspace.id);
    deps.logger.info("demo data removed", { workspaceId: auth.workspace.id });
    return redirect(request, "/traces");
  });
}
