// Integration inputs (add/edit a Langfuse project, start an import) parsed by zod, and the view types of the page.
import { z } from "zod";
import { optionalDate as sharedOptionalDate } from "../../http/query-params";

const trimmed = (max: number) => z.string().trim().max(max);
const optionalText = z.string().trim().max(200).optional().transform((v) => (v ? v : undefined));

export const integrationInput = z.object({
  name: trimmed(100).min(1, { message: "Name the connection, e.g. the Langfuse project's name." }),
  baseUrl: z
    .string()
    .trim()
    .refine((v) => /^https?:\/\/[^\s/]+/.test(v), { message: "Host URL must start with http:// or https://, e.g. https://cloud.langfuse.com" })
    .transform((v) => v.replace(/\/+$/, "")),
  publicKey: trimmed(200).min(1, { message: "Enter the project's public key (pk-lf-…)." }),
  /** Blank on edit keeps the stored secret. */
  secretKey: trimmed(500).optional().transform((v) => (v ? v : undefined)),
  syncIntervalMinutes: z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (!v) return null;
      const minutes = Number(v);
      if (!Number.isInteger(minutes) || minutes < 5 || minutes > 10_080) {
        ctx.addIssue({ code: "custom", message: "Sync interval: a whole number of minutes from 5 to 10080 (a week), or blank for no schedule." });
        return z.NEVER;
      }
      return minutes;
    }),
});

export type IntegrationInput = z.output<typeof integrationInput>;

/** Import filters keep dates as ISO strings: they travel in job payloads as JSON. */
const optionalDate = sharedOptionalDate.transform((date) => date?.toISOString());

/** What to import from Langfuse; every field narrows the import, none means everything. */
export const importFilterInput = z.object({
  from: optionalDate,
  to: optionalDate,
  name: optionalText,
  tags: z
    .string()
    .optional()
    .transform((v) => (v ? v.split(",").map((t) => t.trim()).filter(Boolean) : undefined)),
  userId: optionalText,
  sessionId: optionalText,
  environment: optionalText,
});

export type ImportFilter = z.output<typeof importFilterInput>;

export interface LangfuseSettings {
  baseUrl: string;
  publicKey: string;
}

/** An integration as pages and the API see it: never the secret. */
export interface IntegrationView {
  id: string;
  name: string;
  kind: "langfuse";
  baseUrl: string;
  publicKey: string;
  enabled: boolean;
  syncIntervalMinutes: number | null;
  lastSyncedAt: Date | null;
  createdAt: Date;
  lastJob: { id: string; status: string; type: string; createdAt: Date; error: string | null } | null;
}

export interface ConnectionCheck {
  ok: boolean;
  message: string;
}
