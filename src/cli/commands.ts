// The operator commands that work on the server's database: users, tokens, migrations, demo data.
import { asc, eq } from "drizzle-orm";
import type { Booted } from "../boot";
import { migrationStatus } from "../db/migrate";
import { users, workspaces } from "../db/schema";
import { createUser, findUserWorkspace } from "../modules/auth/service";
import { resetDemoData } from "../modules/demo/service";
import { createApiToken } from "../modules/tokens/service";
import { requireFlag, UsageError, type ParsedArgs } from "./args";

export async function userCreate(booted: Booted, args: ParsedArgs): Promise<void> {
  const email = requireFlag(args, "email").toLowerCase();
  const password = typeof args.flags.password === "string" ? args.flags.password : process.env.IOFOLD_NEW_USER_PASSWORD;
  if (!password || password.length < 8) throw new UsageError("--password (or IOFOLD_NEW_USER_PASSWORD) of at least 8 characters is required");
  const role = (args.flags.role ?? "reviewer") as string;
  if (!["owner", "admin", "reviewer"].includes(role)) throw new UsageError("--role must be owner, admin or reviewer");
  const workspaceId = typeof args.flags.workspace === "string" ? args.flags.workspace : await defaultWorkspaceId(booted);
  const created = await createUser(booted.database, {
    email,
    password,
    name: typeof args.flags.name === "string" ? args.flags.name : email.split("@")[0]!,
    ...(workspaceId ? { workspaceId, role: role as "owner" | "admin" | "reviewer" } : { workspaceName: "Default workspace", role: "owner" }),
  });
  console.log(JSON.stringify({ user_id: created.user.id, email: created.user.email, workspace_id: created.workspaceId }));
}

export async function tokenCreate(booted: Booted, args: ParsedArgs): Promise<void> {
  const email = requireFlag(args, "email").toLowerCase();
  const [user] = await booted.database.db.select().from(users).where(eq(users.email, email));
  if (!user) throw new UsageError(`no user with email ${email}`);
  const workspaceId = typeof args.flags.workspace === "string" ? args.flags.workspace : await findUserWorkspace(booted.database, user.id);
  if (!workspaceId) throw new UsageError(`${email} belongs to no workspace`);
  const name = typeof args.flags.name === "string" ? args.flags.name : "cli";
  const created = await createApiToken(booted.database, booted.secrets, { workspaceId, userId: user.id, name });
  console.error(`Created token "${name}" for ${email}. It is printed once; store it now.`);
  console.log(created.token);
}

export async function migrateCommand(booted: Booted): Promise<void> {
  const status = await migrationStatus(booted.database);
  console.log(`Migrations: ${status.applied} applied of ${status.expected} shipped.`);
}

export async function demoReset(booted: Booted, args: ParsedArgs): Promise<void> {
  const workspaceId = typeof args.flags.workspace === "string" ? args.flags.workspace : await defaultWorkspaceId(booted);
  if (!workspaceId) throw new UsageError("no workspace yet: complete setup first, or pass --workspace");
  const { traces } = await resetDemoData(booted.database, workspaceId);
  console.log(`Demo data reset in workspace ${workspaceId}: ${traces} traces and the demo eval set.`);
}

async function defaultWorkspaceId(booted: Booted): Promise<string | null> {
  const [first] = await booted.database.db.select({ id: workspaces.id }).from(workspaces).orderBy(asc(workspaces.createdAt)).limit(1);
  return first?.id ?? null;
}
