// Liveness (/healthz: the process answers) and readiness (/readyz: database reachable, migrations applied).
import { Elysia } from "elysia";
import { sql } from "drizzle-orm";
import type { AppDeps } from "../../http/context";
import { migrationStatus } from "../../db/migrate";

export function healthRoutes(deps: AppDeps) {
  return new Elysia()
    .get("/healthz", () => ({ status: "ok" }))
    .get("/readyz", async ({ set }) => {
      try {
        await deps.database.db.execute(sql`select 1`);
        const migrations = await migrationStatus(deps.database);
        const ready = migrations.applied >= migrations.expected;
        set.status = ready ? 200 : 503;
        return { status: ready ? "ready" : "migrating", database: deps.database.kind, migrations };
      } catch (error) {
        set.status = 503;
        return { status: "unavailable", database: deps.database.kind, error: "database unreachable" };
      }
    });
}
