// Trace list filters and cursors: parsed from query strings, shared by the page and the API.
import { z } from "zod";

const optionalText = z.string().trim().max(200).optional().transform((v) => (v ? v : undefined));
const optionalDate = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (!v) return undefined;
    const date = new Date(v);
    if (Number.isNaN(date.getTime())) {
      ctx.addIssue({ code: "custom", message: `"${v}" is not a date (use YYYY-MM-DD or ISO 8601)` });
      return z.NEVER;
    }
    return date;
  });

export const traceFilterInput = z.object({
  name: optionalText,
  tag: optionalText,
  errors: z.enum(["", "any", "yes", "no"]).optional().transform((v) => (v === "yes" || v === "no" ? v : undefined)),
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
  if (filter.name) params.set("name", filter.name);
  if (filter.tag) params.set("tag", filter.tag);
  if (filter.errors) params.set("errors", filter.errors);
  if (filter.from) params.set("from", filter.from.toISOString().slice(0, 10));
  if (filter.to) params.set("to", filter.to.toISOString().slice(0, 10));
  if (filter.limit) params.set("limit", String(filter.limit));
  if (cursor) params.set("cursor", cursor);
  return params.toString();
}
