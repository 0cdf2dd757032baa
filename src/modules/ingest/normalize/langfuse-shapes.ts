// Lenient zod readers for Langfuse API payloads (trace list item / detail, v1 observation, v2 observation row).
import { z } from "zod";
import { NormalizeError, formatIssues } from "./normalize-error.ts";
import { parseJsonIfJson } from "./json-values.ts";

// Only the fields the normalizer reads are declared; unknown keys (e.g. Cloud's `_deprecation`) pass through untouched.
const nullableString = z.string().nullish().transform((value) => value ?? null);

export const LangfuseTraceSchema = z.looseObject({
  id: z.string().min(1),
  timestamp: z.string().min(1),
  name: nullableString,
  input: z.unknown().optional(),
  output: z.unknown().optional(),
  metadata: z.unknown().optional(),
  tags: z.array(z.string()).nullish(),
  userId: nullableString,
  sessionId: nullableString,
  environment: nullableString,
  release: nullableString,
  version: nullableString,
});

export const LangfuseObservationSchema = z.looseObject({
  id: z.string().min(1),
  type: z.string().min(1),
  name: nullableString,
  parentObservationId: nullableString,
  startTime: z.string().min(1),
  endTime: nullableString,
  input: z.unknown().optional(),
  output: z.unknown().optional(),
  metadata: z.unknown().optional(),
  level: nullableString,
  statusMessage: nullableString,
  model: nullableString,
  usageDetails: z.unknown().optional(),
  costDetails: z.unknown().optional(),
  usage: z.unknown().optional(),
  promptTokens: z.unknown().optional(),
  completionTokens: z.unknown().optional(),
  calculatedTotalCost: z.unknown().optional(),
});

export const LangfuseV2ObservationSchema = z.looseObject({
  id: z.string().min(1),
  traceId: z.string().min(1),
  type: z.string().min(1),
  name: nullableString,
  parentObservationId: nullableString,
  startTime: z.string().min(1),
  endTime: nullableString,
  input: z.string().nullish(),
  output: z.string().nullish(),
  metadata: z.unknown().optional(),
  level: nullableString,
  statusMessage: nullableString,
  providedModelName: nullableString,
  usageDetails: z.unknown().optional(),
  costDetails: z.unknown().optional(),
  totalCost: z.unknown().optional(),
  // trace_context / basic field groups, used when no trace object is available
  traceName: nullableString,
  tags: z.array(z.string()).nullish(),
  release: nullableString,
  environment: nullableString,
  userId: nullableString,
  sessionId: nullableString,
  isRootObservation: z.boolean().nullish(),
});

export const LangfuseTraceDetailSchema = LangfuseTraceSchema.extend({
  observations: z.array(LangfuseObservationSchema),
});

export type LangfuseTrace = z.infer<typeof LangfuseTraceSchema>;
export type LangfuseV2Row = z.infer<typeof LangfuseV2ObservationSchema>;

/** The one observation shape the core normalizer reads; v1, v2 and detail payloads are all mapped onto it. */
export interface LangfuseObservation {
  id: string;
  type: string;
  name: string | null;
  parentObservationId: string | null;
  startTime: string;
  endTime: string | null;
  input: unknown;
  output: unknown;
  metadata: unknown;
  level: string | null;
  statusMessage: string | null;
  model: string | null;
  usageDetails: unknown;
  costDetails: unknown;
  legacyUsage: { input: unknown; output: unknown };
  totalCost: unknown;
}

export function parseLangfuse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new NormalizeError("invalid_langfuse", `Not a valid Langfuse ${what}`, formatIssues(result.error.issues));
  }
  return result.data;
}

export function fromV1Observation(observation: z.infer<typeof LangfuseObservationSchema>): LangfuseObservation {
  const usage = (observation.usage ?? {}) as { input?: unknown; output?: unknown };
  return {
    id: observation.id,
    type: observation.type,
    name: observation.name,
    parentObservationId: observation.parentObservationId,
    startTime: observation.startTime,
    endTime: observation.endTime,
    input: observation.input ?? null,
    output: observation.output ?? null,
    metadata: observation.metadata,
    level: observation.level,
    statusMessage: observation.statusMessage,
    model: observation.model,
    usageDetails: observation.usageDetails,
    costDetails: observation.costDetails,
    legacyUsage: { input: usage.input ?? observation.promptTokens, output: usage.output ?? observation.completionTokens },
    totalCost: observation.calculatedTotalCost,
  };
}

// v2 returns input/output as the stored raw text: JSON text is parsed back, plain text stays a string.
// The one ambiguity (a string output "42" comes back as the number 42) is inherent to the v2 API.
export function fromV2Row(row: LangfuseV2Row): LangfuseObservation {
  return {
    id: row.id,
    type: row.type,
    name: row.name,
    parentObservationId: row.parentObservationId,
    startTime: row.startTime,
    endTime: row.endTime,
    input: typeof row.input === "string" ? parseJsonIfJson(row.input) : null,
    output: typeof row.output === "string" ? parseJsonIfJson(row.output) : null,
    metadata: row.metadata,
    level: row.level,
    statusMessage: row.statusMessage,
    model: row.providedModelName ?? (typeof row.model === "string" ? row.model : null),
    usageDetails: row.usageDetails,
    costDetails: row.costDetails,
    legacyUsage: { input: undefined, output: undefined },
    totalCost: row.totalCost,
  };
}
