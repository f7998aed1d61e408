import "server-only";
import { db } from "../db.ts";
import { assertTokenHash } from "./get-token-or-throw.ts";

/**
 * Deletes the token, which revokes it: withAuth looks every token up by hash,
 * so its very next request is refused. Unknown hashes are not an error (the
 * seed's DELETE "does nothing if the specified token was not found").
 * Returns whether a token was deleted.
 */
export async function revokeToken(hash: string): Promise<boolean> {
  assertTokenHash(hash);
  const { count } = await db().applicationToken.deleteMany({ where: { hash } });
  return count > 0;
}
