import "server-only";
import { db } from "../db.ts";
import type { TokenResponse } from "../schemas/token.ts";
import { TOKEN_COLUMNS, toTokenResponse } from "./token-response.ts";

/** Every application token, oldest first. */
export async function listTokens(): Promise<TokenResponse[]> {
  const rows = await db().applicationToken.findMany({ select: TOKEN_COLUMNS, orderBy: [{ issueDate: "asc" }, { name: "asc" }] });
  const now = Date.now();
  return rows.map((row) => toTokenResponse(row, now));
}
