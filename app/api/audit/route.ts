import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { listAudit } from "@/lib/audit/list-audit.ts";
import { withAuth } from "@/lib/auth/with-auth.ts";
import { auditQuery } from "@/lib/schemas/audit.ts";

// GET /api/audit - the audit log, newest first; ?from, ?to, ?actor, ?action, ?tokenHash, ?limit, ?cursor (admin)
export const GET = withAuth(async ({ query }) => listAudit(query), { query: auditQuery });

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
