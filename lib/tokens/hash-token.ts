import { createHash } from "node:crypto";

/** The stored identifier of a token: SHA-256 of the token string, 64 lowercase hex characters. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export const TOKEN_HASH = /^[0-9a-f]{64}$/;
