import { decode, getToken } from "next-auth/jwt";
import { VerifiedCache } from "../verified-cache.ts";

// The console session (next-auth's encrypted JWT cookie), read with
// next-auth's own getToken (cookie name, chunked cookies) and decode (the
// HKDF-derived A256GCM key, 15 s clock tolerance). Edge-safe: the middleware
// reads it for its early check, withAuth and the console pages for the real
// one. Behind a cache of cookies that decrypted: next-auth derives the key
// with HKDF on every decode, and Web Crypto in Node is a round trip to another
// thread, which made the session path the slowest way to authenticate
// (README, Performance).

/**
 * What the cookie alone proves: who signed in, and which session (its row in
 * user_sessions) it is. Not the role: that can change after sign-in, so only
 * the database's current value counts (withAuth and the pages read it).
 */
export interface SessionClaims {
  userId: string;
  sessionId: string;
  username: string;
}

/** A request's cookies: NextRequest's, or next/headers' cookies() in a server component. */
export interface CookieSource {
  getAll(): { name: string; value: string }[];
}

const sessions = new VerifiedCache<SessionClaims>();

export async function readSession(
  cookies: CookieSource,
  secret: string | undefined,
  publicUrl: string | undefined,
): Promise<SessionClaims | null> {
  if (!secret) return null;
  const secureCookie = publicUrl ? publicUrl.startsWith("https://") : Boolean(process.env.VERCEL);
  // No headers: getToken would otherwise take an Authorization Bearer for a session cookie.
  const cookie = await getToken({ req: { cookies, headers: {} } as never, secret, secureCookie, raw: true });
  if (!cookie) return null;
  const known = sessions.get(secret, cookie);
  if (known) return known;
  try {
    const token = await decode({ token: cookie, secret });
    // A cookie without a session id predates ending sessions (v0.2): it cannot be ended, so it is not honoured.
    if (!token || typeof token.sub !== "string" || !token.sub || typeof token.sid !== "string") return null;
    const username = typeof token.username === "string" ? token.username : String(token.name ?? token.sub);
    const session = { userId: token.sub, sessionId: token.sid, username };
    // Until the cookie's exp plus the 15 s tolerance decode allows; one without exp (next-auth always sets it) for a minute.
    const until = typeof token.exp === "number" ? (token.exp + 15) * 1000 : Date.now() + 60_000;
    sessions.set(secret, cookie, session, until);
    return session;
  } catch {
    return null;
  }
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Cookie-authenticated writes must come from our own pages: the Origin must
 * name the host the request was made to (its Host header, or with
 * TESSERA_TRUST_PROXY the proxy's X-Forwarded-Host), or NEXTAUTH_URL's
 * origin. So the console works at whatever address people open it
 * (localhost, 127.0.0.1, a LAN address, a DNS name), while a foreign, "null"
 * or missing Origin is refused and another site cannot ride on the cookie.
 * (A browser always sends the Host of the site it talks to, and a page on
 * another site carries its own Origin; the cookie is bound to the host, so a
 * DNS-rebound name brings no cookie along.)
 */
export function isSameOriginWrite(request: Request, publicUrl: string | undefined, trustProxy: boolean): boolean {
  if (SAFE_METHODS.has(request.method)) return true;
  const origin = request.headers.get("origin");
  if (!origin || origin === "null") return false;
  let from: URL;
  try {
    from = new URL(origin);
  } catch {
    return false;
  }
  if (from.protocol !== "http:" && from.protocol !== "https:") return false;
  if (publicUrl && new URL(publicUrl).origin === from.origin) return true;
  const forwarded = trustProxy ? request.headers.get("x-forwarded-host")?.split(",")[0]?.trim() : undefined;
  const host = forwarded || request.headers.get("host");
  if (!host) return false;
  try {
    // Parsed with the Origin's scheme, so a default port written out (":80", ":443") compares equal.
    return new URL(`${from.protocol}//${host}`).host === from.host;
  } catch {
    return false;
  }
}
