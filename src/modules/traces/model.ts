// Trace list filters and cursors: parsed from query strings, shared by the page and the API.
import { z } from "zod";
import { optionalDate, optionalText } from "../../http/query-params";


const optionalNumber = (what: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === "") return undefined;
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0) {
        ctx.addIssue({ code: "custom", message: `${what} must be a number ≥ 0` });
        return z.NEVER;
      }
      return n;
    });

const yesNo = z.enum(["", "any", "yes", "no"]).optional().transform((v) => (v === "yes" || v === "no" ? v : undefined));

export const traceFilterInput = z.object({
  /** Full-text search over input and output: every word must appear (as a word prefix). */
  q: optionalText,
  source: optionalText,
  name: optionalText,
  /** One tag, or several separated by commas: a trace must carry all of them. */
  tag: optionalText,
  user: optionalText,
  session: optionalText,
  environment: optionalText,
  tool: optionalText,
  model: optionalText,
  errors: yesNo,
  latency_min: optionalNumber("Minimum latency"),
  latency_max: optionalNumber("Maximum latency"),
  cost_min: optionalNumber("Minimum cost"),
  cost_max: optionalNumber("Maximum cost"),
  /** With `labeled`: traces that do (yes) or do not (no) have a label in this eval set. */
  eval_set: optionalText,
  labeled: yesNo,
  from: optionalDate,
  to: optionalDate,
  cursor: optionalText,
  limit: z.coerce.number().int().min(1).max(200).optional(),
});

export type TraceFilter = z.output<typeof traceFilterInput>;

/** Keyset position: the last row's (timestamp, id), encoded opaque for URLs. */
export interface TraceCursor {
  timestamp: Date;
  id: string;
}

export function encodeCursor(cursor: TraceCursor): string {
  return Buffer.from(`${cursor.timestamp.toISOString()}|${cursor.id}`).toString("base64url");
}

export function decodeCursor(value: string | undefined): TraceCursor | null {
  if (!value) return null;
  const [iso, id] = Buffer.from(value, "base64url").toString("utf8").split("|");
  const timestamp = new Date(iso ?? "");
  return id && !Number.isNaN(timestamp.getTime()) ? { timestamp, id } : null;
}

/** The filter as query-string pairs, to build "next page" links that keep it. */
export function filterToQuery(filter: TraceFilter, cursor?: string): string {
  const params = new URLSearchParams();
  for (const key of ["q", "source", "name", "tag", "user", "session", "environment", "tool", "model", "errors", "latency_min", "latency_max", "cost_min", "cost_max", "eval_set", "labeled"] as const) {
    const value = filter[key];
    if (value !== undefined) params.set(key, String(value));
  }
  if (filter.from) params.set("from", filter.from.toISOString().slice(0, 10));
  if (filter.to) params.set("to", filter.to.toISOString().slice(0, 10));
  if (filter.limit) params.set("limit", String(filter.limit));
  if (cursor) params.set("cursor", cursor);
  return params.toString();
}
