// The sandbox's public API: what the execution job, the online scorer and the CLI use.
export { describeSandbox, nsjailAvailable, selectBackend } from "./backend.ts";
export { runBatchOnThread, type ThreadBatchOptions } from "./batch-thread.ts";
export { evalRunCommand } from "./cli-eval-run.ts";
export { DEFAULT_LIMITS, MAX_CODE_CHARS } from "./limits.ts";
export { runBatch, type RunBatchOptions } from "./run-batch.ts";
export { sandboxSelfTest } from "./self-test.ts";
export { prepareThread } from "./thread-pool.ts";
export { readSandboxSettings, type BackendChoice, type SandboxSettings } from "./settings.ts";
export { checkEvalCode, type StaticCheckResult } from "./static-check.ts";
export { WarmPool, type WarmPoolOptions } from "./warm-pool.ts";
export * from "./types.ts";
