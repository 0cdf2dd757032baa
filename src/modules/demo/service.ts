// The demo data set: generated agent traces plus one eval set, seeded on first run and removable in one click.
import type { Database } from "../../db/client";
import { storeTraces } from "../traces/service";
import { DEMO_EVAL_SET, generateDemoTraces } from "./generate";
import * as q from "./queries";
import { addTracesToQueue } from "../review/service";

export const DEMO_TRACE_COUNT = 300;
const INSERT_BATCH = 100;

export async function seedDemoData(database: Database, workspaceId: string, now = new Date()): Promise<{ traces: number }> {
  const generated = generateDemoTraces({ count: DEMO_TRACE_COUNT, now });
  for (let i = 0; i < generated.length; i += INSERT_BATCH) {
    await storeTraces(
      database,
      generated.slice(i, i + INSERT_BATCH).map((t) => ({ workspaceId, source: "demo", externalId: t.externalId, raw: t.raw, normalized: t.normalized, isDemo: true })),
    );
  }
  const evalSetId = await q.insertDemoEvalSet(database.db, workspaceId, DEMO_EVAL_SET.name, DEMO_EVAL_SET.rubric);
  // The demo set's review queue holds every demo trace, so a newcomer can start labeling at once.
  await addTracesToQueue(database, workspaceId, evalSetId, await q.demoTraceIds(database.db, workspaceId));
  await q.setHasDemoData(database.db, workspaceId, true);
  return { traces: generated.length };
}

export async function removeDemoData(database: Database, workspaceId: string) {
  await q.deleteDemoRows(database.db, workspaceId);
}

/** Removes any demo rows and seeds them anew (the CLI's `demo reset`). */
export async function resetDemoData(database: Database, workspaceId: string) {
  await removeDemoData(database, workspaceId);
  return seedDemoData(database, workspaceId);
}
