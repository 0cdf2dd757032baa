// What an eval run covers: its scope of traces, and whether it reruns only what is missing or errored.
import { z } from "zod";

export const runScope = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("all") }),
  z.object({ kind: z.literal("eval-set"), evalSetId: z.string().min(1) }),
  z.object({ kind: z.literal("traces"), traceIds: z.array(z.string().min(1)).min(1).max(100_000) }),
]);
export type RunScope = z.infer<typeof runScope>;

export const runEvalInput = z.object({
  scope: runScope,
  /** true: only traces with no result yet, or whose last result was an error. */
  onlyMissing: z.boolean().default(false),
});

export interface RunEvalPayload {
  evalVersionId: string;
  scope: RunScope;
  onlyMissing: boolean;
}

/** Score one trace now: a stored one by id (its result is kept as an execution), or a normalized trace sent inline. */
export const scoreInput = z.union([
  z.object({ trace_id: z.string().min(1), store: z.boolean().default(true) }),
  z.object({ trace: z.record(z.string(), z.unknown()) }),
]);
export type ScoreInput = z.infer<typeof scoreInput>;
