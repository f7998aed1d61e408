import { SignJWT, jwtVerify, errors } from "jose";
import { keyRing } from "./keys.ts";
import { isRole, type Role } from "./permissions.ts";

// Application tokens: HS256 JWTs signed by Tessera. Edge-safe (Web Crypto via
// jose), so middleware.ts and the route wrapper verify with the same code.

export interface AppTokenClaims {
  role: Role;
  iat: number;
  exp: number;
  iss: string;
  jti: string;
  kid: string;
}

/** Longer strings are refused before any parsing: a real token is ~300 characters. */
export const MAX_TOKEN_LENGTH = 4096;
const ALGORITHMS = ["HS256"];

export interface TokenSettings {
  keys: string | undefined;
  issuer: string;
}

export async function signAppToken(
  settings: TokenSettings,
  claims: { role: Role; jti: string; iat: number; exp: number },
): Promise<{ token: string; kid: string }> {
  const { signer } = keyRing(settings.keys);
  const token = await new SignJWT({ role: claims.role })
    .setProtectedHeader({ alg: "HS256", typ: "JWT", kid: signer.kid })
    .setIssuedAt(claims.iat)
    .setExpirationTime(claims.exp)
    .setIssuer(settings.issuer)
    .setJti(claims.jti)
    .sign(signer.secret);
  return { token, kid: signer.kid };
}

/**
 * Verifies signature (HS256 only, key chosen by kid among the configured
 * keys), typ, iss, exp, iat, jti and the role claim. Returns null for any
 * token that is not a valid, current Tessera app token; never throws for bad
 * input.
 */
export async function verifyAppToken(settings: TokenSettings, token: string): Promise<AppTokenClaims | null> {
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) return null;
  const ring = keyRing(settings.keys);
  try {
    const { payload, protectedHeader } = await jwtVerify(
      token,
      (header) => {
        const key = typeof header.kid === "string" ? ring.byKid.get(header.kid) : undefined;
        if (!key) throw new errors.JWKSNoMatchingKey();
        return key.secret;
      },
      { algorithms: ALGORITHMS, issuer: settings.issuer, typ: "JWT", requiredClaims: ["exp", "iat", "jti", "role"] },
    );
    if (!isRole(payload.role) || typeof payload.jti !== "string") return null;
    return {
      role: payload.role,
      iat: payload.iat!,
      exp: payload.exp!,
      iss: payload.iss!,
      jti: payload.jti,
      kid: protectedHeader.kid!,
    };
  } catch {
    return null;
  }
}
