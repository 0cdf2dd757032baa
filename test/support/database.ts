// Test databases: in-memory PGlite by default, or a fresh Postgres database per call when TEST_DATABASE_URL is set.
import postgres from "postgres";
import { openDatabase, type Database } from "../../src/db/client";
import { migrate } from "../../src/db/migrate";

export interface TestDatabase {
  database: Database;
  /** The connection URL of the fresh Postgres database (null on PGlite). */
  url: string | null;
  drop(): Promise<void>;
}

/** A URL for a new, empty Postgres database next to `baseUrl`, created now; `drop` removes it. */
export async function createPostgresDatabase(baseUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `iofold_test_${Bun.randomUUIDv7().replaceAll("-", "").slice(-16)}`;
  const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
  } catch (error) {
    await admin.end();
    throw new Error(`Cannot create a test database through ${redact(baseUrl)}: ${(error as Error).message}. Is Postgres running?`);
  }
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const cleanup = postgres(baseUrl, { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) {
    const database = await openDatabase({ kind: "pglite-memory" });
    await migrate(database);
    return { database, url: null, drop: () => database.close() };
  }
  const created = await createPostgresDatabase(base);
  const database = await openDatabase({ kind: "postgres", url: created.url, max: 5 });
  await migrate(database);
  return {
    database,
    url: created.url,
    drop: async () => {
      await database.close();
      await created.drop();
    },
  };
}

/** The machine's Postgres, for tests that need several processes on one database (PGlite cannot). */
export function postgresBaseUrl(): string {
  return process.env.TEST_DATABASE_URL ?? process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = "***";
  return u.toString();
}
