// Integration logic: add, edit, disable and delete Langfuse connections, test them, and start imports and syncs.
import { sql } from "drizzle-orm";
import type { Database, Db } from "../../db/client";
import { NotFoundError, ValidationError } from "../../http/errors";
import { appendJobEvent, enqueueJob, JOBS_CHANNEL, type Job } from "../../jobs/queue";
import { LangfuseReader, LangfuseRequestError, type LangfuseCredentials, type ReaderOptions } from "./langfuse-adapter";
import type { ConnectionCheck, ImportFilter, IntegrationInput, IntegrationView, LangfuseSettings } from "./model";
import * as q from "./queries";
import { openSecret, sealSecret } from "./secret-box";

export const LANGFUSE_IMPORT_JOB = "langfuse.import";

/** What a langfuse.import job is asked to do: a one-off import of a filter, or a sync from the stored cursor. */
export interface LangfuseImportPayload {
  integrationId: string;
  mode: "import" | "sync";
  filter?: Partial<ImportFilter>;
}

function settingsOf(row: q.IntegrationRow): LangfuseSettings {
  const settings = row.settings as Partial<LangfuseSettings>;
  return { baseUrl: String(settings.baseUrl ?? ""), publicKey: String(settings.publicKey ?? "") };
}

export function toView(row: q.IntegrationRow, lastJob: IntegrationView["lastJob"] = null): IntegrationView {
  const { baseUrl, publicKey } = settingsOf(row);
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    baseUrl,
    publicKey,
    enabled: row.enabled,
    syncIntervalMinutes: row.syncIntervalMinutes ? Number(row.syncIntervalMinutes) : null,
    lastSyncedAt: row.lastSyncedAt,
    createdAt: row.createdAt,
    lastJob,
  };
}

export async function listIntegrations(database: Database, workspaceId: string): Promise<IntegrationView[]> {
  const rows = await q.listIntegrations(database.db, workspaceId);
  const jobs = new Map((await q.latestJobs(database.db, workspaceId, rows.map((r) => r.id))).map((j) => [j.integrationId, j]));
  return rows.map((row) => toView(row, jobs.get(row.id) ?? null));
}

export async function getIntegration(database: Database, workspaceId: string, id: string): Promise<q.IntegrationRow> {
  const row = await q.findIntegration(database.db, workspaceId, id);
  if (!row) throw new NotFoundError("Integration");
  return row;
}

export async function createIntegration(database: Database, key: Buffer, workspaceId: string, input: IntegrationInput): Promise<IntegrationView> {
  if (!input.secretKey) throw new ValidationError("Enter the project's secret key (sk-lf-…).");
  const row = await q.insertIntegration(database.db, {
    workspaceId,
    kind: "langfuse",
    name: input.name,
    settings: { baseUrl: input.baseUrl, publicKey: input.publicKey } satisfies LangfuseSettings,
    secretCiphertext: sealSecret(key, input.secretKey, workspaceId),
    syncIntervalMinutes: input.syncIntervalMinutes === null ? null : String(input.syncIntervalMinutes),
  });
  return toView(row);
}

/** A blank secret keeps the stored one, so editing the name never requires re-entering it. */
export async function updateIntegration(database: Database, key: Buffer, workspaceId: string, id: string, input: IntegrationInput): Promise<IntegrationView> {
  const row = await q.updateIntegration(database.db, workspaceId, id, {
    name: input.name,
    settings: { baseUrl: input.baseUrl, publicKey: input.publicKey } satisfies LangfuseSettings,
    ...(input.secretKey ? { secretCiphertext: sealSecret(key, input.secretKey, workspaceId) } : {}),
    syncIntervalMinutes: input.syncIntervalMinutes === null ? null : String(input.syncIntervalMinutes),
  });
  if (!row) throw new NotFoundError("Integration");
  return toView(row);
}

export async function setEnabled(database: Database, workspaceId: string, id: string, enabled: boolean): Promise<IntegrationView> {
  const row = await q.updateIntegration(database.db, workspaceId, id, { enabled });
  if (!row) throw new NotFoundError("Integration");
  return toView(row);
}

/** Imported traces stay (their integration_id becomes null); only the connection goes. */
export async function deleteIntegration(database: Database, workspaceId: string, id: string): Promise<void> {
  if (!(await q.deleteIntegration(database.db, workspaceId, id))) throw new NotFoundError("Integration");
}

export function credentialsOf(row: q.IntegrationRow, key: Buffer): LangfuseCredentials {
  const { baseUrl, publicKey } = settingsOf(row);
  return { baseUrl, publicKey, secretKey: openSecret(key, row.secretCiphertext, row.workspaceId) };
}

/** Asks the server which read APIs it offers; a short policy, since a person is waiting. */
export async function checkConnection(credentials: LangfuseCredentials, options: ReaderOptions = {}): Promise<ConnectionCheck> {
  const reader = new LangfuseReader(credentials, { policy: { maxAttempts: 2, timeoutMs: 10_000, maxDelayMs: 2_000 }, ...options });
  try {
    const api = await reader.probe();
    if (api.traceList) return { ok: true, message: `Connected. Reading traces through the trace list${api.observationsV2 ? " and v2 observations" : " and v1 observations"}.` };
    if (api.observationsV2) return { ok: true, message: "Connected. This server only offers v2 observations (Langfuse v4 / Cloud): traces are rebuilt from them." };
    return { ok: false, message: "The server answered but offers neither the trace list nor v2 observations. Is this a Langfuse URL?" };
  } catch (error) {
    const message = error instanceof LangfuseRequestError ? error.message : `Cannot reach ${credentials.baseUrl}: ${(error as Error).message}`;
    return { ok: false, message };
  }
}

export async function testIntegration(database: Database, key: Buffer, workspaceId: string, id: string): Promise<ConnectionCheck> {
  const row = await getIntegration(database, workspaceId, id);
  return checkConnection(credentialsOf(row, key));
}

export async function startImport(
  database: Database,
  workspaceId: string,
  id: string,
  userId: string | null,
  request: { mode: "import"; filter: ImportFilter } | { mode: "sync" },
): Promise<Job> {
  const row = await getIntegration(database, workspaceId, id);
  if (!row.enabled) throw new ValidationError("This integration is disabled: enable it before importing.");
  const payload: LangfuseImportPayload = { integrationId: id, mode: request.mode, ...(request.mode === "import" ? { filter: request.filter } : {}) };
  return enqueueJob(database, { workspaceId, type: LANGFUSE_IMPORT_JOB, payload: { ...payload }, createdBy: userId });
}

/** An arbitrary constant: schedulers in several processes take turns, so a due sync is enqueued once. */
const SCHEDULER_LOCK_ID = 5_061_404;

/** Enqueues a sync for every integration whose schedule is due; returns how many were enqueued. */
export async function enqueueDueSyncs(database: Database, now = new Date()): Promise<number> {
  const jobIds = await database.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${SCHEDULER_LOCK_ID})`);
    const due = await q.dueForSync(tx as unknown as Db, now);
    const payloads = due.map(({ id, workspaceId }) => ({ workspaceId, payload: { integrationId: id, mode: "sync" } satisfies LangfuseImportPayload }));
    return q.insertQueuedJobs(tx as unknown as Db, LANGFUSE_IMPORT_JOB, payloads);
  });
  // Announced after commit (PGlite runs one statement at a time, so nothing may query outside the transaction inside it).
  for (const jobId of jobIds) {
    await appendJobEvent(database, jobId, "status", { status: "queued" });
    await database.notify(JOBS_CHANNEL, jobId);
  }
  return jobIds.length;
}

export async function recordSync(database: Database, workspaceId: string, id: string, until: string): Promise<void> {
  await q.updateIntegration(database.db, workspaceId, id, { syncCursor: { until }, lastSyncedAt: new Date() });
}
