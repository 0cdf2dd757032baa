// Default limits for a jailed interpreter, and their translation into the harness's header.
import type { SandboxLimits } from "./types.ts";

const MiB = 1024 * 1024;

/** Longer eval code is refused before it reaches a jail. */
export const MAX_CODE_CHARS = 200_000;

export const DEFAULT_LIMITS: SandboxLimits = {
  timeoutMs: 2000,
  killGraceMs: 250,
  startupMs: 3000,
  memoryBytes: 512 * MiB,
  cpuSeconds: 300,
  fileBytes: 8 * MiB,
  openFiles: 64,
  // threads only: fork is refused by seccomp; counted per jail (each jail has its own user namespace)
  threads: 16,
  tmpBytes: 16 * MiB,
  stdoutChars: 8192,
  outputChars: MiB,
  reasonChars: 2000,
  messageChars: 2000,
  tracebackChars: 4000,
  maxProcessAgeMs: 120_000,
};

export function resolveLimits(overrides: Partial<SandboxLimits> = {}, timeoutMs?: number): SandboxLimits {
  return { ...DEFAULT_LIMITS, ...overrides, ...(timeoutMs === undefined ? {} : { timeoutMs }) };
}

/** The `limits` object of the harness's first stdin line (sandbox/harness.py reads these keys). */
export function harnessLimits(limits: SandboxLimits): Record<string, number> {
  return {
    timeout_ms: limits.timeoutMs,
    memory_bytes: limits.memoryBytes,
    cpu_seconds: limits.cpuSeconds,
    file_bytes: limits.fileBytes,
    open_files: limits.openFiles,
    threads: limits.threads,
    stdout_chars: limits.stdoutChars,
    output_chars: limits.outputChars,
    reason_chars: limits.reasonChars,
    message_chars: limits.messageChars,
    traceback_chars: limits.tracebackChars,
  };
}
