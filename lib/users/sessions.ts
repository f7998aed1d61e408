import "server-only";
import { randomUUID } from "node:crypto";
import type { Role } from "../auth/permissions.ts";
import { auditRow } from "../audit/record.ts";
import { database, db } from "../db.ts";
import type { SignedInUser } from "./sign-in.ts";

// Console sessions that can end. next-auth's session is a stateless
// encrypted cookie; on its own it stays valid until it expires, whatever
// happens on the server. So each sign-in gets a row here, the cookie carries
// the row's id ("sid"), and a cookie is honoured only while its row exists:
// ending a session is deleting its row, which every instance sees on its very
// next request (the row is read on every request that a session makes).

/**
 * Records a sign-in; the returned id goes into the session cookie.
 * generation is the user's sessionGeneration read together with the
 * credentials that were checked: if all sessions ended since (a password
 * change racing this sign-in), the new session is born ended.
 */
export async function startSession(
  userId: string,
  generation: number,
  lifetimeSeconds: number,
  address: string | undefined,
  signIn: { username: string; method: "local" | "oidc" },
): Promise<string> {
  const id = randomUUID();
  await db().$transaction([
    // Expired rows would only be refused; this keeps the table as small as the live sessions.
    db().userSession.deleteMany({ where: { expiresAt: { lt: new Date() } } }),
    db().userSession.create({
      data: {
        id,
        userId,
        generation,
        expiresAt: new Date(Date.now() + lifetimeSeconds * 1000),
        address: address?.slice(0, 64),
      },
    }),
    db().auditEvent.create({
      data: auditRow({ label: signIn.username, via: "console", address }, "sign_in.succeeded", {
        target: signIn.username,
        details: { method: signIn.method },
      }),
    }),
  ]);
  return id;
}

/** Signing out: ends this one session, with its sign_out audit row. */
export async function endSession(id: string): Promise<void> {
  if (!isUuid(id)) return;
  await db().$transaction(async (tx) => {
    const [gone] = await tx.$queryRaw<{ username: string; address: string | null }[]>`
      DELETE FROM user_sessions s USING users u WHERE s.id = ${id}::uuid AND u.id = s.user_id
      RETURNING u.username, s.address`;
    if (gone)
      await tx.auditEvent.create({
        data: auditRow({ label: gone.username, via: "console", address: gone.address }, "sign_out", {
          target: gone.username,
        }),
      });
  });
}

/**
 * "Sign out everywhere", a password change, a role taken away: ends all of a
 * user's sessions, including any sign-in still under way (the generation goes
 * up). Returns how many sessions there were. tx: the caller's transaction.
 */
export async function endAllSessions(
  userId: string,
  tx: Pick<ReturnType<typeof db>, "user" | "userSession"> = db(),
): Promise<number> {
  await tx.user.updateMany({ where: { id: userId }, data: { sessionGeneration: { increment: 1 } } });
  const { count } = await tx.userSession.deleteMany({ where: { userId } });
  return count;
}

/**
 * The user behind a live session with their current role, or null when the
 * session has ended (signed out, expired, ended by a password or role change)
 * or the user has no role. On every session request's path: one query,
 * straight to the driver (lib/db/open.ts says why).
 */
export async function sessionUser(userId: string, sessionId: string): Promise<SignedInUser | null> {
  if (!isUuid(userId) || !isUuid(sessionId)) return null;
  const [user] = await database().query<{ id: string; username: string; name: string | null; role: Role }>(
    `SELECT u.id, u.username, u.name, u.role::text AS role
       FROM user_sessions s JOIN users u ON u.id = s.user_id
      WHERE s.id = $1 AND s.user_id = $2 AND s.expires_at > now() AND s.generation = u.session_generation AND u.role IS NOT NULL`,
    [sessionId, userId],
  );
  return user ?? null;
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
