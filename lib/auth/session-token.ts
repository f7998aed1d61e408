import { jwtDecrypt } from "jose";
import type { NextRequest } from "next/server";
import { isRole, type Role } from "./permissions.ts";
import { VerifiedCache } from "./verified-cache.ts";

// The console session (next-auth's encrypted JWT cookie). Edge-safe: the
// middleware reads it for its early check, withAuth for the real one.
//
// This is next-auth v4's own getToken/decode (cookie name, chunked cookies,
// HKDF-derived A256GCM key, 15 s clock tolerance), with one difference: the
// key is derived once per secret instead of on every request, which made the
// session path the slowest way to authenticate (README, Performance).

export interface SessionClaims {
  userId: string;
  username: string;
  role: Role;
}

const keys = new Map<string, Promise<Uint8Array>>();

/** next-auth v4's encryption key: HKDF-SHA256(secret, salt "", info "NextAuth.js Generated Encryption Key"), 32 bytes. */
function encryptionKey(secret: string): Promise<Uint8Array> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle
      .importKey("raw", new TextEncoder().encode(secret), "HKDF", false, ["deriveBits"])
      .then((material) =>
        crypto.subtle.deriveBits(
          { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: new TextEncoder().encode("NextAuth.js Generated Encryption Key") },
          material,
          256,
        ),
      )
      .then((bits) => new Uint8Array(bits));
    keys.set(secret, key);
  }
  return key;
}

/** The session cookie's value: next-auth splits large ones into name.0, name.1, ... */
function sessionCookie(request: NextRequest, publicUrl: string | undefined): string | undefined {
  const secure = publicUrl ? publicUrl.startsWith("https://") : Boolean(process.env.VERCEL);
  const name = secure ? "__Secure-next-auth.session-token" : "next-auth.session-token";
  const chunks = request.cookies.getAll().filter((cookie) => cookie.name.startsWith(name));
  if (chunks.length === 0) return undefined;
  const index = (cookieName: string) => Number.parseInt(cookieName.split(".").pop() ?? "0") || 0;
  return chunks
    .sort((a, b) => index(a.name) - index(b.name))
    .map((cookie) => cookie.value)
    .join("");
}

export async function readSession(request: NextRequest, secret: string | undefined, publicUrl: string | undefined): Promise<SessionClaims | null> {
  if (!secret) return null;
  const cookie = sessionCookie(request, publicUrl);
  if (!cookie) return null;
  const known = sessions.get(secret, cookie);
  if (known) return known;
  try {
    const { payload: token } = await jwtDecrypt(cookie, await encryptionKey(secret), { clockTolerance: 15 });
    if (typeof token.sub !== "string" || !token.sub || !isRole(token.role)) return null;
    const session = { userId: token.sub, username: typeof token.username === "string" ? token.username : String(token.name ?? token.sub), role: token.role };
    // Until the cookie's exp plus the 15 s tolerance jwtDecrypt allows; one without exp (next-auth always sets it) for a minute.
    sessions.set(secret, cookie, session, typeof token.exp === "number" ? (token.exp + 15) * 1000 : Date.now() + 60_000);
    return session;
  } catch {
    return null;
  }
}

const sessions = new VerifiedCache<SessionClaims>();

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
