import "server-only";
import { randomBytes } from "node:crypto";
import { ApiError } from "../api/errors.ts";
import type { Role } from "../auth/permissions.ts";
import { database, db } from "../db.ts";
import { prismaCode } from "../db/errors.ts";
import { hashPassword } from "./passwords.ts";
import { endAllSessions } from "./sessions.ts";

export function generatePassword(): string {
  return randomBytes(18).toString("base64url");
}

/**
 * On first start with local login on: when no local admin exists, creates
 * "admin" with TESSERA_ADMIN_PASSWORD, or with a generated password that the
 * caller prints once. Returns what it did.
 */
export async function ensureFirstAdmin(
  configuredPassword: string | undefined,
): Promise<{ created: false } | { created: true; username: string; password: string; generated: boolean }> {
  // Plain SQL for the question every start asks: the Prisma client's first query costs 0.7 s of CPU (its query
  // compiler in WebAssembly), which `tessera start` would otherwise pay only for this.
  const [existing] = await database().query(
    `SELECT 1 FROM users WHERE provider = 'local' AND role = 'admin' LIMIT 1`,
    [],
  );
  if (existing) return { created: false };
  const password = configuredPassword ?? generatePassword();
  try {
    await db().user.create({
      data: {
        username: "admin",
        role: "admin",
        provider: "local",
        passwordHash: await hashPassword(password),
        name: "Administrator",
      },
    });
  } catch (error) {
    if (prismaCode(error) === "P2002") return { created: false }; // another instance was first
    throw error;
  }
  return { created: true, username: "admin", password, generated: configuredPassword === undefined };
}

export async function createLocalUser(username: string, role: Role, password: string): Promise<void> {
  if (!/^[A-Za-z0-9._@-]{1,200}$/.test(username))
    throw new ApiError("bad_request", "username must be 1-200 of A-Z a-z 0-9 . _ @ -");
  if (password.length < 12) throw new ApiError("bad_request", "password must be at least 12 characters");
  try {
    await db().user.create({ data: { username, role, provider: "local", passwordHash: await hashPassword(password) } });
  } catch (error) {
    if (prismaCode(error) === "P2002") throw new ApiError("conflict", `A user named ${username} already exists`);
    throw error;
  }
}

/** A new password ends every session of the account (in the same transaction: no window where an old session survives it). */
export async function setLocalPassword(username: string, password: string): Promise<void> {
  if (password.length < 12) throw new ApiError("bad_request", "password must be at least 12 characters");
  const passwordHash = await hashPassword(password);
  await db().$transaction(async (tx) => {
    const user = await tx.user.findFirst({ where: { username, provider: "local" }, select: { id: true } });
    if (!user) throw new ApiError("not_found", `No local user named ${username}`);
    await tx.user.update({ where: { id: user.id }, data: { passwordHash } });
    await endAllSessions(user.id, tx);
  });
}

/** Sets a user's role; null ("none") takes their access away and ends all their sessions. */
export async function setUserRole(username: string, role: Role | null): Promise<void> {
  await db().$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { username }, select: { id: true } });
    if (!user) throw new ApiError("not_found", `No user named ${username}`);
    await tx.user.update({ where: { id: user.id }, data: { role } });
    if (role === null) await endAllSessions(user.id, tx);
  });
}

/** Ends every session of a user (the operator's "sign out everywhere"); returns how many. */
export async function signOutUser(username: string): Promise<number> {
  const user = await db().user.findUnique({ where: { username }, select: { id: true } });
  if (!user) throw new ApiError("not_found", `No user named ${username}`);
  return db().$transaction((tx) => endAllSessions(user.id, tx));
}
