import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { withAuth } from "@/lib/auth/with-auth.ts";
import { brokerContext } from "@/lib/broker/connection.ts";
import { createGroup, listGroups } from "@/lib/broker/groups.ts";
import { createGroupSchema, listQuery } from "@/lib/schemas/broker.ts";

// GET /api/broker/groups?limit=&offset= - one page of the broker's groups with their roles and clients
export const GET = withAuth(async ({ query }) => listGroups(brokerContext(), query), { query: listQuery });

// POST /api/broker/groups - create a group, with its roles (none of Tessera's)
export const POST = withAuth(async ({ body }) => createGroup(brokerContext(), body), { body: createGroupSchema });

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET", "POST"]);
