// Periodic work beside the worker: once a minute, enqueues the integration syncs whose user-set schedule is due.
import type { Database } from "../db/client";
import type { Logger } from "../logger";
import { enqueueDueSyncs } from "../modules/integrations/service";

export function startScheduler(options: { database: Database; logger: Logger; everyMs?: number }): { stop(): void } {
  const tick = async () => {
    try {
      const enqueued = await enqueueDueSyncs(options.database);
      if (enqueued > 0) options.logger.info("scheduled syncs enqueued", { enqueued });
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
