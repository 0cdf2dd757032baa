// Periodic work beside the worker: every minute, due integration syncs; every ten, metric snapshots of changed versions.
import type { Database } from "../db/client";
import type { Logger } from "../logger";
import { enqueueDueSyncs } from "../modules/integrations/service";
import { snapshotAllWorkspaces } from "../modules/eval-metrics/service";

const SNAPSHOT_EVERY_TICKS = 10;

export function startScheduler(options: { database: Database; logger: Logger; everyMs?: number }): { stop(): void } {
  let ticks = 0;
  const tick = async () => {
    try {
      const enqueued = await enqueueDueSyncs(options.database);
      if (enqueued > 0) options.logger.info("scheduled syncs enqueued", { enqueued });
      // Snapshots are written only when counts changed, so several processes ticking at once add nothing twice.
      if (ticks++ % SNAPSHOT_EVERY_TICKS === 0) {
        const written = await snapshotAllWorkspaces(options.database);
        if (written > 0) options.logger.info("metric snapshots written", { written });
      }
    } catch (error) {
      options.logger.warn("scheduler tick failed", { error: String(error) });
    }
  };
  // unref: a pending tick never keeps a stopping process alive.
  const first = setTimeout(tick, 5_000);
  const timer = setInterval(tick, options.everyMs ?? 60_000);
  first.unref();
  timer.unref();
  return {
    stop() {
      clearTimeout(first);
      clearInterval(timer);
    },
  };
}
