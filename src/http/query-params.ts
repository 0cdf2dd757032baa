// zod pieces for query-string and form inputs, where an empty value means "not given".
import { z } from "zod";

export const optionalText = z.string().trim().max(200).optional().transform((v) => (v ? v : undefined));

/** A date in any form `new Date` reads (YYYY-MM-DD, ISO 8601), with a message naming the bad value. */
export const optionalDate = z
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
