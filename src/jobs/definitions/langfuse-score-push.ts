// Job "langfuse.score-push": sends one eval version's verdicts to a Langfuse project as BOOLEAN scores, resumably and without duplicates.
import { loadConfig } from "../../config";
import type { Database } from "../../db/client";
import type { LangfuseCredentials } from "../../modules/integrations/langfuse-adapter";
import { credentialsOf, getIntegration } from "../../modules/integrations/service";
import {
  countPushable,
  findVersionForPush,
  LANGFUSE_SCORE_PUSH_JOB,
  LangfuseScoreWriter,
  pushableVerdictPage,
  scoreBody,
  scoreNameFor,
  ScorePushError,
  type ScorePushPayload,
  type WriterOptions,
} from "../../modules/exports/score-push";
import { loadSecrets } from "../../secrets";
import { defineJob, PermanentJobError } from "../definition";

const PAGE = 100;
const PROGRESS_EVERY_MS = 500;

export type CredentialsResolver = (database: Database, workspaceId: string, integrationId: string) => Promise<LangfuseCredentials>;

let encryptionKey: Buffer | null = null;

/**
 * The integration's host and keys, its secret opened with the server's encryption key. Jobs get no secrets in
 * their context, so the key is read the way boot reads it (ENCRYPTION_KEY or the data dir's key file).
 */
export const resolveLangfuseCredentials: CredentialsResolver = async (database, workspaceId, integrationId) => {
  encryptionKey ??= loadSecrets(loadConfig(process.env)).encryptionKey;
  return credentialsOf(await getIntegration(database, workspaceId, integrationId), encryptionKey);
};

export function createLangfuseScorePushJob(options: { credentials?: CredentialsResolver; writer?: Omit<WriterOptions, "signal"> } = {}) {
  return defineJob<ScorePushPayload>({
    type: LANGFUSE_SCORE_PUSH_JOB,
    maxAttempts: 5,
    async run(ctx) {
      const { workspaceId } = ctx.job;
      const { evalVersionId, integrationId } = ctx.payload;
      const db = ctx.database.db;
      const version = await findVersionForPush(db, workspaceId, evalVersionId);
      if (!version) throw new PermanentJobError(`Eval version ${evalVersionId} no longer exists.`);
      let credentials: LangfuseCredentials;
      try {
        credentials = await (options.credentials ?? resolveLangfuseCredentials)(ctx.database, workspaceId, integrationId);
      } catch (error) {
        throw new PermanentJobError(`The Langfuse integration cannot be used: ${error instanceof Error ? error.message : String(error)}`);
      }
      const writer = new LangfuseScoreWriter(credentials, {
        ...options.writer,
        signal: ctx.signal,
        onRetry: ({ attempt, status, waitMs }) => void ctx.log(`Langfuse answered ${status ?? "no response"}; retrying in ${waitMs} ms (attempt ${attempt})`),
      });

      const total = await countPushable(db, workspaceId, evalVersionId, integrationId);
      // A resumed run starts after the last trace it confirmed; ids are deterministic, so an overlap only re-sends.
      const checkpoint = ctx.job.checkpoint ?? {};
      let after = typeof checkpoint.after === "string" ? checkpoint.after : null;
      let pushed = Number(checkpoint.pushed ?? 0);
      await ctx.progress({ done: pushed, total, pushed });
      if (total === 0) {
        await ctx.log("No verdicts to push: none of this version's results are on traces imported from this Langfuse project.");
        return { pushed: 0, total: 0 };
      }
      try {
        const name = scoreNameFor(version.evalName);
        const configId = await writer.ensureBooleanConfig(name, `iofold eval "${version.evalName}": 1 = pass, 0 = fail. The comment holds the eval's reason.`);
        await ctx.log(`Pushing ${total} verdicts as score "${name}"`);
        let lastProgress = 0;
        while (true) {
          ctx.throwIfStopped();
          const page = await pushableVerdictPage(db, workspaceId, evalVersionId, integrationId, after, PAGE);
          for (const verdict of page) {
            ctx.throwIfStopped();
            await writer.createScore(scoreBody({ version, configId, verdict }));
            pushed++;
            after = verdict.traceId;
            if (Date.now() - lastProgress >= PROGRESS_EVERY_MS) {
              lastProgress = Date.now();
              await ctx.checkpoint({ after, pushed });
              await ctx.progress({ done: pushed, total, pushed });
            }
          }
          if (page.length < PAGE) break;
        }
      } catch (error) {
        if (after) await ctx.checkpoint({ after, pushed });
        if (error instanceof ScorePushError && !error.retryable) throw new PermanentJobError(error.message);
        throw error;
      }
      await ctx.checkpoint({ after, pushed });
      await ctx.progress({ done: pushed, total, pushed });
      return { pushed, total, scoreName: scoreNameFor(version.evalName) };
    },
  });
}

export const langfuseScorePushJob = createLangfuseScorePushJob();
