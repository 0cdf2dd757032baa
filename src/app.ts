// createApp(deps): composes every module into one Elysia app; tests build the app here too.
import { Elysia } from "elysia";
import type { AppDeps } from "./http/context";
import { errorHandler } from "./http/error-handler";
import { staticFiles } from "./http/static";
import { authRoutes } from "./modules/auth";
import { demoRoutes } from "./modules/demo";
import { executionRoutes } from "./modules/executions";
import { healthRoutes } from "./modules/health";
import { jobRoutes } from "./modules/jobs";
import { tokenRoutes } from "./modules/tokens";
import { traceRoutes } from "./modules/traces";

export function createApp(deps: AppDeps) {
  return new Elysia()
    .use(errorHandler(deps.logger))
    .use(staticFiles)
    .use(healthRoutes(deps))
    .use(authRoutes(deps))
    .use(traceRoutes(deps))
    .use(jobRoutes(deps))
    .use(tokenRoutes(deps))
    .use(demoRoutes(deps))
    .use(executionRoutes(deps));
}

export type App = ReturnType<typeof createApp>;
