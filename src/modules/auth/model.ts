// Auth inputs and the authenticated caller every protected route receives.
import { z } from "zod";
import type { MemberRole } from "../../db/schema";

export const signInInput = z.object({
  email: z.email({ message: "Enter a valid email address." }).transform((e) => e.toLowerCase()),
  password: z.string().min(1, { message: "Enter your password." }),
});

export const setupInput = z.object({
  name: z.string().trim().min(1, { message: "Enter your name." }).max(100),
  email: z.email({ message: "Enter a valid email address." }).transform((e) => e.toLowerCase()),
  password: z.string().min(8, { message: "Use at least 8 characters." }).max(200),
  workspace: z.string().trim().min(1, { message: "Name your workspace." }).max(100),
});

export interface AuthContext {
  user: { id: string; email: string; name: string };
  workspace: { id: string; name: string; hasDemoData: boolean };
  role: MemberRole;
  /** "session" for a browser cookie (CSRF-checked), "token" for an API bearer token. */
  via: "session" | "token";
  sessionId?: string;
  csrfToken?: string;
}
