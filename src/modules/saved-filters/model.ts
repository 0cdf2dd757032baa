// Saved trace filters: what the save form and the API accept, and a saved filter as the pages show it.
import { z } from "zod";

export const saveFilterInput = z.object({
  name: z.string().trim().min(1, "Give the filter a name.").max(100, "At most 100 characters."),
  /** The trace list's query string (what the filter form submits); normalized before it is stored. */
  filter: z.string().max(4000).optional().transform((v) => v ?? ""),
});

export interface SavedFilter {
  id: string;
  name: string;
  /** The trace list's query string, normalized: `/traces?${query}` applies it. */
  query: string;
  createdBy: string | null;
  createdAt: Date;
}
