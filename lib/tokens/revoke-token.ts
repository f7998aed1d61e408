import "server-only";
import { db } from "../db.ts";
import { TOKEN_HASH } from "./hash-token.ts";
import { predecessorsOf } from "./lifecycle.ts";

/**
 * Deletes the token, which revokes it: withAuth looks every token up by hash,
 * so its very next request is refused. Unknown hashes are not an error (the
 * seed's DELETE "does nothing if the specified token was not found"), and
 * neither is a malformed one: no token has it, so it is not looked for (a
 * NUL in it would make PostgreSQL fail). Revoking the current token of a
 * rotation family revokes the tokens it replaced that are still in their
 * grace too: revoking "r1" after a leak must stop its predecessor as well.
 * Returns whether a token was deleted.
 */
export async function revokeToken(hash: string): Promise<boolean> {
  if (!TOKEN_HASH.test(hash)) return false;
  const { count } = await db().applicationToken.deleteMany({
    where: { OR: [{ hash }, ...(await predecessorsOf(hash))] },
  });
  return count > 0;
}
