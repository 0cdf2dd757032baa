// Export inputs: the format, and the filter of a version's executions (verdict, error kind, label, run date, cursor).
import { z } from "zod";
import { optionalDate } from "../../http/query-params";
import { executionErrorKinds, exportFormats, labels } from "../../db/schema";

export const formatInput = z.enum(exportFormats, { message: "Format: csv, jsonl or xlsx." });
export type ExportFormat = z.output<typeof formatInput>;


export const executionFilterInput = z.object({
  verdict: z.union([z.enum(["pass", "fail", "error"]), z.literal("")]).optional().transform((v) => v || undefined),
  error: z.union([z.enum(executionErrorKinds), z.literal("")]).optional().transform((v) => v || undefined),
  label: z.union([z.enum([...labels, "none"]), z.literal("")]).optional().transform((v) => v || undefined),
  /** On the time the version ran on the trace. */
  from: optionalDate,
  to: optionalDate,
  cursor: z.string().trim().max(200).optional().transform((v) => v || undefined),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});
export type ExecutionFilter = z.output<typeof executionFilterInput>;

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: "text/csv; charset=utf-8",
  jsonl: "application/x-ndjson; charset=utf-8",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
};

export const scorePushInput = z.object({ integration_id: z.string().trim().min(1).max(100) });
