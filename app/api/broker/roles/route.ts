import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { withAuth } from "@/lib/auth/with-auth.ts";
import { brokerContext } from "@/lib/broker/connection.ts";
import { createRole, listRoles } from "@/lib/broker/roles.ts";
import { createRoleSchema, listQuery } from "@/lib/schemas/broker.ts";

// GET /api/broker/roles?limit=&offset= - one page of the broker's roles with their ACLs, each with managed_by
export const GET = withAuth(async ({ query }) => listRoles(brokerContext(), query), { query: listQuery });

// POST /api/broker/roles - create a role, with its ACLs
export const POST = withAuth(async ({ body }) => createRole(brokerContext(), body), { body: createRoleSchema });

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET", "POST"]);
