import "server-only";
import { db } from "../db.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { auditPageResponse, type AuditPage, type AuditQuery } from "../schemas/audit.ts";

const DEFAULT_PAGE = 100;

/**
 * One page of the audit log, newest first, by id (a row's id grows with the
 * time it was written, and unlike `at` it is unique, so a cursor never skips
 * or repeats a row). Filters combine; the answer is built from the response
 * schema's allow-list of fields.
 */
export async function listAudit(query: AuditQuery): Promise<AuditPage> {
  const limit = query.limit ?? DEFAULT_PAGE;
  const where: Prisma.AuditEventWhereInput = {
    ...(query.from || query.to
      ? { at: { ...(query.from ? { gte: query.from } : {}), ...(query.to ? { lt: query.to } : {}) } }
      : {}),
    ...(query.actor ? { actor: query.actor } : {}),
    ...(query.action ? { action: query.action } : {}),
    ...(query.tokenHash ? { tokenHash: query.tokenHash } : {}),
    ...(query.cursor ? { id: { lt: BigInt(query.cursor) } } : {}),
  };
  const rows = await db().auditEvent.findMany({ where, orderBy: { id: "desc" }, take: limit + 1 });
  const page = rows.slice(0, limit);
  return auditPageResponse.parse({
    events: page.map((row) => ({
      ...row,
      id: row.id.toString(),
      details: (row.details as Record<string, unknown>) ?? null,
    })),
    nextCursor: rows.length > limit ? page.at(-1)!.id.toString() : null,
  });
}
