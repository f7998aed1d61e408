import type { Prisma } from "../generated/prisma/client.ts";
import { tokenResponse, type TokenResponse } from "../schemas/token.ts";

/** The columns a token's answer is made of: the response schema's fields but status, which is computed. */
export const TOKEN_COLUMNS = {
  name: true,
  hash: true,
  validUntil: true,
  role: true,
  requestedBy: true,
  issueDate: true,
  lastUsed: true,
  replacedBy: true,
  revokeAt: true,
  disabledAt: true,
} as const satisfies Record<Exclude<keyof TokenResponse, "status"> | "disabledAt", true>;

export type TokenRow = Prisma.ApplicationTokenGetPayload<{ select: typeof TOKEN_COLUMNS }>;

/** The API's view of a stored token, parsed through its response schema: nothing else of the row leaves. */
export function toTokenResponse(row: TokenRow, now = Date.now()): TokenResponse {
  return tokenResponse.parse({ ...row, status: tokenStatus(row, now) });
}

/** What the Status column says (lib/tokens/token-json-sql.ts writes the same in SQL). */
export function tokenStatus(
  row: Pick<TokenRow, "validUntil" | "revokeAt" | "disabledAt">,
  now = Date.now(),
): TokenResponse["status"] {
  if (row.validUntil.getTime() <= now || (row.revokeAt && row.revokeAt.getTime() <= now)) return "Invalid";
  return row.disabledAt ? "Disabled" : "Valid";
}
