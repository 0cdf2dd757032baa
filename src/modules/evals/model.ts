// Inputs of the eval pages and API: hand-written code, a diff's two versions.
import { z } from "zod";
import { MAX_CODE_CHARS } from "../../sandbox";

export const handVersionInput = z.object({
  code: z.string().min(1, { message: "The code is empty." }).max(MAX_CODE_CHARS),
  timeout_ms: z.coerce.number().int().min(100).max(60_000).optional(),
});

export const previewInput = z.object({ code: z.string().max(MAX_CODE_CHARS).default("") });

export const diffQuery = z.object({ from: z.string().trim().min(1).max(100), to: z.string().trim().min(1).max(100) });
