import "server-only";
import type { Role } from "../auth/permissions.ts";
import { db } from "../db.ts";
import { verifyPassword } from "./passwords.ts";

export interface SignedInUser {
  id: string;
  username: string;
  name: string | null;
  role: Role;
}

/**
 * A local account whose password matches (role null when its access was
 * taken away), or null; the same effort either way.
 */
export async function verifyLocalLogin(username: string, password: string): Promise<(Omit<SignedInUser, "role"> & { role: Role | null }) | null> {
  const user = await db().user.findUnique({
    where: { username },
    select: { id: true, username: true, name: true, role: true, provider: true, passwordHash: true },
  });
  const ok = await verifyPassword(password, user?.provider === "local" ? user.passwordHash : null);
  if (!ok || !user) return null;
  await db().user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
  return { id: user.id, username: user.username, name: user.name, role: user.role };
}

/** Records an SSO sign-in: creates the user on first sign-in, refreshes role, email and name on every one. */
export async function upsertSsoUser(identity: { subject: string; email?: string; name?: string; role: Role }): Promise<SignedInUser> {
  const username = identity.email?.toLowerCase() ?? `oidc:${identity.subject}`;
  const user = await db().user.upsert({
    where: { provider_subject: { provider: "oidc", subject: identity.subject } },
    create: { username, email: identity.email, name: identity.name, role: identity.role, provider: "oidc", subject: identity.subject, lastLoginAt: new Date() },
    update: { email: identity.email, name: identity.name, role: identity.role, lastLoginAt: new Date() },
    select: { id: true, username: true, name: true, role: true },
  });
  return { ...user, role: identity.role };
}
