// Personal API tokens: created once (the secret is shown only then), stored hashed, accepted as Bearer tokens.
import type { Database } from "../../db/client";
import type { Secrets } from "../../secrets";
import { hashToken, randomToken } from "../auth/crypto";
import type { AuthContext } from "../auth/model";
import * as q from "./queries";

const TOKEN_PREFIX = "iof_";

export async function createApiToken(database: Database, secrets: Secrets, input: { workspaceId: string; userId: string; name: string }) {
  const token = TOKEN_PREFIX + randomToken();
  const row = await q.insertToken(database.db, {
    workspaceId: input.workspaceId,
    userId: input.userId,
    name: input.name,
    tokenHash: hashToken(token, secrets.sessionKey),
    prefix: token.slice(0, TOKEN_PREFIX.length + 6),
  });
  return { token, id: row.id, name: row.name, prefix: row.prefix };
}

export async function validateApiToken(database: Database, secrets: Secrets, token: string, now = new Date()): Promise<AuthContext | null> {
  if (!token.startsWith(TOKEN_PREFIX)) return null;
  const found = await q.findLiveTokenByHash(database.db, hashToken(token, secrets.sessionKey));
  if (!found) return null;
  // Last-used at minute precision: enough for users, and spares a write on every request.
  if (!found.token.lastUsedAt || now.getTime() - found.token.lastUsedAt.getTime() > 60_000) await q.touchToken(database.db, found.token.id, now);
  return {
    user: { id: found.user.id, email: found.user.email, name: found.user.name },
    workspace: { id: found.workspace.id, name: found.workspace.name, hasDemoData: found.workspace.hasDemoData },
    role: found.role,
    via: "token",
  };
}

export const listApiTokens = (database: Database, auth: AuthContext) => q.listTokens(database.db, auth.workspace.id, auth.user.id);
export const revokeApiToken = (database: Database, auth: AuthContext, id: string) => q.revokeToken(database.db, auth.workspace.id, auth.user.id, id);
