// PGlite has no autovacuum daemon: iofold applies autovacuum's own thresholds itself, after each job and on a timer.
import { sql } from "drizzle-orm";
import type { Database } from "./client";
import { rowsOf } from "./migrate";
import type { Logger } from "../logger";

/** Postgres' defaults (autovacuum_*_threshold and *_scale_factor), so a table is vacuumed when Postgres would. */
const DEAD_ROWS = { base: 50, share: 0.2 };
const INSERTED_ROWS = { base: 1000, share: 0.2 };
const CHANGED_ROWS_FOR_ANALYZE = { base: 50, share: 0.1 };

interface TableActivity {
  table: string;
  live: number;
  dead: number;
  inserted: number;
  changed: number;
}

/**
 * Vacuums (and analyzes, when due) each table that autovacuum would pick now; returns what it did. Beyond reclaiming
 * dead rows, a vacuum right after a bulk import sets the new rows' hint bits: otherwise the first eval run over them
 * sets them, dirtying and rewriting every trace page while it runs (measured: ~7 µs per trace at 100k).
 * A no-op on Postgres, whose own autovacuum does this.
 */
export async function vacuumWhereDue(database: Database): Promise<string[]> {
  if (database.kind !== "pglite") return [];
  // A single-user backend never reaches the idle point where it reports its table counters: ask for them first.
  await database.db.execute(sql`select pg_stat_force_next_flush()`);
  const tables = rowsOf<TableActivity>(
    await database.db.execute(sql`
      select relname as "table", n_live_tup::float8 as live, n_dead_tup::float8 as dead,
        n_ins_since_vacuum::float8 as inserted, n_mod_since_analyze::float8 as changed
      from pg_stat_user_tables where schemaname = 'public'`),
  );
  const done: string[] = [];
  for (const t of tables) {
    const due = (limit: { base: number; share: number }) => limit.base + limit.share * t.live;
    const analyze = t.changed > due(CHANGED_ROWS_FOR_ANALYZE);
    if (!analyze && t.dead <= due(DEAD_ROWS) && t.inserted <= due(INSERTED_ROWS)) continue;
    await database.db.execute(sql.raw(`vacuum ${analyze ? "(analyze) " : ""}"${t.table.replaceAll('"', '""')}"`));
    done.push(analyze ? `${t.table} (analyzed)` : t.table);
  }
  return done;
}

/** Runs vacuumWhereDue every `everyMs` (and when asked) on a PGlite database; stop() waits for a pass under way. */
export function startPgliteVacuum(database: Database, logger: Logger, everyMs = 60_000) {
  let running: Promise<void> = Promise.resolve();
  const pass = () => {
    running = running.then(async () => {
      try {
        const done = await vacuumWhereDue(database);
        if (done.length) logger.info("vacuumed", { tables: done });
      } catch (error) {
        logger.warn("vacuum failed", { error: String(error) });
      }
    });
    return running;
  };
  const timer = database.kind === "pglite" ? setInterval(pass, everyMs) : undefined;
  timer?.unref();
  return {
    /** Checks now, e.g. after a job that wrote many rows. */
    now: () => (database.kind === "pglite" ? pass() : Promise.resolve()),
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
