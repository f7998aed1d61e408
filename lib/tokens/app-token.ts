import { SignJWT, jwtVerify, errors, decodeProtectedHeader } from "jose";
import { TOKEN_ALGS, tokenKeyRing, type TokenAlg } from "./signing-keys.ts";
import { isRole, type Role } from "../auth/permissions.ts";
import { VerifiedCache } from "../verified-cache.ts";

// Application tokens: JWTs signed by Tessera, HS256 by default or EdDSA/ES256
// (lib/tokens/signing-keys.ts). Edge-safe (Web Crypto via jose), so
// middleware.ts and the route wrapper verify with the same code.

export interface AppTokenClaims {
  role: Role;
  iat: number;
  exp: number;
  iss: string;
  jti: string;
  kid: string;
  /** Device tokens: the device id. */
  sub?: string;
}

/** Longer strings are refused before any parsing: a real token is ~300 characters. */
export const MAX_TOKEN_LENGTH = 4096;
const ALGORITHMS: string[] = [...TOKEN_ALGS];

export interface TokenSettings {
  keys: string | undefined;
  signingKeys?: string | undefined;
  alg?: TokenAlg | undefined;
  /** The accepted `iss` values; the first is the one app tokens are signed with. */
  issuer: string | string[];
}

/**
 * The issuers a token may name: TESSERA_ISSUER (app tokens, and device
 * tokens unless TESSERA_PUBLIC_URL is set) and TESSERA_PUBLIC_URL (device
 * tokens carry it when set, so a device can decode where to send its REST
 * calls). Neither depends on the port a server happens to listen on.
 * NEXTAUTH_URL is accepted too: v0.1 signed device tokens with it.
 */
export function tokenSettings(settings: {
  TESSERA_TOKEN_KEYS?: string;
  TESSERA_SIGNING_KEYS?: string;
  TESSERA_TOKEN_ALG?: TokenAlg;
  TESSERA_ISSUER: string;
  TESSERA_PUBLIC_URL?: string;
  NEXTAUTH_URL?: string;
}): TokenSettings {
  const issuers = [settings.TESSERA_ISSUER, publicUrlOf(settings), settings.NEXTAUTH_URL?.replace(/\/+$/, "")];
  const unique = [...new Set(issuers.filter((issuer): issuer is string => Boolean(issuer)))];
  return {
    keys: settings.TESSERA_TOKEN_KEYS,
    signingKeys: settings.TESSERA_SIGNING_KEYS,
    alg: settings.TESSERA_TOKEN_ALG,
    issuer: unique.length === 1 ? unique[0]! : unique,
  };
}

/** What signs a new token: the configured keys and algorithm, with the given issuer. */
export function signerSettings(
  settings: { TESSERA_TOKEN_KEYS?: string; TESSERA_SIGNING_KEYS?: string; TESSERA_TOKEN_ALG?: TokenAlg },
  issuer: string,
): Omit<TokenSettings, "issuer"> & { issuer: string } {
  return {
    keys: settings.TESSERA_TOKEN_KEYS,
    signingKeys: settings.TESSERA_SIGNING_KEYS,
    alg: settings.TESSERA_TOKEN_ALG,
    issuer,
  };
}

/** Tessera's public URL without a trailing slash, if configured. */
export function publicUrlOf(settings: { TESSERA_PUBLIC_URL?: string }): string | undefined {
  return settings.TESSERA_PUBLIC_URL?.replace(/\/+$/, "");
}

/** The `iss` of new device tokens: stable across restarts, ports and hosts. */
export function deviceIssuer(settings: { TESSERA_ISSUER: string; TESSERA_PUBLIC_URL?: string }): string {
  return publicUrlOf(settings) ?? settings.TESSERA_ISSUER;
}

/** The issuer v0.1 gave device tokens when NEXTAUTH_URL was left to its default (`tessera start`'s http://localhost:PORT). */
const V01_DEVICE_ISSUER = /^http:\/\/localhost:\d{1,5}$/;

/**
 * Whether a correctly signed token's `iss` is acceptable: a configured
 * issuer, or, for a device token (it has `sub`), the http://localhost:PORT
 * that v0.1 signed device tokens with by default, so those keep working after
 * a restart on another port until they expire.
 */
export function issuerAccepted(settings: TokenSettings, iss: unknown, sub: unknown): iss is string {
  if (typeof iss !== "string") return false;
  const issuers = Array.isArray(settings.issuer) ? settings.issuer : [settings.issuer];
  return issuers.includes(iss) || (typeof sub === "string" && sub.length > 0 && V01_DEVICE_ISSUER.test(iss));
}

export async function signAppToken(
  settings: Omit<TokenSettings, "issuer"> & { issuer: string },
  claims: { role: Role; jti: string; iat: number; exp: number; sub?: string },
): Promise<{ token: string; kid: string }> {
  const { signer } = tokenKeyRing(settings);
  const jwt = new SignJWT({ role: claims.role })
    .setProtectedHeader({ alg: signer.alg, typ: "JWT", kid: signer.kid })
    .setIssuedAt(claims.iat)
    .setExpirationTime(claims.exp)
    .setIssuer(settings.issuer)
    .setJti(claims.jti);
  if (claims.sub) jwt.setSubject(claims.sub);
  const signed = await jwt.sign(await signer.key);
  // WebCrypto's ECDSA yields either s; the low one is the only spelling accepted (isLowS).
  const token = signer.alg === "ES256" ? withLowS(signed) : signed;
  return { token, kid: signer.kid };
}

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/**
 * An HS256 signature (32 bytes) is 43 base64url characters whose last one
 * carries 2 unused bits, which must be zero; an EdDSA or ES256 one (64 bytes)
 * is 86 characters with 4 unused bits. jose decodes leniently and would
 * accept the same signature with those bits set: a second spelling of one
 * token, with another SHA-256, so every spelling but one is refused here.
 */
function hasCanonicalSignature(token: string, alg: unknown): boolean {
  const signature = token.slice(token.lastIndexOf(".") + 1);
  if (alg === "HS256") return signature.length === 43 && BASE64URL.indexOf(signature[42]!) % 4 === 0;
  if (alg !== "EdDSA" && alg !== "ES256") return false;
  if (signature.length !== 86 || BASE64URL.indexOf(signature[85]!) % 16 !== 0) return false;
  return alg === "EdDSA" || isLowS(signature);
}

const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/** The same ES256 token with s replaced by n - s when s is the high one: equally valid, and canonical. */
function withLowS(token: string): string {
  const dot = token.lastIndexOf(".");
  const bytes = base64urlBytes(token.slice(dot + 1));
  let s = 0n;
  for (const byte of bytes.subarray(32)) s = (s << 8n) | BigInt(byte);
  if (s <= P256_HALF_ORDER) return token;
  let low = P256_ORDER - s;
  for (let i = 63; i >= 32; i--) {
    bytes[i] = Number(low & 0xffn);
    low >>= 8n;
  }
  const text = btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
  return `${token.slice(0, dot + 1)}${text}`;
}

/** Half the order of P-256's group. */
const P256_HALF_ORDER = P256_ORDER >> 1n;

/**
 * ECDSA signatures are malleable: with (r, s) valid, so is (r, n - s), a second spelling of the same token (with
 * another SHA-256) that Tessera would refuse as unknown but a verifier keyed on the token string could count apart.
 * Tessera signs and accepts only the low-s form, as Bitcoin's BIP 62 does.
 */
function isLowS(signature: string): boolean {
  const bytes = base64urlBytes(signature);
  let s = 0n;
  for (const byte of bytes.subarray(32)) s = (s << 8n) | BigInt(byte);
  return s <= P256_HALF_ORDER;
}

function base64urlBytes(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

/** The header's alg, or undefined for a token whose header does not decode. */
function headerAlg(token: string): unknown {
  try {
    return decodeProtectedHeader(token).alg;
  } catch {
    return undefined;
  }
}

/**
 * Verifies signature (the key chosen by kid among the configured keys, and
 * only with that key's own algorithm), typ, iss, exp, iat, jti and the role claim. Returns null for any
 * token that is not a valid, current Tessera app token; never throws for bad
 * input.
 */
const verified = new VerifiedCache<AppTokenClaims>();

export async function verifyAppToken(settings: TokenSettings, token: string): Promise<AppTokenClaims | null> {
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) return null;
  const source = `${settings.alg} ${settings.keys} ${settings.signingKeys} ${String(settings.issuer)}`;
  const known = verified.get(source, token);
  if (known) return known;
  const claims = await verifyUncached(settings, token);
  // exp has second precision: valid while now < exp (as jose checks it).
  if (claims) verified.set(source, token, claims, claims.exp * 1000);
  return claims;
}

async function verifyUncached(settings: TokenSettings, token: string): Promise<AppTokenClaims | null> {
  try {
    if (!hasCanonicalSignature(token, headerAlg(token))) return null;
    const ring = tokenKeyRing(settings);
    const { payload, protectedHeader } = await jwtVerify(
      token,
      (header) => {
        const key = typeof header.kid === "string" ? ring.byKid.get(header.kid) : undefined;
        // A kid names one key and the key one algorithm: no other algorithm is tried with it.
        if (!key || key.alg !== header.alg) throw new errors.JWKSNoMatchingKey();
        return key.key;
      },
      { algorithms: ALGORITHMS, typ: "JWT", requiredClaims: ["exp", "iat", "jti", "role", "iss"] },
    );
    if (!isRole(payload.role) || typeof payload.jti !== "string" || !issuerAccepted(settings, payload.iss, payload.sub))
      return null;
    return {
      role: payload.role,
      iat: payload.iat!,
      exp: payload.exp!,
      iss: payload.iss!,
      jti: payload.jti,
      kid: protectedHeader.kid!,
      ...(typeof payload.sub === "string" ? { sub: payload.sub } : {}),
    };
  } catch {
    return null;
  }
}
