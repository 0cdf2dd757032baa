// Applies the drizzle-kit migrations in migrations/ at boot, identically for PGlite and Postgres.
import { readMigrationFiles } from "drizzle-orm/migrator";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { join } from "node:path";
import type { Database } from "./client";
import type { PgliteDatabase } from "drizzle-orm/pglite";

export const migrationsFolder = join(import.meta.dir, "..", "..", "migrations");

/** An arbitrary constant: iofold processes booting against one Postgres migrate one at a time. */
const MIGRATION_LOCK_ID = 5_061_221;

export async function migrate(database: Database): Promise<{ applied: number }> {
  const before = (await migrationStatus(database)).applied;
  if (database.kind === "pglite") {
    await migratePglite(database.db as unknown as PgliteDatabase, { migrationsFolder });
  } else {
    // One dedicated connection, so the session-level advisory lock and the migration share it.
    const client = postgres(database.url!, { max: 1, onnotice: () => {} });
    try {
      await client`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
      await migratePostgres(drizzlePostgres(client), { migrationsFolder });
    } finally {
      await client.end({ timeout: 5 });
    }
  }
  return { applied: (await migrationStatus(database)).applied - before };
}

/** How many migrations the database has applied, and how many this build ships. */
export async function migrationStatus(database: Database): Promise<{ applied: number; expected: number }> {
  const expected = readMigrationFiles({ migrationsFolder }).length;
  const exists = rowsOf<{ present: boolean }>(
    await database.db.execute(sql`select to_regclass('drizzle.__drizzle_migrations') is not null as present`),
  );
  if (!exists[0]?.present) return { applied: 0, expected };
  const counted = rowsOf<{ n: number }>(await database.db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`));
  return { applied: Number(counted[0]?.n ?? 0), expected };
}

/** postgres.js returns rows as the result itself; PGlite wraps them in `.rows`. */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}
