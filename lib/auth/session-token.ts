import { getToken } from "next-auth/jwt";
import type { NextRequest } from "next/server";
import { isRole, type Role } from "./permissions.ts";

// The console session (next-auth's encrypted JWT cookie). Edge-safe: the
// middleware reads it for its early check, withAuth for the real one.

export interface SessionClaims {
  userId: string;
  username: string;
  role: Role;
}

export async function readSession(request: NextRequest, secret: string | undefined): Promise<SessionClaims | null> {
  if (!secret) return null;
  try {
    const token = await getToken({ req: request, secret });
    if (!token?.sub || !isRole(token.role)) return null;
    return { userId: token.sub, username: typeof token.username === "string" ? token.username : String(token.name ?? token.sub), role: token.role };
  } catch {
    return null;
  }
}

/** Whether the request carries a next-auth session cookie at all (cheap, before decrypting it). */
export function hasSessionCookie(request: NextRequest): boolean {
  return request.cookies.getAll().some((cookie) => /(^|\.)next-auth\.session-token(\.\d+)?$/.test(cookie.name));
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Cookie-authenticated writes must come from our own pages: the Origin must
 * be this server's (or NEXTAUTH_URL's). A foreign, "null" or missing Origin is
 * refused, so another site cannot ride on the session cookie.
 */
export function isSameOriginWrite(request: NextRequest, publicUrl: string | undefined): boolean {
  if (SAFE_METHODS.has(request.method)) return true;
  const origin = request.headers.get("origin");
  if (!origin || origin === "null") return false;
  const allowed = new Set([request.nextUrl.origin]);
  if (publicUrl) allowed.add(new URL(publicUrl).origin);
  return allowed.has(origin);
}
