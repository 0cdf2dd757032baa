// Sign-in logic as plain functions: passwords, first-run setup, sessions (create, validate, slide, end).
import type { Database } from "../../db/client";
import { AppError, ValidationError } from "../../http/errors";
import type { Secrets } from "../../secrets";
import { hashToken, randomToken } from "./crypto";
import * as q from "./queries";
import type { AuthContext } from "./model";

export const SESSION_COOKIE = "iofold_session";
const SESSION_DAYS = 30;
const DAY_MS = 86_400_000;

export function hashPassword(password: string): Promise<string> {
  return Bun.password.hash(password, { algorithm: "argon2id" });
}

/** Used when the email is unknown so the response takes as long as a real check (no user enumeration by timing). */
let decoyHash: Promise<string> | null = null;

export async function verifyCredentials(database: Database, email: string, password: string) {
  const user = await q.findUserByEmail(database.db, email);
  decoyHash ??= hashPassword("decoy-password-for-timing");
  const ok = await Bun.password.verify(password, user?.passwordHash ?? (await decoyHash));
  return ok && user ? user : null;
}

export async function needsSetup(database: Database): Promise<boolean> {
  return (await q.countUsers(database.db)) === 0;
}

/** Creates the first user as owner of a new workspace; refuses once any user exists. */
export async function createFirstUser(database: Database, input: { name: string; email: string; password: string; workspace: string }) {
  if (!(await needsSetup(database))) throw new AppError(409, "already_set_up", "iofold is already set up. Sign in instead.");
  return q.insertUserWithWorkspace(database.db, {
    email: input.email,
    name: input.name,
    passwordHash: await hashPassword(input.password),
    workspaceName: input.workspace,
    role: "owner",
  });
}

export async function createUser(
  database: Database,
  input: { name: string; email: string; password: string; workspaceId?: string; workspaceName?: string; role?: "owner" | "admin" | "reviewer" },
) {
  if (await q.findUserByEmail(database.db, input.email)) throw new ValidationError(`A user with email ${input.email} already exists.`);
  const passwordHash = await hashPassword(input.password);
  if (input.workspaceId) {
    if (!(await q.findWorkspace(database.db, input.workspaceId))) throw new ValidationError(`No workspace ${input.workspaceId}.`);
    const user = await q.insertUserIntoWorkspace(database.db, { ...input, passwordHash, workspaceId: input.workspaceId, role: input.role ?? "reviewer" });
    return { user, workspaceId: input.workspaceId };
  }
  const created = await q.insertUserWithWorkspace(database.db, {
    ...input,
    passwordHash,
    workspaceName: input.workspaceName ?? `${input.name}'s workspace`,
    role: input.role ?? "owner",
  });
  return { user: created.user, workspaceId: created.workspace.id };
}

export async function createSession(database: Database, secrets: Secrets, userId: string, now = new Date()) {
  const membership = await q.firstMembership(database.db, userId);
  if (!membership) throw new AppError(403, "no_workspace", "This account belongs to no workspace. Ask an owner to add you.");
  const token = randomToken();
  const expiresAt = new Date(now.getTime() + SESSION_DAYS * DAY_MS);
  await q.insertSession(database.db, {
    id: hashToken(token, secrets.sessionKey),
    userId,
    workspaceId: membership.workspaceId,
    csrfToken: randomToken(24),
    expiresAt,
  });
  return { token, expiresAt };
}

/** Resolves a cookie token; sessions slide forward once past half their life so active users stay signed in. */
export async function validateSessionToken(database: Database, secrets: Secrets, token: string, now = new Date()): Promise<AuthContext | null> {
  const found = await q.findLiveSession(database.db, hashToken(token, secrets.sessionKey), now);
  if (!found) return null;
  if (found.session.expiresAt.getTime() - now.getTime() < (SESSION_DAYS / 2) * DAY_MS) {
    await q.extendSession(database.db, found.session.id, new Date(now.getTime() + SESSION_DAYS * DAY_MS));
  }
  return {
    user: { id: found.user.id, email: found.user.email, name: found.user.name },
    workspace: { id: found.workspace.id, name: found.workspace.name, hasDemoData: found.workspace.hasDemoData },
    role: found.role,
    via: "session",
    sessionId: found.session.id,
    csrfToken: found.session.csrfToken,
  };
}

export async function invalidateSession(database: Database, sessionId: string) {
  await q.deleteSession(database.db, sessionId);
}

export function sessionCookie(token: string, expiresAt: Date, secure: boolean): string {
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Expires=${expiresAt.toUTCString()}${secure ? "; Secure" : ""}`;
}

export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${secure ? "; Secure" : ""}`;
}

export function readCookie(request: Request, name: string): string | null {
  const header = request.headers.get("cookie");
  if (!header) return null;
  for (const part of header.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return rest.join("=") || null;
  }
  return null;
}

export async function findUserWorkspace(database: Database, userId: string): Promise<string | null> {
  return (await q.firstMembership(database.db, userId))?.workspaceId ?? null;
}
