// Eval set inputs (create, edit) and the label minimums below which eval generation is not meaningful.
import { z } from "zod";
import type { Label } from "../../db/schema";

export const evalSetInput = z.object({
  name: z.string().trim().min(1, { message: "Name the eval set." }).max(200),
  rubric: z
    .string()
    .trim()
    .min(1, { message: "Write the rubric: the question a reviewer answers for each trace." })
    .max(20_000)
    .transform((v) => v.replace(/\r\n/g, "\n")),
  labels_per_trace: z.coerce.number().int().min(1, { message: "Ask for at least one label per trace." }).max(10).default(1),
});
export type EvalSetInput = z.output<typeof evalSetInput>;

/**
 * Generation needs both classes it learns to separate: with fewer than 10 passing and 10 failing examples a
 * generated eval cannot be tested honestly (cross-validation folds would hold one or two of a class).
 * Neutral labels are not needed.
 */
export const GENERATION_MINIMUMS: Readonly<Record<Exclude<Label, "neutral">, number>> = { positive: 10, negative: 10 };

/** What is missing before generation is meaningful, e.g. "5 more negatives"; empty when nothing is. */
export function generationShortfall(counts: Record<Label, number>): string[] {
  const missing: string[] = [];
  for (const label of ["positive", "negative"] as const) {
    const short = GENERATION_MINIMUMS[label] - counts[label];
    if (short > 0) missing.push(`${short} more ${label}${short === 1 ? "" : "s"}`);
  }
  return missing;
}
