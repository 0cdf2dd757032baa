// The error every normalizer throws, carrying what a caller needs to record the failure beside the raw payload.
import type { NormalizedTrace } from "../../traces/normalized-schema.ts";

export type NormalizeErrorCode =
  | "unrecognized_shape"
  | "invalid_langfuse"
  | "invalid_openai"
  | "invalid_normalized"
  | "invalid_output";

export class NormalizeError extends Error {
  override readonly name = "NormalizeError";

  constructor(
    readonly code: NormalizeErrorCode,
    message: string,
    /** One "path: problem" line per problem found, for display next to the raw record. */
    readonly issues: string[] = [],
  ) {
    super(issues.length > 0 ? `${message}: ${issues.join("; ")}` : message);
  }
}

/** What every normalizer returns: the contract shape plus the untouched source payload. */
export interface NormalizeResult {
  normalized: NormalizedTrace;
  raw: unknown;
}

type IssueLike = { path: PropertyKey[]; message: string };

export function formatIssues(issues: readonly IssueLike[], limit = 10): string[] {
  const lines = issues.slice(0, limit).map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
  if (issues.length > limit) lines.push(`…and ${issues.length - limit} more`);
  return lines;
}

function formatPath(path: PropertyKey[]): string {
  if (path.length === 0) return "(root)";
  return path
    .map((part, index) => (typeof part === "number" ? `[${part}]` : `${index === 0 ? "" : "."}${String(part)}`))
    .join("");
}
