import "server-only";
import { auditRow, type AuditActor } from "../audit/record.ts";
import { db } from "../db.ts";
import { nudgeWebhooks } from "../webhooks/dispatcher.ts";
import { enqueueWebhooks } from "../webhooks/enqueue.ts";
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
 * Each token deleted gets its token.revoked audit row in the same
 * transaction. Returns whether a token was deleted.
 */
export async function revokeToken(hash: string, who: AuditActor): Promise<boolean> {
  if (!TOKEN_HASH.test(hash)) return false;
  const predecessors = await predecessorsOf(hash);
  const revoked = await db().$transaction(async (tx) => {
    const listed = await tx.applicationToken.findMany({
      where: { OR: [{ hash }, ...predecessors] },
      select: { hash: true },
    });
    // RETURNING: of two concurrent revocations each row is audited by the one that deleted it.
    const gone = await tx.$queryRaw<{ hash: string; name: string; role: string }[]>`
      DELETE FROM application_tokens WHERE hash = ANY(${listed.map((row) => row.hash)}::text[])
      RETURNING hash, name, role::text AS role`;
    if (gone.length === 0) return false;
    // One row per token that stopped working: the one asked for and each predecessor still in its grace.
    await tx.auditEvent.createMany({
      data: gone.map((row) =>
        auditRow(who, "token.revoked", {
          tokenHash: row.hash,
          target: row.name,
          details: { role: row.role, ...(row.hash === hash ? {} : { predecessorOf: hash }) },
        }),
      ),
    });
    // token.revoked for each, stored with the change: sent after the commit, by any instance.
    await enqueueWebhooks(
      tx,
      "token.revoked",
      gone.map((row) => ({
        key: `token.revoked:${row.hash}`,
        data: { hash: row.hash, name: row.name, role: row.role, revokedBy: who.label, via: who.via },
      })),
    );
    return true;
  });
  if (revoked) nudgeWebhooks();
  return revoked;
}
