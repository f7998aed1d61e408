import "server-only";
import type { Role } from "../auth/permissions.ts";
import { db } from "../db.ts";
import { auditRow } from "../audit/record.ts";
import { prismaCode } from "../db/errors.ts";
import { log } from "../log.ts";
import { verifyPassword } from "./passwords.ts";

export interface SignedInUser {
  id: string;
  username: string;
  name: string | null;
  role: Role;
}

/** A user whose credentials were just checked, with the session generation read together with them (lib/users/sessions.ts). */
export type VerifiedUser<R = Role> = Omit<SignedInUser, "role"> & { role: R; sessionGeneration: number };

/**
 * A local account whose password matches (role null when its access was
 * taken away), or null; the same effort either way.
 */
export async function verifyLocalLogin(username: string, password: string): Promise<VerifiedUser<Role | null> | null> {
  const user = await db().user.findUnique({
    where: { username },
    select: {
      id: true,
      username: true,
      name: true,
      role: true,
      provider: true,
      passwordHash: true,
      sessionGeneration: true,
    },
  });
  const ok = await verifyPassword(password, user?.provider === "local" ? user.passwordHash : null);
  if (!ok || !user) return null;
  await db().user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
  return {
    id: user.id,
    username: user.username,
    name: user.name,
    role: user.role,
    sessionGeneration: user.sessionGeneration,
  };
}

/** An SSO sign-in: the account it signs in to, or why it was refused (a sentence for the log). */
export type SsoSignIn = { ok: true; user: VerifiedUser } | { ok: false; refused: string };

/**
 * Records an SSO sign-in: creates the user on first sign-in, refreshes role,
 * email and name on every one. The username is the email only when the
 * issuer says it is verified (otherwise oidc:<sub>): an unverified claim to
 * someone's address must not take their username first. An identity whose
 * username already belongs to another account, local or another subject's,
 * is refused, never merged into it: that would hand the account over.
 */
export async function upsertSsoUser(identity: {
  subject: string;
  email?: string;
  emailVerified: boolean;
  name?: string;
  role: Role;
}): Promise<SsoSignIn> {
  const username = identity.email && identity.emailVerified ? identity.email.toLowerCase() : `oidc:${identity.subject}`;
  const upsert = () =>
    db().user.upsert({
      where: { provider_subject: { provider: "oidc", subject: identity.subject } },
      create: {
        username,
        email: identity.email,
        name: identity.name,
        role: identity.role,
        provider: "oidc",
        subject: identity.subject,
        lastLoginAt: new Date(),
      },
      update: { email: identity.email, name: identity.name, role: identity.role, lastLoginAt: new Date() },
      select: { id: true, username: true, name: true, role: true, sessionGeneration: true },
    });
  const stored = async (): Promise<VerifiedUser> => ({ ...(await upsert()), role: identity.role });
  try {
    return { ok: true, user: await stored() };
  } catch (error) {
    if (prismaCode(error) !== "P2002") throw error;
    // Prisma runs this upsert as one INSERT ... ON CONFLICT (provider, subject), so a P2002 is the
    // username's: another account holds it. Should it ever be a race of this identity's own first
    // sign-ins instead (a non-native upsert), the row is ours and the retry updates it.
    const holder = await db().user.findUnique({ where: { username }, select: { provider: true, subject: true } });
    if (!holder || (holder.provider === "oidc" && holder.subject === identity.subject))
      return { ok: true, user: await stored() };
    const owner = holder.provider === "local" ? "a local account" : `another SSO subject ("${holder.subject}")`;
    return {
      ok: false,
      refused: `subject "${identity.subject}" would take the username "${username}", which belongs to ${owner}`,
    };
  }
}

/**
 * A refused sign-in, for the audit log: the username as typed (at most 200 characters, checked plausible before),
 * never the password. The throttle bounds how many an address can cause (lib/users/login-throttle.ts); an attempt
 * it blocks is not checked and not recorded. A failure to write is logged, and the sign-in is refused anyway.
 */
export async function recordSignInFailure(
  username: string,
  address: string | null,
  method: "local" | "oidc",
  reason: string,
): Promise<void> {
  await db()
    .auditEvent.create({
      data: auditRow({ label: username, via: "console", address }, "sign_in.failed", {
        target: username,
        details: { method, reason },
      }),
    })
    .catch((error: unknown) => log.warn("could not record a refused sign-in in the audit log", error));
}
