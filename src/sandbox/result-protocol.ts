// Validates what the jail says on its result channel; anything unexpected is a protocol violation, never trusted.
import type { SandboxLimits, StaticCheckError, TraceErrorKind, TraceResult } from "./types.ts";

const HARNESS_ERROR_KINDS: ReadonlySet<string> = new Set<TraceErrorKind>([
  "timeout", "exception", "invalid_return", "memory", "output_limit",
]);

/** `namedId`: the trace id the offending line claimed, when it had one. */
export type ParsedResult = { result: TraceResult } | { violation: string; namedId?: string };

export type ParsedLoad =
  | { ready: true }
  | { loadError: { kind: string; message: string; traceback: string; errors: StaticCheckError[] } }
  | { violation: string };

export type ParsedCheck = { check: { ok: boolean; errors: StaticCheckError[] } } | { violation: string };

/** A trace result line; `expectedId` is the trace in flight (results come back in the order sent). */
export function parseResultLine(line: string, expectedId: string, limits: SandboxLimits): ParsedResult {
  const message = parseObject(line);
  if (!message) return { violation: "a result line is not a JSON object" };
  if (message.id !== expectedId) {
    const namedId = typeof message.id === "string" ? message.id : undefined;
    const named = JSON.stringify(clip(String(message.id), 80));
    return { violation: `a result line names trace ${named} while ${JSON.stringify(expectedId)} was in flight`, namedId };
  }
  if (message.ok === true) {
    const { passed, reason, duration_ms: durationMs, stdout } = message;
    if (typeof passed !== "boolean" || typeof reason !== "string" || typeof durationMs !== "number" || typeof stdout !== "string") {
      return { violation: "a result line has malformed fields" };
    }
    return {
      result: {
        id: expectedId,
        ok: true,
        passed,
        reason: clip(reason, limits.reasonChars),
        duration_ms: Number.isFinite(durationMs) && durationMs >= 0 ? durationMs : 0,
        stdout: clip(stdout, limits.stdoutChars),
      },
    };
  }
  const error = message.ok === false ? asObject(message.error) : undefined;
  if (!error || typeof error.kind !== "string" || !HARNESS_ERROR_KINDS.has(error.kind)) {
    return { violation: "a result line is neither a result nor a known error" };
  }
  return {
    result: {
      id: expectedId,
      ok: false,
      error: {
        kind: error.kind as TraceErrorKind,
        message: clip(stringOr(error.message), limits.messageChars),
        traceback: clip(stringOr(error.traceback), limits.tracebackChars),
      },
    },
  };
}

/** The harness's first line: ready, or why the eval could not load. */
export function parseLoadLine(line: string, limits: SandboxLimits): ParsedLoad {
  const message = parseObject(line);
  if (message?.ready === true) return { ready: true };
  const failure = asObject(message?.load_error);
  if (!failure || typeof failure.kind !== "string") return { violation: "the first line is neither ready nor a load error" };
  return {
    loadError: {
      kind: failure.kind,
      message: clip(stringOr(failure.message), limits.messageChars),
      traceback: clip(stringOr(failure.traceback), limits.tracebackChars),
      errors: staticErrors(failure.errors, limits),
    },
  };
}

export function parseCheckLine(line: string, limits: SandboxLimits): ParsedCheck {
  const check = asObject(parseObject(line)?.check);
  if (!check || typeof check.ok !== "boolean") return { violation: "the check answer is malformed" };
  return { check: { ok: check.ok, errors: staticErrors(check.errors, limits) } };
}

function staticErrors(value: unknown, limits: SandboxLimits): StaticCheckError[] {
  if (!Array.isArray(value)) return [];
  return value.slice(0, 50).flatMap((entry) => {
    const error = asObject(entry);
    if (!error || typeof error.line !== "number" || typeof error.message !== "string") return [];
    return [{ line: error.line, message: clip(error.message, limits.messageChars) }];
  });
}

function parseObject(line: string): Record<string, unknown> | undefined {
  try {
    return asObject(JSON.parse(line));
  } catch {
    return undefined;
  }
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function stringOr(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** The harness clips first (with a marker); this keeps a forged line from carrying more. */
export function clip(text: string, limit: number): string {
  const slack = 64; // room for the harness's "…[N more chars]" marker
  return text.length <= limit + slack ? text : `${text.slice(0, limit)}…[${text.length - limit} more chars]`;
}
