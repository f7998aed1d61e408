import { jwtDecrypt } from "jose";
import type { NextRequest } from "next/server";
import { VerifiedCache } from "./verified-cache.ts";

// The console session (next-auth's encrypted JWT cookie). Edge-safe: the
// middleware reads it for its early check, withAuth for the real one.
//
// This is next-auth v4's own getToken/decode (cookie name, chunked cookies,
// HKDF-derived A256GCM key, 15 s clock tolerance), with one difference: the
// key is derived once per secret instead of on every request, which made the
// session path the slowest way to authenticate (README, Performance).

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

const keys = new Map<string, Promise<Uint8Array>>();

/** next-auth v4's encryption key: HKDF-SHA256(secret, salt "", info "NextAuth.js Generated Encryption Key"), 32 bytes. */
function encryptionKey(secret: string): Promise<Uint8Array> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle
      .importKey("raw", new TextEncoder().encode(secret), "HKDF", false, ["deriveBits"])
      .then((material) =>
        crypto.subtle.deriveBits(
          {
            name: "HKDF",
            hash: "SHA-256",
            salt: new Uint8Array(0),
            info: new TextEncoder().encode("NextAuth.js Generated Encryption Key"),
          },
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

export async function readSession(
  request: NextRequest,
  secret: string | undefined,
  publicUrl: string | undefined,
): Promise<SessionClaims | null> {
  if (!secret) return null;
  const cookie = sessionCookie(request, publicUrl);
  if (!cookie) return null;
  const known = sessions.get(secret, cookie);
  if (known) return known;
  try {
    const { payload: token } = await jwtDecrypt(cookie, await encryptionKey(secret), { clockTolerance: 15 });
    // A cookie without a session id predates ending sessions (v0.2): it cannot be ended, so it is not honoured.
    if (typeof token.sub !== "string" || !token.sub || typeof token.sid !== "string") return null;
    const session = {
      userId: token.sub,
      sessionId: token.sid,
      username: typeof token.username === "string" ? token.username : String(token.name ?? token.sub),
    };
    // Until the cookie's exp plus the 15 s tolerance jwtDecrypt allows; one without exp (next-auth always sets it) for a minute.
    sessions.set(
      secret,
      cookie,
      session,
      typeof token.exp === "number" ? (token.exp + 15) * 1000 : Date.now() + 60_000,
    );
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
