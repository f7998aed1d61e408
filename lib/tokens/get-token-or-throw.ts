import "server-only";
import { ApiError } from "../api/errors.ts";
import { db } from "../db.ts";
import type { TokenResponse } from "../schemas/token.ts";
import { TOKEN_HASH } from "./hash-token.ts";
import { TOKEN_COLUMNS, toTokenResponse } from "./token-response.ts";

export function assertTokenHash(hash: string): void {
  if (!TOKEN_HASH.test(hash))
    throw new ApiError("bad_request", "Malformed token hash: expected 64 lowercase hexadecimal characters");
}

export async function getTokenOrThrow(hash: string): Promise<TokenResponse> {
  assertTokenHash(hash);
  const row = await db().applicationToken.findUnique({ where: { hash }, select: TOKEN_COLUMNS });
  if (!row) throw new ApiError("not_found", "Token not found");
  return toTokenResponse(row);
}
