// Job "langfuse.import": imports (or incrementally syncs) one Langfuse integration's traces; resumable from its checkpoint.
import { loadConfig } from "../../config";
import { runLangfuseImport, type LangfuseImportOptions } from "../../modules/ingest/langfuse-import";
import { LANGFUSE_IMPORT_JOB, type LangfuseImportPayload } from "../../modules/integrations/service";
import { loadSecrets } from "../../secrets";
import { defineJob } from "../definition";

export function createLangfuseImportJob(options: LangfuseImportOptions) {
  return defineJob<LangfuseImportPayload>({
    type: LANGFUSE_IMPORT_JOB,
    maxAttempts: 5,
    run: (ctx) => runLangfuseImport(ctx, options),
  });
}

let encryptionKey: Buffer | null = null;

/** The worker reads the same key the web process sealed the secret with (ENCRYPTION_KEY, else the data dir's key file). */
export const langfuseImportJob = createLangfuseImportJob({
  encryptionKey: () => (encryptionKey ??= loadSecrets(loadConfig()).encryptionKey),
});
