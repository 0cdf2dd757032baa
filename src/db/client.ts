// Opens the database: embedded PGlite in the data dir, or Postgres through postgres.js; same drizzle API.
import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import postgres from "postgres";
import * as schema from "./schema";
import { acquireDataDirLock } from "./pglite-lock";
import { pgliteTemplate } from "./pglite-template";
import { existsSync } from "node:fs";
import { join } from "node:path";

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export interface Database {
  db: Db;
  kind: "pglite" | "postgres";
  /** The connection URL when on Postgres (migrations open their own connection). */
  url?: string;
  /** The postgres.js client when on Postgres, for what drizzle cannot do (COPY). */
  postgres?: postgres.Sql;
  /** The PGlite instance when embedded, for reads drizzle would decode into strings (pglite-raw-rows.ts). */
  pglite?: PGlite;
  /** Subscribes to a NOTIFY channel; returns the unsubscribe function. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  notify(channel: string, payload: string): Promise<void>;
  close(): Promise<void>;
}

export type DatabaseTarget = { kind: "pglite"; dir: string } | { kind: "pglite-memory" } | { kind: "postgres"; url: string; max?: number };

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  if (target.kind === "postgres") return openPostgres(target.url, target.max ?? 10);
  const release = target.kind === "pglite" ? acquireDataDirLock(target.dir) : () => {};
  try {
    // A new database starts from the migrated template instead of running initdb.
    const isNew = target.kind === "pglite-memory" || !existsSync(join(target.dir, "PG_VERSION"));
    const options = isNew ? { loadDataDir: await pgliteTemplate() } : {};
    const client = target.kind === "pglite" ? await PGlite.create(target.dir, options) : await PGlite.create(options);
    return {
      db: drizzlePglite(client, { schema }) as unknown as Db,
      kind: "pglite",
      pglite: client,
      listen: async (channel, onPayload) => {
        const unsubscribe = await client.listen(channel, onPayload);
        return async () => unsubscribe();
      },
      notify: async (channel, payload) => {
        await client.query("select pg_notify($1, $2)", [channel, payload]);
      },
      close: async () => {
        await client.close();
        release();
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}

function openPostgres(url: string, max: number): Database {
  const client = postgres(url, { max, onnotice: () => {}, connection: { application_name: "iofold" } });
  return {
    db: drizzlePostgres(client, { schema }) as unknown as Db,
    kind: "postgres",
    url,
    postgres: client,
    listen: async (channel, onPayload) => {
      const subscription = await client.listen(channel, onPayload);
      return () => subscription.unlisten();
    },
    notify: async (channel, payload) => {
      await client.notify(channel, payload);
    },
    close: () => client.end({ timeout: 5 }),
  };
}
