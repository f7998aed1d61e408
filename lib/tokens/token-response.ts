import type { TokenResponse } from "../schemas/token.ts";
import type { Role } from "../auth/permissions.ts";

export const TOKEN_COLUMNS = {
  name: true,
  hash: true,
  validUntil: true,
  role: true,
  requestedBy: true,
  issueDate: true,
  lastUsed: true,
} as const;

export interface TokenRow {
  name: string;
  hash: string;
  validUntil: Date;
  role: Role;
  requestedBy: string;
  issueDate: Date;
  lastUsed: Date | null;
}

/** The API's view of a stored token; nothing else of the row leaves. */
export function toTokenResponse(row: TokenRow, now = Date.now()): TokenResponse {
  return {
    name: row.name,
    hash: row.hash,
    validUntil: row.validUntil.toISOString(),
    role: row.role,
    requestedBy: row.requestedBy,
    issueDate: row.issueDate.toISOString(),
    lastUsed: row.lastUsed?.toISOString() ?? null,
    status: row.validUntil.getTime() > now ? "Valid" : "Invalid",
  };
}
