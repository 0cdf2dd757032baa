// Shapes shared by the sandbox runner: trace items in, results out, limits, and the errors callers catch.

/** One trace to score; `id` tags its result (the execution job uses the trace row id). */
export interface TraceItem {
  id: string;
  trace?: unknown;
  /** The trace already serialized as JSON (as the database returns it): sent as is, sparing a parse and a stringify. */
  traceJson?: string;
  /** The trace's JSON as UTF-8 (as PGlite pages and runBatchOnThread's chunks carry it): sent as is, before `traceJson`. */
  traceBytes?: Uint8Array;
}

export type TraceErrorKind = "timeout" | "exception" | "invalid_return" | "memory" | "killed" | "output_limit";

export interface TraceError {
  kind: TraceErrorKind;
  message: string;
  traceback: string;
}

export interface TracePassed {
  id: string;
  ok: true;
  passed: boolean;
  reason: string;
  duration_ms: number;
  /** What the eval printed for this trace (stdout and stderr), capped. */
  stdout: string;
}

export interface TraceFailed {
  id: string;
  ok: false;
  error: TraceError;
}

export type TraceResult = TracePassed | TraceFailed;

export interface StaticCheckError {
  line: number;
  message: string;
}

/** Everything that bounds one jailed interpreter; `timeoutMs` is per trace. */
export interface SandboxLimits {
  timeoutMs: number;
  /** Extra wall time the parent allows past `timeoutMs` (for the harness's own alarm to report) before it kills. */
  killGraceMs: number;
  /** Wall time allowed for the interpreter to start and load the eval, on top of `timeoutMs`. */
  startupMs: number;
  memoryBytes: number;
  cpuSeconds: number;
  fileBytes: number;
  openFiles: number;
  threads: number;
  tmpBytes: number;
  /** Kept per trace in `stdout`. */
  stdoutChars: number;
  /** Printed (or written to the raw stdout/stderr fds) per trace before the trace fails with output_limit. */
  outputChars: number;
  reasonChars: number;
  messageChars: number;
  tracebackChars: number;
  /** An interpreter older than this takes no new traces; it finishes its queue and is replaced. */
  maxProcessAgeMs: number;
}

/** The eval could not be loaded (static check, syntax, module-level error or crash): no trace can run. */
export class EvalLoadError extends Error {
  constructor(
    readonly kind: "static_check" | TraceErrorKind,
    message: string,
    readonly traceback = "",
    readonly staticErrors: StaticCheckError[] = [],
  ) {
    super(message);
    this.name = "EvalLoadError";
  }
}

/** No usable jail: the message says what to install. */
export class SandboxUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SandboxUnavailableError";
  }
}

export type BackendName = "nsjail" | "bwrap" | "none";

/** How to start one jailed harness. fd 3 of the child is the result channel. */
export interface JailCommand {
  argv: string[];
  /** Data handed to the jail tool on fds 4, 5, …: each is written to its own socket, then closed. */
  inputs: Uint8Array[];
}

export interface SandboxBackend {
  readonly name: BackendName;
  /** nsjail cleans up its cgroups on SIGTERM (SIGKILL would leak them); bwrap and bare python take SIGKILL. */
  readonly killSignal: "SIGTERM" | "SIGKILL";
  /** One line for the startup log. */
  readonly description: string;
  command(limits: SandboxLimits): JailCommand;
}
