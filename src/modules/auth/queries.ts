// Database access for users, workspaces, members and sessions.
import { and, count, eq, gt, lt } from "drizzle-orm";
import type { Db } from "../../db/client";
import { members, sessions, users, workspaces, type MemberRole } from "../../db/schema";

export async function countUsers(db: Db): Promise<number> {
  const [row] = await db.select({ n: count() }).from(users);
  return row?.n ?? 0;
}

export async function findUserByEmail(db: Db, email: string) {
  const [user] = await db.select().from(users).where(eq(users.email, email));
  return user ?? null;
}

export async function insertUserWithWorkspace(
  db: Db,
  input: { email: string; name: string; passwordHash: string; workspaceName: string; role: MemberRole },
) {
  return db.transaction(async (tx) => {
    const [user] = await tx.insert(users).values({ email: input.email, name: input.name, passwordHash: input.passwordHash }).returning();
    const [workspace] = await tx.insert(workspaces).values({ name: input.workspaceName }).returning();
    await tx.insert(members).values({ workspaceId: workspace!.id, userId: user!.id, role: input.role });
    return { user: user!, workspace: workspace! };
  });
}

export async function insertUserIntoWorkspace(db: Db, input: { email: string; name: string; passwordHash: string; workspaceId: string; role: MemberRole }) {
  return db.transaction(async (tx) => {
    const [user] = await tx.insert(users).values({ email: input.email, name: input.name, passwordHash: input.passwordHash }).returning();
    await tx.insert(members).values({ workspaceId: input.workspaceId, userId: user!.id, role: input.role });
    return user!;
  });
}

/** The workspace a user signs into: their oldest membership. */
export async function firstMembership(db: Db, userId: string) {
  const [row] = await db
    .select({ workspaceId: members.workspaceId, role: members.role })
    .from(members)
    .where(eq(members.userId, userId))
    .orderBy(members.createdAt)
    .limit(1);
  return row ?? null;
}

export async function insertSession(db: Db, values: typeof sessions.$inferInsert) {
  await db.insert(sessions).values(values);
}

/** The session with its user, workspace and role, if it exists, has not expired, and the user is still a member. */
export async function findLiveSession(db: Db, sessionId: string, now: Date) {
  const [row] = await db
    .select({ session: sessions, user: users, workspace: workspaces, role: members.role })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .innerJoin(workspaces, eq(workspaces.id, sessions.workspaceId))
    .innerJoin(members, and(eq(members.userId, sessions.userId), eq(members.workspaceId, sessions.workspaceId)))
    .where(and(eq(sessions.id, sessionId), gt(sessions.expiresAt, now)));
  return row ?? null;
}

export async function extendSession(db: Db, sessionId: string, expiresAt: Date) {
  await db.update(sessions).set({ expiresAt }).where(eq(sessions.id, sessionId));
}

export async function deleteSession(db: Db, sessionId: string) {
  await db.delete(sessions).where(eq(sessions.id, sessionId));
}

export async function deleteExpiredSessions(db: Db, now: Date) {
  await db.delete(sessions).where(lt(sessions.expiresAt, now));
}

export async function findWorkspace(db: Db, workspaceId: string) {
  const [workspace] = await db.select().from(workspaces).where(eq(workspaces.id, workspaceId));
  return workspace ?? null;
}
