// Creates an eval set, an eval and one version for tests, with feedback rows for chosen traces.
import type { Database } from "../../src/db/client";
import { evalSets, evals, evalVersions, feedback } from "../../src/db/schema";

export async function createEvalVersion(database: Database, workspaceId: string, code: string, options: { timeoutMs?: number } = {}) {
  const [set] = await database.db.insert(evalSets).values({ workspaceId, name: "Resolved?", rubric: "Did the agent resolve it?" }).returning();
  const [evaluation] = await database.db.insert(evals).values({ workspaceId, evalSetId: set!.id, name: "resolved" }).returning();
  const [version] = await database.db
    .insert(evalVersions)
    .values({ workspaceId, evalId: evaluation!.id, version: 1, origin: "manual", code, timeoutMs: options.timeoutMs ?? 2000 })
    .returning();
  return { evalSet: set!, evaluation: evaluation!, version: version! };
}

export async function labelTraces(database: Database, workspaceId: string, evalSetId: string, userId: string, labels: { traceId: string; label: "positive" | "negative" | "neutral" }[]) {
  if (labels.length === 0) return;
  await database.db.insert(feedback).values(labels.map((l) => ({ workspaceId, evalSetId, userId, traceId: l.traceId, label: l.label })));
}
