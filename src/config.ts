// Environment parsed by zod at boot: one clear message per missing or malformed variable.
import { z } from "zod";
import { resolve } from "node:path";

const booleanFlag = z
  .enum(["true", "false", "1", "0", "yes", "no"], { message: "must be true or false" })
  .transform((v) => v === "true" || v === "1" || v === "yes");

const base64Key = z
  .string()
  .refine((v) => Buffer.from(v, "base64").length === 32, { message: "must be 32 bytes, base64-encoded (openssl rand -base64 32)" });

const envSchema = z.object({
  PORT: z.coerce.number({ message: "must be a port number" }).int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default("127.0.0.1"),
  DATABASE_URL: z
    .string()
    .refine((v) => /^postgres(ql)?:\/\//.test(v), { message: "must start with postgres:// or postgresql://" })
    .optional(),
  DATA_DIR: z.string().min(1).default("./data"),
  PUBLIC_URL: z.url({ message: "must be a full URL such as https://iofold.example.com" }).optional(),
  IOFOLD_ADMIN_EMAIL: z.email({ message: "must be an email address" }).optional(),
  IOFOLD_ADMIN_PASSWORD: z.string().min(8, { message: "must be at least 8 characters" }).optional(),
  IOFOLD_DEMO_DATA: booleanFlag.default(true),
  SESSION_SECRET: base64Key.optional(),
  ENCRYPTION_KEY: base64Key.optional(),
  IOFOLD_WORKER: booleanFlag.default(true),
  WORKER_CONCURRENCY: z.coerce.number({ message: "must be a whole number" }).int().min(1).max(64).default(2),
  SANDBOX: z.enum(["auto", "nsjail", "bwrap", "none"], { message: "must be auto, nsjail, bwrap or none" }).default("auto"),
  SANDBOX_TIMEOUT_MS: z.coerce.number({ message: "must be milliseconds" }).int().min(1).max(600_000).default(2000),
  SANDBOX_CONCURRENCY: z.coerce.number({ message: "must be a whole number" }).int().min(1).max(256).optional(),
  ANTHROPIC_API_KEY: z.string().min(1).optional(),
  ANTHROPIC_BASE_URL: z.url({ message: "must be a URL" }).optional(),
  IOFOLD_LLM_MODEL: z.string().min(1).default("claude-sonnet-5-5"),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"], { message: "must be debug, info, warn or error" }).default("info"),
});

export type Env = z.infer<typeof envSchema>;

export interface Config extends Omit<Env, "DATA_DIR"> {
  dataDir: string;
  database: { kind: "pglite"; dir: string } | { kind: "postgres"; url: string };
  llmMode: "anthropic" | "offline";
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

/** Reads the environment; blank values count as unset so `FOO=` in a compose file means "default". */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ""));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  }
  const e = parsed.data;
  if ((e.IOFOLD_ADMIN_EMAIL === undefined) !== (e.IOFOLD_ADMIN_PASSWORD === undefined)) {
    throw new ConfigError(["IOFOLD_ADMIN_EMAIL and IOFOLD_ADMIN_PASSWORD: set both or neither"]);
  }
  const dataDir = resolve(e.DATA_DIR);
  return {
    ...e,
    dataDir,
    database: e.DATABASE_URL ? { kind: "postgres", url: e.DATABASE_URL } : { kind: "pglite", dir: resolve(dataDir, "pglite") },
    llmMode: e.ANTHROPIC_API_KEY ? "anthropic" : "offline",
  };
}

/** Where a Postgres URL points, without its password, for logs. */
export function describeDatabase(config: Config): string {
  if (config.database.kind === "pglite") return `embedded PGlite at ${config.database.dir}`;
  const url = new URL(config.database.url);
  return `Postgres at ${url.hostname}:${url.port || 5432}${url.pathname}`;
}
