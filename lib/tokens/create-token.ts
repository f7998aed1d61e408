import "server-only";
import { randomUUID } from "node:crypto";
import { ApiError } from "../api/errors.ts";
import { signAppToken } from "../auth/app-token.ts";
import { db } from "../db.ts";
import { prismaCode } from "../db/errors.ts";
import { env } from "../env.ts";
import type { CreateTokenInput, CreatedTokenResponse } from "../schemas/token.ts";
import { hashToken } from "./hash-token.ts";
import { toTokenResponse } from "./token-response.ts";

/**
 * Signs a new application token and stores its hash. The token string is
 * returned here once and never stored. The unique name is enforced by the
 * database, so of concurrent creates with one name exactly one wins (409 for
 * the others).
 */
export async function createToken(
  requestedBy: string,
  input: CreateTokenInput,
  now = new Date(),
): Promise<CreatedTokenResponse> {
  const settings = env();
  // JWT exp has second precision; validUntil is stored as exactly that instant.
  const exp = Math.floor(input.validUntil.getTime() / 1000);
  const validUntil = new Date(exp * 1000);
  if (validUntil.getTime() <= now.getTime()) throw new ApiError("bad_request", "validUntil must be in the future");
  const maxDays = settings.TESSERA_TOKEN_MAX_DAYS;
  if (validUntil.getTime() > now.getTime() + maxDays * 86_400_000) {
    throw new ApiError("bad_request", `validUntil must be at most ${maxDays} days from now`);
  }

  const jti = randomUUID();
  const { token, kid } = await signAppToken(
    { keys: settings.TESSERA_TOKEN_KEYS, issuer: settings.TESSERA_ISSUER },
    { role: input.role, jti, iat: Math.floor(now.getTime() / 1000), exp },
  );
  try {
    const row = await db().applicationToken.create({
      data: { hash: hashToken(token), name: input.name, role: input.role, kid, jti, requestedBy, issueDate: now, validUntil },
    });
    return { token, ...toTokenResponse(row, now.getTime()) };
  } catch (error) {
    if (prismaCode(error) === "P2002") throw new ApiError("conflict", "Token with the same name already exists");
    throw error;
  }
}
