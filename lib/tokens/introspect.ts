import "server-only";
import { jsonResponse, rateLimitedError } from "../api/errors.ts";
import { countFailure, failureWait } from "../auth/shared-throttle.ts";
import { env } from "../env.ts";
import type { IntrospectionResponse } from "../schemas/introspection.ts";
import { tokenSettings, verifyAppToken } from "./app-token.ts";
import { hashToken } from "./hash-token.ts";
import { findTokenInUse, touchLastUsed } from "./token-use.ts";

// RFC 7662 introspection for other services: is this token one Tessera would
// accept right now, and what is it. The same two checks a request to Tessera
// itself passes (the signature and claims, then the row: not revoked, not
// disabled, not past a rotation's grace), so the answer is what Tessera would
// do. Every "no" is the same {"active": false}: a caller never learns whether
// a token was forged, expired, revoked or never existed (RFC 7662 section
// 2.2). Each "no" counts against the caller's address like a bad token sent
// to Tessera, so introspection is no faster oracle for guessing than the API
// itself, and once the address is over the limit every answer is a 429, a
// "yes" too (else a 429 would itself mean "no"); each "yes" is a use of the
// token (lastUsed, from the caller).

const INACTIVE = { active: false } as const;
const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" };

export async function introspect(token: string, callerAddress: string): Promise<Response> {
  const limit = env().TESSERA_AUTH_FAILURES_PER_MINUTE;
  const known = await failureWait(callerAddress, limit);
  if (known > 0) throw rateLimitedError(known);
  const answer = await answerFor(token, callerAddress);
  if (!answer.active) {
    const wait = await countFailure(callerAddress, limit);
    if (wait > 0) throw rateLimitedError(wait);
  }
  const response = jsonResponse(answer);
  for (const [name, value] of Object.entries(NO_STORE)) response.headers.set(name, value);
  return response;
}

async function answerFor(token: string, callerAddress: string): Promise<IntrospectionResponse> {
  const settings = env();
  if (!settings.TESSERA_APP_TOKENS_ENABLED) return INACTIVE;
  const claims = await verifyAppToken(tokenSettings(settings), token);
  if (!claims) return INACTIVE;
  const hash = hashToken(token);
  const row = await findTokenInUse(hash, callerAddress);
  if (!row) return INACTIVE;
  touchLastUsed(hash, callerAddress, settings.TESSERA_LAST_USED_INTERVAL_SECONDS);
  return {
    active: true,
    role: row.role,
    exp: claims.exp,
    iat: claims.iat,
    iss: claims.iss,
    ...(claims.sub ? { sub: claims.sub } : {}),
    name: row.name,
    hash,
    token_type: row.deviceId ? "device" : "application",
  };
}
