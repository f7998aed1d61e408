import "server-only";
import { createHmac, timingSafeEqual } from "node:crypto";
import { issuerAccepted, MAX_TOKEN_LENGTH, type AppTokenClaims, type TokenSettings } from "./app-token.ts";
import { keyRing } from "./keys.ts";
import { isRole } from "./permissions.ts";

// The second gate's verification of an app token (Node runtime only): the
// same rules as verifyAppToken (jose, Web Crypto), decided synchronously with
// node:crypto. In Node, every Web Crypto HMAC is a job handed to another
// thread and back, which cost more than the rest of the check (README,
// Performance). tests/verify-app-token.test.ts runs both verifiers over the
// same good and hostile tokens and requires identical answers.

const SEGMENT = /^[A-Za-z0-9_-]+$/;

function decodeJson(segment: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
    return value !== null && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

export function verifyAppTokenNode(settings: TokenSettings, token: string, now = Date.now()): AppTokenClaims | null {
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) return null;
  const parts = token.split(".");
  if (parts.length !== 3 || !parts.every((part) => SEGMENT.test(part))) return null;
  const [encodedHeader, encodedPayload, signature] = parts as [string, string, string];

  const header = decodeJson(encodedHeader);
  if (!header || header.alg !== "HS256" || typeof header.kid !== "string") return null;
  // As jose compares typ: case-insensitive, with or without "application/".
  if (typeof header.typ !== "string" || header.typ.toLowerCase().replace(/^application\//, "") !== "jwt") return null;
  if (header.crit !== undefined || header.b64 !== undefined) return null;
  const key = keyRing(settings.keys).byKid.get(header.kid);
  if (!key) return null;

  // Compared as canonical base64url text: a signature with other trailing bits is not the same signature.
  const expected = Buffer.from(
    createHmac("sha256", key.secret).update(`${encodedHeader}.${encodedPayload}`).digest("base64url"),
  );
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;

  const payload = decodeJson(encodedPayload);
  if (!payload) return null;
  const seconds = Math.floor(now / 1000);
  const { exp, iat, nbf, iss, jti, role, sub } = payload;
  if (typeof exp !== "number" || !Number.isFinite(exp) || exp <= seconds) return null;
  if (typeof iat !== "number" || !Number.isFinite(iat)) return null;
  if (nbf !== undefined && (typeof nbf !== "number" || nbf > seconds)) return null;
  if (!issuerAccepted(settings, iss, sub) || typeof jti !== "string" || !isRole(role)) return null;
  return { role, iat, exp, iss, jti, kid: header.kid };
}
