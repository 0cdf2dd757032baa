// createApp(deps): composes every module into one Elysia app; tests build the app here too.
import { Elysia } from "elysia";
import type { AppDeps } from "./http/context";
import { errorHandler } from "./http/error-handler";
import { staticFiles } from "./http/static";
import { authRoutes } from "./modules/auth";
import { demoRoutes } from "./modules/demo";
import { evalMetricsRoutes } from "./modules/eval-metrics";
import { evalSetRoutes } from "./modules/eval-sets";
import { evalRoutes } from "./modules/evals";
import { executionRoutes } from "./modules/executions";
import { exportRoutes } from "./modules/exports";
import { healthRoutes } from "./modules/health";
import { ingestRoutes } from "./modules/ingest";
import { integrationRoutes } from "./modules/integrations";
import { jobRoutes } from "./modules/jobs";
import { matrixRoutes } from "./modules/matrix";
import { reviewRoutes } from "./modules/review";
import { savedFilterRoutes } from "./modules/saved-filters";
import { tokenRoutes } from "./modules/tokens";
import { traceRoutes } from "./modules/traces";

export function createApp(deps: AppDeps) {
  return new Elysia()
    .use(errorHandler(deps.logger))
    .use(staticFiles)
    .use(healthRoutes(deps))
    .use(authRoutes(deps))
    .use(traceRoutes(deps))
    .use(savedFilterRoutes(deps))
    .use(jobRoutes(deps))
    .use(tokenRoutes(deps))
    .use(demoRoutes(deps))
    .use(evalSetRoutes(deps))
    .use(reviewRoutes(deps))
    .use(executionRoutes(deps))
    .use(evalRoutes(deps))
    .use(matrixRoutes(deps))
    .use(evalMetricsRoutes(deps))
    .use(exportRoutes(deps))
    .use(integrationRoutes(deps))
    .use(ingestRoutes(deps));
}

export type App = ReturnType<typeof createApp>;
