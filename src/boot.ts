// Shared startup for the server, worker and CLI: config, secrets, database, migrations, first admin.
import { describeDatabase, loadConfig, type Config } from "./config";
import { openDatabase, type Database } from "./db/client";
import { migrate } from "./db/migrate";
import { createLogger, type Logger } from "./logger";
import { createUser, needsSetup } from "./modules/auth/service";
import { seedDemoData } from "./modules/demo/service";
import { loadSecrets, type Secrets } from "./secrets";
import { describeSandbox } from "./sandbox";

export interface Booted {
  config: Config;
  secrets: Secrets;
  database: Database;
  logger: Logger;
}

export async function boot(role: "server" | "worker" | "cli", env = process.env): Promise<Booted> {
  const config = loadConfig(env);
  const logger = createLogger(config.LOG_LEVEL);
  const secrets = loadSecrets(config);
  const database = await openDatabase(config.database);
  logger.info(`${role} starting`, {
    database: describeDatabase(config),
    dataDir: config.dataDir,
    sandbox: describeSandbox(config.SANDBOX),
    llm: config.llmMode === "anthropic" ? `Claude (${config.IOFOLD_LLM_MODEL})` : "offline synthesizer (no ANTHROPIC_API_KEY)",
  });
  for (const generated of secrets.generated) logger.warn(`generated a new secret: ${generated}`);
  if (config.database.kind === "postgres" && secrets.generated.length) {
    logger.warn("running on Postgres with secrets generated into the local data dir: set SESSION_SECRET and ENCRYPTION_KEY so every process shares them");
  }
  const { applied } = await migrate(database);
  if (applied) logger.info("migrations applied", { applied });
  return { config, secrets, database, logger };
}

/** IOFOLD_ADMIN_EMAIL / IOFOLD_ADMIN_PASSWORD create the first user without the setup page. */
export async function ensureHeadlessAdmin({ config, database, logger }: Booted): Promise<void> {
  if (!config.IOFOLD_ADMIN_EMAIL || !config.IOFOLD_ADMIN_PASSWORD || !(await needsSetup(database))) return;
  const { user, workspaceId } = await createUser(database, {
    name: config.IOFOLD_ADMIN_EMAIL.split("@")[0]!,
    email: config.IOFOLD_ADMIN_EMAIL.toLowerCase(),
    password: config.IOFOLD_ADMIN_PASSWORD,
    workspaceName: "Default workspace",
    role: "owner",
  });
  if (config.IOFOLD_DEMO_DATA) await seedDemoData(database, workspaceId);
  logger.info("admin user created from IOFOLD_ADMIN_EMAIL", { userId: user.id, workspaceId });
}
