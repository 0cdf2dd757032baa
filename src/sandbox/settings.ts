// The sandbox's operator settings, read from the environment in this one place.
import { availableParallelism } from "node:os";

export type BackendChoice = "auto" | "nsjail" | "bwrap" | "none";

export interface SandboxSettings {
  /** SANDBOX: which jail to use; "auto" picks nsjail, then bwrap. "none" only when set explicitly. */
  backend: BackendChoice;
  /** SANDBOX_TIMEOUT_MS: per-trace deadline. */
  timeoutMs: number;
  /** SANDBOX_CONCURRENCY: jailed interpreters one batch runs in parallel; by default one per core left free. */
  concurrency: number;
}

export interface SandboxSettingsOptions {
  /** Cores the caller keeps busy itself (e.g. an embedded database on its thread): not counted for the default concurrency. */
  coresTaken?: number;
}

const BACKEND_CHOICES: readonly BackendChoice[] = ["auto", "nsjail", "bwrap", "none"];

export function readSandboxSettings(
  env: Record<string, string | undefined> = process.env,
  { coresTaken = 0 }: SandboxSettingsOptions = {},
): SandboxSettings {
  const backend = (env.SANDBOX?.trim() || "auto") as BackendChoice;
  if (!BACKEND_CHOICES.includes(backend)) {
    throw new Error(`SANDBOX must be one of ${BACKEND_CHOICES.join(", ")}; got "${env.SANDBOX}"`);
  }
  return {
    backend,
    timeoutMs: positiveInteger(env, "SANDBOX_TIMEOUT_MS", 2000, 600_000),
    concurrency: positiveInteger(env, "SANDBOX_CONCURRENCY", Math.max(1, availableParallelism() - coresTaken), 256),
  };
}

function positiveInteger(env: Record<string, string | undefined>, name: string, fallback: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new Error(`${name} must be a whole number from 1 to ${max}; got "${raw}"`);
  }
  return value;
}
